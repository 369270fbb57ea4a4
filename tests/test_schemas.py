"""The JSON Schemas shipped in ssot_arch/schemas/ (docs/spec.md): valid, installed, and
true to what the tool writes and reads.

Every `check`/`report --format json` run of the suite is validated through
`Run.json` (tests/helpers.py), closed to keys the schemas lack; this file adds the
documents with every optional key, the baseline file, and what the schemas reject.
"""

from __future__ import annotations

import copy
import fnmatch
import importlib.resources
import json
import re
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest

import ssot_arch
from tests.helpers import (
    load_schema,
    make_repo,
    read_baseline_json,
    run_cli,
    schema_validator,
    validate_json,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "monorepo"
NAMES = (
    "check-v1",
    "report-v1",
    "report-v2",
    "baseline-v1",
    "fix-v1",
    "fix-v2",
    "plan-v1",
    "trend-v1",
    "init-v1",
    "graph-v1",
    "trace-v1",
)
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def open_errors(name: str, document) -> list[str]:
    """What the schema as shipped (open to added keys) finds wrong with `document`."""
    validator = schema_validator(name, strict=False)
    return [error.message for error in validator.iter_errors(document)]


# -- the files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema_with_its_own_id(name):
    schema = load_schema(name)
    assert schema["$schema"] == DRAFT
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/ssot_arch/schemas/{name}.json")
    assert schema["type"] == "object" and schema["required"]


def test_the_schemas_are_found_inside_the_installed_package():
    folder = importlib.resources.files("ssot_arch") / "schemas"
    shipped = sorted(item.name for item in folder.iterdir() if item.name.endswith(".json"))
    assert shipped == sorted(f"{name}.json" for name in NAMES)
    package = Path(ssot_arch.__file__).resolve().parent
    with importlib.resources.as_file(folder / "check-v1.json") as path:
        assert path.resolve().parent == package / "schemas"


def test_the_package_data_ships_the_schemas_in_a_wheel():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["ssot_arch"]
    for name in NAMES:
        assert any(fnmatch.fnmatch(f"schemas/{name}.json", p) for p in patterns), patterns


def test_the_output_schemas_pin_their_version_and_the_baseline_its_format():
    for name in NAMES:
        if name == "baseline-v1":
            continue
        schema = load_schema(name)
        assert schema["properties"]["schema_version"] == {
            "const": int(name[-1]),
            "description": schema["properties"]["schema_version"]["description"],
        }
        assert "schema_version" in schema["required"]
    baseline = load_schema("baseline-v1")
    assert baseline["properties"]["ssot_arch_baseline"]["const"] == 1
    assert "ssot_arch_baseline" in baseline["required"]


def test_the_report_schema_holds_everything_the_check_schema_does():
    check, report = load_schema("check-v1"), load_schema("report-v2")
    for name, definition in check["$defs"].items():
        assert report["$defs"][name] == definition, name
    contract, extended = check["$defs"]["check_contract"], report["$defs"]["report_contract"]
    for key, value in contract["properties"].items():
        assert extended["properties"][key] == value, key
    assert set(contract["required"]) < set(extended["required"])
    for key, value in check["properties"].items():
        # report has no --changed-since, and its own schema_version
        if key not in ("contracts", "changed_since", "schema_version"):
            assert report["properties"][key] == value, key
    assert set(check["required"]) < set(report["required"])


def test_the_docs_name_every_schema_and_their_example_validates():
    text = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}.json`" in text and load_schema(name)["$id"] in text
    documents = [
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)
        if '"schema_version"' in block
    ]

    def schema_of(document: dict) -> str:
        if "steps" in document:
            return "plan-v1"
        if "commits" in document:
            return "trend-v1"
        if "candidates" in document:
            return "init-v1"
        if "processes" in document:
            return "trace-v1"
        return "fix-v2" if "written" in document else "check-v1"

    assert sorted(map(schema_of, documents)) == [
        "check-v1",
        "fix-v2",
        "init-v1",
        "plan-v1",
        "trace-v1",
        "trend-v1",
    ]
    for document in documents:
        validate_json(schema_of(document), document)


# -- real outputs -------------------------------------------------------------------


def test_the_bundled_example_outputs_validate():
    check = run_cli("check", str(EXAMPLE), "--format", "json")
    assert check.exit_code == 1, check.stderr
    report = run_cli("report", str(EXAMPLE), "--format", "json")
    assert report.exit_code == 0, report.stderr
    for name, run in (("check-v1", check), ("report-v2", report)):
        document = run.json  # validated, closed to undocumented keys
        assert open_errors(name, document) == []
        assert document["contracts"][0]["violations"]
    assert report.json["contracts"][0]["leaks"] and report.json["contracts"][0]["laundering"]
    # graph's JSON: the same header as every document, and its own schema (issue 23).
    for extra in ((), ("--externals",), ("--collapse", "1")):
        graph = run_cli("graph", str(EXAMPLE), "--format", "json", *extra)
        assert graph.exit_code == 0, graph.stderr
        assert list(graph.json)[:3] == ["tool", "version", "schema_version"]
        validate_json("graph-v1", graph.json)


def test_baselines_written_by_the_tool_validate(tmp_path):
    repo = tmp_path / "monorepo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ssot_arch_cache"))
    entries, budgets = tmp_path / "entries.json", tmp_path / "budgets.json"
    assert run_cli("baseline", str(repo), "-o", str(entries)).exit_code == 0
    assert run_cli("baseline", str(repo), "--budgets", "-o", str(budgets)).exit_code == 0
    assert read_baseline_json(entries)["contracts"]["logging-ssot"]["entries"]
    assert read_baseline_json(budgets)["contracts"]["logging-ssot"]["budgets"]
    known = run_cli("check", str(repo), "--format", "json", "--baseline", str(entries))
    statuses = {v["status"] for v in known.json["contracts"][0]["violations"]}
    assert statuses == {"known"}


RICH = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\nfrom loguru import logger\n",
    "app/a.py": "import logging\n",
    "app/c.py": "import app.a\nfrom app.logs import logger\n",
    # Both mention a restricted module, so that `check` parses them too.
    "app/d.py": "from ..... import logging\n",
    "app/broken.py": "import logging\ndef (:\n",
    "app/my-tool.py": "X = 1\n",
    "app/x.py": "X = 1\n",
    "app/x/__init__.py": "",
    "app/node_modules/z.py": "X = 1\n",
}
CONTRACT = (
    "--gateway",
    "app.logs",
    "--restricted",
    "logging",
    "--restricted",
    "loguru",
    "--restricted",
    "loggin",  # imported nowhere: a contract warning
    "--system",
    "std=logging",
    "--system",
    "loguru=loguru",
    "--system",
    "ssot=app.logs",
)
BASELINE = {
    "ssot_arch_baseline": 1,
    "contracts": {
        "cli": {
            "budgets": {"app": 0},
            "entries": [
                {
                    "file": "app/a.py",
                    "imported": "logging",
                    "import": "import logging",
                    "owner": "@ana",
                    "expires": "2020-01-01",
                },
                {"file": "app/gone.py", "imported": "logging", "import": "import logging"},
            ],
        },
        "renamed": {"entries": []},  # matches no contract: a run warning
    },
}


@pytest.fixture
def rich(tmp_path):
    """A repository with something in every list and every optional key."""
    repo = make_repo(tmp_path / "repo", RICH)
    outside = make_repo(tmp_path / "outside", {"leak.py": "X = 1\n"})
    (repo / "app" / "leak.py").symlink_to(outside / "leak.py")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(BASELINE), encoding="utf-8")
    validate_json("baseline-v1", BASELINE)
    return repo, baseline


def assert_every_list_filled(document: dict, run_warnings: bool = True) -> None:
    coverage = document["coverage"]
    for key in (
        "unanalyzed",
        "unresolved_imports",
        "not_importable",
        "skipped_dirs",
        "skipped_files",
    ):
        assert coverage[key], key
    assert document["contracts"][0]["warnings"]
    assert bool(document.get("warnings")) is run_warnings


def test_a_check_with_every_optional_key_validates(rich):
    repo, baseline = rich
    run = run_cli("check", str(repo), *CONTRACT, "--format", "json", "--baseline", str(baseline))
    assert run.exit_code == 1, run.stderr
    document = run.json
    assert_every_list_filled(document)
    assert document["coverage"]["files_cleared_by_text"]
    verdict = document["contracts"][0]["baseline"]
    assert verdict["stale"] and verdict["expired"] and verdict["budgets"]
    assert [v["status"] for v in document["contracts"][0]["violations"]] == ["expired"]
    assert open_errors("check-v1", document) == []


def test_a_report_with_every_analysis_filled_validates(rich):
    repo, _ = rich
    run = run_cli("report", str(repo), *CONTRACT, "--format", "json")
    assert run.exit_code == 0, run.stderr
    document = run.json
    assert_every_list_filled(document, run_warnings=False)  # those come from a baseline
    contract = document["contracts"][0]
    for key in ("systems", "leaks", "leak_causes", "fix_first", "fragmented", "laundering"):
        assert contract[key], key
    assert any(cell["start"] for row in contract["reach"].values() for cell in row.values())
    assert contract["reach_hops"]
    assert contract["hops"]
    assert open_errors("report-v2", document) == []


# -- what the schemas reject ----------------------------------------------------------


@pytest.fixture(scope="module")
def example_check() -> dict:
    return run_cli("check", str(EXAMPLE), "--format", "json").json


@pytest.mark.parametrize(
    "path",
    [
        ("coverage",),
        ("schema_version",),
        ("contracts",),
        ("coverage", "unanalyzed"),
        ("contracts", 0, "kept"),
        ("contracts", 0, "violations", 0, "status"),
        ("contracts", 0, "violations", 0, "line"),
    ],
)
def test_a_document_missing_a_required_key_is_rejected(example_check, path):
    document = copy.deepcopy(example_check)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert open_errors("check-v1", document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("contracts", 0, "violations", 0, "status"), "fixed"),
        (("contracts", 0, "violations", 0, "line"), "1"),
        (("contracts", 0, "kept"), "no"),
        (("schema_version",), 2),
        (("tool",), "import-linter"),
        (("coverage", "files_total"), -1),
    ],
)
def test_a_document_with_a_wrong_value_is_rejected(example_check, path, value):
    document = copy.deepcopy(example_check)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert open_errors("check-v1", document)


def test_added_keys_are_allowed_by_the_shipped_schema_but_not_by_the_suite(example_check):
    document = copy.deepcopy(example_check)
    document["new_top_level_key"] = 1
    document["contracts"][0]["violations"][0]["column"] = 4
    assert open_errors("check-v1", document) == []
    with pytest.raises(AssertionError, match="column|new_top_level_key"):
        validate_json("check-v1", document)


def test_an_empty_optional_list_is_rejected(example_check):
    document = copy.deepcopy(example_check)
    document["warnings"] = []
    assert open_errors("check-v1", document)


ENTRY = {"file": "app/a.py", "imported": "logging", "import": "import logging"}


def baseline_with(**entry) -> dict:
    return {"ssot_arch_baseline": 1, "contracts": {"cli": {"entries": [{**ENTRY, **entry}]}}}


@pytest.mark.parametrize(
    ("document", "valid"),
    [
        (baseline_with(), True),
        (baseline_with(occurrence=2, importer="app.a", reason="r", owner="@o"), True),
        (baseline_with(expires="2099-12-31"), True),
        ({"ssot_arch_baseline": 1, "contracts": {"cli": {"budgets": {"app": 3}}}}, True),
        ({**baseline_with(), "comment": "top-level keys are ignored"}, True),
        (baseline_with(line=3), False),
        (baseline_with(occurrence=0), False),
        (baseline_with(occurrence=True), False),
        (baseline_with(expires="31/12/2099"), False),
        (baseline_with(expires=None), False),
        (baseline_with(file=""), False),
        ({"ssot_arch_baseline": 1, "contracts": {"cli": {"entries": [{"file": "a.py"}]}}}, False),
        ({"ssot_arch_baseline": 1, "contracts": {"cli": {"budgets": {"app": -1}}}}, False),
        ({"ssot_arch_baseline": 1, "contracts": {"cli": {"ratchet": True}}}, False),
        ({"ssot_arch_baseline": 1, "contracts": []}, False),
        ({"ssot_arch_baseline": 2, "contracts": {}}, False),
        ({"contracts": {}}, False),
    ],
)
def test_the_baseline_schema_accepts_what_the_tool_reads(tmp_path, document, valid):
    assert (open_errors("baseline-v1", document) == []) is valid
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", "app/a.py": "import logging\n"})
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    run = run_cli("check", str(repo), "--restricted", "logging", "--baseline", str(path))
    assert (run.exit_code != 2) is valid, run.stderr
