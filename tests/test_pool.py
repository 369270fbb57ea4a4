"""The one process pool (adapters/processes/pool.py): order, progress, and its crash rule.

Every parallel pass (the source passes, the rewrite, the proof's reads) maps through
`fork_map`, so its crash rule is tested here once: a process that dies costs only the
item that killed it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

import pytest

from ssot_arch.adapters.processes.pool import fork_is_default_safe, fork_map

PARENT = os.getpid()

needs_fork = pytest.mark.skipif(not fork_is_default_safe(), reason="forks only on Linux")


def squares(batch: Sequence[int]) -> list[int]:
    return [n * n for n in batch]


def dies_on_thirteen(batch: Sequence[int]) -> list[int]:
    if 13 in batch and os.getpid() != PARENT:
        os._exit(9)  # as a native parser overflowing its stack would
    return squares(batch)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_results_keep_the_items_order_and_progress_reaches_the_total(jobs, chunk):
    seen: list[tuple[int, int]] = []
    items = list(range(50))
    results = fork_map(
        squares, items, jobs, chunk=chunk, parallel_from=1, progress=lambda *d: seen.append(d)
    )
    assert results == [n * n for n in items]
    assert [total for _, total in seen] == [50] * len(seen)
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 50


def test_no_items_no_work():
    assert fork_map(squares, [], 2, parallel_from=0) == []


@needs_fork
def test_a_crash_costs_only_the_item_that_caused_it():
    items = list(range(40))
    results = fork_map(dies_on_thirteen, items, 2, chunk=8, parallel_from=1, crashed=lambda n: -n)
    assert results == [-13 if n == 13 else n * n for n in items]


@needs_fork
def test_without_a_crash_answer_the_pools_error_is_raised():
    with pytest.raises(BrokenProcessPool):
        fork_map(dies_on_thirteen, list(range(40)), 2, chunk=8, parallel_from=1)
