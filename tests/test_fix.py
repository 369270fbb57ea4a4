"""`ssot-arch fix`: the dry run's diff, --write, what is left for a person, and what is
never touched.

The rewrite itself (each recipe and unsafe case, formatting) is tested with its engine;
here the command around it: which files it reads, what it writes and when, its
outputs and exit statuses, and its options.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from ssot_arch.domain.remediation import Rewrite
from tests.helpers import FIX_CONTRACT, FIX_REPLACE, LINT_IMPORTS, make_repo, run_cli

LOGS = """
import logging


def get_logger(name=None):
    return logging.getLogger(name)
"""
AUTOMATIC = """
import logging

logger = logging.getLogger(__name__)
"""
MANUAL = """
import logging

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)
"""
IN_A_FUNCTION = '''
"""Jobs."""
import logging


def run():
    logging.getLogger("jobs").info("running")
'''
APP = {
    "app/__init__.py": "",
    "app/logs.py": LOGS,
    "app/a.py": AUTOMATIC,
    "app/b.py": MANUAL,
    "app/jobs/run.py": IN_A_FUNCTION,  # a folder without __init__.py: still fixed
}
CONTRACT, REPLACE = FIX_CONTRACT, FIX_REPLACE
INI = """
[importlinter]
root_package = app
include_external_packages = True
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logging-ssot]
name = Logging goes through app.logs
type = ssot
restricted_modules = logging
gateways = app.logs
replacements =
    logging.getLogger = app.logs:get_logger
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", APP)


def texts(repo: Path) -> dict[str, str]:
    return {
        str(p.relative_to(repo)): p.read_text(encoding="utf-8")
        for p in sorted(repo.rglob("*.py"))
        if not p.is_symlink()
    }


def fix(repo: Path, *args: str):
    return run_cli("fix", str(repo), *CONTRACT, *REPLACE, *args)


def violating_files(repo: Path, *args: str) -> set[str]:
    run = run_cli("check", str(repo), "--format", "json", *CONTRACT, *args)
    return {v["file"] for c in run.json["contracts"] for v in c["violations"]}


# -- the dry run ----------------------------------------------------------------------


def test_the_dry_run_prints_a_diff_writes_nothing_and_exits_1(repo):
    before = texts(repo)
    run = fix(repo)
    assert run.exit_code == 1, run.stderr
    assert texts(repo) == before
    headers = [line for line in run.stdout.splitlines() if line.startswith(("---", "+++"))]
    assert headers == [
        "--- a/app/a.py",
        "+++ b/app/a.py",
        "--- a/app/jobs/run.py",
        "+++ b/app/jobs/run.py",
    ]
    assert "-import logging\n" in run.stdout
    assert "+from app.logs import get_logger\n" in run.stdout
    assert "+logger = get_logger(__name__)\n" in run.stdout
    assert run.stderr.startswith("ssot-arch fix: would fix 2 files; 1 file needs a person")
    assert "app/b.py:4: logging.INFO" in run.stderr
    assert "--write" in run.stderr


def test_the_diff_applies_with_git_apply(repo):
    run = fix(repo)
    patch = repo.parent / "fix.patch"
    patch.write_text(run.stdout, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "apply", str(patch)], check=True)
    assert "get_logger(__name__)" in (repo / "app" / "a.py").read_text(encoding="utf-8")
    assert violating_files(repo) == {"app/b.py"}


def test_nothing_to_change_exits_0_with_an_empty_diff(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": LOGS, "app/b.py": MANUAL})
    run = fix(repo)
    assert (run.exit_code, run.stdout) == (0, "")
    assert "would fix 0 files; 1 file needs a person" in run.stderr


def test_a_repository_without_violations_has_nothing_to_do(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": LOGS})
    run = fix(repo, "--write")
    assert (run.exit_code, run.stdout) == (0, "")
    assert "nothing to do" in run.stderr


# -- --write --------------------------------------------------------------------------


def test_write_applies_exits_1_for_what_is_left_and_a_second_run_changes_nothing(repo):
    run = fix(repo, "--write")
    assert run.exit_code == 1, run.stderr  # app/b.py needs a person
    assert run.stderr.startswith("ssot-arch fix: fixed 2 files; 1 file needs a person")
    after = texts(repo)
    assert after["app/b.py"] == MANUAL.lstrip("\n")
    assert "import logging" not in after["app/a.py"]
    assert "get_logger(__name__)" in after["app/a.py"]
    assert after["app/jobs/run.py"].startswith('"""Jobs."""\n')
    again = fix(repo, "--write")
    assert (again.exit_code, again.stdout) == (1, "")
    assert texts(repo) == after
    dry = fix(repo)
    assert (dry.exit_code, dry.stdout) == (0, "")


def test_write_exits_0_when_no_violation_remains_and_the_second_run_changes_nothing(repo):
    (repo / "app" / "b.py").unlink()
    run = fix(repo, "--write")
    assert run.exit_code == 0, run.stderr
    written = texts(repo)
    again = fix(repo, "--write")
    assert (again.exit_code, again.stdout) == (0, "")
    assert texts(repo) == written
    assert violating_files(repo) == set()


def test_check_after_write_reports_exactly_the_violations_of_the_manual_files(repo):
    before = run_cli("check", str(repo), "--format", "json", *CONTRACT).json
    manual = {
        f["file"] for f in fix(repo, "--format", "json").json["files"] if f["status"] == "manual"
    }
    fix(repo, "--write")
    after = run_cli("check", str(repo), "--format", "json", *CONTRACT).json
    expected = [v for v in before["contracts"][0]["violations"] if v["file"] in manual]
    assert after["contracts"][0]["violations"] == expected
    assert manual == {"app/b.py"}


def test_rewritten_files_parse_with_no_undefined_name_nor_unused_import(repo):
    fix(repo, "--write")
    ruff = Path(sys.executable).with_name("ruff")
    for name in ("app/a.py", "app/jobs/run.py"):
        libcst.parse_module((repo / name).read_text(encoding="utf-8"))
        checked = subprocess.run(
            [str(ruff), "check", "--isolated", "--select", "F821,F401", str(repo / name)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout


def test_write_keeps_the_permissions_and_the_encoding(tmp_path):
    latin = (
        "# -*- coding: latin-1 -*-\nimport logging\n\nNAME = 'café'\n"
        "log = logging.getLogger(NAME)\n"
    )
    repo = make_repo(
        tmp_path,
        {"app/__init__.py": "", "app/logs.py": LOGS, "app/a.py": latin.encode("latin-1")},
    )
    path = repo / "app" / "a.py"
    path.chmod(0o640)
    assert fix(repo, "--write").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    text = path.read_bytes().decode("latin-1")
    assert "'café'" in text and "get_logger(NAME)" in text


def test_output_goes_to_a_file_with_o(repo, tmp_path):
    out = tmp_path / "fix.diff"
    run = fix(repo, "-o", str(out))
    assert run.exit_code == 1 and run.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("--- a/app/a.py\n")


def test_verbose_times_the_phases(repo):
    run = fix(repo, "-v")
    assert "ssot-arch: rewriting:" in run.stderr


# -- what is left for a person, and what is never touched ------------------------------


def test_manual_files_are_untouched_and_listed_with_each_use_its_line_and_why(repo):
    run = fix(repo, "--write", "--format", "json")
    assert run.exit_code == 1
    document = run.json  # validated against fix-v2.json
    by_file = {f["file"]: f for f in document["files"]}
    assert sorted(by_file) == ["app/a.py", "app/b.py", "app/jobs/run.py"]
    assert [by_file[f]["status"] for f in sorted(by_file)] == ["fixed", "manual", "fixed"]
    (reason,) = [r for r in by_file["app/b.py"]["reasons"] if "logging.INFO" in r["use"]]
    assert reason["line"] == 4 and reason["why"]
    assert by_file["app/a.py"]["reasons"] == []
    assert document["totals"] == {"fixed": 2, "unsafe": 0, "manual": 1, "unchanged": 0}
    assert document["written"] is True
    assert (repo / "app" / "b.py").read_text(encoding="utf-8") == MANUAL.lstrip("\n")


def test_the_summary_groups_the_files_left_by_why(tmp_path):
    repo = make_repo(
        tmp_path,
        {"app/__init__.py": "", "app/logs.py": LOGS, "app/b.py": MANUAL, "app/c.py": MANUAL},
    )
    run = fix(repo, "--format", "json")
    whys = {r["why"] for f in run.json["files"] for r in f["reasons"]}
    for why in whys:
        line = next(line for line in run.stderr.splitlines() if line.startswith(f"  {why}:"))
        assert "2 files" in line
    assert "app/b.py:4: logging.INFO" in run.stderr and "app/c.py:4: logging.INFO" in run.stderr


def test_gateways_excluded_and_unanalysed_files_are_never_touched(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            **APP,
            "app/tests/test_a.py": AUTOMATIC,  # excluded
            "app/broken.py": "import logging\nlogger = logging.getLogger(\n",  # not analysed
        },
    )
    before = texts(repo)
    run = fix(repo, "--exclude", "app.tests.*", "--write", "--format", "json")
    assert {f["file"] for f in run.json["files"]} == {"app/a.py", "app/b.py", "app/jobs/run.py"}
    assert "1 file(s) not analysed, so neither fixed nor planned" in run.stderr
    assert "app/broken.py" in run.stderr
    after = texts(repo)
    for name in ("app/logs.py", "app/tests/test_a.py", "app/broken.py"):
        assert after[name] == before[name], name


def test_only_limits_the_run_to_matching_modules(repo):
    run = fix(repo, "--only", "app.jobs.*", "--write", "--format", "json")
    assert run.exit_code == 0, run.stderr  # no violation left in the selected files
    assert [f["file"] for f in run.json["files"]] == ["app/jobs/run.py"]
    assert texts(repo)["app/a.py"] == AUTOMATIC.lstrip("\n")
    several = fix(repo, "--only", "app.a", "--only", "app.b", "--format", "json")
    assert [f["file"] for f in several.json["files"]] == ["app/a.py", "app/b.py"]
    assert fix(repo, "--only", "other.*").stdout == ""


def test_a_symbolic_link_is_never_written_through(tmp_path):
    repo = make_repo(
        tmp_path,
        {"app/__init__.py": "", "app/logs.py": LOGS, "vendor/a.py": AUTOMATIC},
    )
    (repo / "app" / "link.py").symlink_to(repo / "vendor" / "a.py")  # analysed as app.link
    run = fix(repo, "--root-package", "app", "--write", "--format", "json")
    (file,) = run.json["files"]
    assert (file["file"], file["status"]) == ("app/link.py", "manual")
    assert file["reasons"][0]["why"] == "symbolic link: not written through"
    assert (repo / "app" / "link.py").is_symlink()
    assert (repo / "vendor" / "a.py").read_text(encoding="utf-8") == AUTOMATIC.lstrip("\n")
    assert run.exit_code == 1


def test_a_rewrite_that_would_not_parse_is_never_written(repo, monkeypatch):
    from ssot_arch.adapters.codemod import rewrite_pool as use_case

    monkeypatch.setattr(use_case, "rewrite_module", lambda *_: Rewrite("def (:\n", ()))
    before = texts(repo)
    run = fix(repo, "--write", "--format", "json")
    assert run.exit_code == 1
    assert texts(repo) == before
    assert {f["status"] for f in run.json["files"]} == {"manual"}
    whys = {r["why"] for f in run.json["files"] for r in f["reasons"]}
    assert whys == {"the rewritten text would not parse: left as it is"}


# -- replacements ---------------------------------------------------------------------


def test_replacements_come_from_the_contract(tmp_path):
    repo = make_repo(tmp_path, {**APP, ".importlinter": INI})
    run = run_cli("fix", str(repo), "--write")
    assert run.exit_code == 1, run.stderr
    assert "get_logger(__name__)" in (repo / "app" / "a.py").read_text(encoding="utf-8")


def test_without_a_replacement_nothing_is_rewritten(repo):
    run = run_cli("fix", str(repo), *CONTRACT, "--format", "json")
    assert run.exit_code == 0
    assert {f["status"] for f in run.json["files"]} == {"manual"}


def test_replace_overrides_the_contracts_replacement(tmp_path):
    other = "import logging\n\n\ndef make_logger(name=None):\n    return logging.getLogger(name)\n"
    repo = make_repo(tmp_path, {**APP, "app/logs.py": other, ".importlinter": INI})
    run = run_cli("fix", str(repo), "--replace", "logging.getLogger=app.logs:make_logger")
    assert "+logger = make_logger(__name__)\n" in run.stdout


def test_several_contracts_a_file_satisfies_them_all(tmp_path):
    two = INI + (
        "\n[importlinter:contract:loguru-ssot]\nname = loguru too\ntype = ssot\n"
        "restricted_modules = loguru\ngateways = app.logs\n"
    )
    files = {
        **APP,
        ".importlinter": two,
        "app/d.py": "import logging\nimport loguru\n\nlog = logging.getLogger(loguru.__name__)\n",
    }
    repo = make_repo(tmp_path, files)
    run = run_cli("fix", str(repo), "--format", "json")
    statuses = {f["file"]: f["status"] for f in run.json["files"]}
    assert statuses["app/d.py"] == "manual"  # loguru has no replacement
    assert statuses["app/a.py"] == "fixed"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("logging.getLogger", "is not a replacement; write OLD = MODULE:NAME"),
        ("logging.getLogger=app.logs", "is not a replacement; write OLD = MODULE:NAME"),
        ("logging=app.logs:get_logger", "'logging' is not a dotted name inside"),
        ("logging.getLogger=app logs:get_logger", "'app logs' is not a module name"),
        ("logging.getLogger=app.logs:get-logger", "'get-logger' is not a name to import"),
        ("os.getcwd=app.logs:get_logger", "'os.getcwd' is inside no restricted module"),
        ("logging.getLogger=app.nothing:get_logger", "'app.nothing' (in 'logging.getLogger"),
    ],
)
def test_a_bad_replace_is_a_usage_error_naming_the_option(repo, value, expected):
    for command in ("fix", "plan"):
        run = run_cli(command, str(repo), *CONTRACT, "--replace", value)
        assert run.exit_code == 2, run.stderr
        assert "ssot-arch: error: --replace: " in run.stderr
        assert expected in run.stderr


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("logging.getLogger", "is not a replacement"),
        ("loguru.logger = app.logs:get_logger", "'loguru.logger' is inside no restricted module"),
        ("logging.getLogger = app.nowhere:get_logger", "'app.nowhere' (in"),
    ],
)
def test_bad_replacements_in_the_contract_are_configuration_errors(tmp_path, line, expected):
    config = INI.replace("logging.getLogger = app.logs:get_logger", line)
    repo = make_repo(tmp_path, {**APP, ".importlinter": config})
    run = run_cli("fix", str(repo))
    assert run.exit_code == 2, run.stderr
    assert "[importlinter:contract:logging-ssot] replacements:" in run.stderr
    assert expected in run.stderr


def test_replacements_in_pyproject_are_an_array(tmp_path):
    pyproject = """
    [tool.importlinter]
    root_packages = ["app"]

    [[tool.importlinter.contracts]]
    id = "logs"
    name = "logs"
    type = "ssot"
    restricted_modules = ["logging"]
    gateways = ["app.logs"]
    replacements = ["logging.getLogger = app.logs:get_logger"]
    """
    repo = make_repo(tmp_path, {**APP, "pyproject.toml": pyproject})
    run = run_cli("fix", str(repo), "--format", "json")
    assert run.json["totals"]["fixed"] == 2, run.stderr


def test_lint_imports_accepts_the_replacements_option(tmp_path):
    repo = make_repo(tmp_path, {**APP, ".importlinter": INI})
    done = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    assert "Unrecognized option" not in done.stdout + done.stderr
    assert "BROKEN" in done.stdout  # the violations, not a configuration error


def test_the_json_lists_files_in_path_order(repo):
    document = json.loads(fix(repo, "--format", "json").stdout)
    files = [f["file"] for f in document["files"]]
    assert files == sorted(files)


def test_names_from_the_tree_cannot_forge_lines_or_terminal_controls(tmp_path):
    evil = "app/evil\x1b[2J\nname.py"
    repo = make_repo(
        tmp_path, {"app/__init__.py": "", "app/logs.py": LOGS, evil: AUTOMATIC, "app/b.py": MANUAL}
    )
    (repo / "app" / "b.py").rename(repo / "app" / "b\x1b[31m.py")
    run = fix(repo)
    assert run.exit_code == 1, run.stderr
    assert '--- "a/app/evil\\033[2J\\nname.py"\n' in run.stdout  # as git quotes it
    assert "app/b\\x1b[31m.py:4: logging.INFO" in run.stderr
    plan = run_cli("plan", str(repo), *CONTRACT, *REPLACE)
    for text in (run.stdout, run.stderr, plan.stdout):
        assert "\x1b" not in text
    assert "`app/evil\\x1b[2J\\nname.py` — automatic" in plan.stdout


def test_the_diff_is_exact_on_a_pipe_and_escaped_on_a_terminal():
    from ssot_arch.domain.remediation import FIXED, FileFix, FixOutcome
    from ssot_arch.formats import get_renderer

    before = "import logging\r\nX = '\x1b[2J'\r\nlog = logging.getLogger(X)"
    after = "from app.logs import get_logger\r\nX = '\x1b[2J'\r\nlog = get_logger(X)"
    outcome = FixOutcome((FileFix("app/a.py", "app.a", FIXED, (), before, after),), False)
    render = get_renderer("fix", "diff")
    exact = render(outcome, False)
    assert "-import logging\r\n" in exact and " X = '\x1b[2J'\r\n" in exact
    assert exact.endswith("+log = get_logger(X)\n\\ No newline at end of file\n")
    shown = render(outcome, True)
    assert "\x1b[2J" not in shown and "X = '\\x1b[2J'" in shown
    assert "\x1b[31m-import logging\x1b[0m\r\n" in shown


def test_a_reason_about_the_whole_file_has_no_use(repo, monkeypatch):
    from ssot_arch.adapters.codemod import rewrite_pool as use_case
    from ssot_arch.domain.remediation import Remaining

    whole = Rewrite(None, (Remaining(1, "", "does not parse: here"),))
    monkeypatch.setattr(use_case, "rewrite_module", lambda *_: whole)
    run = fix(repo, "--only", "app.a")
    assert "  does not parse: here: 1 file, 1 use\n    app/a.py:1\n" in run.stderr
    plan = run_cli("plan", str(repo), *CONTRACT, *REPLACE)
    assert "- [ ] `app/a.py` — manual: does not parse: here (line 1)\n" in plan.stdout


def test_a_file_changed_during_the_run_is_not_overwritten(repo, monkeypatch):
    from ssot_arch.adapters.codemod import rewrite_pool as use_case

    real = use_case.rewrite_module
    edited = "import logging\n\nlogger = logging.getLogger('edited meanwhile')\n"

    def rewrite_while_someone_edits(text, restricted, replacements):
        (repo / "app" / "a.py").write_text(edited, encoding="utf-8")
        return real(text, restricted, replacements)

    monkeypatch.setattr(use_case, "rewrite_module", rewrite_while_someone_edits)
    run = fix(repo, "--only", "app.a", "--write", "--format", "json")
    (file,) = run.json["files"]
    assert file["status"] == "manual"
    assert file["reasons"][0]["why"] == "the file changed during the run: left as it is"
    assert (repo / "app" / "a.py").read_text(encoding="utf-8") == edited
    assert run.exit_code == 1


def many_violators(tmp_path: Path, count: int) -> Path:
    files = {
        f"app/m{i:02}.py": "import logging\n\nlogger = logging.getLogger(__name__)\n"
        for i in range(count)
    }
    return make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": "import logging\n", **files})


MANY = ("--gateway", "app.logs", "--replace", "logging.getLogger=app.logs:get_logger")


def test_many_files_are_rewritten_in_parallel_processes_with_the_same_result(tmp_path):
    repo = many_violators(tmp_path / "repo", 40)
    (repo / "app" / "logs.py").write_text(
        "import logging\n\n\ndef get_logger(name):\n    return logging.getLogger(name)\n"
    )
    parallel = fix(repo, *MANY, "--format", "json")
    assert parallel.json["totals"]["fixed"] == 40
    from ssot_arch.adapters.codemod import rewrite_pool

    serial = rewrite_pool.rewrite_all(
        [("import logging\n\nlogger = logging.getLogger(__name__)\n", ("logging",), ())] * 2, 1
    )
    assert [r.remaining for r in serial] == [r.remaining for r in serial[:1]] * 2
    diff = fix(repo, *MANY)
    assert diff.stdout.count("+from app.logs import get_logger\n") == 40


def test_a_rewrite_process_that_dies_costs_only_its_file(tmp_path, monkeypatch):
    import faulthandler
    import signal

    from ssot_arch.adapters.codemod import rewrite_pool

    repo = many_violators(tmp_path / "repo", 24)
    (repo / "app" / "logs.py").write_text(
        "import logging\n\n\ndef get_logger(name):\n    return logging.getLogger(name)\n"
    )
    (repo / "app" / "m07.py").write_text(
        "import logging  # CRASH\n\nlogger = logging.getLogger(__name__)\n"
    )
    real = rewrite_pool.rewrite_module

    def crashing(text, restricted, replacements):
        if "CRASH" in text:
            faulthandler.disable()  # pytest's handler would print the child's stack
            os.kill(os.getpid(), signal.SIGSEGV)  # forked workers inherit this patch
        return real(text, restricted, replacements)

    monkeypatch.setattr(rewrite_pool, "rewrite_module", crashing)
    run = fix(repo, *MANY, "--format", "json")
    assert run.exit_code == 1, run.stderr
    statuses = {f["file"]: f["status"] for f in run.json["files"]}
    assert statuses.pop("app/m07.py") == "manual"
    assert set(statuses.values()) == {"fixed"} and len(statuses) == 23
    (crashed,) = [f for f in run.json["files"] if f["file"] == "app/m07.py"]
    assert crashed["reasons"][0]["why"] == rewrite_pool.CRASHED


# -- the rewrite cache ------------------------------------------------------------------


def counting_rewrites(monkeypatch) -> list[str]:
    from ssot_arch.adapters.codemod import rewrite_pool

    calls: list[str] = []
    real = rewrite_pool.rewrite_module

    def counted(text, restricted, replacements):
        calls.append(text)
        return real(text, restricted, replacements)

    monkeypatch.setattr(rewrite_pool, "rewrite_module", counted)
    return calls


def test_a_dry_run_then_write_analyses_each_module_once(repo, monkeypatch):
    calls = counting_rewrites(monkeypatch)
    dry = fix(repo, "--format", "json")
    analysed = len(calls)
    assert analysed >= 2
    plan = run_cli("plan", str(repo), *CONTRACT, *REPLACE)
    written = fix(repo, "--write", "--format", "json")
    assert len(calls) == analysed  # plan and --write reused every verdict
    assert [f["status"] for f in written.json["files"]] == [f["status"] for f in dry.json["files"]]
    assert plan.exit_code == 0
    # Other replacements are another question: asked again.
    with open(repo / "app" / "logs.py", "a", encoding="utf-8") as logs:
        logs.write("\nmake_logger = get_logger\n")
    fix(repo, "--replace", "logging.getLogger=app.logs:make_logger")
    assert len(calls) > analysed


def test_a_forged_rewrite_verdict_is_never_written(repo, monkeypatch, tmp_path):
    cache = Path(os.environ["SSOT_ARCH_CACHE_DIR"])
    fix(repo, "--format", "json")
    (stored,) = list(cache.rglob("rewrites.json"))
    header, body = stored.read_bytes().split(b"\n", 1)
    document = json.loads(body)
    for verdict in document["entries"].values():
        if verdict[0] is not None:
            verdict[0] = "import os\nos.system('echo pwned')\n"
    stored.write_bytes(header + b"\n" + json.dumps(document).encode())
    run = fix(repo, "--write", "--format", "json")
    assert "ignoring the cache file" in run.stderr
    assert not any("pwned" in p.read_text() for p in repo.rglob("*.py"))


# -- what a replacement must be, what --only must match ------------------------------


@pytest.mark.parametrize(
    "replacement, message",
    [
        (
            "logging.getLogger=app.logs:no_such_name",
            "--replace: 'logging.getLogger = app.logs:no_such_name': app.logs defines no "
            "'no_such_name'; check the name, or define it there",
        ),
        ("logging.getLogger=app.logs:class", "'class' is not a name to import from app.logs"),
        ("logging.getLogger=app.logs:None", "'None' is not a name to import from app.logs"),
    ],
)
def test_a_replacement_that_names_nothing_is_a_usage_error(repo, replacement, message):
    before = texts(repo)
    run = run_cli("fix", str(repo), *CONTRACT, "--replace", replacement, "--write")
    assert run.exit_code == 2, run.stderr
    assert message in run.stderr
    assert texts(repo) == before


@pytest.mark.parametrize("pattern", ["", "..", "app/a.py"])
def test_an_only_pattern_that_matches_no_module_is_a_warning(repo, pattern):
    run = fix(repo, "--only", pattern)
    assert run.exit_code == 0, run.stderr
    assert f"--only {pattern!r} matches no module; patterns are globs over module names" in (
        run.stderr
    )
    assert fix(repo, "--only", pattern, "--strict").exit_code == 1
    assert fix(repo, "--only", "app.a", "--strict").exit_code == 1  # a dry run that would fix


def test_unsafe_rewrites_are_written_only_on_request(tmp_path):
    # The replacement returns an unannotated value: not proven to be a logging.Logger.
    files = {
        **APP,
        "app/logs.py": "import logging\n\n\ndef get_logger(name=None):\n    return make(name)\n",
    }
    repo = make_repo(tmp_path / "repo", files)
    run = fix(repo, "--write", "--format", "json")
    statuses = {f["module"]: f["status"] for f in run.json["files"]}
    assert statuses["app.a"] == "unsafe" and run.exit_code == 1
    (reason,) = {
        r["kind"] for f in run.json["files"] if f["status"] == "unsafe" for r in f["reasons"]
    }
    assert reason == "unproven-api"
    assert "more with --unsafe-fixes" in run.stderr
    assert "logging.getLogger" in (repo / "app" / "a.py").read_text(encoding="utf-8")
    written = fix(repo, "--write", "--unsafe-fixes", "--format", "json")
    assert written.json["unsafe_fixes"] is True
    assert "get_logger(__name__)" in (repo / "app" / "a.py").read_text(encoding="utf-8")


# -- --verify: the user's command judges what was written ---------------------------------


def test_a_failing_verify_command_restores_every_written_file(repo):
    (repo / "app" / "a.py").chmod(0o640)
    before = {p: p.read_bytes() for p in repo.rglob("*.py")}
    marker = repo / "ran"
    command = f"touch {marker} && echo checking && echo 'E   broken' >&2 && exit 3"
    run = fix(repo, "--write", "--verify", command, "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert marker.exists()  # it ran, in the repository
    assert {p: p.read_bytes() for p in repo.rglob("*.py")} == before
    assert stat.S_IMODE((repo / "app" / "a.py").stat().st_mode) == 0o640
    verify = run.json["verify"]
    assert (verify["status"], verify["passed"]) == (3, False)
    assert set(verify["restored"]) == {"app/a.py", "app/jobs/run.py"}
    assert "E   broken" in verify["tail"]
    assert "failed (exit status 3); 2 written files restored byte for byte" in run.stderr


def test_a_killed_verify_command_restores_too(repo):
    before = {p: p.read_bytes() for p in repo.rglob("*.py")}
    run = fix(repo, "--write", "--verify", "kill -9 $$")
    assert run.exit_code == 1
    assert "failed (signal 9)" in run.stderr
    assert {p: p.read_bytes() for p in repo.rglob("*.py")} == before


def test_a_passing_verify_command_keeps_the_files(repo):
    check = f"{sys.executable} -c 'import app.a'"
    run = fix(repo, "--write", "--verify", check)
    assert "passed; the files stay written" in run.stderr
    assert "get_logger(__name__)" in (repo / "app" / "a.py").read_text(encoding="utf-8")


def test_verify_needs_write_and_a_command(repo):
    assert fix(repo, "--verify", "true").exit_code == 2
    assert fix(repo, "--write", "--verify", "  ").exit_code == 2


def test_plan_prints_the_configured_verify_command_and_fix_never_runs_it(tmp_path):
    marker = tmp_path / "ran"
    ini = INI + f"\n[ssot-arch]\nverify = touch {marker}\n"
    repo = make_repo(tmp_path / "repo", {**APP, ".importlinter": ini})
    plan = run_cli("plan", str(repo), "--format", "json")
    commands = [step["command"] for step in plan.json["steps"]]
    assert all(c.endswith(f"--write --verify 'touch {marker}'") for c in commands), commands
    run_cli("fix", str(repo), "--write")
    assert not marker.exists()


def test_the_root_logger_is_migrated_with_a_replacement_for_the_exact_form(tmp_path):
    """`logging.getLogger()` is the root logger: manual with `getLogger`'s replacement,
    rewritten with one for the exact form `logging.getLogger()`; a root logger asked for
    by name (`getLogger(None)`) is not that form and stays manual."""
    logs = LOGS + "\n\ndef get_root_logger() -> logging.Logger:\n    return logging.getLogger()\n"
    root = "import logging\n\nroot = logging.getLogger()\nlog = logging.getLogger(__name__)\n"
    named = "from logging import getLogger\n\nroot = getLogger(None)\n"
    repo = make_repo(tmp_path, {**APP, "app/logs.py": logs, "app/r.py": root, "app/n.py": named})
    run = run_cli("fix", str(repo), *CONTRACT, *REPLACE, "--format", "json")
    statuses = {f["file"]: f["status"] for f in run.json["files"]}
    assert statuses["app/r.py"] == statuses["app/n.py"] == "manual"
    exact = ("--replace", "logging.getLogger()=app.logs:get_root_logger")
    run = run_cli("fix", str(repo), *CONTRACT, *REPLACE, *exact, "--write")
    assert (repo / "app/r.py").read_text() == (
        "from app.logs import get_logger, get_root_logger\n\n"
        "root = get_root_logger()\nlog = get_logger(__name__)\n"
    )
    assert (repo / "app/n.py").read_text() == named
    # The exact form is checked like any replacement: its name must exist.
    bad = ("--replace", "logging.getLogger()=app.logs:no_such_name")
    run = run_cli("fix", str(repo), *CONTRACT, *REPLACE, *bad)
    assert run.exit_code == 2
    assert "logging.getLogger() = app.logs:no_such_name" in run.stderr
