"""Direct violations: imports of a restricted module by a module that is no gateway."""

from __future__ import annotations

import difflib
import fnmatch
import functools
from collections.abc import Collection, Iterable, Sequence

import grimp

from ssot_arch.domain.model import ContractSpec, DynamicImport, Violation


def is_within(module: str, names: Iterable[str]) -> bool:
    """Whether `module` is one of `names` or a descendant of one (a package covers its tree)."""
    return any(module == name or module.startswith(name + ".") for name in names)


@functools.cache
def lineage(module: str) -> frozenset[str]:
    """The module and every package above it: `a.b.c` -> {a, a.b, a.b.c}."""
    parts = module.split(".")
    return frozenset(".".join(parts[: i + 1]) for i in range(len(parts)))


def modules_within(modules: Iterable[str], names: Iterable[str]) -> set[str]:
    """The `modules` that are one of `names` or a descendant of one.

    The same test as `is_within`, as a set intersection with each module's (cached)
    lineage: the analyses ask it for every node of a large graph, many times.
    """
    wanted = frozenset(names)
    if not wanted:
        return set()
    return {module for module in modules if not wanted.isdisjoint(lineage(module))}


def is_excluded(module: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns)


def may_import_restricted(module: str, spec: ContractSpec) -> bool:
    return (
        is_within(module, spec.gateways)
        or is_within(module, spec.restricted)
        or is_excluded(module, spec.exclude)
    )


def find_direct_violations(graph: grimp.ImportGraph, spec: ContractSpec) -> list[Violation]:
    """Every import of a restricted module (or its descendants) by a non-gateway module."""
    found: set[Violation] = set()
    modules = graph.modules
    for restricted in spec.restricted:
        if restricted not in modules:
            continue  # nobody imports it
        targets = {restricted}
        if not graph.is_module_squashed(restricted):
            targets |= graph.find_descendants(restricted)
        for importer in graph.find_modules_that_directly_import(restricted, as_package=True):
            if may_import_restricted(importer, spec):
                continue
            for imported in graph.find_modules_directly_imported_by(importer) & targets:
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    found.add(
                        Violation(
                            importer=importer,
                            imported=imported,
                            line=detail["line_number"],
                            line_contents=detail["line_contents"],
                        )
                    )
    return sorted(found)


def restricted_dynamic_imports(
    dynamic: Iterable[DynamicImport], spec: ContractSpec
) -> list[DynamicImport]:
    """The dynamic imports of a restricted module (or a descendant) by a module that
    may not import one: what `dynamic_imports = true` makes violations."""
    return [
        d
        for d in dynamic
        if is_within(d.imported, spec.restricted) and not may_import_restricted(d.importer, spec)
    ]


def dynamic_violations(
    dynamic: Iterable[DynamicImport], spec: ContractSpec, roots: Collection[str]
) -> list[Violation]:
    """The contract's violations by dynamic import, named as the graph names imports: an
    external module by its top-level name (grimp squashes them), a module of the `roots`
    in full. The statement is the call."""
    return [
        Violation(
            importer=d.importer,
            imported=d.imported if d.imported.split(".")[0] in roots else d.imported.split(".")[0],
            line=d.line,
            line_contents=d.call,
        )
        for d in restricted_dynamic_imports(dynamic, spec)
    ]


def unmatched_modules(spec: ContractSpec, graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """(field, name) for each gateway or first-party system entry that names no module.

    A system entry outside the analysed roots (`loguru`) may simply be unused; a
    first-party one, like every gateway, must exist, or the contract silently does nothing.
    """
    modules = graph.modules
    internal_roots = {m.split(".")[0] for m in modules if not graph.is_module_squashed(m)}

    def exists(name: str) -> bool:
        return name in modules or any(m.startswith(name + ".") for m in modules)

    problems = [("gateways", g) for g in spec.gateways if not exists(g)]
    for system in spec.systems:
        for entry in system.entries:
            if entry.split(".")[0] in internal_roots and not exists(entry):
                problems.append(("systems", entry))
    return problems


def contract_warnings(
    spec: ContractSpec,
    modules: Collection[str],
    roots: Collection[str],
    imported: Collection[str],
    default_restricted: Sequence[str],
) -> list[str]:
    """What makes a contract unable to fail, or fail on everything, short of an error.

    `modules` are the analysed modules, `roots` their top-level names and `imported`
    every module any of them imports. A restricted module imported nowhere (a typo like
    `loggin`) can never be violated; with the default list, only its being wholly unused
    is worth saying. An external gateway, an exclude pattern that matches nothing and a
    contract without any gateway do nothing a reader of the configuration would expect.
    """
    warnings = []
    explicit = tuple(spec.restricted) != tuple(default_restricted)
    unused = [r for r in spec.restricted if not any(is_within(i, [r]) for i in imported)]
    if explicit or len(unused) == len(spec.restricted):
        external = sorted({i.split(".")[0] for i in imported} - set(roots))
        for name in unused:
            close = difflib.get_close_matches(name, external, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            warnings.append(
                f"restricted module '{name}' is imported nowhere in the tree{hint}: "
                "the contract cannot fail on it"
            )
    for gateway in spec.gateways:
        if gateway.split(".")[0] not in roots:
            warnings.append(
                f"gateway '{gateway}' is not a module of the repository: a gateway names "
                "the repository's own SSOT module (the one that wraps the logging library)"
            )
    for pattern in spec.exclude:
        if not any(fnmatch.fnmatchcase(m, pattern) for m in modules):
            warnings.append(f"exclude pattern '{pattern}' matches no module; check it")
    if not spec.gateways:
        warnings.append(
            "no gateway is named: every import of "
            + ", ".join(spec.restricted)
            + " is a violation; name the SSOT module with `gateways =` (or --gateway)"
        )
    return warnings
