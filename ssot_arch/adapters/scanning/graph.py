"""Turn a scan into a grimp `ImportGraph` (external packages squashed, as grimp does)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import grimp

from ssot_arch.domain.model import ImportRecord


def build_import_graph(
    modules: Iterable[str],
    namespace_packages: Iterable[str],
    imports: Iterable[ImportRecord],
    *,
    include_type_checking: bool = True,
    only_imports_of: Collection[str] | None = None,
) -> grimp.ImportGraph:
    """Every module of the universe, with its imports.

    With `only_imports_of` (module names; a package covers its descendants), only the
    imports of those modules become edges. A contract's direct violations depend on
    nothing else, and adding every import to grimp's graph costs more than the check
    itself on a large repository; the report builds the full graph (in networkx).
    """
    graph = grimp.ImportGraph()
    internal = set(modules) | set(namespace_packages)
    roots = {name.split(".")[0] for name in internal}
    for name in sorted(internal):
        graph.add_module(name)
    wanted = None if only_imports_of is None else set(only_imports_of)
    # A wanted module's descendants share its first component: any other name is
    # decided by that alone.
    wanted_tops = {name.split(".")[0] for name in wanted or ()}
    keep: dict[str, bool] = {}  # imported name -> whether it is wanted (names repeat a lot)
    known = keep.get
    for importer, imported, line, line_contents, type_checking in imports:
        if type_checking and not include_type_checking:
            continue
        if wanted is not None:
            kept = known(imported)
            if kept is None:
                parts = imported.split(".")
                kept = keep[imported] = parts[0] in wanted_tops and any(
                    ".".join(parts[: i + 1]) in wanted for i in range(len(parts))
                )
            if not kept:
                continue
        if imported not in internal and imported.split(".")[0] not in roots:
            graph.add_module(imported, is_squashed=True)
        graph.add_import(
            importer=importer,
            imported=imported,
            line_number=line,
            line_contents=line_contents,
        )
    return graph
