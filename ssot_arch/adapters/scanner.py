"""Scan the universe's imports with grimp's Rust scanner, one bad file never stopping the run.

grimp's `build_graph` aborts on the first syntax error, drops some relative imports
that climb above the top-level package and panics on others. So the scanner is driven
here directly, with three safeguards:

* Files are read and decoded in Python (PEP 263 encodings, BOMs); unreadable,
  undecodable and NUL-holding files are listed as unanalysed before grimp sees them.
  grimp then reads them from disk through a temporary tree holding one symbolic link
  per root (its in-memory file system is a test helper that strips indentation), plus
  a file of their own for the few modules that need one (see `_needs_own_file`).
* Every module is scanned under a synthetic prefix (`_ssot_virtual_._ssot_outside_...`),
  so a relative import that climbs above its top-level package lands on a prefix
  module instead of panicking; it is then reported with its line. Absolute imports
  still resolve against the real roots. grimp resolves an import of a missing
  first-party module to the top-level package: the prefix's top (`_ssot_virtual_`)
  stands for the importer's own root.
* Files are scanned in chunks; a chunk that fails is split until the failing file is
  found and listed as unanalysed with the reason.

The parser is ruff's (inside grimp), so code for newer Pythons than the running one
is read correctly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from operator import attrgetter

from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
from grimp.domain.valueobjects import Module
from grimp.exceptions import SourceSyntaxError

from ssot_arch.adapters.cache import Entry, ImportCache, content_key, generation_key
from ssot_arch.adapters.universe import Universe
from ssot_arch.domain.model import (
    FileKind,
    ImportRecord,
    SourceFile,
    Unanalyzed,
    UnresolvedImport,
)
from ssot_arch.logs import get_logger

VIRTUAL_TOP = "_ssot_virtual_"
PREFIX = "_ssot_outside_"
# Deeper than any relative import in real code (`from ........ import x`); deeper ones
# still cannot crash the run: their file is found by bisection and listed.
PREFIX_DEPTH = 12
# Each call to grimp's scanner converts the whole module set first (40 ms at 10,000
# modules), so files are scanned in a few large chunks, not many small ones; a chunk
# that fails is split into smaller ones (see `_scan_chunk`).
CHUNKS = 4
MIN_CHUNK = 2000

BEYOND_TOP_LEVEL = "relative import beyond the top-level package"
_MISSING = object()
_PREFIX_MODULES = tuple(
    ".".join([VIRTUAL_TOP] + [PREFIX] * depth) for depth in range(1, PREFIX_DEPTH + 1)
)
_PREFIX_NAME = _PREFIX_MODULES[-1]
_PREFIX_DOTTED = _PREFIX_NAME + "."

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


@dataclass
class _Source:
    # Only what the scan needs, not the text: a large repository's sources are
    # hundreds of megabytes as Python strings.
    plain_utf8: bool  # grimp can read the file as it is on disk
    mentions_type_checking: bool
    utf8_text: str | None = None  # the decoded text, for the files that are not plain


def _read_bytes(path: str, display: str) -> tuple[bytes | None, Unanalyzed | None]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), None
    except OSError as error:
        return None, Unanalyzed(display, f"unreadable: {error.strerror or error}")


def _decode(data: bytes, display: str) -> tuple[_Source | None, Unanalyzed | None]:
    if data.isascii() and b"\0" not in data and b"coding" not in data[:400]:
        # ASCII without an encoding declaration (which only the first two lines may
        # hold) is valid UTF-8: no need to decode it (most files of most repositories).
        return _Source(True, b"TYPE_CHECKING" in data), None
    nul = data.find(b"\0")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        return None, Unanalyzed(display, f"contains a NUL byte (line {line})")
    try:
        text, encoding = decode_source(data)
    except SyntaxError as error:  # a malformed or unknown coding cookie
        return None, Unanalyzed(display, f"SyntaxError: {error.msg} (line {error.lineno})")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, Unanalyzed(
            display,
            f"undecodable: byte 0x{data[error.start]:02x} is not valid {error.encoding} "
            f"(line {line})",
        )
    plain = encoding == "utf-8"
    return _Source(plain, "TYPE_CHECKING" in text, None if plain else text), None


def _virtual_module(module: str) -> str:
    return f"{_PREFIX_NAME}.{module}"


def _real_name(name: str, importer_root: str) -> str | None:
    """The repository's name for a scanned name; None when it climbed above the roots."""
    if name.startswith(_PREFIX_DOTTED):
        return name[len(_PREFIX_DOTTED) :]
    if name == VIRTUAL_TOP:
        return importer_root
    if name.startswith(VIRTUAL_TOP + "."):
        return None
    return name


class _Tree:
    """A folder laid out as grimp expects: `<dir>/_ssot_outside_/.../<root>/...`."""

    def __init__(self, directory: str):
        self.directory = directory
        self.base = directory + "/" + "/".join(_PREFIX_NAME.split(".")[1:])
        # The prefix levels are (empty) packages, so that a relative import climbing
        # above a root resolves to one of them rather than to the fallback top.
        for prefix_module in _PREFIX_MODULES:
            init = directory + "/" + "/".join(prefix_module.split(".")[1:]) + "/__init__.py"
            os.makedirs(os.path.dirname(init), exist_ok=True)
            open(init, "w").close()

    def path_of(self, module: str, is_package: bool) -> str:
        suffix = "/__init__.py" if is_package else ".py"
        return self.base + "/" + module.replace(".", "/") + suffix


def _needs_own_file(source: SourceFile, text: _Source, shadowing: set[str]) -> bool:
    """Whether grimp cannot read this file through a link to its root folder.

    That is so when the file is in another encoding (grimp reads UTF-8 only), when its
    module name is not its path (`v1.2/` is named `v1_2`, `x.py` shadowed by the package
    `x/` is `x~shadowed`), and for a package that shadows a module: grimp would read
    `x.py` where Python imports `x/__init__.py`.
    """
    if not text.plain_utf8 or source.module in shadowing:
        return True
    expected = source.module.replace(".", "/") + ("/__init__.py" if source.is_package else ".py")
    return not source.path.endswith(expected)


class _Scanner:
    """grimp's scanner over temporary trees that give every module its right file.

    Most files are read through one link per root (cheap: no per-file work); the few
    that need a file of their own get one in a second tree, scanned separately.
    """

    def __init__(self, universe: Universe, sources: dict[str, _Source], directory: str):
        self.by_module = {f.module: f for f in universe.files}
        self.by_virtual_path: dict[str, SourceFile] = {}
        shadowing = {
            f.module.removesuffix("~shadowed")
            for f in universe.files
            if f.kind is FileKind.SHADOWED
        }

        linked, own = _Tree(directory + "/linked"), _Tree(directory + "/own")
        for root in universe.roots:
            target = linked.path_of(root.name, False)
            os.symlink(root.path, target if root.is_file else target[: -len(".py")])
        self.tree_of: dict[str, _Tree] = {}
        made: set[str] = set()
        for module, text in sources.items():
            source = self.by_module[module]
            tree = linked
            if _needs_own_file(source, text, shadowing):
                tree = own
                target = own.path_of(module, source.is_package)
                parent = os.path.dirname(target)
                if parent not in made:
                    os.makedirs(parent, exist_ok=True)
                    made.add(parent)
                if text.plain_utf8:
                    os.symlink(os.path.join(universe.root_dir, source.path), target)
                else:
                    with open(target, "w", encoding="utf-8") as handle:
                        handle.write(text.utf8_text or "")
            self.tree_of[module] = tree
            self.by_virtual_path[tree.path_of(module, source.is_package)] = source

        self.module_files = {
            module: ModuleFile(module=Module(_virtual_module(module)), mtime=0.0)
            for module in sources
        }
        prefix_files = [ModuleFile(module=Module(m), mtime=0.0) for m in _PREFIX_MODULES]
        namespaces = frozenset(_virtual_module(n) for n in universe.namespace_packages)
        # The real roots, so that absolute imports resolve to first-party modules.
        real: dict[str, list[ModuleFile]] = {root.name: [] for root in universe.roots}
        for module in self.by_module:
            real.setdefault(module.split(".")[0], []).append(
                ModuleFile(module=Module(module), mtime=0.0)
            )
        real_namespaces: dict[str, set[str]] = {}
        for namespace in universe.namespace_packages:
            real_namespaces.setdefault(namespace.split(".")[0], set()).add(namespace)
        real_packages = {
            FoundPackage(
                name=top,
                directory=f"{directory}/real/{top}",
                module_files=frozenset(files),
                namespace_packages=frozenset(real_namespaces.get(top, ())),
            )
            for top, files in real.items()
        }
        self.found_packages = {
            tree: real_packages
            | {
                FoundPackage(
                    name=VIRTUAL_TOP,
                    directory=tree.directory,
                    module_files=frozenset([*self.module_files.values(), *prefix_files]),
                    namespace_packages=namespaces,
                )
            }
            for tree in (linked, own)
        }
        self.file_system = rust.RealBasicFileSystem()

    def scan(
        self,
        modules: Sequence[str],
        result: ScanResult,
        progress: ProgressCallback | None,
        exclude_type_checking: bool = False,
    ) -> dict[str, set]:
        found: dict[str, set] = {}
        done = 0
        for tree in dict.fromkeys(self.tree_of.values()):
            in_tree = [m for m in modules if self.tree_of[m] is tree]
            size = max(MIN_CHUNK, -(-len(in_tree) // CHUNKS))
            for start in range(0, len(in_tree), size):
                chunk = in_tree[start : start + size]
                self._scan_chunk(chunk, found, result, exclude_type_checking)
                done += len(chunk)
                if progress:
                    progress(done, len(modules))
        return found

    def _syntax_error_file(self, error: BaseException, chunk: list[str]) -> SourceFile | None:
        if not isinstance(error, SourceSyntaxError):
            return None
        bad = self.by_virtual_path.get(error.filename)
        return bad if bad is not None and bad.module in chunk else None

    def _scan_chunk(
        self, chunk: list[str], found: dict[str, set], result: ScanResult, exclude_tc: bool
    ) -> None:
        while chunk:
            try:
                scanned = rust.scan_for_imports(
                    module_files=tuple(self.module_files[m] for m in chunk),
                    found_packages=self.found_packages[self.tree_of[chunk[0]]],
                    include_external_packages=True,
                    exclude_type_checking_imports=exclude_tc,
                    file_system=self.file_system,
                )
            except BaseException as error:  # grimp panics derive from BaseException
                if isinstance(error, (KeyboardInterrupt, SystemExit, MemoryError)):
                    raise
                bad = self._syntax_error_file(error, chunk)
                if bad is not None:
                    text = (error.text or "").strip()  # type: ignore[attr-defined]
                    line = error.lineno or "?"  # type: ignore[attr-defined]
                    result.unanalyzed.append(
                        Unanalyzed(
                            bad.path, f"SyntaxError (line {line})" + (f": {text}" if text else "")
                        )
                    )
                    chunk = [m for m in chunk if m != bad.module]
                    if len(chunk) > 2 * MIN_CHUNK // CHUNKS:
                        # Where there is one broken file there are often more: smaller
                        # chunks make each further one cheaper to step around.
                        size = -(-len(chunk) // CHUNKS)
                        for start in range(0, len(chunk), size):
                            self._scan_chunk(chunk[start : start + size], found, result, exclude_tc)
                        return
                    continue
                if len(chunk) == 1:
                    result.unanalyzed.append(
                        Unanalyzed(
                            self.by_module[chunk[0]].path,
                            f"grimp could not scan it: {type(error).__name__}: {error}",
                        )
                    )
                    return
                # The error does not say which file: split until it does.
                middle = len(chunk) // 2
                self._scan_chunk(chunk[:middle], found, result, exclude_tc)
                self._scan_chunk(chunk[middle:], found, result, exclude_tc)
                return
            for module, imports in scanned.items():
                found[module.name[len(_PREFIX_DOTTED) :]] = imports
            return


def file_keys(universe: Universe) -> tuple[dict[str, str], list[Unanalyzed]]:
    """Each readable file's cache key (its module and a hash of its bytes), and the
    files that could not be read."""
    keys: dict[str, str] = {}
    unreadable: list[Unanalyzed] = []
    for source in universe.files:
        data, problem = _read_bytes(os.path.join(universe.root_dir, source.path), source.path)
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
) -> ScanResult:
    """Every import of every file of the universe, with what could not be read and why.

    With `mark_type_checking`, imports that sit under `if TYPE_CHECKING:` are flagged
    (found by a second scan, of only the files that mention TYPE_CHECKING). With
    `cache_dir`, files whose content is unchanged are not scanned again (see cache.py);
    `keys` are their cache keys when the caller has already computed them.
    """
    result = ScanResult(unanalyzed=list(universe.unreadable_dirs))
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
    for source in universe.files:
        if cache is not None and source.module in keys:
            cached = cache.get(keys[source.module])
            if cached is not None:
                entries[source.module] = cached
                continue
        data, problem = _read_bytes(os.path.join(universe.root_dir, source.path), source.path)
        if data is not None:
            text, problem = _decode(data, source.path)
        if problem:
            result.unanalyzed.append(problem)
        else:
            sources[source.module] = text  # type: ignore[assignment]
    if cache is not None:
        logger.info("cache: %d of %d files unchanged", cache.hits, len(universe.files))
    if sources:
        entries.update(_scan_entries(universe, sources, mark_type_checking, progress))

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


def _scan_entries(
    universe: Universe,
    sources: dict[str, _Source],
    mark_type_checking: bool,
    progress: ProgressCallback | None,
) -> dict[str, Entry]:
    """Scan `sources` with grimp: each module's cache entry (its imports, or why not)."""
    failures = ScanResult()
    directory = tempfile.mkdtemp(prefix="ssot-arch-scan-")
    try:
        scanner = _Scanner(universe, sources, directory)
        modules = sorted(sources)
        found = scanner.scan(modules, failures, progress)
        type_checking_only: set[tuple[str, int]] = set()
        if mark_type_checking:
            guarded = [m for m in modules if m in found and sources[m].mentions_type_checking]
            runtime = scanner.scan(guarded, ScanResult(), None, exclude_type_checking=True)
            for module in guarded:
                kept = {(d.imported.name, d.line_number) for d in runtime.get(module, ())}
                type_checking_only.update(
                    (module, d.line_number)
                    for d in found[module]
                    if (d.imported.name, d.line_number) not in kept
                )
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    entries: dict[str, Entry] = {}
    by_path = {f.path: f.module for f in universe.files}
    for failure in failures.unanalyzed:
        entries[by_path[failure.file]] = {"unanalyzed": failure.reason}
    real_names: dict[tuple[str, str], str | None] = {}  # most imported names repeat
    for module, imports in found.items():
        root = scanner.by_module[module].root
        entry = []
        for direct in imports:
            key = (direct.imported.name, root)
            name = real_names.get(key, _MISSING)
            if name is _MISSING:
                name = real_names[key] = _real_name(*key)
            line = direct.line_number
            tc = 1 if type_checking_only and (module, line) in type_checking_only else 0
            entry.append([name, line, direct.line_contents, tc])
        entries[module] = entry
    return entries
