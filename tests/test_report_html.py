"""`report --format html` without a browser: the page's data is the whole report, its
safety rests on escaping and on a policy that runs only its own script, and its links
follow the template. (tests/test_report_browser.py opens it in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

from benchmarks import synthetic
from ssot_arch.formats.report_html import source_url_problem
from tests.helpers import html_report_data, html_table, make_repo, run_cli

CONFIG = """
[importlinter]
root_packages =
    app
    worker
    shared
include_external_packages = True
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logging-ssot]
name = Logging goes through the SSOT
type = ssot
restricted_modules =
    logging
    loguru
gateways =
    shared.log
systems =
    ssot = shared.log
    stdlib = logging
    loguru = loguru
"""

# Known figures: app has 32 files that log (30 generated + core + good), one of them
# compliant (good): 3.1 %, 31 violations. worker: 2 files that log, 1 compliant: 50 %,
# 1 violation. Leaks: app.views and app.api (through app.core, to loguru) and
# worker.tasks (through worker.jobs, to logging). Fix first: app.core (2), worker.jobs (1).
GENERATED = 30
SHOP = {
    ".importlinter": CONFIG,
    "shared/__init__.py": "",
    "shared/log.py": "import logging\n\ndef get_logger(name):\n    return logging.getLogger(name)",
    "app/__init__.py": "",
    "app/direct/__init__.py": "",
    **{f"app/direct/m{i:02}.py": "import logging\n" for i in range(GENERATED)},
    "app/core.py": "from loguru import logger\n",
    "app/views.py": "from app import core\n",
    "app/api.py": "from app import views\n",
    "app/good.py": "from shared.log import get_logger\n",
    "worker/__init__.py": "",
    "worker/jobs.py": "import logging\n",
    "worker/tasks.py": "from worker import jobs\n",
    "worker/ok.py": "from shared.log import get_logger\n",
}

# Names a page must show as text: a contract name, a file name, a comment on an import
# line, each written to break out of a script element, an attribute or a link.
ATTACKS = (
    "</script><script>window.pwned = 1</script>",
    '"onload="window.pwned=2',
    "<img src=x onerror=window.pwned=3>",
)
INJECTION = {
    ".importlinter": CONFIG.replace("Logging goes through the SSOT", ATTACKS[0]),
    **{path: text for path, text in SHOP.items() if path != ".importlinter"},
    f"app/{ATTACKS[1]}.py": "import logging\n",
    f"app/{ATTACKS[2]}.py": "import logging\n",
    "app/javascript:window.pwned=4.py": "import logging\n",
    "app/comment.py": f"import logging  # {ATTACKS[0]}\n",
    # Shown in a code cell: as markup, the image's handler would run (script elements
    # inserted as markup do not).
    "app/markup.py": f"import logging  # {ATTACKS[2]}\n",
}


def shop(tmp_path: Path, files: dict[str, str] = SHOP) -> Path:
    return make_repo(tmp_path / "shop", files)


def html_report(repo: Path, *args: str) -> str:
    run = run_cli("report", str(repo), "--format", "html", *args)
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_every_table_holds_every_finding_of_the_json_report(tmp_path):
    repo = shop(tmp_path)
    page = html_report(repo)
    contract = run_cli("report", str(repo), "--format", "json").json["contracts"][0]
    violations = html_table(page, "c0-violations")
    assert len(violations) == len(contract["violations"]) == GENERATED + 2  # no cut at 25
    assert sorted((row[0], row[1], row[2]) for row in violations) == sorted(
        (v["importer"], v["line"], v["imported"]) for v in contract["violations"]
    )
    assert sorted((row[0], row[1], row[2]) for row in html_table(page, "c0-leaks")) == sorted(
        (leak["module"], leak["length"], leak["cause"]) for leak in contract["leaks"]
    )
    assert [row[:3] for row in html_table(page, "c0-causes")] == [
        [c["module"], c["leaks"], c["fix_impact"]] for c in contract["leak_causes"]
    ]
    assert html_table(page, "c0-fix-first") == [
        [1, ["app.core"], 2, 2],
        [2, ["worker.jobs"], 1, 3],
    ]
    compliance = {row[0]: row[1:] for row in html_table(page, "c0-compliance")}
    assert compliance["app"] == [36, 32, 1, 3.1, 31, 31, "critical"]
    assert compliance["worker"] == [4, 2, 1, 50.0, 1, 1, "partial"]
    assert compliance["shared"][-1] == "compliant"


def test_chains_are_carried_as_next_hops_that_end_in_the_restricted_module(tmp_path):
    data = html_report_data(html_report(shop(tmp_path)))
    names = [module[0] for module in data["modules"]]
    following = {names[m]: (names[via], line) for m, via, line in data["contracts"][0]["hops"]}
    chain, module = [], "app.api"
    while module in following:
        chain.append(module)
        module = following[module][0]
    assert [*chain, module] == ["app.api", "app.views", "app.core", "loguru"]


def test_every_module_carries_its_file_and_services(tmp_path):
    data = html_report_data(html_report(shop(tmp_path)))
    modules = {module[0]: module[1:] for module in data["modules"]}
    assert modules["app.views"] == ["app/views.py", [data["groups"].index("app")]]
    assert modules["loguru"] == ["", []]  # no file, no service: shown as plain code


def test_the_page_runs_only_its_own_script_and_reaches_no_network(tmp_path):
    page = html_report(shop(tmp_path, INJECTION))
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [attributes for attributes, _ in scripts] == [
        ' type="application/json" id="ssot-data"',
        "",
    ]
    digest = base64.b64encode(hashlib.sha256(scripts[1][1].encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    assert policy.group(1).startswith(f"default-src 'none'; script-src 'sha256-{digest}';")
    assert not re.search(r"\b(?:src|href)=\"(?:https?:)?//", page)  # nothing loaded
    payload = scripts[0][1]
    assert "<" not in payload and ">" not in payload  # no tag can close the data early
    statements = {row[0]: row[3] for row in html_table(page, "c0-violations")}
    assert statements["app.comment"] == f"import logging  # {ATTACKS[0]}"  # data, exact
    head = page.split('id="ssot-data"')[0]
    for attack in ATTACKS:
        assert attack not in head
    assert "&lt;/script&gt;&lt;script&gt;window.pwned = 1&lt;/script&gt;" in head


def test_links_follow_the_template_or_lead_to_the_files_from_the_report(tmp_path):
    repo = shop(tmp_path)
    template = "https://example.com/o/r/blob/abc/{path}#L{line}"
    assert html_report_data(html_report(repo, "--source-url", template))["link"] == template
    out = tmp_path / "site" / "reports" / "now.html"
    out.parent.mkdir(parents=True)
    assert run_cli("report", str(repo), "--format", "html", "-o", str(out)).exit_code == 0
    assert html_report_data(out.read_text())["link"] == "../../shop/{path}"
    spaced = make_repo(tmp_path / "a b#c", SHOP)
    page = run_cli("report", str(spaced), "--format", "html", cwd=tmp_path).stdout
    assert html_report_data(page)["link"] == "a%20b%23c/{path}"


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("https://x/{file}", "unknown placeholder {file}: use {path} and {line}"),
        ("https://x/#L{line}", "it must contain {path}"),
    ],
)
def test_a_bad_link_template_is_a_usage_error(tmp_path, template, problem):
    assert problem in (source_url_problem(template) or "")
    run = run_cli("report", str(shop(tmp_path)), "--format", "html", "--source-url", template)
    assert run.exit_code == 2 and "--source-url" in run.stderr and problem in run.stderr


def test_link_templates_belong_to_the_html_report(tmp_path):
    run = run_cli("report", str(shop(tmp_path)), "--source-url", "{path}")
    assert run.exit_code == 2
    assert "file links are made by --format html only" in run.stderr


def test_the_renderer_and_its_link_template_are_chosen_by_the_formats():
    """Issue 23: the HTML path of cli.py bypassed get_renderer; formats choose now."""
    from ssot_arch.formats import get_renderer
    from ssot_arch.formats.report_links import SourceUrlError, report_renderer

    assert report_renderer("json", None, ".", None) is get_renderer("report", "json")
    with pytest.raises(SourceUrlError, match="--format html only"):
        report_renderer("markdown", "{path}", ".", None)
    with pytest.raises(SourceUrlError, match="unknown placeholder"):
        report_renderer("html", "https://x/{file}", ".", None)


def test_the_page_is_byte_identical_across_runs(tmp_path):
    repo = shop(tmp_path)
    assert html_report(repo, "--no-cache") == html_report(repo) == html_report(repo)


def test_a_report_of_15000_modules_and_10000_leaks_stays_under_5_megabytes(tmp_path):
    # The largest repository the page is made for (benchmarks/html_page.py measures how
    # fast it opens); the size depends only on the tree, which the seed fixes.
    tree = tmp_path / "big"
    synthetic.generate(str(tree), 15_000, seed=1)
    out = tmp_path / "report.html"
    assert run_cli("report", str(tree), "--format", "html", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    data = html_report_data(page)
    assert len(data["modules"]) >= 15_000
    assert len(data["tables"]["c0-leaks"]["rows"]) >= 10_000
    assert len(page.encode()) < 5_000_000


def test_the_page_says_only_what_is_true_of_the_page(tmp_path):
    """Issue 22: no Markdown left as text (`*alone*`), and no "… and N more" cut notice
    above tables that hold every row (the Markdown report has it, the page does not)."""
    users = {f"app/use/u{i:02}.py": f"from app.direct import m{i:02}\n" for i in range(GENERATED)}
    repo = shop(tmp_path, {**SHOP, "app/use/__init__.py": "", **users})
    markdown = run_cli("report", str(repo), "--format", "markdown").stdout
    assert "more (all of them: `ssot-arch report --format json`" in markdown  # 30 causes
    page = html_report(repo)
    prose = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "more (all of them" not in prose
    assert not re.search(r"(?<![\w*])\*\w[^*<>]*\*(?![\w*])", prose), "Markdown emphasis left"
    example = Path(__file__).resolve().parents[1] / "examples" / "monorepo"
    page = html_report(example)
    prose = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert not re.search(r"(?<![\w*])\*\w[^*<>]*\*(?![\w*])", prose)


def test_each_cause_says_its_fix_first_step(tmp_path):
    """Issue 22: 'leaks ending here' and 'fix impact' pointed to different priorities;
    next to each cause, its step in the fix-first order and what that step removes."""
    repo = shop(tmp_path)
    contract = run_cli("report", str(repo), "--format", "json").json["contracts"][0]
    steps = {
        v["module"]: (n, step["leaks_removed"])
        for n, step in enumerate(contract["fix_first"], 1)
        for v in step["violators"]
    }
    assert steps == {"app.core": (1, 2), "worker.jobs": (2, 1)}
    for cause in contract["leak_causes"]:
        expected = steps.get(cause["module"], (None, 0))
        assert (cause["fix_first_step"], cause["removed_at_step"]) == expected
    rows = {row[0]: row[4:] for row in html_table(html_report(repo), "c0-causes")}
    assert rows["app.core"] == [1, 2] and rows["worker.jobs"] == [2, 1]
    markdown = run_cli("report", str(repo), "--format", "markdown").stdout
    assert "| `app.core` | app/core.py | 2 | 2 | 1: removes 2 |" in markdown
