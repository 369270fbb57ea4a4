"""Drive grimp's Rust import scanner over temporary trees, one bad file never stopping the run.

grimp's `build_graph` aborts on the first syntax error, drops some relative imports
that climb above the top-level package, panics on others, and its scanner can crash the
whole process on one deeply nested expression. So the scanner is driven here directly:

* grimp reads the files from disk through a temporary tree holding one symbolic link
  per root (its in-memory file system is a test helper that strips indentation), plus
  a file of their own for the few modules that need one (see `_needs_own_file`).
* Every module is scanned under a virtual name, `<top>.<level>...<level>.<marker>.rest`,
  where each root is renamed to a marker of its own. A relative import that climbs
  above its root lands on a level (or on the marker, under which the root's own name
  does not exist) instead of on a sibling root or a panic; it is reported with its
  line. The virtual names are not identifiers, so no import can name them. A file with
  a relative import deeper than any level is scanned from a copy in which such runs of
  dots are shortened to one that is still beyond every root (see decoding.py).
* grimp runs in worker processes (`scan_pool.py`), in parallel. Files are scanned in a
  few chunks; a chunk that fails is split until the failing file is found and listed
  as unanalysed with the reason, whether grimp raised, panicked or crashed.

The parser is ruff's (inside grimp), so code for newer Pythons than the running one
is read correctly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ssot_arch.adapters.cache import Entry, ScanFailure, ScannedImport
from ssot_arch.adapters.decoding import Source, quote
from ssot_arch.adapters.files import process_is_running
from ssot_arch.adapters.scan_pool import Answer, Chunk, ScanPool
from ssot_arch.adapters.universe import Root, Universe
from ssot_arch.domain.model import FileKind, SourceFile, Unanalyzed

# Each call to grimp's scanner converts the whole module set first (40 ms at 10,000
# modules), so files are scanned in a few large chunks, not many small ones; a chunk
# that fails is split into smaller ones (see `_Scanner.scan`).
CHUNKS = 4
MIN_CHUNK = 2000
TEMP_PREFIX = "ssot-arch-scan-"

_LEVEL = "~up"
_MISSING = object()

ProgressCallback = Callable[[int, int], None]
# grimp's imports of one module: [virtual name, line, line contents] each.
_Found = dict[str, list[list[Any]]]


class _Layout:
    """The virtual names modules are scanned under (see the module docstring)."""

    def __init__(self, roots: Sequence[Root], modules: Iterable[str]):
        taken = {root.name for root in roots}
        top = "~ssot"
        while top in taken:
            top += "~"
        self.top = top
        # Every relative import deeper than the deepest module climbs above every root;
        # shortened to `cap` dots it still does, and still lands on a level.
        depth = max((m.count(".") + 1 for m in modules), default=1)
        self.cap = depth + 1
        self.levels = self.cap + 1
        self.prefix = ".".join([top] + [_LEVEL] * self.levels)
        self.marker_of = {root.name: f"~root{n}" for n, root in enumerate(roots)}
        self.root_of = {marker: root for root, marker in self.marker_of.items()}
        self._prefix_dot = self.prefix + "."

    def virtual(self, module: str, root: str) -> str:
        return f"{self._prefix_dot}{self.marker_of[root]}{module[len(root) :]}"

    def real(self, name: str, importer_root: str) -> str | None:
        """The repository's name for a scanned name; None when it climbed above the roots."""
        if name.startswith(self._prefix_dot):
            marker, dot, rest = name[len(self._prefix_dot) :].partition(".")
            root = self.root_of.get(marker)
            return None if root is None else root + dot + rest
        if name == self.top:
            # grimp resolves a missing first-party module to the importer's top package.
            return importer_root
        if not name or name.startswith((".", self.top + ".")):
            return None
        return name

    def namespaces(self) -> list[str]:
        """The levels above the roots: modules, so that imports landing there resolve."""
        return [".".join([self.top] + [_LEVEL] * n) for n in range(1, self.levels + 1)]


def relative_cap(universe: Universe) -> int:
    """The deepest relative import the scan's layout holds for `universe`: decoding
    shortens deeper ones to it."""
    return _Layout(universe.roots, (f.module for f in universe.files)).cap


def _needs_own_file(
    source: SourceFile, text: Source, shadowing: set[str], root: Root, root_dir: str
) -> bool:
    """Whether grimp cannot read this file through the link to its root folder.

    That is so when the file is read from a copy (another encoding, shortened relative
    imports, a symbolic link), when its module name is not its path (`v1.2/` is named
    `v1_2`, `x.py` shadowed by the package `x/` is `x~shadowed`), and for a package that
    shadows a module: grimp would read `x.py` where Python imports `x/__init__.py`.
    """
    if not text.plain_utf8 or source.module in shadowing:
        return True
    if root.is_file:
        return False
    inner = source.module[len(source.root) + 1 :].replace(".", "/")
    if source.is_package:
        expected = inner + "/__init__.py" if inner else "__init__.py"
    else:
        expected = inner + ".py"
    return os.path.join(root_dir, source.path) != os.path.join(root.path, expected)


class _Tree:
    """A folder laid out as grimp expects: `<dir>/~up/.../~up/<marker>/...`."""

    def __init__(self, directory: str, layout: _Layout):
        self.directory = directory
        self.base = directory + "/" + "/".join(layout.prefix.split(".")[1:])
        os.makedirs(self.base)

    def path_of(self, virtual: str, is_package: bool) -> str:
        suffix = "/__init__.py" if is_package else ".py"
        return self.directory + "/" + "/".join(virtual.split(".")[1:]) + suffix


class _Scanner:
    """grimp's scanner over temporary trees that give every module its right file.

    Most files are read through one link per root (cheap: no per-file work); the few
    that need a file of their own get one in a second tree, scanned separately.
    """

    def __init__(self, universe: Universe, sources: Mapping[str, Source], directory: str):
        self.by_module = {f.module: f for f in universe.files}
        layout = self.layout = _Layout(universe.roots, self.by_module)
        roots = {root.name: root for root in universe.roots}
        shadowing = {
            f.module.removesuffix("~shadowed")
            for f in universe.files
            if f.kind is FileKind.SHADOWED
        }

        linked, own = _Tree(directory + "/linked", layout), _Tree(directory + "/own", layout)
        self.trees = {"linked": linked, "own": own}
        for root in universe.roots:
            target = linked.base + "/" + layout.marker_of[root.name]
            os.symlink(root.path, target + ".py" if root.is_file else target)
        self.tree_of: dict[str, str] = {}
        self.virtual_of: dict[str, str] = {}
        self.by_virtual_path: dict[str, SourceFile] = {}
        made: set[str] = set()
        for module, text in sources.items():
            source = self.by_module[module]
            virtual = self.virtual_of[module] = layout.virtual(module, source.root)
            tree = "linked"
            if _needs_own_file(source, text, shadowing, roots[source.root], universe.root_dir):
                tree = "own"
                target = own.path_of(virtual, source.is_package)
                parent = os.path.dirname(target)
                if parent not in made:
                    os.makedirs(parent, exist_ok=True)
                    made.add(parent)
                if text.plain_utf8:
                    os.symlink(universe.real_path(source), target)
                else:
                    with open(target, "w", encoding="utf-8") as handle:
                        handle.write(text.utf8_text or "")
            self.tree_of[module] = tree
            self.by_virtual_path[self.trees[tree].path_of(virtual, source.is_package)] = source
        self.module_of = {virtual: module for module, virtual in self.virtual_of.items()}

        # The real roots, so that absolute imports resolve to first-party modules.
        real: dict[str, tuple[list[str], list[str]]] = {r.name: ([], []) for r in universe.roots}
        for module in self.by_module:
            real.setdefault(module.split(".")[0], ([], []))[0].append(module)
        for namespace in universe.namespace_packages:
            real.setdefault(namespace.split(".")[0], ([], []))[1].append(namespace)
        self.grimp_layout = {
            "top": layout.top,
            "modules": sorted(self.virtual_of.values()),
            "namespaces": sorted(
                layout.namespaces()
                + [
                    layout.virtual(n, n.split(".")[0])
                    for n in universe.namespace_packages
                    if n.split(".")[0] in layout.marker_of
                ]
            ),
            "trees": {name: tree.directory for name, tree in self.trees.items()},
            "real": real,
            "real_directory": directory + "/real",
        }

    def scan(
        self,
        pool: ScanPool,
        modules: Sequence[str],
        failures: list[Unanalyzed],
        progress: ProgressCallback | None,
        exclude_type_checking: bool = False,
    ) -> _Found:
        """Each module's imports as grimp gives them ([virtual name, line, text]); the
        files that could not be scanned are added to `failures`."""
        found: _Found = {}
        total, done = len(modules), 0
        chunks = []
        for tree in self.trees:
            in_tree = [self.virtual_of[m] for m in modules if self.tree_of[m] == tree]
            # Large chunks, yet at least one per worker: `check` scans only the files
            # that could import a restricted module, often fewer than MIN_CHUNK.
            size = max(1, -(-len(in_tree) // CHUNKS), min(MIN_CHUNK, -(-len(in_tree) // pool.jobs)))
            chunks += [
                Chunk(tree, tuple(in_tree[i : i + size]), exclude_type_checking)
                for i in range(0, len(in_tree), size)
            ]

        def unanalyzed(virtual: str, reason: str) -> None:
            nonlocal done
            failures.append(Unanalyzed(self.by_module[self.module_of[virtual]].path, reason))
            done += 1

        def handle(chunk: Chunk, answer: Answer) -> list[Chunk]:
            nonlocal done
            if "imports" in answer:
                for virtual, imports in answer["imports"].items():
                    found[self.module_of[virtual]] = imports
                done += len(chunk.modules)
                if progress:
                    progress(done, total)
                return []
            if "syntax_error" in answer:
                filename, line, text = answer["syntax_error"]
                bad = self.by_virtual_path.get(filename)
                virtual = self.virtual_of.get(bad.module) if bad else None
                if virtual is not None and virtual in chunk.modules:
                    reason = f"SyntaxError (line {line or '?'})"
                    unanalyzed(
                        virtual, reason + (f": {quote(text)}" if text and text.strip() else "")
                    )
                    rest = tuple(m for m in chunk.modules if m != virtual)
                    # Where there is one broken file there are often more: smaller
                    # chunks make each further one cheaper to step around.
                    parts = CHUNKS if len(rest) > 2 * MIN_CHUNK // CHUNKS else 1
                    return _split(chunk, rest, parts)
            if len(chunk.modules) == 1:
                reason = (
                    answer.get("crash")
                    or f"grimp could not scan it: {quote(answer.get('error', ''))}"
                )
                unanalyzed(chunk.modules[0], reason)
                return []
            # The failure does not say which file: split until it does.
            return _split(chunk, chunk.modules, 2)

        pool.run(chunks, handle)
        return found


def _split(chunk: Chunk, modules: Sequence[str], parts: int) -> list[Chunk]:
    size = max(1, -(-len(modules) // parts))
    return [
        Chunk(chunk.tree, tuple(modules[i : i + size]), chunk.exclude_type_checking)
        for i in range(0, len(modules), size)
    ]


def clean_stale_scan_folders(temp_dir: str | None = None) -> None:
    """Remove the scan folders of runs that were killed (their process is gone)."""
    temp_dir = temp_dir or tempfile.gettempdir()
    try:
        names = os.listdir(temp_dir)
    except OSError:
        return
    for name in names:
        if not name.startswith(TEMP_PREFIX):
            continue
        pid = name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_is_running(int(pid)):
            shutil.rmtree(os.path.join(temp_dir, name), ignore_errors=True)


def scan_sources(
    universe: Universe,
    sources: Mapping[str, Source],
    mark_type_checking: bool,
    progress: ProgressCallback | None,
    jobs: int,
) -> dict[str, Entry]:
    """Scan the decoded `sources` (by module) of `universe` with grimp, in `jobs` worker
    processes: each module's cache entry, its imports or why it could not be scanned.

    With `mark_type_checking`, imports that sit under `if TYPE_CHECKING:` are flagged
    (found by a second scan, of only the files that mention TYPE_CHECKING).
    """
    failures: list[Unanalyzed] = []
    clean_stale_scan_folders()
    directory = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
    try:
        scanner = _Scanner(universe, sources, directory)
        modules = sorted(sources)
        with ScanPool(scanner.grimp_layout, directory, jobs) as pool:
            found = scanner.scan(pool, modules, failures, progress)
            type_checking_only: set[tuple[str, int]] = set()
            if mark_type_checking:
                guarded = [m for m in modules if m in found and sources[m].mentions_type_checking]
                runtime = scanner.scan(pool, guarded, [], None, exclude_type_checking=True)
                for module in guarded:
                    kept = {(name, line) for name, line, _ in runtime.get(module, ())}
                    type_checking_only.update(
                        (module, line)
                        for name, line, _ in found[module]
                        if (name, line) not in kept
                    )
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    entries: dict[str, Entry] = {}
    by_path = {f.path: f.module for f in universe.files}
    for failure in failures:
        entries[by_path[failure.file]] = ScanFailure(failure.reason)
    layout = scanner.layout
    real_names: dict[tuple[str, str], Any] = {}  # most imported names repeat
    for module, imports in found.items():
        root = scanner.by_module[module].root
        original_lines = sources[module].original_lines
        entry = []
        for imported, line, line_contents in imports:
            key = (imported, root)
            name = real_names.get(key, _MISSING)
            if name is _MISSING:
                name = real_names[key] = layout.real(*key)
            if original_lines and line in original_lines:
                line_contents = quote(original_lines[line])
            tc = bool(type_checking_only) and (module, line) in type_checking_only
            entry.append(ScannedImport(name, line, line_contents, tc))
        # Sorted: the scan's order depends on hashing in grimp and on the chunks.
        entry.sort(key=lambda e: (e.line, e.imported or "", e.line_contents))
        entries[module] = entry
    return entries
