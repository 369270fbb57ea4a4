"""Rewrite many modules in parallel processes, a crash costing only its module.

A rewrite takes ~10 ms for a plain module (rewrite_quick.py) and a few hundred for one
LibCST decides, plus the import sort, so a repository's thousand violating files are
spread over one process per core by the one pool (processes/pool.py), in small chunks
so that progress is smooth. A module whose rewrite kills its process (LibCST's native
parser can overflow its stack on a pathological file) is left for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ssot_arch.adapters.codemod.import_order import sorted_as_before
from ssot_arch.adapters.codemod.rewrite import rewrite_module
from ssot_arch.adapters.processes.pool import fork_map
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
    section; adapters/codemod/import_order.py)."""
    result = rewrite_module(text, restricted, replacements)
    if result.text is None or result.text == text:
        return result
    return Rewrite(sorted_as_before(text, result.text, first_party))


def _rewrite_chunk(tasks: Sequence[Task]) -> list[Rewrite]:
    return [rewrite_sorted(*task) for task in tasks]


def _crashed(_: Task) -> Rewrite:
    return Rewrite(None, (Remaining(1, "", CRASHED),))


def rewrite_all(
    tasks: Sequence[Task], jobs: int, progress: Progress | None = None
) -> list[Rewrite]:
    """`rewrite_sorted` of every task, in the tasks' order; a module whose rewrite kills
    its process is left for a person (processes/pool.py)."""
    return fork_map(
        _rewrite_chunk,
        tasks,
        jobs,
        chunk=CHUNK,
        parallel_from=PARALLEL_FROM,
        progress=progress,
        crashed=_crashed,
    )
