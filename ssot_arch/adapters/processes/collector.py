"""Pause Python's cyclic garbage collector while a burst of acyclic objects is built.

The scan's answers and the networkx import graph are a few objects per import: some
millions on a large repository, built in one go. Even with the CLI's raised
thresholds, such a burst sets off collections that walk every object alive, again
and again as it grows (the graph of 100,000 modules took 0.8 s longer to build). None
of these objects forms a reference cycle (reference counting frees them), so the
collector is paused while they are built and runs again afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (then as it was before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
