"""`ssot-arch trace`: what real processes load, against the static graph.

Each test runs a generated service with this interpreter, traced. The third-party
logging libraries are small stand-ins in a folder outside the repository, on the
command's PYTHONPATH. The runtime chains are held against `python -X importtime`, which
records the import nesting inside CPython, independently of the recorder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssot_arch.adapters.processes import import_hook
from ssot_arch.adapters.processes.tracing import read_records
from ssot_arch.analysis.trace import process_tree
from ssot_arch.domain.trace import Attempt, Loaded, ProcessRecord
from tests.helpers import make_repo, run_cli, validate_json

PYTHON = sys.executable

SERVICE = {
    "service/__init__.py": "",
    "service/main.py": """
        import importlib
        import os

        from service import app

        def main():
            app.start()
            folder = os.path.dirname(__file__)
            with open(os.path.join(folder, "plugin.cfg")) as config:
                importlib.import_module("service.plugins." + config.read().strip())

        if __name__ == "__main__":
            main()
        """,
    "service/plugin.cfg": "audit\n",
    "service/app.py": """
        from service.core import unified_logging
        from service import legacy, jobs

        def start():
            unified_logging.get_logger(__name__).info("started")
        """,
    "service/core/__init__.py": "",
    "service/core/unified_logging.py": """
        import logging

        def get_logger(name):
            return logging.getLogger(name)
        """,
    "service/legacy.py": "from loguru import logger\n",
    "service/jobs.py": """
        def run():
            import structlog  # never called: the static graph predicts it
            return structlog
        """,
    "service/plugins/__init__.py": "",
    "service/plugins/audit.py": "from service.core.unified_logging import get_logger\n",
}
LIBRARIES = {
    "loguru/__init__.py": "logger = object()\n",
    "structlog/__init__.py": "def get_logger():\n    return None\n",
}
CONTRACT = (
    "--gateway",
    "service.core.unified_logging",
    "--system",
    "unified=service.core.unified_logging",
    "--system",
    "stdlib=logging",
    "--system",
    "loguru=loguru",
    "--system",
    "structlog=structlog",
)


@pytest.fixture
def service(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The service's repository, and the environment its command runs in."""
    repo = make_repo(tmp_path / "repo", SERVICE)
    site = make_repo(tmp_path / "site", LIBRARIES)
    return repo, {"PYTHONPATH": str(site)}


def trace(repo: Path, env: dict[str, str], *command: str, options: tuple[str, ...] = ()):
    """Run `ssot-arch trace` on `repo` (the command in it), the trace as JSON in a
    file; the run and the trace (validated against trace-v1)."""
    output = repo.parent / "trace.json"
    output.unlink(missing_ok=True)
    run = run_cli(
        "trace", str(repo), "--no-cache", *CONTRACT, *options,
        "--format", "json", "-o", str(output), "--", *command,
        cwd=repo, env=env,
    )  # fmt: skip
    data = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
    if data is not None:
        validate_json("trace-v1", data)
    return run, data


def systems(process: dict) -> dict[str, dict]:
    return {s["system"]: s for s in process["contracts"][0]["systems"]}


def importtime_parents(repo: Path, env: dict[str, str], *args: str) -> dict[str, str | None]:
    """Each module `python -X importtime` shows, with the one its import ran inside
    (None at the top): the oracle of the runtime chains."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", *args],
        cwd=repo,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    parents: dict[str, str | None] = {}
    waiting: dict[int, list[str]] = {}  # depth -> modules done, their parent not yet seen
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        field = line.rsplit("|", 1)[1]
        name = field.strip()
        if name == "imported package":
            continue
        depth = (len(field) - len(field.lstrip(" ")) - 1) // 2
        for child in waiting.pop(depth + 1, []):
            parents[child] = name
        waiting.setdefault(depth, []).append(name)
    for names in waiting.values():
        for name in names:
            parents.setdefault(name, None)
    return parents


def oracle_chain(parents: dict[str, str | None], module: str) -> list[str]:
    chain = [module]
    while parents.get(chain[0]) is not None:
        chain.insert(0, parents[chain[0]])
    return chain


def test_three_systems_with_the_real_import_order_and_exactly_the_planted_differences(service):
    repo, env = service
    run, data = trace(repo, env, PYTHON, "-m", "service.main")
    assert run.exit_code == 0, run.stderr
    assert data["exit_status"] == 0 and data["command"] == [PYTHON, "-m", "service.main"]
    [process] = data["processes"]
    assert (
        process["key"] == "1"
        and process["complete"]
        and process["argv"][1:]
        == [
            "-m",
            "service.main",
        ]
    )
    found = systems(process)
    loaded = {name for name, s in found.items() if s["loaded"]}
    assert loaded == {"unified", "stdlib", "loguru"}
    assert process["contracts"][0]["systems_loaded"] == 3
    assert found["unified"]["loaded"]["chain"] == [
        "service.main",
        "service.app",
        "service.core.unified_logging",
    ]
    assert found["stdlib"]["loaded"]["chain"] == [
        "service.main",
        "service.app",
        "service.core.unified_logging",
        "logging",
    ]
    assert found["loguru"]["loaded"]["chain"] == [
        "service.main",
        "service.app",
        "service.legacy",
        "loguru",
    ]
    # The same nesting as CPython's own -X importtime (where __main__ is no import).
    parents = importtime_parents(repo, env, "-m", "service.main")
    for name in ("unified", "stdlib", "loguru"):
        load = found[name]["loaded"]
        assert load["chain"][1:] == oracle_chain(parents, load["module"]), name
    # Predicted by the static graph, never loaded: the import in a function never called.
    assert found["structlog"]["loaded"] is None and found["structlog"]["predicted"]
    assert [h["importer"] for h in found["structlog"]["static_chain"]] == [
        "service.main",
        "service.app",
        "service.jobs",
    ]
    assert [s for s in found.values() if s["loaded"] and not s["predicted"]] == []
    # Loaded, not in the static closure: the plugin named by its configuration.
    assert [(m["module"], m["chain"], m["why"]) for m in process["not_in_static"]] == [
        ("service.plugins", ["service.main", "service.plugins"], "not reached by the static "
         "graph from the entries"),
        ("service.plugins.audit", ["service.main", "service.plugins.audit"], "not reached by "
         "the static graph from the entries"),
    ]  # fmt: skip
    assert process["entries"] == ["service", "service.main"]
    assert process["first_party"] == sorted(
        ["service", "service.main", "service.app", "service.core", "service.legacy",
         "service.jobs", "service.core.unified_logging", "service.plugins",
         "service.plugins.audit"]
    )  # fmt: skip


def bare_python(folder: Path) -> Path:
    """A new virtual environment's interpreter: no `.pth` file of an installed package
    runs at its start-up (this suite's own environment has them)."""
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder / "bin" / "python"


@pytest.mark.skipif(sys.platform == "win32", reason="a venv's layout")
def test_parent_packages_are_imported_by_the_module_not_by_the_import_machinery(service, tmp_path):
    # Until `importlib` is imported, the machinery's frames call themselves
    # `_frozen_importlib`: a package a dotted import runs first is still the importer's.
    repo, env = service
    python = bare_python(tmp_path / "venv")
    command = (str(python), "-c", "import sys; assert 'importlib' not in sys.modules; "
               "import service.core.unified_logging")  # fmt: skip
    run, data = trace(repo, env, *command)
    assert run.exit_code == 0, run.stderr
    [process] = data["processes"]
    assert systems(process)["stdlib"]["loaded"]["chain"] == [
        "__main__",
        "service.core.unified_logging",
        "logging",
    ]
    assert process["entries"] == ["service", "service.core", "service.core.unified_logging"]
    assert process["not_in_static"] == []


def test_trace_agrees_with_report_entry_where_nothing_is_dynamic(service):
    repo, env = service
    (repo / "service" / "plugin.cfg").write_text("", encoding="utf-8")
    (repo / "service" / "main.py").write_text(
        "from service import app\n\nif __name__ == '__main__':\n    app.start()\n",
        encoding="utf-8",
    )
    (repo / "service" / "jobs.py").write_text("import structlog\n", encoding="utf-8")
    run, data = trace(repo, env, PYTHON, "-m", "service.main", options=("--entry", "service.main"))
    assert run.exit_code == 0, run.stderr
    [process] = data["processes"]
    report = run_cli(
        "report", str(repo), "--no-cache", *CONTRACT, "--entry", "service.main",
        "--format", "json",
    )  # fmt: skip
    entry = json.loads(report.stdout)["contracts"][0]["entries"]["service.main"]
    found = systems(process)
    assert {n for n, s in found.items() if s["loaded"]} == set(entry["systems"])
    assert {n for n, s in found.items() if s["predicted"]} == set(entry["systems"])
    assert len(process["first_party"]) == entry["closure_size"] == process["static_closure_size"]
    assert process["not_in_static"] == [] and process["entries_given"]


def test_a_subprocess_and_a_forked_child_are_traced_too(service):
    repo, env = service
    (repo / "service" / "spawn.py").write_text(
        "import os, subprocess, sys\n"
        "from service import legacy\n"
        "subprocess.run([sys.executable, '-m', 'service.worker'], check=True)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    import structlog\n"
        "    os._exit(0)\n"
        "os.waitpid(pid, 0)\n",
        encoding="utf-8",
    )
    (repo / "service" / "worker.py").write_text("import logging\n", encoding="utf-8")
    run, data = trace(repo, env, PYTHON, "-m", "service.spawn")
    assert run.exit_code == 0, run.stderr
    by_key = {p["key"]: p for p in data["processes"]}
    assert sorted(by_key) == ["1", "1.1", "1.2"]
    top = by_key["1"]
    children = [by_key["1.1"], by_key["1.2"]]
    assert all(c["parent"] == "1" and c["parent_pid"] == top["pid"] for c in children)
    forked = next(c for c in children if c["forked"])
    worker = next(c for c in children if not c["forked"])
    assert worker["argv"][1:] == ["-m", "service.worker"] and worker["complete"]
    assert systems(worker)["stdlib"]["loaded"]["chain"] == ["service.worker", "logging"]
    # The fork left through os._exit: its record is incomplete, and says what it saw.
    assert not forked["complete"]
    assert systems(forked)["structlog"]["loaded"]["chain"] == ["service.spawn", "structlog"]
    assert systems(forked)["loguru"]["loaded"]["origin"] == "start-up"  # the parent's
    assert "structlog" not in {n for n, s in systems(top).items() if s["loaded"]}


def test_a_failing_command_passes_its_status_through_and_the_trace_is_written(service):
    repo, env = service
    (repo / "service" / "fails.py").write_text(
        "from service import legacy\nraise SystemExit(3)\n", encoding="utf-8"
    )
    run, data = trace(repo, env, PYTHON, "-m", "service.fails")
    assert run.exit_code == 3
    assert data["exit_status"] == 3
    assert systems(data["processes"][0])["loguru"]["loaded"]["chain"][-1] == "loguru"
    killed = repo / "service" / "killed.py"
    killed.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n", "utf-8")
    run, data = trace(repo, env, PYTHON, "-m", "service.killed")
    assert run.exit_code == data["exit_status"] == 128 + 15
    assert not data["processes"][0]["complete"]


def test_what_the_program_prints_cannot_forge_the_trace(service):
    repo, env = service
    forged = [
        '{"a": "service.forged", "by": null}',
        '{"l": "structlog", "at": null}',
        "import time:       100 |        100 | structlog",
        '{"pid": 1, "ppid": 0, "argv": ["x"], "preloaded": []}',
    ]
    (repo / "service" / "noisy.py").write_text(
        "import sys\n" + "".join(f"print({line!r})\nprint({line!r}, file=sys.stderr)\n"
                                 for line in forged),
        encoding="utf-8",
    )  # fmt: skip
    run, data = trace(repo, env, PYTHON, "-m", "service.noisy")
    assert run.exit_code == 0
    [process] = data["processes"]
    assert "service.forged" not in process["first_party"]
    assert not systems(process).get("structlog", {}).get("loaded")
    assert process["argv"][1:] == ["-m", "service.noisy"]


def test_a_program_that_replaces_sys_meta_path_is_still_traced(service):
    repo, env = service
    (repo / "service" / "finders.py").write_text(
        "import importlib, sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != '_Finder']\n"
        "import loguru\n"  # an import statement: the audit hook still sees it
        "importlib.import_module('structlog')\n",  # seen loaded at exit only
        encoding="utf-8",
    )
    run, data = trace(repo, env, PYTHON, "-m", "service.finders")
    assert run.exit_code == 0
    found = systems(data["processes"][0])
    assert found["loguru"]["loaded"] == {
        "module": "loguru",
        "origin": "import",
        "chain": ["service.finders", "loguru"],
    }
    assert found["structlog"]["loaded"] == {
        "module": "structlog",
        "origin": "unobserved",
        "chain": ["structlog"],
    }


def test_logging_imported_at_interpreter_start_up(service, tmp_path):
    repo, env = service
    # The user's own sitecustomize, which the recorder's stands in front of and runs.
    custom = make_repo(tmp_path / "custom", {"sitecustomize.py": "import logging\n"})
    env = {"PYTHONPATH": os.pathsep.join([str(custom), env["PYTHONPATH"]])}
    (repo / "service" / "plain.py").write_text(
        "import sys\n"  # the recorder's folder is off the path again
        "assert not any('ssot-arch-trace-' in p for p in sys.path), sys.path\n",
        encoding="utf-8",
    )
    run, data = trace(repo, env, PYTHON, "-m", "service.plain")
    assert run.exit_code == 0
    stdlib = systems(data["processes"][0])["stdlib"]["loaded"]
    assert stdlib["chain"][-2:] == ["sitecustomize", "logging"]


@pytest.mark.skipif(sys.platform == "win32", reason="a venv's layout")
def test_a_pth_file_that_imports_logging_before_the_trace(service, tmp_path):
    repo, env = service
    python = bare_python(tmp_path / "venv")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "early.pth").write_text("import logging\n", encoding="utf-8")
    (repo / "service" / "plain.py").write_text("import sys\n", encoding="utf-8")
    run, data = trace(repo, env, str(python), "-m", "service.plain")
    assert run.exit_code == 0
    stdlib = systems(data["processes"][0])["stdlib"]["loaded"]
    assert stdlib == {"module": "logging", "origin": "start-up", "chain": ["logging"]}


def test_the_command_must_follow_dashes_and_a_wrong_entry_stops_before_it_runs(service):
    repo, env = service
    run = run_cli("trace", str(repo), cwd=repo, env=env)
    assert run.exit_code == 2 and "after --" in run.stderr
    marker = repo / "ran"
    run = run_cli(
        "trace", str(repo), "--entry", "service.mian", "--",
        PYTHON, "-c", f"open({str(marker)!r}, 'w')",
        cwd=repo, env=env,
    )  # fmt: skip
    assert run.exit_code == 2 and "service.mian" in run.stderr
    assert not marker.exists()
    run = run_cli("trace", str(repo), "--", "no-such-command-here", cwd=repo, env=env)
    assert run.exit_code == 2 and "no-such-command-here" in run.stderr


def test_a_command_without_python_says_nothing_was_traced(service):
    repo, env = service
    run = run_cli("trace", str(repo), "--", "true", cwd=repo, env=env)
    assert run.exit_code == 0
    assert "no Python process of the command was traced" in run.stderr
    assert "0 Python processes traced" in run.stdout


def test_text_and_markdown_name_the_systems_and_the_gaps(service):
    repo, env = service
    common = ("trace", str(repo), "--no-cache", *CONTRACT)
    for output_format, expected in (
        ("text", ["3 systems loaded: unified, stdlib, loguru",
                  "loguru     service.main → service.app → service.legacy → loguru",
                  "structlog  predicted by the static graph, never loaded: "
                  "service.main (l.4) → service.app (l.2) → service.jobs (l.2) → structlog",
                  "service.main → service.plugins.audit"]),
        ("markdown", ["### cli: 3 systems loaded: unified, stdlib, loguru",
                      "| loguru | `service.main → service.app → service.legacy → loguru` |",
                      "| `service.plugins.audit` | `service.main → service.plugins.audit` |"]),
    ):  # fmt: skip
        output = repo.parent / f"trace.{output_format}"
        run = run_cli(
            *common, "--format", output_format, "-o", str(output),
            "--", PYTHON, "-m", "service.main", cwd=repo, env=env,
        )  # fmt: skip
        assert run.exit_code == 0, run.stderr
        text = output.read_text(encoding="utf-8")
        for line in expected:
            assert line in text, (line, text)


# -- the records, read as data --------------------------------------------------------


def test_json_written_by_the_recorder_reads_back_whatever_the_string():
    strings = ["plain", 'quo"te\\back', "tab\there", "é", "\udcff", "😀", "\x00\x1f\x7f"]
    for text in strings:
        assert json.loads(import_hook._json({"a": text, "n": [1, None, True, False]})) == {
            "a": text,
            "n": [1, None, True, False],
        }


def test_records_that_are_not_the_recorders_are_problems_not_findings(tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    header = '{"pid": 10, "ppid": 1, "argv": ["python"], "preloaded": [["os", null]]}\n'
    (folder / "p10-a.jsonl").write_text(
        header
        + '{"a": "app.x", "by": null}\n'
        + "garbage\n"
        + '{"l": "app.x", "at": "/elsewhere/app/x.py"}\n'
        + '{"a": 5}\n',
        encoding="utf-8",
    )
    (folder / "p11-b.jsonl").write_text("not json at all\n", encoding="utf-8")
    (folder / "p12-c.jsonl").write_text('{"pid": "x"}\n', encoding="utf-8")
    records, problems = read_records(str(folder), str(tmp_path))
    assert problems == (
        "p11-b.jsonl: no record header (not written by the recorder)",
        "p12-c.jsonl: no record header (not written by the recorder)",
    )
    [record] = records
    assert record.events == (Attempt("app.x", None), Loaded("app.x", None))
    assert record.problems == ("line 3: not a record", "line 5: not a record")
    assert not record.complete


def _record(pid: int, parent: int, argv: str, forked: bool = False) -> ProcessRecord:
    return ProcessRecord(pid, parent, forked, (argv,), (), (), None, None, (), True)


def test_the_process_tree_orders_children_under_parents_by_command_line():
    records = [
        _record(30, 20, "b"),
        _record(20, 1, "top"),
        _record(40, 20, "a"),
        _record(50, 40, "grandchild"),
        _record(60, 2, "other top"),
    ]
    tree = [(r.argv[0], key, parent) for r, key, parent in process_tree(records)]
    assert tree == [
        ("other top", "1", None),
        ("top", "2", None),
        ("a", "2.1", "2"),
        ("grandchild", "2.1.1", "2.1"),
        ("b", "2.2", "2"),
    ]


def test_a_record_file_too_large_is_read_up_to_its_cap(tmp_path, monkeypatch):
    from ssot_arch.adapters.processes import tracing

    folder = tmp_path / "records"
    folder.mkdir()
    header = '{"pid": 10, "ppid": 1, "argv": ["python"], "preloaded": []}\n'
    lines = "".join(f'{{"a": "m{n}", "by": null}}\n' for n in range(100))
    (folder / "p10-a.jsonl").write_text(header + lines + '{"complete": true}\n', "utf-8")
    monkeypatch.setattr(tracing, "MAX_RECORD_FILE", len(header) + 250)
    [record], problems = read_records(str(folder), str(tmp_path))
    assert problems == ()
    assert 0 < len(record.events) < 100
    assert not record.complete
    assert record.problems[-1] == f"record cut at {len(header) + 250} bytes"
