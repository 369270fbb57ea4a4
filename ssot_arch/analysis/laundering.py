"""Laundering: restricted modules or their objects re-exported under another module's name.

`from app.logs import logger`, where `app/logs.py` did `from loguru import logger`,
hands loguru's own logger to a module that never imports loguru: the import graph
shows `app.logs`, not `loguru`. Here each module's top-level bindings (see
`adapters/scanning/bindings.py`) say which of its names are restricted modules or their
objects, followed through re-exports of re-exports; every non-gateway `from M import
name` of such a name is reported. A binding in any branch counts (`try: import
structlog` ... `except: structlog = None` still exports structlog). Calls are not
followed: `get_logger()` is the SSOT's API, not a re-export.

The sources are read through a `ModuleSources` (the adapter is `adapters/scanning/sources.py`).
A full parse costs milliseconds per file, so it is kept for the few files that matter:
first each candidate's import statements alone say what it might re-export and whether
any importer fetches such a name; only then are the candidate and those importers
parsed whole. Candidates start as the direct importers of restricted modules and
follow the graph backwards.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

import networkx as nx

from ssot_arch.analysis.direct import is_within
from ssot_arch.analysis.leaks import nodes_within
from ssot_arch.domain.findings import LaunderedImport
from ssot_arch.domain.model import Binding, ContractSpec

Exports = Mapping[str, Mapping[str, str]]  # module -> name -> what it really is


class ModuleSources(Protocol):
    """The analysed modules' sources, as the laundering analysis reads them."""

    def __contains__(self, module: object) -> bool:
        """Whether `module` is an analysed file, whose source may be asked for."""
        ...

    def text(self, module: str) -> str:
        """The module's source text ("" when it cannot be read or decoded)."""
        ...

    def bindings(self, module: str) -> Sequence[Binding]:
        """Every top-level binding of the module, from a full parse."""
        ...

    def statement_bindings(self, module: str, line: int, first_line: str) -> Sequence[Binding]:
        """What the import statement at `line`, whose first line is `first_line`, binds
        (read on its own: it may sit in a function)."""
        ...

    def alias_bindings(self, module: str) -> Sequence[Binding]:
        """The module's `name = other.attr` lines at column 0."""
        ...


def continues_on_next_line(first_line: str) -> bool:
    """Whether a statement goes on past its first line (an open bracket, a backslash)."""
    return first_line.rstrip().endswith(("(", "\\"))


def _origin_of(
    binding: Binding, restricted: Sequence[str], exports: Exports, names: Mapping[str, str]
) -> str | None:
    if binding.alias_of is not None:
        base = names.get(binding.alias_of)
        if base is None:
            return None
        return f"{base}.{binding.attribute}" if binding.attribute else base
    if binding.module is None or binding.name == "*":
        return None
    if binding.attribute is None:  # import x / import x.y as z
        return binding.module if is_within(binding.module, restricted) else None
    qualified = f"{binding.module}.{binding.attribute}"
    if is_within(binding.module, restricted) or is_within(qualified, restricted):
        return qualified
    return exports.get(binding.module, {}).get(binding.attribute)


def restricted_names(
    bindings: Sequence[Binding], restricted: Sequence[str], exports: Exports
) -> dict[str, str]:
    """The names a module binds to restricted modules or their objects, and what they are."""
    names: dict[str, str] = {}
    for binding in bindings:
        origin = _origin_of(binding, restricted, exports, names)
        if origin is not None:
            names.setdefault(binding.name, origin)
        elif binding.name == "*" and binding.module is not None and binding.module in exports:
            for name, star_origin in exports[binding.module].items():
                names.setdefault(name, star_origin)
    return names


def laundered_imports(
    importer: str, bindings: Sequence[Binding], restricted: Sequence[str], exports: Exports
) -> list[LaunderedImport]:
    """`from M import name` statements of `importer` that fetch a laundered name."""
    found = []
    for binding in bindings:
        via = binding.module
        if via is None or is_within(via, restricted) or via not in exports:
            continue
        if binding.name == "*":
            for name, origin in sorted(exports[via].items()):
                found.append(LaunderedImport(importer, binding.line, via, name, origin))
        elif binding.attribute is not None and binding.attribute in exports[via]:
            found.append(
                LaunderedImport(
                    importer, binding.line, via, binding.attribute, exports[via][binding.attribute]
                )
            )
    return found


_WORDS = re.compile(r"[\w*]+")


def _import_bindings(
    graph: nx.DiGraph[str],
    sources: ModuleSources,
    importer: str,
    imported: str,
    names: Collection[str] | None = None,
) -> list[Binding]:
    """What `importer`'s imports of `imported` bind, from those statements alone.

    With `names`, a one-line statement that mentions none of them (nor `*`) is
    passed over unparsed: it cannot fetch one.
    """
    found: list[Binding] = []
    for line, first_line in graph.edges[importer, imported]["imports"]:
        if (
            names is not None
            and not continues_on_next_line(first_line)
            and not (set(_WORDS.findall(first_line)) & {*names, "*"})
        ):
            continue
        found += sources.statement_bindings(importer, line, first_line)
    return found


def _may_fetch_names(imports: Sequence[tuple[int, str]]) -> bool:
    """Whether one of these imports (an edge's) may take names from the imported
    module: any but a plain `import x` (which binds only the module's own name)."""
    return any(not text.lstrip().startswith("import ") for _, text in imports)


def _mentions_alias_of(text: str, names: Collection[str]) -> bool:
    """Whether some `x = name...` may alias one of `names` (a quick test before the regex)."""
    pattern = r"=[ \t]*(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b"
    return re.search(pattern, text) is not None


def find_laundering(
    graph: nx.DiGraph[str], spec: ContractSpec, sources: ModuleSources
) -> tuple[LaunderedImport, ...]:
    """The contract's laundered imports: non-gateway `from M import name` statements
    whose name is a restricted module or object that `M` re-exports."""
    restricted = nodes_within(graph, spec.restricted)
    exports: dict[str, dict[str, str]] = {}
    fetching: dict[str, set[str]] = {}  # exporting module -> importers fetching its names
    pending = sorted(
        {p for r in restricted for p in graph.predecessors(r) if p in sources}, reverse=True
    )
    while pending:
        module = pending.pop()
        imported_by = graph.pred[module]  # importer -> the edge's data
        importers = [i for i in imported_by if i in sources]
        if not any(_may_fetch_names(imported_by[i]["imports"]) for i in importers):
            continue
        quick = [
            b
            for target in sorted(graph.successors(module))
            if target in restricted or exports.get(target)
            for b in _import_bindings(graph, sources, module, target)
        ]
        candidates = restricted_names(quick, spec.restricted, exports)
        if candidates and _mentions_alias_of(sources.text(module), candidates):
            quick += sources.alias_bindings(module)
            candidates = restricted_names(quick, spec.restricted, exports)
        fetchers = {
            importer
            for importer in importers
            if any(
                b.name == "*" or b.attribute in candidates
                for b in _import_bindings(graph, sources, importer, module, candidates)
            )
        }
        if not fetchers:
            continue
        names = restricted_names(sources.bindings(module), spec.restricted, exports)
        if names != exports.get(module):
            exports[module] = names
            fetching[module] = fetchers
            pending.extend(sorted(fetchers, reverse=True))
    found = []
    for importer in sorted({i for group in fetching.values() for i in group}):
        if not is_within(importer, spec.gateways):
            found += laundered_imports(
                importer, sources.bindings(importer), spec.restricted, exports
            )
    return tuple(sorted(set(found)))
