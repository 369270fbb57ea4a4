"""The gate against trees built to crash, hang, fool or leak it (issue: a gate that cannot
be fooled). Each test asserts the exit status, that no traceback is printed, that every
file is analysed or listed, and for the leaks that the secret never appears."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import SSOT_ARCH, check_json, make_repo, run_cli, validate_json

CHECK_FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
REPORT_FORMATS = ("markdown", "json", "html")


def run(repo: Path, *args: str, cwd: Path | None = None, timeout: float = 120):
    """The installed command in a process of its own: a crash or a hang shows as one."""
    return subprocess.run(
        [SSOT_ARCH, *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SSOT_ARCH_CACHE_DIR": str(repo.parent / "user-cache")},
    )


def parsed(done: subprocess.CompletedProcess, schema: str = "check-v1") -> dict:
    """A process's JSON output, validated against its schema."""
    document = json.loads(done.stdout)
    validate_json(schema, document)
    return document


def coverage(data: dict) -> dict:
    return data["coverage"]


def listed(data: dict) -> set[str]:
    """Every path the coverage names, analysed or not."""
    cov = coverage(data)
    return (
        {u["file"] for u in cov["unanalyzed"]}
        | {s["path"] for s in cov.get("skipped_files", [])}
        | {s["path"] for s in cov["skipped_dirs"]}
    )


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "panicked" not in stderr
    assert "internal error" not in stderr


# -- 1. A crash while scanning one file costs exactly that file ---------------------


def deep_expression(terms: int = 500_000) -> str:
    # Deep enough to overflow the Rust parser's stack in any thread.
    return "import logging\nx = " + " + ".join(["1"] * terms) + "\n"


def test_a_file_that_crashes_the_scanner_costs_only_itself(tmp_path):
    files = {f"app/m{i}.py": "import logging\n" for i in range(40)}
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", **files})
    (repo / "app" / "m17.py").write_text(deep_expression())
    for command, status in (("check", 1), ("report", 0)):
        done = run(repo, command, ".", "--format", "json")
        assert done.returncode == status, done.stderr
        assert_clean_stderr(done.stderr)
        data = parsed(done, {"check": "check-v1", "report": "report-v2"}[command])
        (unanalyzed,) = coverage(data)["unanalyzed"]
        assert unanalyzed["file"] == "app/m17.py"
        assert "crashed" in unanalyzed["reason"] and "SIGSEGV" in unanalyzed["reason"]
        assert coverage(data)["files_analyzed"] == 40
        violations = data["contracts"][0]["violations"]
        assert len(violations) == 39 and "app/m17.py" not in {v["file"] for v in violations}


# -- 2. Only regular files are read, and only so much --------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_listed_not_waited_for(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", "app/ok.py": "import logging\n"})
    os.mkfifo(repo / "app" / "x.py")
    done = run(repo, "check", ".", "--format", "json", timeout=60)
    assert done.returncode == 1
    assert_clean_stderr(done.stderr)
    data = parsed(done)
    assert coverage(data)["unanalyzed"] == [
        {"file": "app/x.py", "reason": "not a regular file: FIFO"}
    ]
    assert [v["file"] for v in data["contracts"][0]["violations"]] == ["app/ok.py"]


def test_a_link_to_a_device_is_listed_not_read(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", "app/ok.py": "import logging\n"})
    os.symlink("/dev/zero", repo / "app" / "zero.py")
    done = run(repo, "check", ".", "--format", "json", timeout=60)
    assert done.returncode == 1  # the violation in ok.py
    data = parsed(done)
    assert coverage(data)["skipped_files"] == [
        {"path": "app/zero.py", "reason": "symbolic link to outside the repository"}
    ]
    assert coverage(data)["unanalyzed"] == []


def test_a_file_over_the_size_limit_is_listed_not_read(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/big.py": "import logging\n" + "# padding\n" * 300,
            "app/small.py": "import loguru\n",
            "setup.cfg": "[ssot-arch]\nmax_file_size = 2K\n",
        },
    )
    data = check_json(repo).json
    assert coverage(data)["unanalyzed"] == [
        {
            "file": "app/big.py",
            "reason": "larger than the 2,048-byte limit (3,015 bytes); "
            "raise [ssot-arch] max_file_size to analyse it",
        }
    ]
    assert check_json(repo).violations() == [("app/small.py", 1, "loguru")]


@pytest.mark.parametrize("value", ["lots", "0", "-5", "2KB"])
def test_a_size_limit_that_is_no_size_is_a_usage_error(tmp_path, value):
    repo = make_repo(
        tmp_path, {"app/__init__.py": "", "setup.cfg": f"[ssot-arch]\nmax_file_size = {value}\n"}
    )
    result = run_cli("check", str(repo))
    assert result.exit_code == 2
    assert "max_file_size" in result.stderr and "is not a size" in result.stderr


# -- 3. Relative imports that climb any number of levels -----------------------------


@pytest.mark.parametrize("dots", [2, 3, 12, 13, 14, 15, 16, 17, 30, 1000, 100_000])
def test_every_depth_of_relative_import_is_listed_with_its_line(tmp_path, dots):
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/sub/__init__.py": "",
            "app/sub/mod.py": "import os\nfrom " + "." * dots + " import logging\n"
            "from \\\n" + ". " * dots + "import x\n",
            "other/__init__.py": "import logging\n",
        },
    )
    done = run(repo, "report", ".", "--format", "json")
    assert done.returncode == 0
    assert done.stderr == ""
    data = parsed(done, "report-v2")
    if dots <= 2:  # app.sub.mod's `from .. import` stays inside app
        assert coverage(data)["unresolved_imports"] == []
        return
    assert [(u["file"], u["line"]) for u in coverage(data)["unresolved_imports"]] == [
        ("app/sub/mod.py", 2),
        ("app/sub/mod.py", 3),
    ]
    assert all(len(u["line_contents"]) <= 210 for u in coverage(data)["unresolved_imports"])
    assert data["contracts"][0]["leaks"] == []  # no edge was invented
    assert coverage(data)["files_analyzed"] == 4


def test_climbing_out_of_a_root_does_not_land_on_a_sibling_root(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "from .. import other\n",
            "app/mod.py": "from .. import app\nfrom .. import other\n",
            "other/__init__.py": "import logging\n",
        },
    )
    data = run_cli("report", str(repo), "--format", "json").json
    assert [(u["file"], u["line"]) for u in coverage(data)["unresolved_imports"]] == [
        ("app/__init__.py", 1),
        ("app/mod.py", 1),
        ("app/mod.py", 2),
    ]
    assert data["contracts"][0]["leaks"] == []


@pytest.mark.parametrize("name", ["_ssot_virtual_", "_ssot_outside_", "~ssot"])
def test_a_root_named_like_the_scanner_internals_keeps_its_imports(tmp_path, name):
    repo = make_repo(
        tmp_path,
        {
            f"{name}/__init__.py": "from . import mod\n",
            f"{name}/mod.py": "import logging\n",
            "app/__init__.py": f"import {name}.mod\n" if name.isidentifier() else "",
        },
    )
    run_result = run_cli("report", str(repo), "--format", "json")
    data = run_result.json
    assert [v["file"] for v in data["contracts"][0]["violations"]] == [f"{name}/mod.py"]
    if name.isidentifier():  # (a folder named `~ssot` is no package: its files are labels)
        leaks = {leak["module"] for leak in data["contracts"][0]["leaks"]}
        assert {name, "app"} <= leaks


# -- 4. Nothing outside the repository is read through a link ------------------------

SECRET = "TOPSECRET-4815162342"


def leaky_repo(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET} = (\n")  # a syntax error quoting it
    (outside / "pkg").mkdir()
    (outside / "pkg" / "mod.py").write_text(f"import logging  # {SECRET}\n")
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/real.py": "import logging\n",
            "scripts/build/tool.py": "import loguru\n",  # skipped folder: not in the universe
        },
    )
    os.symlink(outside / "secret.txt", repo / "app" / "leak.py")
    os.symlink(outside / "pkg", repo / "app" / "linked_pkg")
    os.symlink(outside / "pkg", repo / "vendored")  # a top-level folder link
    os.symlink(repo / "app" / "real.py", repo / "app" / "alias.py")
    os.symlink(repo / "scripts" / "build" / "tool.py", repo / "app" / "tool.py")
    return repo


@pytest.mark.parametrize(
    "command, output_format",
    [("check", f) for f in CHECK_FORMATS] + [("report", f) for f in REPORT_FORMATS],
)
def test_links_out_of_the_repository_are_never_read(tmp_path, command, output_format):
    repo = leaky_repo(tmp_path)
    done = run(repo, command, ".", "--format", output_format)
    assert SECRET not in done.stdout + done.stderr
    assert_clean_stderr(done.stderr)
    assert done.returncode == (1 if command == "check" else 0)


def test_links_are_listed_or_analysed_once_under_one_name(tmp_path):
    repo = leaky_repo(tmp_path)
    data = parsed(run(repo, "check", ".", "--format", "json"))
    assert coverage(data)["skipped_files"] == [
        {
            "path": "app/alias.py",
            "reason": "symbolic link to app/real.py, analysed under that name",
        },
        {"path": "app/leak.py", "reason": "symbolic link to outside the repository"},
    ]
    dirs = {(d["path"], d["rule"]) for d in coverage(data)["skipped_dirs"]}
    assert ("app/linked_pkg", "symbolic link to outside the repository") in dirs
    assert ("vendored", "symbolic link to outside the repository") in dirs
    assert "vendored" not in data["roots"]
    # The link to a file no root holds is analysed under the link's name, once.
    assert sorted((v["file"], v["imported"]) for v in data["contracts"][0]["violations"]) == [
        ("app/real.py", "logging"),
        ("app/tool.py", "loguru"),
    ]
    assert coverage(data)["unanalyzed"] == []


# -- 14. Top-level entries get the treatment nested ones get -------------------------


def test_top_level_entries_that_are_no_package_names_are_checked_or_listed(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "my-service/main.py": "import logging\n",
            "v1.2/x.py": "import logging\n",
            "my-tool.py": "import logging\n",
            "app/__init__.py": "",
            "build/gen.py": "import logging\n",
            ".scripts/a.py": "import logging\n",
            ".scripts/b.py": "import logging\n",
            "docs/conf.txt": "",
        },
    )
    result = check_json(repo)
    assert result.exit_code == 1
    assert sorted(f for f, _, _ in result.violations()) == [
        "my-service/main.py",
        "my-tool.py",
        "v1.2/x.py",
    ]
    assert coverage(result.json)["skipped_dirs"] == [
        {"path": ".scripts", "rule": ".*", "python_files": 2},
        {"path": "build", "rule": "build", "python_files": 1},
    ]
    assert coverage(result.json)["files_total"] == coverage(result.json)["files_analyzed"] == 4
    text = run_cli("check", str(repo)).stdout
    assert "skipped 2 folders (3 Python files)" in text


# -- Smaller defects -----------------------------------------------------------------


def test_a_non_utf8_file_name_is_listed_not_fatal(tmp_path):
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", "app/ok.py": "import logging\n"})
    (repo / "app" / os.fsdecode(b"bad\xff.py")).write_text("import logging\n")
    for extra in ((), ("--no-cache",)):
        done = run(repo, "check", ".", "--format", "json", *extra)
        assert done.returncode == 1
        assert_clean_stderr(done.stderr)
        data = parsed(done)
        (unanalyzed,) = coverage(data)["unanalyzed"]
        assert "not valid UTF-8" in unanalyzed["reason"]


def test_a_syntax_error_quotes_at_most_a_short_line(tmp_path):
    repo = make_repo(
        tmp_path,
        {"app/__init__.py": "", "app/long.py": "import logging\nx = (" + "1, " * 7000 + "def\n"},
    )
    (unanalyzed,) = coverage(check_json(repo).json)["unanalyzed"]
    assert unanalyzed["reason"].startswith("SyntaxError (line 2): x = (1, 1,")
    assert len(unanalyzed["reason"]) < 250


def test_scan_folders_of_killed_runs_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    stale = tmp_path / "tmp" / f"ssot-arch-scan-{gone}-abc"
    alive = tmp_path / "tmp" / f"ssot-arch-scan-{os.getppid()}-abc"
    for folder in (stale, alive):
        (folder / "linked").mkdir(parents=True)
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "import logging\n"})
    assert check_json(repo, "--no-cache").exit_code == 1
    assert not stale.exists()
    assert alive.exists()
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == [alive.name]


# -- 7. The analysed repository's code never runs ------------------------------------


def marker_repo(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "EXECUTED"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    repo = make_repo(
        tmp_path / "repo",
        {
            "logging.py": payload,
            "click.py": payload,
            "json.py": payload,
            "pickle.py": payload,
            "app/__init__.py": "import logging\n",
        },
    )
    return repo, marker


def test_the_console_script_run_inside_the_repository_runs_none_of_it(tmp_path):
    repo, marker = marker_repo(tmp_path)
    done = run(repo, "check", ".", cwd=repo)
    assert done.returncode == 1 and "app/__init__.py:1" in done.stdout
    assert not marker.exists()


def test_python_dash_m_inside_the_repository_runs_none_of_it(tmp_path):
    repo, marker = marker_repo(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "ssot_arch", "check", ".", "--no-cache"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert not marker.exists()


def test_the_shipped_hook_and_workflow_run_the_console_script():
    root = Path(__file__).resolve().parents[1]
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"].split()[0] == "ssot-arch"
    workflow = yaml.safe_load((root / "docs" / "examples" / "github-actions.yml").read_text())
    commands = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step and "ssot" in step["run"]
    ]
    assert commands and not any("-m ssot_arch" in c for c in commands)
    assert all(c.startswith(("ssot-arch ", "pip install")) for c in commands)


# -- 10. A gate that cannot fail must not pass silently ------------------------------


def test_warnings_name_what_cannot_fail_and_strict_fails_on_them(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "import logging\n", "app/logs.py": ""})
    cases = {
        ("--restricted", "loggin", "--gateway", "app.logs"): "restricted module 'loggin' is "
        "imported nowhere in the tree (did you mean 'logging'?)",
        ("--gateway", "logging"): "gateway 'logging' is not a module of the repository",
        ("--gateway", "app.logs", "--exclude", "nothing.*"): "exclude pattern 'nothing.*' "
        "matches no module",
        ("--restricted", "logging"): "no gateway is named: every import of logging is a violation",
    }
    for args, warning in cases.items():
        result = check_json(repo, *args)
        (contract,) = result.json["contracts"]
        assert any(warning in w for w in contract["warnings"]), (args, contract["warnings"])
        strict = check_json(repo, *args, "--strict")
        assert strict.exit_code == 1
        assert strict.json["contracts"][0]["kept"] is False
    quiet = check_json(repo, "--restricted", "loggin", "--gateway", "app.logs")
    assert quiet.exit_code == 0  # a warning, not a failure, without --strict
    assert (
        "warning: restricted module 'loggin'"
        in run_cli("check", str(repo), "--restricted", "loggin", "--gateway", "app.logs").stdout
    )


def test_the_default_restricted_list_warns_only_when_none_is_imported(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "import logging\n", "app/logs.py": ""})
    (contract,) = check_json(repo, "--gateway", "app.logs").json["contracts"]
    assert contract.get("warnings", []) == []
    quiet = make_repo(tmp_path / "quiet", {"app/__init__.py": "", "app/logs.py": ""})
    (contract,) = check_json(quiet, "--gateway", "app.logs").json["contracts"]
    assert len(contract["warnings"]) == 3


def test_strict_fails_on_a_relative_import_beyond_the_top(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "from .. import x\n", "app/logs.py": ""})
    assert check_json(repo, "--gateway", "app.logs").exit_code == 0
    assert check_json(repo, "--gateway", "app.logs", "--strict").exit_code == 1
