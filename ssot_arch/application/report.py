"""`ssot-arch report`: the check, plus the networkx analyses for each contract."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from ssot_arch.adapters.bindings import alias_bindings, read_bindings, statement_bindings
from ssot_arch.adapters.nx_graph import to_networkx
from ssot_arch.adapters.reading import NotReadable
from ssot_arch.adapters.scanner import decode_source
from ssot_arch.analysis.direct import is_within, modules_within
from ssot_arch.analysis.laundering import laundered_imports, restricted_names
from ssot_arch.analysis.leaks import find_transitive_leaks
from ssot_arch.analysis.systems import compliance, default_systems, groups_by_depth, systems_reach
from ssot_arch.application.check import Progress, check_repository, timed
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.findings import ContractReport, LaunderedImport
from ssot_arch.domain.model import Binding, CheckOutcome, ContractSpec, SourceFile, System
from ssot_arch.logs import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class ReportOutcome:
    check: CheckOutcome
    groups: Mapping[str, Sequence[str]]
    systems: Mapping[str, tuple[System, ...]]  # contract id -> systems analysed
    reports: Mapping[str, ContractReport]  # contract id -> findings


def resolve_groups(
    settings: RunSettings, modules: Sequence[str], depth: int | None
) -> dict[str, list[str]]:
    if depth is not None:
        return groups_by_depth(modules, depth)
    if settings.groups:
        problems = [
            ConfigProblem(
                f"group '{name}': '{prefix}' matches no analysed module",
                file=settings.groups_origin[0],
                section=settings.groups_origin[1],
                key=settings.groups_origin[2],
            )
            for name, prefixes in sorted(settings.groups.items())
            for prefix in prefixes
            if not any(is_within(m, [prefix]) for m in modules)
        ]
        if problems:
            raise ConfigError(problems)
        return {name: list(prefixes) for name, prefixes in settings.groups.items()}
    return {root.name: [root.name] for root in settings.roots}


class _Sources:
    """The analysed files' text and bindings, read at most once each."""

    def __init__(self, read: Callable[[SourceFile], bytes], files: Mapping[str, SourceFile]):
        self.read, self.files = read, files
        self._text: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        self.parsed: dict[str, list[Binding]] = {}

    def text(self, module: str) -> str:
        if module not in self._text:
            try:
                self._text[module] = decode_source(self.read(self.files[module]))[0]
            except (NotReadable, SyntaxError, UnicodeDecodeError):
                self._text[module] = ""  # listed as unanalysed by the scan already
        return self._text[module]

    def lines(self, module: str) -> list[str]:
        if module not in self._lines:
            self._lines[module] = self.text(module).splitlines()
        return self._lines[module]

    def bindings(self, module: str) -> list[Binding]:
        """Every top-level binding of the module, from a full parse."""
        if module not in self.parsed:
            source = self.files[module]
            self.parsed[module] = read_bindings(
                self.text(module).encode("utf-8"), module, source.is_package
            )
        return self.parsed[module]

    def import_bindings(
        self,
        graph: nx.DiGraph,
        importer: str,
        imported: str,
        names: Collection[str] | None = None,
    ) -> list[Binding]:
        """What `importer`'s imports of `imported` bind, from those statements alone.

        With `names`, a one-line statement that mentions none of them (nor `*`) is
        passed over unparsed: it cannot fetch one.
        """
        source = self.files[importer]
        found = []
        for line, first_line in graph.edges[importer, imported]["imports"]:
            if (
                names is not None
                and not first_line.rstrip().endswith(("(", "\\"))
                and not (set(_WORDS.findall(first_line)) & {*names, "*"})
            ):
                continue
            if first_line.rstrip().endswith(("(", "\\")):
                lines = self.lines(importer)
            else:
                lines = [""] * (line - 1) + [first_line]
            found += statement_bindings(lines, line, importer, source.is_package)
        return found


_WORDS = re.compile(r"[\w*]+")


def _may_fetch_names(graph: nx.DiGraph, importer: str, module: str) -> bool:
    """Whether one of `importer`'s imports of `module` may take names from it: any but
    a plain `import x` (which binds only the module's own name)."""
    return any(
        not text.lstrip().startswith("import ")
        for _, text in graph.edges[importer, module]["imports"]
    )


def _mentions_alias_of(text: str, names: Collection[str]) -> bool:
    """Whether some `x = name...` may alias one of `names` (a quick test before the regex)."""
    pattern = r"=[ \t]*(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b"
    return re.search(pattern, text) is not None


def find_laundering(
    graph: nx.DiGraph,
    spec: ContractSpec,
    read: Callable[[SourceFile], bytes],
    files: Mapping[str, SourceFile],
) -> tuple[LaunderedImport, ...]:
    """Find re-exported restricted names, and who imports them (analysis/laundering.py).

    A full parse costs milliseconds per file, so it is kept for the few files that
    matter: first each candidate's import statements alone say what it might
    re-export and whether any importer fetches such a name; only then are the
    candidate and those importers parsed whole. Candidates start as the direct
    importers of restricted modules and follow the graph backwards.
    """
    sources = _Sources(read, files)
    restricted = modules_within(graph, spec.restricted)
    exports: dict[str, dict[str, str]] = {}
    fetching: dict[str, set[str]] = {}  # exporting module -> importers fetching its names
    pending = sorted(
        {p for r in restricted for p in graph.predecessors(r) if p in files}, reverse=True
    )
    while pending:
        module = pending.pop()
        importers = [i for i in graph.predecessors(module) if i in files]
        if not any(_may_fetch_names(graph, i, module) for i in importers):
            continue
        quick = [
            b
            for target in sorted(graph.successors(module))
            if target in restricted or exports.get(target)
            for b in sources.import_bindings(graph, module, target)
        ]
        candidates = restricted_names(quick, spec.restricted, exports)
        if candidates and _mentions_alias_of(sources.text(module), candidates):
            quick += alias_bindings(sources.text(module))
            candidates = restricted_names(quick, spec.restricted, exports)
        fetchers = {
            importer
            for importer in importers
            if any(
                b.name == "*" or b.attribute in candidates
                for b in sources.import_bindings(graph, importer, module, candidates)
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


def run_report(
    settings: RunSettings, group_depth: int | None = None, progress: Progress | None = None
) -> ReportOutcome:
    analysed = check_repository(settings, progress)
    outcome = analysed.outcome
    modules = sorted(outcome.files)
    groups = resolve_groups(settings, modules, group_depth)
    digraphs: dict[bool, nx.DiGraph] = {}
    reports: dict[str, ContractReport] = {}
    systems: dict[str, tuple[System, ...]] = {}
    for result in outcome.contracts:
        spec = result.spec
        flag = spec.type_checking_imports
        if flag not in digraphs:
            with timed("converting to networkx"):
                digraphs[flag] = to_networkx(
                    analysed.scan.analyzed,
                    analysed.namespace_packages,
                    analysed.scan.imports,
                    include_type_checking=flag,
                )
        graph = digraphs[flag]
        systems[spec.id] = default_systems(spec)
        with timed(f"[{spec.id}] leaks and fix impact"):
            leaks = find_transitive_leaks(graph, spec)
        with timed(f"[{spec.id}] systems reach and compliance"):
            reach, fragmented = systems_reach(graph, systems[spec.id], groups)
            rows = compliance(graph, systems[spec.id], groups, result.violations)
        with timed(f"[{spec.id}] laundering"):
            laundering = find_laundering(graph, spec, analysed.universe.read, outcome.files)
        reports[spec.id] = ContractReport(leaks, reach, fragmented, rows, laundering)
    return ReportOutcome(outcome, groups, systems, reports)
