"""The text format, files written with -o, and the exit status of an internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ssot_arch.application import check as check_module
from tests.helpers import make_repo, run_cli, validate_json

REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\nfrom loguru import logger\n",
    "app/jobs/b.py": "import os\nimport logging.handlers\n",
    "app/bad.py": "import logging\ndef f(:\n",  # a file that cannot be parsed
    "app/up.py": "from ... import logging\n",  # (both mention logging: `check` parses them)
    "tools/run.py": "import structlog\n",
}


def test_text_output_exactly(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = run_cli("check", str(repo), "--gateway", "app.logs")
    assert run.exit_code == 1
    assert run.stdout == (
        "app/a.py:1: 'logging' imported directly (import logging): "
        "import it through the SSOT (app.logs) [cli]\n"
        "app/a.py:2: 'loguru' imported directly (from loguru import logger): "
        "import it through the SSOT (app.logs) [cli]\n"
        "app/jobs/b.py:2: 'logging' imported directly (import logging.handlers): "
        "import it through the SSOT (app.logs) [cli]\n"
        "tools/run.py:1: 'structlog' imported directly (import structlog): "
        "import it through the SSOT (app.logs) [cli]\n"
        "app/bad.py: not analysed: SyntaxError (line 2): def f(:\n"
        "app/up.py:1: warning: relative import beyond the top-level package "
        "(from ... import logging)\n"
        "\n"
        "SSOT logging (command line) [cli]: BROKEN, 4 violations in 3 files\n"
        "  per root: app 3 (2 files), tools 1 (1 file)\n"
        "6/7 files analysed (1 by their text alone), 1 not analysed; 4 violations\n"
    )


def test_colour_groups_by_contract_only_on_a_terminal(tmp_path):
    from ssot_arch.formats import text

    repo = make_repo(tmp_path, REPO)
    run = run_cli("check", str(repo), "--gateway", "app.logs")
    assert "\x1b[" not in run.stdout
    outcome = check_module.run_check(_settings(repo))
    coloured = text.render(outcome, color=True)
    assert coloured.startswith("\x1b[1mSSOT logging (command line) [cli]\x1b[0m\n")
    assert "\x1b[36mapp/a.py:1:\x1b[0m 'logging' imported directly" in coloured


def _settings(repo):
    from ssot_arch.application.options import CommandLineContract
    from ssot_arch.application.settings import load_settings

    return load_settings(str(repo), None, CommandLineContract(gateways=("app.logs",)))


def test_output_file_is_written_and_replaced_atomically(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    target = tmp_path / "out.json"
    target.write_text("old")
    run = run_cli("check", str(repo), "--format", "json", "-o", str(target))
    assert run.exit_code == 1 and run.stdout == ""
    document = json.loads(target.read_text())
    validate_json("check-v1", document)
    assert document["coverage"]["files_total"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "repo"]  # no temp left


def test_output_to_a_named_pipe_writes_into_it_and_leaves_it_a_pipe(tmp_path):
    # `-o /dev/null` or `-o /dev/stdout` likewise: a rename would put a regular file in
    # the device's place (as root, for every program on the machine).
    import stat
    import threading

    repo = make_repo(tmp_path / "repo", REPO)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    run = run_cli("check", str(repo), "--format", "json", "-o", str(pipe))
    reader.join(timeout=30)
    assert run.exit_code == 1, run.stderr
    assert json.loads(received[0])["coverage"]["files_total"] == 7
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "repo"]  # no temp left


def test_output_file_in_a_missing_folder_is_a_usage_error(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = run_cli("check", str(repo), "-o", str(tmp_path / "no" / "out.txt"))
    assert run.exit_code == 2
    assert run.stderr.startswith(
        f"ssot-arch: error: {tmp_path / 'no' / 'out.txt'}: cannot write it"
    )


def test_internal_error_exits_3_with_a_traceback(tmp_path, monkeypatch):
    repo = make_repo(tmp_path, REPO)

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(check_module, "find_direct_violations", explode)
    run = run_cli("check", str(repo))
    assert run.exit_code == 3
    assert "ssot-arch: internal error: RuntimeError: boom" in run.stderr
    assert "Traceback" in run.stderr


@pytest.mark.parametrize("verbose, expected", [((), False), (("-v",), True)])
def test_verbose_reports_phase_times(tmp_path, verbose, expected):
    repo = make_repo(tmp_path, REPO)
    run = run_cli("check", str(repo), *verbose)
    assert ("ssot-arch: scanning imports:" in run.stderr) is expected


def test_help_and_version_import_no_heavy_module():
    # The CLI imports grimp, import-linter, networkx and tree-sitter only in the
    # commands that need them, so `--help` and `--version` start fast.
    code = (
        "import sys; from click.testing import CliRunner; from ssot_arch.cli import main;"
        "CliRunner().invoke(main, ['--version']); CliRunner().invoke(main, ['check', '--help']);"
        "print(sorted(m for m in ('grimp', 'importlinter', 'networkx', 'tree_sitter', 'rich')"
        " if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "[]", completed.stderr


def test_jobs_sets_the_worker_processes_and_changes_no_finding(tmp_path, monkeypatch):
    from ssot_arch.adapters.scanning import grimp_scan

    files = {f"app/m{i}.py": "import logging\nfrom . import m0\n" for i in range(30)}
    repo = make_repo(tmp_path, {"app/__init__.py": "", **files})
    monkeypatch.setattr(grimp_scan, "MIN_CHUNK", 4)  # several chunks even here
    pools = []
    real = grimp_scan.ScanPool

    def recording(layout, directory, jobs):
        pools.append(jobs)
        return real(layout, directory, jobs)

    monkeypatch.setattr(grimp_scan, "ScanPool", recording)
    one = run_cli("check", str(repo), "--no-cache", "--format", "json", "--jobs", "1")
    two = run_cli("check", str(repo), "--no-cache", "--format", "json", "-j", "2")
    assert pools == [1, 2]
    assert one.stdout == two.stdout and one.exit_code == two.exit_code == 1
    bad = run_cli("check", str(repo), "--jobs", "0")
    assert bad.exit_code == 2 and "--jobs" in bad.stderr


def _console(*args: str, cwd: str, stdout=None) -> subprocess.CompletedProcess:
    """`python -m ssot_arch ARGS` as the installed command runs it: through `cli.run`."""
    return subprocess.run(
        [sys.executable, "-m", "ssot_arch", *args],
        cwd=cwd,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_console_command_exits_hard_with_its_status_and_all_its_output(tmp_path):
    # `run` leaves with os._exit once the streams are flushed: the status and every byte
    # of the output must still arrive (a report of many violations spans many pipe
    # buffers).
    files = {f"app/m{i:03}.py": "import logging\n" for i in range(400)}
    repo = make_repo(tmp_path, {"app/__init__.py": "", **files})
    broken = _console("check", ".", "--no-cache", "--format", "json", cwd=str(repo))
    assert broken.returncode == 1, broken.stderr
    assert len(json.loads(broken.stdout)["contracts"][0]["violations"]) == 400
    kept = _console("check", ".", "--no-cache", "--restricted", "loguru", cwd=str(repo))
    assert (kept.returncode, kept.stderr) == (0, "")
    assert _console("--version", cwd=str(repo)).returncode == 0
    assert _console("check", "--no-such-option", cwd=str(repo)).returncode == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_output_that_cannot_be_written_is_exit_2_not_a_pass(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/a.py": "import json\n"})
    with open("/dev/full", "w") as full:
        completed = _console("check", ".", "--no-cache", cwd=str(repo), stdout=full)
    assert completed.returncode == 2
    assert "standard output" in completed.stderr and "disk is full" in completed.stderr
    assert "internal error" not in completed.stderr
