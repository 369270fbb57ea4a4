"""Scan the universe's imports with grimp's Rust scanner, one bad file never stopping the run.

grimp's `build_graph` aborts on the first syntax error, drops some relative imports
that climb above the top-level package, panics on others, and its scanner can crash the
whole process on one deeply nested expression. So the scanner is driven here directly:

* Files are read and decoded in Python (only regular files inside the repository, of
  bounded size; PEP 263 encodings, BOMs); unreadable, undecodable and NUL-holding files
  are listed as unanalysed before grimp sees them. grimp then reads them from disk
  through a temporary tree holding one symbolic link per root (its in-memory file
  system is a test helper that strips indentation), plus a file of their own for the
  few modules that need one (see `_needs_own_file`).
* Every module is scanned under a virtual name, `<top>.<level>...<level>.<marker>.rest`,
  where each root is renamed to a marker of its own. A relative import that climbs
  above its root lands on a level (or on the marker, under which the root's own name
  does not exist) instead of on a sibling root or a panic; it is reported with its
  line. The virtual names are not identifiers, so no import can name them. A file with
  a relative import deeper than any level (100 dots) is scanned from a copy in which
  such runs of dots are shortened to one that is still beyond every root.
* grimp runs in worker processes (`scan_pool.py`), in parallel. Files are scanned in a
  few chunks; a chunk that fails is split until the failing file is found and listed
  as unanalysed with the reason, whether grimp raised, panicked or crashed.

The parser is ruff's (inside grimp), so code for newer Pythons than the running one
is read correctly.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from operator import attrgetter

from ssot_arch.adapters.cache import Entry, ImportCache, content_key, generation_key
from ssot_arch.adapters.reading import NotReadable
from ssot_arch.adapters.scan_pool import Answer, Chunk, ScanPool, default_jobs
from ssot_arch.adapters.universe import Root, Universe
from ssot_arch.domain.model import (
    FileKind,
    ImportRecord,
    SourceFile,
    Unanalyzed,
    UnresolvedImport,
)
from ssot_arch.logs import get_logger

# Each call to grimp's scanner converts the whole module set first (40 ms at 10,000
# modules), so files are scanned in a few large chunks, not many small ones; a chunk
# that fails is split into smaller ones (see `_Scanner.handle`).
CHUNKS = 4
MIN_CHUNK = 2000
# Quoted source text (a syntax error's line, a hostile import statement) is cut here.
MAX_QUOTE = 200
TEMP_PREFIX = "ssot-arch-scan-"

BEYOND_TOP_LEVEL = "relative import beyond the top-level package"
_MISSING = object()
# `from` followed by a run of dots, spaces and line continuations: a relative import's
# level is at most the dots in the run (an upper bound is all that is needed).
_RELATIVE_RUN_TEXT = re.compile(r"from((?:[ \t\f.]|\\(?:\r\n|\r|\n))+)")

ProgressCallback = Callable[[int, int], None]

logger = get_logger(__name__)


@dataclass
class ScanResult:
    imports: list[ImportRecord] = field(default_factory=list)
    unanalyzed: list[Unanalyzed] = field(default_factory=list)
    unresolved: list[UnresolvedImport] = field(default_factory=list)
    analyzed: list[SourceFile] = field(default_factory=list)


def decode_source(data: bytes) -> tuple[str, str]:
    """Decode Python source as the interpreter would (PEP 263 cookie, BOM, UTF-8)."""
    encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    return data.decode(encoding), encoding


def quote(text: str) -> str:
    """Source text as shown in a reason: one stripped line, cut at MAX_QUOTE characters."""
    text = text.strip()
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


@dataclass
class _Source:
    # Only what the scan needs, not the text: a large repository's sources are
    # hundreds of megabytes as Python strings.
    plain_utf8: bool  # grimp can read the file as it is on disk
    mentions_type_checking: bool
    utf8_text: str | None = None  # the text grimp reads, for the files that need a copy
    # Lines whose relative imports were shortened in the copy -> their original text.
    original_lines: dict[int, str] | None = None


def _read_bytes(universe: Universe, source: SourceFile) -> tuple[bytes | None, Unanalyzed | None]:
    try:
        return universe.read(source), None
    except NotReadable as error:
        return None, Unanalyzed(source.path, str(error))


@functools.cache
def _deeper_than(cap: int) -> tuple[re.Pattern[bytes], re.Pattern[str]]:
    """Patterns that find a run of more than `cap` relative dots after `from` (one
    search in C, where most files have no such run)."""
    gap = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))*"
    pattern = rf"from{gap}(?:\.{gap}){{{cap + 1}}}"
    return re.compile(pattern.encode()), re.compile(pattern)


def _has_deeper_run(data: bytes | str, cap: int) -> bool:
    in_bytes, in_text = _deeper_than(cap)
    if isinstance(data, bytes):
        return in_bytes.search(data) is not None
    return in_text.search(data) is not None


def _shorten_relative_runs(text: str, cap: int) -> tuple[str, dict[int, str]]:
    """`text` with every run of more than `cap` relative dots cut to `cap` dots, keeping
    every line where it was; and the original text of each line changed."""
    lines = text.splitlines()
    changed: dict[int, str] = {}

    def shorten(match: re.Match) -> str:
        run = match.group(1)
        if run.count(".") <= cap:
            return match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        changed[line] = lines[line - 1] if line <= len(lines) else ""
        breaks = len(re.findall(r"\\(?:\r\n|\r|\n)", run))
        return "from " + "." * cap + " " + "\\\n" * breaks

    return _RELATIVE_RUN_TEXT.sub(shorten, text), changed


def _decode(
    data: bytes, display: str, cap: int, must_copy: bool
) -> tuple[_Source | None, Unanalyzed | None]:
    """What the scan needs of a file's bytes; `cap` is the deepest relative level the
    virtual layout holds, `must_copy` says the file is read through a copy anyway."""
    if data.isascii() and b"\0" not in data and b"coding" not in data[:400]:
        # ASCII without an encoding declaration (which only the first two lines may
        # hold) is valid UTF-8: no need to decode it (most files of most repositories).
        if not must_copy and not _has_deeper_run(data, cap):
            return _Source(True, b"TYPE_CHECKING" in data), None
        text, encoding = data.decode("ascii"), "utf-8"
    else:
        nul = data.find(b"\0")
        if nul != -1:
            line = data.count(b"\n", 0, nul) + 1
            return None, Unanalyzed(display, f"contains a NUL byte (line {line})")
        try:
            text, encoding = decode_source(data)
        except SyntaxError as error:  # a malformed or unknown coding cookie
            return None, Unanalyzed(
                display, f"SyntaxError: {quote(error.msg)} (line {error.lineno})"
            )
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return None, Unanalyzed(
                display,
                f"undecodable: byte 0x{data[error.start]:02x} is not valid {error.encoding} "
                f"(line {line})",
            )
    original_lines = None
    if _has_deeper_run(text, cap):
        text, original_lines = _shorten_relative_runs(text, cap)
    plain = encoding == "utf-8" and original_lines is None and not must_copy
    return (
        _Source(plain, "TYPE_CHECKING" in text, None if plain else text, original_lines),
        None,
    )


_LEVEL = "~up"


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


def _needs_own_file(
    source: SourceFile, text: _Source, shadowing: set[str], root: Root, root_dir: str
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

    def __init__(self, universe: Universe, sources: dict[str, _Source], directory: str):
        self.by_module = {f.module: f for f in universe.files}
        self.sources = sources
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
        result: ScanResult,
        progress: ProgressCallback | None,
        exclude_type_checking: bool = False,
    ) -> dict[str, list]:
        """Each module's imports as grimp gives them ([virtual name, line, text]); the
        files that could not be scanned are added to `result.unanalyzed`."""
        found: dict[str, list] = {}
        total, done = len(modules), 0
        chunks = []
        for tree in self.trees:
            in_tree = [self.virtual_of[m] for m in modules if self.tree_of[m] == tree]
            size = max(MIN_CHUNK, -(-len(in_tree) // CHUNKS))
            chunks += [
                Chunk(tree, tuple(in_tree[i : i + size]), exclude_type_checking)
                for i in range(0, len(in_tree), size)
            ]

        def unanalyzed(virtual: str, reason: str) -> None:
            nonlocal done
            result.unanalyzed.append(
                Unanalyzed(self.by_module[self.module_of[virtual]].path, reason)
            )
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
                if virtual in chunk.modules:
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


def file_keys(universe: Universe) -> tuple[dict[str, str], list[Unanalyzed]]:
    """Each readable file's cache key (its module and a hash of its bytes), and the
    files that could not be read."""
    keys: dict[str, str] = {}
    unreadable: list[Unanalyzed] = []
    for source in universe.files:
        data, problem = _read_bytes(universe, source)
        if data is None:
            unreadable.append(problem)  # type: ignore[arg-type]
        else:
            keys[source.module] = content_key(source.module, source.is_package, data)
    return keys, unreadable


def scan_universe(
    universe: Universe,
    *,
    mark_type_checking: bool = False,
    progress: ProgressCallback | None = None,
    cache_dir: str | None = None,
    keys: dict[str, str] | None = None,
    jobs: int | None = None,
) -> ScanResult:
    """Every import of every file of the universe, with what could not be read and why.

    With `mark_type_checking`, imports that sit under `if TYPE_CHECKING:` are flagged
    (found by a second scan, of only the files that mention TYPE_CHECKING). With
    `cache_dir`, files whose content is unchanged are not scanned again (see cache.py);
    `keys` are their cache keys when the caller has already computed them. `jobs`
    worker processes scan (default: one per core).
    """
    result = ScanResult(unanalyzed=list(universe.unreadable))
    cache = None
    if cache_dir is not None:
        generation = generation_key(
            [(f.module, f.is_package) for f in universe.files],
            sorted(universe.namespace_packages),
            f"type_checking={mark_type_checking}",
        )
        cache = ImportCache(cache_dir, generation)
        if keys is None:
            keys, _ = file_keys(universe)
    keys = keys or {}
    by_module = {f.module: f for f in universe.files}
    entries: dict[str, Entry] = {}  # module -> its imports, cached or scanned now
    sources: dict[str, _Source] = {}
    cap = _Layout(universe.roots, by_module).cap
    for source in universe.files:
        if cache is not None and source.module in keys:
            cached = cache.get(keys[source.module])
            if cached is not None:
                entries[source.module] = cached
                continue
        data, problem = _read_bytes(universe, source)
        if data is not None:
            text, problem = _decode(data, source.path, cap, source.path in universe.linked)
        if problem:
            result.unanalyzed.append(problem)
        else:
            sources[source.module] = text  # type: ignore[assignment]
    if cache is not None:
        logger.info("cache: %d of %d files unchanged", cache.hits, len(universe.files))
    if sources:
        entries.update(
            _scan_entries(universe, sources, mark_type_checking, progress, jobs or default_jobs())
        )

    for module in sorted(entries):
        source = by_module[module]
        entry = entries[module]
        if isinstance(entry, dict):
            result.unanalyzed.append(Unanalyzed(source.path, entry["unanalyzed"]))
            continue
        result.analyzed.append(source)
        for imported, line, line_contents, type_checking in entry:
            if imported is None:
                result.unresolved.append(
                    UnresolvedImport(source.path, line, line_contents, BEYOND_TOP_LEVEL)
                )
            else:
                result.imports.append(
                    ImportRecord(module, imported, line, line_contents, bool(type_checking))
                )
    if cache is not None and (cache.hits != len(entries) or len(cache.entries) != len(entries)):
        cache.save({keys[m]: entries[m] for m in entries if m in keys})
    # `imports` stays in scan order: whatever is shown is sorted where it is shown.
    result.unanalyzed.sort()
    result.unresolved.sort()
    result.analyzed.sort(key=attrgetter("path"))
    return result


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
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            shutil.rmtree(os.path.join(temp_dir, name), ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _scan_entries(
    universe: Universe,
    sources: dict[str, _Source],
    mark_type_checking: bool,
    progress: ProgressCallback | None,
    jobs: int,
) -> dict[str, Entry]:
    """Scan `sources` with grimp: each module's cache entry (its imports, or why not)."""
    failures = ScanResult()
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
                runtime = scanner.scan(
                    pool, guarded, ScanResult(), None, exclude_type_checking=True
                )
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
    for failure in failures.unanalyzed:
        entries[by_path[failure.file]] = {"unanalyzed": failure.reason}
    layout = scanner.layout
    real_names: dict[tuple[str, str], str | None] = {}  # most imported names repeat
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
            tc = 1 if type_checking_only and (module, line) in type_checking_only else 0
            entry.append([name, line, line_contents, tc])
        # Sorted: the scan's order depends on hashing in grimp and on the chunks.
        entry.sort(key=lambda e: (e[1], e[0] or "", e[2]))
        entries[module] = entry
    return entries
