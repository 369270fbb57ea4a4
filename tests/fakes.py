"""In-memory stand-ins for what the report's analyses read: the import graph and the
sources. With them an analysis is tested on a few lines, without a repository on disk.

`import_graph` builds the graph from edge tuples; `fake_repository` builds it, and the
sources, from a few files' text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import networkx as nx

from ssot_arch.adapters.scanning.sources import RepositorySources
from ssot_arch.domain.model import FileKind, SourceFile

Edge = tuple[str, str] | tuple[str, str, int] | tuple[str, str, int, str]


def import_graph(
    *edges: Edge, modules: Iterable[str] = (), namespaces: Iterable[str] = ()
) -> nx.DiGraph[str]:
    """The graph `adapters/scanning/nx_graph.py` would build, from `(importer, imported[, line[,
    text]])` edges (line 1 and `import <imported>` unless given).

    Importers and `modules` are analysed files (`root`, `file`); `namespaces` are
    first-party packages without a file; any other imported module is first-party
    when its top-level package is, else an external package.
    """
    files = {edge[0] for edge in edges} | set(modules)
    namespaces = set(namespaces) - files
    roots = {m.split(".")[0] for m in files | namespaces}
    graph: nx.DiGraph[str] = nx.DiGraph()
    for module in sorted(files):
        graph.add_node(module, root=module.split(".")[0], file=_path_of(module))
    for module in sorted(namespaces):
        graph.add_node(module, root=module.split(".")[0])
    imports: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for edge in edges:
        importer, imported = edge[0], edge[1]
        line = edge[2] if len(edge) > 2 else 1
        text = edge[3] if len(edge) > 3 else f"import {imported}"
        imports.setdefault((importer, imported), []).append((line, text))
    for (importer, imported), lines in imports.items():
        if imported not in graph:
            if imported.split(".")[0] in roots:
                graph.add_node(imported, root=imported.split(".")[0])
            else:
                graph.add_node(imported, external=True)
        graph.add_edge(importer, imported, imports=tuple(sorted(lines)))
    return graph


def _path_of(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _module_of(path: str) -> SourceFile:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        module = ".".join(parts[:-1])
        return SourceFile(path, module, parts[0], FileKind.PACKAGE)
    return SourceFile(path, ".".join(parts), parts[0])


_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([^)#]*)")
_IMPORT = re.compile(r"^\s*import\s+([^#]+)")


def _names(clause: str) -> list[str]:
    """`a, b as c` -> [a, b]."""
    return [part.split()[0] for part in clause.split(",") if part.strip()]


def _imports_of(source: SourceFile, text: str, modules: set[str]) -> list[Edge]:
    """What grimp would record of `text`'s imports, near enough for a test: one edge
    per statement and imported module (an external one squashed to its top-level
    name). The names of a `from` import count only on the statement's first line."""
    roots = {m.split(".")[0] for m in modules}

    def imported(name: str) -> str:
        return name if name.split(".")[0] in roots else name.split(".")[0]

    found: list[Edge] = []
    for number, line in enumerate(text.splitlines(), 1):
        if match := _FROM.match(line):
            dots, name, clause = match.groups()
            if dots:
                base = source.module.split(".")
                base = base if source.is_package else base[:-1]
                base = base[: len(base) - (len(dots) - 1)]
                name = ".".join([*base, name] if name else base)
            for attribute in _names(clause) or [""]:
                target = f"{name}.{attribute}" if f"{name}.{attribute}" in modules else name
                found.append((source.module, imported(target), number, line.strip()))
        elif match := _IMPORT.match(line):
            for name in _names(match.group(1)):
                found.append((source.module, imported(name), number, line.strip()))
    return list(dict.fromkeys(found))


def fake_repository(
    texts: Mapping[str, str], namespaces: Iterable[str] = ()
) -> tuple[nx.DiGraph[str], RepositorySources]:
    """The import graph of `texts` (path -> source) and their sources, read from memory."""
    files = {f.module: f for f in map(_module_of, texts)}
    edges: list[Edge] = []
    for source in files.values():
        edges += _imports_of(source, texts[source.path], set(files))
    graph = import_graph(*edges, modules=files, namespaces=namespaces)
    for module, source in files.items():  # paths as written, for packages' __init__.py
        graph.nodes[module]["file"] = source.path
    return graph, RepositorySources(lambda f: texts[f.path].encode("utf-8"), files)
