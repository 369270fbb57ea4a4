"""Import-time cycles that a new import would close: part of `fix`'s proof.

`fix` adds `from R import NAME` at module level to a module M. When M is imported, that
line runs R; if R, while it is being imported, comes back to M through imports that run
at import time (docs/spec.md: module and class bodies, any depth of `if`/`try`/`with`/
loops, never a function body or `if TYPE_CHECKING:`), M is still half-initialised and
the import fails with "partially initialized module". So the rewrite is safe only when
R's *import-time closure* does not hold M.

Importing R first runs R's packages (`a`, then `a.b`, for `a.b.R`), and so does
importing anything R imports: the closure holds them, and what they import. The cycle is
judged from both sides: with M -> R -> ... -> M, importing R first fails as surely as
importing M first (the module reached second finds the first half-initialised).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ssot_arch.domain.findings import PACKAGE_FIRST, Hop

# What loading a module runs next: (module, line), PACKAGE_FIRST for its package.
Loads = Callable[[str], Iterable[tuple[str, int]]]


def import_time_closure(start: str, loads: Loads) -> dict[str, Hop | None]:
    """Every module that importing `start` runs, with the hop that reaches it first
    (None for `start`), breadth-first."""
    came_from: dict[str, Hop | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for loaded, line in loads(module):
                if loaded not in came_from:
                    came_from[loaded] = Hop(module, loaded, line)
                    following.append(loaded)
        frontier = following
    return came_from


def chain_to(came_from: dict[str, Hop | None], module: str) -> tuple[Hop, ...]:
    """The hops from the closure's start to `module` (which it holds)."""
    hops: list[Hop] = []
    hop = came_from[module]
    while hop is not None:
        hops.append(hop)
        hop = came_from[hop.importer]
    return tuple(reversed(hops))


class CycleFinder:
    """Which modules a new import of an SSOT module would close a cycle for, with the
    chain that comes back; one closure per SSOT module."""

    def __init__(self, loads: Loads):
        self._loads = loads
        self._closures: dict[str, dict[str, Hop | None]] = {}

    def cycle(self, importer: str, ssot_module: str) -> tuple[Hop, ...] | None:
        """The import-time chain from `ssot_module` back to `importer`, when adding
        `from ssot_module import ...` at `importer`'s module level closes a cycle."""
        if importer == ssot_module:
            return None
        closure = self._closures.get(ssot_module)
        if closure is None:
            closure = self._closures[ssot_module] = import_time_closure(ssot_module, self._loads)
        return chain_to(closure, importer) if importer in closure else None


def loads_from(
    imports_at_import_time: Callable[[str], Sequence[tuple[str, int]]], modules: frozenset[str]
) -> Loads:
    """`Loads` from each module's import-time imports (imported, line): the first-party
    ones among `modules` (packages included), and the module's own package first."""

    def loads(module: str) -> Iterable[tuple[str, int]]:
        package = module.rpartition(".")[0]
        if package:
            yield package, PACKAGE_FIRST
        seen: set[str] = set()
        for imported, line in imports_at_import_time(module):
            if imported in modules and imported not in seen:
                seen.add(imported)
                yield imported, line

    return loads
