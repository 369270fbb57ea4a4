"""Map a pure function over many files in forked processes, one per core.

The report's source passes (dynamic and broken imports) parse hundreds of files with
`ast`, which holds the interpreter lock: on a large repository they are worth a
process per core. The processes are forked, so they share what the function reads
(the module universe) without sending it; forking is safe only while this process
runs no other thread, and is the platform's safe default only on Linux, so elsewhere,
for a few items, or with one job, the map runs here.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting processes costs more than it saves.
PARALLEL_FROM = 32


def fork_is_default_safe() -> bool:
    """Whether forking is the platform's safe default (Linux); rewrite_pool.py asks too."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _can_fork() -> bool:
    return fork_is_default_safe() and threading.active_count() == 1


def fork_map(
    function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], jobs: int
) -> list[Result]:
    """`function` (a module-level function of a batch of items, returning one result per
    item) over `items`, in their order, in `jobs` forked processes when worthwhile."""
    if jobs <= 1 or len(items) < PARALLEL_FROM or not _can_fork():
        return function(items)
    size = -(-len(items) // (4 * jobs))  # four batches per process: even when sizes vary
    batches = [items[start : start + size] for start in range(0, len(items), size)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return [result for batch in pool.map(function, batches) for result in batch]
