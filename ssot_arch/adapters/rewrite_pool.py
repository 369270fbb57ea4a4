"""Rewrite many modules in parallel processes, a crash costing only its module.

A rewrite takes ~10 ms for a plain module (rewrite_quick.py) and a few hundred for one
LibCST decides, plus the import sort, so a repository's thousand violating files are
spread over one process per core. The
processes are forked from this one (they run only the pure `rewrite_module`, which
starts no thread); where forking is not the platform's safe default, or for a handful
of files, the rewrite runs here. A process that dies (LibCST's native parser can
overflow its stack on a pathological file) breaks the pool: every module not yet done
is then rewritten again in a process of its own, and the one that dies again is left
for a person.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ssot_arch.adapters.fork_pool import fork_is_default_safe
from ssot_arch.adapters.import_order import sorted_as_before
from ssot_arch.adapters.rewrite import rewrite_module
from ssot_arch.domain.remediation import Remaining, Replacement, Rewrite

# text, restricted, replacements, and the first-party top-level names (for the sort).
Task = tuple[str, tuple[str, ...], tuple[Replacement, ...], frozenset[str]]
Progress = Callable[[int, int], None]

# Below this many modules, starting processes costs more than it saves.
PARALLEL_FROM = 16
CHUNK = 8
CRASHED = "the rewrite crashed on it (a pathological file?): migrate by hand"


def rewrite_sorted(
    text: str,
    restricted: tuple[str, ...],
    replacements: tuple[Replacement, ...],
    first_party: frozenset[str] = frozenset(),
) -> Rewrite:
    """`rewrite_module`, with a sorted import block left sorted (`first_party` its own
    section; adapters/import_order.py)."""
    result = rewrite_module(text, restricted, replacements)
    if result.text is None or result.text == text:
        return result
    return Rewrite(sorted_as_before(text, result.text, first_party))


def _rewrite_chunk(tasks: list[Task]) -> list[Rewrite]:
    return [rewrite_sorted(*task) for task in tasks]


def rewrite_all(
    tasks: Sequence[Task], jobs: int, progress: Progress | None = None
) -> list[Rewrite]:
    """`rewrite_sorted` of every task, in the tasks' order."""
    results: list[Rewrite | None] = [None] * len(tasks)
    done = 0

    def finished(index: int, rewrite: Rewrite) -> None:
        nonlocal done
        results[index] = rewrite
        done += 1
        if progress is not None:
            progress(done, len(tasks))

    if jobs <= 1 or len(tasks) < PARALLEL_FROM or not fork_is_default_safe():
        for index, task in enumerate(tasks):
            finished(index, rewrite_sorted(*task))
        return [r for r in results if r is not None]
    context = multiprocessing.get_context("fork")
    chunks = [list(range(i, min(i + CHUNK, len(tasks)))) for i in range(0, len(tasks), CHUNK)]
    try:
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            futures = [
                (chunk, pool.submit(_rewrite_chunk, [tasks[i] for i in chunk])) for chunk in chunks
            ]
            for chunk, future in futures:
                for index, rewrite in zip(chunk, future.result(), strict=True):
                    finished(index, rewrite)
    except BrokenProcessPool:
        for index, task in enumerate(tasks):
            if results[index] is None:
                finished(index, _alone(task, context))
    return [r for r in results if r is not None]


def _alone(task: Task, context: multiprocessing.context.BaseContext) -> Rewrite:
    try:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            (rewrite,) = pool.submit(_rewrite_chunk, [task]).result()
            return rewrite
    except BrokenProcessPool:
        return Rewrite(None, (Remaining(1, "", CRASHED),))
