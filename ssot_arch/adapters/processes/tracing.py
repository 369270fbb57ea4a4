"""Run the user's command with every Python process it starts traced (`ssot-arch trace`).

This runs code: the command the user gave, which runs the repository's code. The import
recorder (import_hook.py) is copied, as `sitecustomize.py`, into a private temporary
folder put first on the command's PYTHONPATH, with the records folder named by
SSOT_ARCH_TRACE_RECORDS; every interpreter the command starts that reads PYTHONPATH and
runs `site` records its imports there (not one started with `-I`, `-E` or `-S`). The
command's standard streams are the terminal's, its exit status is handed back.

The records are read back as data: each line a JSON object of a known shape, bounded in
size; a line that is not is listed as a problem, never trusted as a record.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ssot_arch.adapters.processes import import_hook
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.trace import Attempt, Loaded, ProcessRecord, TracedRun

RECORDS_VARIABLE = import_hook.DIRECTORY_VARIABLE
MAX_RECORD_FILE = 256 * 1024 * 1024  # a process importing in a loop: read no more


def run_traced(command: Sequence[str], root_dir: str) -> TracedRun:
    """Run `command` in the current folder, traced; its records, read against the
    repository at `root_dir`. A ConfigError when the command cannot be started."""
    with tempfile.TemporaryDirectory(prefix="ssot-arch-trace-") as folder:
        site, records = os.path.join(folder, "site"), os.path.join(folder, "records")
        os.mkdir(site, 0o700)
        os.mkdir(records, 0o700)
        shutil.copyfile(import_hook.__file__, os.path.join(site, "sitecustomize.py"))
        env = dict(os.environ)
        inherited = env.get("PYTHONPATH")
        env["PYTHONPATH"] = site + (os.pathsep + inherited if inherited else "")
        env[RECORDS_VARIABLE] = records
        try:
            process = subprocess.Popen(list(command), env=env)
        except OSError as error:
            raise ConfigError(
                [
                    ConfigProblem(
                        f"cannot run '{command[0]}': {error.strerror or error}; give a "
                        "command on the PATH (or its path) after --"
                    )
                ]
            ) from error
        status = _wait(process)
        processes, problems = read_records(records, root_dir)
    return TracedRun(tuple(command), status, processes, problems)


def _wait(process: subprocess.Popen[bytes]) -> int:
    """The command's exit status, 128 + N when signal N ended it. Ctrl-C reaches the
    command too (one process group): it decides whether to stop, and is waited for."""
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            continue
    return 128 - code if code < 0 else code


def read_records(folder: str, root_dir: str) -> tuple[tuple[ProcessRecord, ...], tuple[str, ...]]:
    """Every process record in `folder`, and the files that hold none."""
    inside = _Inside(root_dir)
    found: list[ProcessRecord] = []
    problems: list[str] = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_RECORD_FILE + 1)
        except OSError as error:
            problems.append(f"{name}: cannot be read: {error.strerror or error}")
            continue
        record = _parse(data[:MAX_RECORD_FILE], inside)
        if isinstance(record, str):
            problems.append(f"{name}: {record}")
        else:
            if len(data) > MAX_RECORD_FILE:
                record = _with_problem(record, f"record cut at {MAX_RECORD_FILE} bytes")
            found.append(record)
    return tuple(found), tuple(problems)


def _with_problem(record: ProcessRecord, problem: str) -> ProcessRecord:
    return replace(record, problems=(*record.problems, problem), complete=False)


class _Inside:
    """A path's place in the repository ('/'-separated), or None outside it."""

    def __init__(self, root_dir: str):
        self.root = os.path.realpath(root_dir)

    def __call__(self, path: object) -> str | None:
        if not isinstance(path, str) or not os.path.isabs(path):
            return None
        real = os.path.realpath(path)
        if real == self.root or not real.startswith(self.root + os.sep):
            return None
        return os.path.relpath(real, self.root).replace(os.sep, "/")


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _pairs(value: Any, inside: _Inside) -> tuple[Loaded, ...] | None:
    """[[module, path or null], ...] as loaded modules; None when it is not that."""
    if not isinstance(value, list) or not all(
        isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in value
    ):
        return None
    return tuple(Loaded(module, inside(path)) for module, path in value)


def _parse(data: bytes, inside: _Inside) -> ProcessRecord | str:
    """A process record from a file's bytes, or why there is none."""
    lines = data.split(b"\n")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = None
    if not isinstance(header, dict):
        return "no record header (not written by the recorder)"
    argv, preloaded = _strings(header.get("argv")), _pairs(header.get("preloaded"), inside)
    pid, parent = header.get("pid"), header.get("ppid")
    if argv is None or preloaded is None or not isinstance(pid, int) or not isinstance(parent, int):
        return "no record header (not written by the recorder)"
    events: list[Attempt | Loaded] = []
    unobserved: list[Loaded] = []
    main = main_path = None
    complete = False
    problems = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict):
            problems.append(f"line {number}: not a record")
        elif isinstance(item.get("a"), str) and isinstance(item.get("by"), (str, type(None))):
            events.append(Attempt(item["a"], item["by"]))
        elif isinstance(item.get("l"), str):
            events.append(Loaded(item["l"], inside(item.get("at"))))
        elif "main" in item and isinstance(item["main"], (str, type(None))):
            main, main_path = item["main"], inside(item.get("file"))
        elif _pairs(item.get("unobserved"), inside) is not None:
            unobserved += _pairs(item["unobserved"], inside) or ()
        elif item.get("complete") is True:
            complete = True
        else:
            problems.append(f"line {number}: not a record")
    return ProcessRecord(
        pid=pid,
        parent_pid=parent,
        forked=header.get("forked") is True,
        argv=argv,
        preloaded=preloaded,
        events=tuple(events),
        main=main,
        main_path=main_path,
        unobserved=tuple(unobserved),
        complete=complete,
        problems=tuple(problems),
    )
