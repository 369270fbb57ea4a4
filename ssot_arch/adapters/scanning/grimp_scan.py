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
* grimp runs in worker processes (`scan_pool.py`), in parallel, each on one chunk of
  the files; a chunk that fails is split until the failing file is found and listed
  as unanalysed with the reason, whether grimp raised, panicked or crashed.

The parser is ruff's (inside grimp), so code for newer Pythons than the running one
is read correctly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence

from ssot_arch.adapters.filesystem.decoding import Source, quote
from ssot_arch.adapters.filesystem.writing import process_is_running
from ssot_arch.adapters.processes.collector import collector_paused
from ssot_arch.adapters.scanning.scan_cache import Entry, ScanFailure, ScannedImport
from ssot_arch.adapters.scanning.scan_pool import Answer, Chunk, ScanPool
from ssot_arch.adapters.scanning.universe import Root, Universe
from ssot_arch.domain.model import FileKind, SourceFile, Unanalyzed

# Each call to grimp's scanner converts the whole module set first (0.4 s at 100,000
# modules), so each worker scans its share of the files in one call; a chunk that fails
# is split into smaller ones (see `_Scanner.scan`): after a syntax error, the rest of a
# chunk of more than MIN_CHUNK // 2 files into CHUNKS parts.
CHUNKS = 4
MIN_CHUNK = 2000
TEMP_PREFIX = "ssot-arch-scan-"

_LEVEL = "~up"

ProgressCallback = Callable[[int, int], None]
# grimp's imports of each module, in order (see scan_worker.py's `RealNames`); none sits
# under `if TYPE_CHECKING:` yet (see `scan_sources`).
_Found = dict[str, list[ScannedImport]]


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

    `root_dir` and `root.path` come as `os.path.join(..., "")` (ending in a separator):
    joined to a relative path by concatenation, as `os.path.join` would, but cheaper.
    """
    if not text.plain_utf8 or source.module in shadowing:
        return True
    if root.is_file:
        return False
    inner = source.module[len(source.root) + 1 :].replace(".", "/")
    if source.kind is FileKind.PACKAGE:
        expected = inner + "/__init__.py" if inner else "__init__.py"
    else:
        expected = inner + ".py"
    return root_dir + source.path != root.path + expected


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
    that need a file of their own get one in a second tree, scanned in the same calls.
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
        self._by_virtual_path: dict[str, SourceFile] | None = None
        made: set[str] = set()
        # Folders as `os.path.join(folder, "")`: see `_needs_own_file`.
        root_dir = os.path.join(universe.root_dir, "")
        in_roots = {
            name: Root(name, os.path.join(root.path, ""), root.is_file)
            for name, root in roots.items()
        }
        for module, text in sources.items():
            source = self.by_module[module]
            virtual = self.virtual_of[module] = layout.virtual(module, source.root)
            tree = "linked"
            if _needs_own_file(source, text, shadowing, in_roots[source.root], root_dir):
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
        self.module_of = {virtual: module for module, virtual in self.virtual_of.items()}

        # Every name an import may resolve to: the virtual names and the levels (for
        # relative imports), the real names (for absolute ones), modules and namespace
        # packages alike. The worker hands grimp the chunk's files as modules and these
        # as namespace packages (see scan_worker.py).
        # Every module's virtual name, not only the scanned ones': a relative import of a
        # module whose imports come from the cache, or that `check` cleared by its text,
        # must resolve all the same (else it lands on the importer's root).
        names = {layout.virtual(m, f.root) for m, f in self.by_module.items()}
        names.update(self.by_module)
        others = universe.namespace_packages | universe.other_modules
        names.update(others)
        names.update(layout.namespaces())
        names.update(
            layout.virtual(n, n.split(".")[0])
            for n in others
            if n.split(".")[0] in layout.marker_of
        )
        self.grimp_layout = {
            "top": layout.top,
            "prefix": layout.prefix,
            "root_of": layout.root_of,
            "names": list(names),
            "trees": {name: tree.directory for name, tree in self.trees.items()},
            "own": [self.virtual_of[m] for m, tree in self.tree_of.items() if tree == "own"],
        }

    def source_at(self, path: str) -> SourceFile | None:
        """The file grimp read at `path` (a syntax error names it), if it is one of ours."""
        if self._by_virtual_path is None:  # only ever needed for a syntax error
            self._by_virtual_path = {
                self.trees[self.tree_of[module]].path_of(
                    virtual, self.by_module[module].is_package
                ): self.by_module[module]
                for module, virtual in self.virtual_of.items()
            }
        return self._by_virtual_path.get(path)

    def scan(
        self,
        pool: ScanPool,
        modules: Sequence[str],
        failures: list[Unanalyzed],
        progress: ProgressCallback | None,
        exclude_type_checking: bool = False,
    ) -> _Found:
        """Each module's imports, by the repository's names and in order; the files
        that could not be scanned are added to `failures`."""
        found: _Found = {}
        make = tuple.__new__
        total, done = len(modules), 0
        # One chunk per worker (grimp converts the whole module set on each call), the
        # modules dealt round so that the workers' shares are alike.
        count = min(len(modules), pool.jobs)
        virtual = [self.virtual_of[m] for m in modules]
        chunks = [Chunk(tuple(virtual[n::count]), exclude_type_checking) for n in range(count)]

        def unanalyzed(virtual: str, reason: str) -> None:
            nonlocal done
            failures.append(Unanalyzed(self.by_module[self.module_of[virtual]].path, reason))
            done += 1

        def handle(chunk: Chunk, answer: Answer) -> list[Chunk]:
            nonlocal done
            if "imports" in answer:
                names, texts = answer["names"], answer["texts"]
                for virtual, imports in answer["imports"].items():
                    row = iter(imports)  # flat: name, line, contents, name, ...
                    # ScannedImport's own constructor, without its Python-level call.
                    found[self.module_of[virtual]] = [
                        make(ScannedImport, (names[name], line, texts[text], False))
                        for name, line, text in zip(row, row, row, strict=True)
                    ]
                done += len(chunk.modules)
                if progress:
                    progress(done, total)
                return []
            if "syntax_error" in answer:
                filename, line, text = answer["syntax_error"]
                bad = self.source_at(filename)
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
        Chunk(tuple(modules[i : i + size]), chunk.exclude_type_checking)
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


@collector_paused()  # the answers are a few objects per import: see collector.py
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
            # Module -> the lines of its imports that sit under `if TYPE_CHECKING:`.
            type_checking_only: dict[str, set[int]] = {}
            if mark_type_checking:
                guarded = [m for m in modules if m in found and sources[m].mentions_type_checking]
                runtime = scanner.scan(pool, guarded, [], None, exclude_type_checking=True)
                for module in guarded:
                    kept = {(name, line) for name, line, _, _ in runtime.get(module, ())}
                    lines = {line for name, line, _, _ in found[module] if (name, line) not in kept}
                    if lines:
                        type_checking_only[module] = lines
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    entries: dict[str, Entry] = {}
    if failures:
        by_path = {f.path: f.module for f in universe.files}
        for failure in failures:
            entries[by_path[failure.file]] = ScanFailure(failure.reason)
    for module, imports in found.items():
        original_lines = sources[module].original_lines
        tc_lines = type_checking_only.get(module)
        if not original_lines and not tc_lines:  # nearly every file
            entries[module] = imports
            continue
        entry = []
        for imported, line, line_contents, _ in imports:
            if original_lines and line in original_lines:
                line_contents = quote(original_lines[line])
            tc = tc_lines is not None and line in tc_lines
            entry.append(ScannedImport(imported, line, line_contents, tc))
        # In order of line, name and contents, as the workers answer (the scan's own
        # order depends on hashing in grimp and on the chunks).
        entry.sort(key=lambda e: (e.line, e.imported or "", e.line_contents))
        entries[module] = entry
    return entries
