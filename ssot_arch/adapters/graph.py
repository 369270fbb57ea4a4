"""Turn a scan into a grimp `ImportGraph` (external packages squashed, as grimp does)."""

from __future__ import annotations

from collections.abc import Iterable

import grimp

from ssot_arch.domain.model import ImportRecord


def build_import_graph(
    modules: Iterable[str],
    namespace_packages: Iterable[str],
    imports: Iterable[ImportRecord],
    *,
    include_type_checking: bool = True,
) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    internal = set(modules) | set(namespace_packages)
    roots = {name.split(".")[0] for name in internal}
    for name in sorted(internal):
        graph.add_module(name)
    for record in imports:
        if record.type_checking and not include_type_checking:
            continue
        if record.imported not in internal and record.imported.split(".")[0] not in roots:
            graph.add_module(record.imported, is_squashed=True)
        graph.add_import(
            importer=record.importer,
            imported=record.imported,
            line_number=record.line,
            line_contents=record.line_contents,
        )
    return graph
