"""What a traced process loaded, against the static graph (`ssot-arch trace`).

A process record (domain/trace.py) says which imports started, in order, with the module
running each, and which modules were then loaded. From it:

* Each loaded module's *runtime chain*: the module that imported it, that module's
  importer, and so on up to one with no importer of its own (`__main__`, a module loaded
  at start-up or by a frame outside any module): the import nesting, as `-X importtime`
  shows it. A module's importer is that of the last import of it that started before it
  was seen loaded (an optional import that failed and was tried again elsewhere counts
  where it succeeded). `__main__` is named as the module it runs as (`python -m
  pkg.main`), or by its file when that is one of the repository's modules.
* The *systems* it loaded: per system of the contract, the first of its modules the
  process loaded, with its runtime chain.
* Its *first-party* modules: loaded from a file inside the repository, under a root.
* Its *entries*: the modules given by `--entry`, else the first-party modules it loaded
  that no first-party module imported (what the program, its runner or the interpreter
  started from), `__main__`'s module included.
* Against the *static closure* of the entries (analysis/entries.py, on the graph without
  the imports under `if TYPE_CHECKING:`, which never run): the first-party modules it
  loaded that the closure does not hold (a dynamic import, a plugin: a gap of the static
  analysis), and the systems the closure holds that it never loaded (imports in
  functions that did not run), each with the static chain to it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from ssot_arch.analysis.direct import is_within
from ssot_arch.analysis.entries import closure_size, entry_closure, in_graph, nearest_chain
from ssot_arch.analysis.systems import SystemIndex
from ssot_arch.domain.findings import Hop
from ssot_arch.domain.trace import (
    Attempt,
    ContractTrace,
    Origin,
    ProcessRecord,
    ProcessTrace,
    RuntimeLoad,
    SystemRun,
    UnreachedModule,
)

MAIN = "__main__"
NOT_IN_GRAPH = "not in the static graph (outside the analysed modules)"
NOT_REACHED = "not reached by the static graph from the entries"


@dataclass(frozen=True)
class RuntimeView:
    """A process's loaded modules, in the order they were loaded, with how and by whom."""

    order: tuple[str, ...]
    origin: Mapping[str, Origin]
    importer: Mapping[str, str | None]
    path: Mapping[str, str | None]  # inside the repository, '/'-separated; else None

    def chain(self, module: str) -> tuple[str, ...]:
        found = [module]
        importer = self.importer.get(module)
        while importer is not None and importer not in found:
            found.append(importer)
            importer = self.importer.get(importer)
        return tuple(reversed(found))

    def load(self, module: str) -> RuntimeLoad:
        return RuntimeLoad(module, self.origin.get(module, "import"), self.chain(module))


def runtime_view(record: ProcessRecord, module_at: Mapping[str, str]) -> RuntimeView:
    """What `record`'s process loaded; `module_at` names the repository's files (path ->
    module), for `__main__` run as a script."""
    main = record.main or (module_at.get(record.main_path) if record.main_path else None) or MAIN
    order: list[str] = []
    origin: dict[str, Origin] = {}
    importer: dict[str, str | None] = {}
    path: dict[str, str | None] = {}

    def add(module: str, how: Origin, by: str | None, where: str | None) -> None:
        if module not in origin:
            order.append(module)
            origin[module], importer[module], path[module] = how, by, where

    for loaded in record.preloaded:
        if loaded.module != MAIN:
            add(loaded.module, "start-up", None, loaded.path)
    add(main, "main", None, record.main_path)
    last: dict[str, str | None] = {}
    for event in record.events:
        if isinstance(event, Attempt):
            last[event.module] = main if event.importer == MAIN else event.importer
        else:
            add(event.module, "import", last.get(event.module), event.path)
    for loaded in record.unobserved:
        add(loaded.module, "unobserved", None, loaded.path)
    return RuntimeView(tuple(order), origin, importer, path)


def _first_party(view: RuntimeView, roots: Collection[str]) -> list[str]:
    return [m for m in view.order if view.path.get(m) is not None and m.partition(".")[0] in roots]


def default_entries(view: RuntimeView, first_party: Sequence[str]) -> list[str]:
    """The first-party modules no first-party module imported, sorted."""
    mine = set(first_party)
    return sorted(m for m in first_party if view.importer.get(m) not in mine)


def contract_trace(
    contract: str,
    index: SystemIndex,
    view: RuntimeView,
    came_from: Mapping[str, Hop],
    distance: Mapping[str, int],
) -> ContractTrace:
    """The contract's systems the process loaded or the static closure (`entry_closure`'s
    `came_from` and `distance`) predicts."""
    runs = []
    for system in index.systems:
        first = next((m for m in view.order if is_within(m, system.entries)), None)
        static_chain = nearest_chain(came_from, distance, index.members[system.name])
        if first is not None or static_chain is not None:
            load = view.load(first) if first is not None else None
            runs.append(SystemRun(system.name, system.ssot, load, static_chain))
    return ContractTrace(contract, tuple(runs))


def process_trace(
    record: ProcessRecord,
    key: str,
    parent_key: str | None,
    graph: nx.DiGraph[str],
    indexes: Mapping[str, SystemIndex],
    roots: Collection[str],
    module_at: Mapping[str, str],
    entries: Sequence[str] = (),
) -> ProcessTrace:
    """One process against the static `graph`: `indexes` are the contracts' systems on
    it (by contract id), `roots` the repository's root names; `entries` those given by
    `--entry` (each in the graph), else the process's own."""
    view = runtime_view(record, module_at)
    first_party = _first_party(view, roots)
    chosen = list(entries) if entries else default_entries(view, first_party)
    came_from, distance = entry_closure(graph, [e for e in chosen if in_graph(graph, e)])
    unreached = [
        UnreachedModule(view.load(m), NOT_REACHED if in_graph(graph, m) else NOT_IN_GRAPH)
        for m in sorted(first_party)
        if m not in distance
    ]
    return ProcessTrace(
        record=record,
        key=key,
        parent_key=parent_key,
        entries=tuple(chosen),
        entries_given=bool(entries),
        entries_not_in_graph=tuple(e for e in chosen if not in_graph(graph, e)),
        first_party=tuple(sorted(first_party)),
        static_size=closure_size(graph, distance),
        not_in_static=tuple(unreached),
        contracts=tuple(
            contract_trace(contract, index, view, came_from, distance)
            for contract, index in indexes.items()
        ),
    )


def process_tree(records: Sequence[ProcessRecord]) -> list[tuple[ProcessRecord, str, str | None]]:
    """The records in tree order, each with its key ("1", "1.2": the second child of
    the first process) and its parent's; siblings by command line, then pid."""
    first_with_pid: dict[int, ProcessRecord] = {}
    for record in records:
        first_with_pid.setdefault(record.pid, record)
    children: dict[int, list[ProcessRecord]] = {}
    tops: list[ProcessRecord] = []
    for record in records:
        parent = first_with_pid.get(record.parent_pid)
        if parent is None or parent is record:
            tops.append(record)
        else:
            children.setdefault(id(parent), []).append(record)
    ordered: list[tuple[ProcessRecord, str, str | None]] = []
    placed: set[int] = set()  # (pids are reused: no record is visited twice)

    def visit(group: list[ProcessRecord], prefix: str, parent_key: str | None) -> None:
        group = [r for r in group if id(r) not in placed]
        placed.update(id(r) for r in group)
        for number, record in enumerate(sorted(group, key=lambda r: (r.argv, r.pid)), start=1):
            key = f"{prefix}{number}"
            ordered.append((record, key, parent_key))
            visit(children.get(id(record), []), key + ".", key)

    visit(tops, "", None)
    return ordered
