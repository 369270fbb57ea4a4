"""Dynamic imports on the command line: listed by `report`, violations of `check` with
`dynamic_imports = true`, whatever spelling the string uses."""

from __future__ import annotations

from tests.helpers import make_repo, run_cli

FILES = {
    "app/__init__.py": "",
    "app/logs.py": "import importlib\nlog = importlib.import_module('logging')\n",  # the SSOT
    "app/plugin.py": "import importlib\n\nmod = importlib.import_module('\\x6cogging')\n",
    "app/old.py": "def get():\n    return __import__('loguru').logger\n",
    "app/fine.py": "import importlib\nname = 'json'\nmod = importlib.import_module(name)\n",
}
CONTRACT = """
[importlinter]
root_package = app
include_external_packages = True
contract_types = ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logs]
name = logs
type = ssot
gateways = app.logs
"""


def test_the_report_lists_dynamic_imports_of_restricted_modules(tmp_path):
    repo = make_repo(tmp_path, {**FILES, ".importlinter": CONTRACT})
    run = run_cli("report", str(repo), "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.stderr
    contract = run.json["contracts"][0]
    assert contract["dynamic_imports"] == [
        {
            "importer": "app.old",
            "file": "app/old.py",
            "line": 2,
            "imported": "loguru",
            "call": "__import__('loguru')",
        },
        {
            "importer": "app.plugin",
            "file": "app/plugin.py",
            "line": 3,
            "imported": "logging",
            "call": "importlib.import_module('\\x6cogging')",
        },
    ]
    assert contract["violations"] == []  # report only, by default
    markdown = run_cli("report", str(repo), "--no-cache").stdout
    assert "| app/plugin.py:3 | `importlib.import_module('\\x6cogging')` | `logging` |" in markdown
    assert "set `dynamic_imports = true`" in markdown


def test_check_counts_them_with_the_contract_option(tmp_path):
    repo = make_repo(tmp_path, {**FILES, ".importlinter": CONTRACT})
    assert run_cli("check", str(repo), "--no-cache").exit_code == 0
    strict = make_repo(
        tmp_path / "strict", {**FILES, ".importlinter": CONTRACT + "dynamic_imports = true\n"}
    )
    for cache in ("--no-cache", "--cache-dir=.cache"):
        run = run_cli("check", str(strict), cache, "--format", "json")
        assert run.exit_code == 1, run.stderr
        violations = run.json["contracts"][0]["violations"]
        assert [(v["file"], v["line"], v["imported"]) for v in violations] == [
            ("app/old.py", 2, "loguru"),
            ("app/plugin.py", 3, "logging"),
        ]
        # No file but `__init__` is cleared by its text: the others name import functions
        # (none mentions `logging` or `loguru` after `import`).
        assert run.json["coverage"]["files_cleared_by_text"] == 1
    text = run_cli("check", str(strict), "--no-cache").stdout
    assert "app/plugin.py:3: 'logging' imported directly (importlib.import_module(" in text


def test_the_scan_finds_them_on_its_way_as_the_dynamic_pass_does(tmp_path):
    """A cold report finds dynamic imports in the scan's own screen (scanner.py); one
    with a cache, in the dynamic pass: the same findings, and one warning for a file
    the running Python cannot parse (code for a newer Python: grimp reads it)."""
    newer = "import importlib\ntype Alias = int\nm = importlib.import_module('logging')\n"
    repo = make_repo(tmp_path, {**FILES, "app/newer.py": newer, ".importlinter": CONTRACT})
    cold = run_cli("report", str(repo), "--no-cache", "--format", "json")
    cached = run_cli(
        "report", str(repo), "--cache-dir", str(tmp_path / "cache"), "--format", "json"
    )
    warm = run_cli("report", str(repo), "--cache-dir", str(tmp_path / "cache"), "--format", "json")
    findings = [run.json["contracts"][0]["dynamic_imports"] for run in (cold, cached, warm)]
    assert findings[0] == findings[1] == findings[2]
    assert [d["importer"] for d in findings[0]] == ["app.old", "app.plugin"]
    for run in (cold, cached, warm):
        warnings = [line for line in run.stderr.splitlines() if "not looked for" in line]
        assert len(warnings) == 1 and "app/newer.py" in warnings[0], run.stderr
