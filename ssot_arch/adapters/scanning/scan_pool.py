"""Run grimp's scanner in worker processes: in parallel, and a crash costs one process.

Each worker is a fresh interpreter (`python -I`, started in the scan's own temporary
folder, so neither the analysed repository's files nor PYTHON* variables are on its
path) running `scan_worker.py`. A worker that dies (a segfault in the Rust scanner)
answers nothing; the chunk it held is reported as crashed and the worker replaced.
What to do with every answer (split a chunk, list a file) is the caller's decision.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ssot_arch.domain.errors import InstallationError

# The parent's path is appended, after the worker's own standard library and site
# packages: no folder the parent had on its path can shadow those.
_BOOT = (
    "import json, os, sys; "
    "sys.path += json.loads(os.environ['SSOT_ARCH_WORKER_PATH']); "
    "from ssot_arch.adapters.scanning.scan_worker import main; main()"
)


@dataclass(frozen=True)
class Chunk:
    """Modules to scan in one call, by their virtual names (see grimp_scan.py)."""

    modules: tuple[str, ...]
    exclude_type_checking: bool = False


Answer = dict[
    str, Any
]  # {"imports": ...} | {"syntax_error": ...} | {"error": ...} | {"crash": ...}
Handler = Callable[[Chunk, Answer], Iterable[Chunk]]


class WorkerStartError(RuntimeError):
    """A worker could not even start: an installation problem, not the analysed files'."""


def _crash_reason(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the import scanner crashed on it ({name})"
    return f"the import scanner stopped on it (exit status {returncode})"


class _Worker:
    def __init__(self, setup: bytes, directory: str, name: str):
        self.setup = setup
        self.directory = directory
        self.name = name
        self.process: subprocess.Popen | None = None
        self.started = 0

    def _start(self) -> subprocess.Popen:
        self.started += 1
        log = os.path.join(self.directory, f"{self.name}-{self.started}.stderr")
        # '' would be the worker's working folder; the package's own folder comes last,
        # for a checkout run without installing.
        package_parent = os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        )
        path = [p for p in sys.path if p] + [package_parent]
        env = dict(os.environ, SSOT_ARCH_WORKER_PATH=json.dumps(path))
        with open(log, "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self.directory,
                env=env,
            )
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(self.setup)
            process.stdin.flush()
            ready = process.stdout.readline()
        except OSError:
            ready = b""
        if ready.startswith(b'{"incompatible"'):
            process.kill()
            process.wait()
            raise InstallationError(json.loads(ready)["incompatible"])
        if ready.strip() != b'"ready"':
            process.kill()
            process.wait()
            with open(log, "rb") as handle:
                tail = handle.read()[-2000:].decode("utf-8", "replace").strip()
            raise WorkerStartError(f"the import scanner could not start: {tail or 'no output'}")
        return process

    def ask(self, chunk: Chunk) -> Answer:
        if self.process is None:
            self.process = self._start()
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        try:
            pickle.dump(
                (chunk.modules, chunk.exclude_type_checking),
                process.stdin,
                protocol=pickle.HIGHEST_PROTOCOL,
            )
            process.stdin.flush()
            line = process.stdout.readline()
        except OSError:
            line = b""
        if line:
            return json.loads(line)
        self.process = None
        return {"crash": _crash_reason(process.wait())}

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        process.stdout.close()


class ScanPool:
    """Up to `jobs` workers, kept for the pool's life (a scan and its TYPE_CHECKING pass)."""

    def __init__(self, layout: dict[str, Any], directory: str, jobs: int):
        setup = pickle.dumps(layout, protocol=pickle.HIGHEST_PROTOCOL)
        self.jobs = max(1, jobs)
        self.workers = [_Worker(setup, directory, f"worker-{n}") for n in range(max(1, jobs))]

    def __enter__(self) -> ScanPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for worker in self.workers:
            worker.close()

    def run(self, chunks: Iterable[Chunk], handle: Handler) -> None:
        """Scan every chunk, and every chunk `handle` returns for an answer, to the end.

        `handle` is called for one answer at a time.
        """
        pending: queue.Queue[Chunk | None] = queue.Queue()
        initial = list(chunks)
        for chunk in initial:
            pending.put(chunk)
        if not initial:
            return
        lock = threading.Lock()
        failures: list[BaseException] = []

        def serve(worker: _Worker) -> None:
            while True:
                chunk = pending.get()
                try:
                    if chunk is None:
                        return
                    if failures:
                        continue  # drain the queue: the run has already failed
                    answer = worker.ask(chunk)
                    with lock:
                        for more in handle(chunk, answer):
                            pending.put(more)
                except BaseException as error:  # handed to the caller's thread below
                    failures.append(error)
                finally:
                    pending.task_done()

        active = self.workers[: min(len(self.workers), len(initial))]
        threads = [threading.Thread(target=serve, args=(w,), daemon=True) for w in active]
        for thread in threads:
            thread.start()
        pending.join()
        for _ in threads:
            pending.put(None)
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
