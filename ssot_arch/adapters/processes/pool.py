"""Map a pure function over many items in forked processes, one per core; a crash costs
only the item that caused it.

The source passes (dynamic and broken imports), the rewrite and the proof's reads parse
hundreds of files, which holds the interpreter lock: on a large repository they are
worth a process per core. The processes are forked, so they share what the function
reads (the module universe) without sending it; forking is safe only while this
process runs no other thread, and is the platform's safe default only on Linux, so
elsewhere, for a few items, or with one job, the map runs here.

The crash rule: a process that dies (LibCST's native parser can overflow its stack on
a pathological file) breaks the pool; every item not yet done is then mapped again in
a process of its own, and an item that kills its own process too gets `crashed(item)`
(without `crashed`, the pool's error is raised). grimp's scanner runs in long-lived
fresh interpreters instead (scanning/scan_pool.py), whose crash rule is the same
search narrowed by splitting chunks.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting processes costs more than it saves.
PARALLEL_FROM = 32


def default_jobs() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def fork_is_default_safe() -> bool:
    """Whether forking is the platform's safe default (Linux)."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _can_fork() -> bool:
    return fork_is_default_safe() and threading.active_count() == 1


def fork_map(
    function: Callable[[Sequence[Item]], list[Result]],
    items: Sequence[Item],
    jobs: int,
    *,
    chunk: int | None = None,
    parallel_from: int = PARALLEL_FROM,
    progress: Callable[[int, int], None] | None = None,
    crashed: Callable[[Item], Result] | None = None,
) -> list[Result]:
    """`function` (a module-level function of a batch of items, returning one result per
    item) over `items`, in their order, in `jobs` forked processes when worthwhile.

    Batches hold `chunk` items (default: four batches per process, even when the items'
    costs vary); `progress(done, total)` follows each batch; `crashed` answers for an
    item whose own process died (the module docstring)."""
    total = len(items)
    size = chunk or max(1, -(-total // (4 * max(1, jobs))))
    batches = [range(start, min(start + size, total)) for start in range(0, total, size)]
    results: list[Result | None] = [None] * total
    finished = [False] * total
    done = 0

    def record(batch: range, answers: list[Result]) -> None:
        nonlocal done
        for index, answer in zip(batch, answers, strict=True):
            results[index] = answer
            finished[index] = True
        done += len(batch)
        if progress is not None:
            progress(done, total)

    if jobs <= 1 or total < parallel_from or not _can_fork():
        for batch in batches:
            record(batch, function([items[i] for i in batch]))
        return results  # type: ignore[return-value]  # every index is recorded
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            futures = [(b, pool.submit(function, [items[i] for i in b])) for b in batches]
            for batch, future in futures:
                record(batch, future.result())
    except BrokenProcessPool:
        if crashed is None:
            raise
        for index in range(total):
            if not finished[index]:
                record(range(index, index + 1), [_alone(function, items[index], crashed)])
    return results  # type: ignore[return-value]


def _alone(
    function: Callable[[Sequence[Item]], list[Result]],
    item: Item,
    crashed: Callable[[Item], Result],
) -> Result:
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            (result,) = pool.submit(function, [item]).result()
            return result
    except BrokenProcessPool:
        return crashed(item)
