"""Every import of the universe: read and decode each file, scan the changed ones.

A file's imports come from the import cache when its content is unchanged (scan_cache.py),
else from grimp's scanner (grimp_scan.py), one bad file never stopping the run. Files
are read and decoded in Python first (only regular files inside the repository, of
bounded size; see reading.py and decoding.py): unreadable, undecodable and NUL-holding
files are listed as unanalysed, with the reason, before grimp sees them.

Given the needles of the restricted modules (analysis/text_filter.py), a file whose
text cannot import one is *cleared by text*: not parsed, and not looked up in the
cache either, so that a file is cleared or not whatever the cache holds.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ssot_arch.adapters.filesystem.decoding import Source, declares_encoding, decode, decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable, read_source
from ssot_arch.adapters.processes.pool import default_jobs, fork_map
from ssot_arch.adapters.scanning.dynamic_scan import dynamic_imports_in, said_unparsable
from ssot_arch.adapters.scanning.file_keys import file_keys
from ssot_arch.adapters.scanning.grimp_scan import ProgressCallback, relative_cap, scan_sources
from ssot_arch.adapters.scanning.scan_cache import (
    Entry,
    ImportCache,
    ScanFailure,
    generation_key,
)
from ssot_arch.adapters.scanning.universe import Universe
from ssot_arch.analysis.dynamic import may_import_dynamically
from ssot_arch.analysis.text_filter import (
    ImportNeedles,
    may_import,
    normalised,
    utf8_searchable,
)
from ssot_arch.domain.model import (
    DynamicImport,
    ImportRecord,
    SourceFile,
    Unanalyzed,
    UnresolvedImport,
)
from ssot_arch.logs import get_logger

BEYOND_TOP_LEVEL = "relative import beyond the top-level package"

logger = get_logger(__name__)


@dataclass
class ScanResult:
    """What a scan found: the imports, and which files it analysed or could not."""

    imports: list[ImportRecord] = field(default_factory=list)
    unanalyzed: list[Unanalyzed] = field(default_factory=list)
    unresolved: list[UnresolvedImport] = field(default_factory=list)
    analyzed: list[SourceFile] = field(default_factory=list)
    cleared: list[SourceFile] = field(default_factory=list)  # by text: no import possible
    # With a cache: each readable file's content key, and the import cache's generation.
    keys: dict[str, str] = field(default_factory=dict)
    generation: str | None = None
    # With `screen_dynamic`: the files read (not taken from the cache) that name no
    # import function, so hold no dynamic import (analysis/dynamic.py).
    no_dynamic: set[str] = field(default_factory=set)
    # ... and those whose dynamic imports the screen found on its way (None: Python
    # cannot parse the file; the scan said so).
    dynamic: dict[str, list[DynamicImport] | None] = field(default_factory=dict)


def could_import(data: bytes, needles: ImportNeedles) -> bool:
    """Whether a file with these bytes could import a restricted module: its text, decoded
    as Python decodes it and normalised, holds a needle (see text_filter.py). A file that
    cannot be decoded could: the scan then says why it is unanalysed. With
    `needles.dynamic`, so could a file that may call an import function."""
    if needles.dynamic and may_import_dynamically(data):
        return True
    if not declares_encoding(data):  # UTF-8, as Python reads it
        if data.isascii() and not any(needle in data for needle in _encoded(needles)):
            return False  # the common case, decided in C
        text = utf8_searchable(data)
        if text is not None:
            return may_import(text, needles)
    try:
        decoded, _ = decode_source(data)
    except (SyntaxError, UnicodeDecodeError):
        return True
    return may_import(normalised(decoded), needles)


@functools.cache
def _encoded(needles: ImportNeedles) -> tuple[bytes, ...]:
    return tuple(sorted(n.encode() for n in needles.in_import | needles.anywhere))


# What the screen says of a file (see `_screened`): it cannot import a restricted module
# (cleared by its text), and it names no import function (no dynamic import).
CLEARED, NO_DYNAMIC = 1, 2


@dataclass(frozen=True)
class _Screen:
    """What the screen found of one file: its flags and, unless it was cleared, what
    the scan needs of it (`decode`'s answer); None when it could not be read (the scan
    reads it again, and lists it with the reason)."""

    flags: int = 0
    decoded: Source | Unanalyzed | None = None
    dynamic: list[DynamicImport] | str | None = None  # found, why not, or not looked for


def _screen(
    limit: int,
    cap: int,
    needles: ImportNeedles | None,
    dynamic: bool,
    files: Sequence[tuple[str, str, bool, str, bool, bool]],
) -> list[_Screen]:
    """Each file's screen, from its real path, its path in the repository, whether grimp
    must read it from a copy, its module, whether it is a package and whether the cache
    holds its imports (then it is only searched for needles: nothing else is needed of
    it). With `dynamic`, the dynamic imports of a file that names an import function are
    looked for too."""
    found = []
    for path, display, must_copy, module, is_package, cached in files:
        try:
            data = read_source(path, limit)
        except NotReadable:
            found.append(_Screen())
            continue
        if needles is not None and not could_import(data, needles):
            found.append(_Screen(CLEARED))
            continue
        if cached:
            found.append(_Screen())
            continue
        decoded = decode(data, display, cap, must_copy)
        if not dynamic or isinstance(decoded, Unanalyzed):
            found.append(_Screen(0, decoded))
        elif not may_import_dynamically(data):
            found.append(_Screen(NO_DYNAMIC, decoded))
        else:
            found.append(_Screen(0, decoded, dynamic_imports_in(data, module, is_package)))
    return found


def _screened(
    universe: Universe,
    needles: ImportNeedles | None,
    dynamic: bool,
    cap: int,
    jobs: int,
    cached: Collection[str] = (),
) -> dict[str, _Screen]:
    """The screen of every file of the universe, by module, in forked processes: reading,
    searching and decoding every file's text is most of a cold scan's own work, and the
    workers' scan can only start after it. The `cached` modules' imports come from the
    cache: they are not decoded."""
    files = universe.files
    tasks = [
        (
            universe.real_path(f),
            f.path,
            f.path in universe.linked,
            f.module,
            f.is_package,
            f.module in cached,
        )
        for f in files
    ]
    work = functools.partial(_screen, universe.max_file_size, cap, needles, dynamic)
    return dict(zip((f.module for f in files), fork_map(work, tasks, jobs), strict=True))


def _cached(cache: ImportCache | None, keys: dict[str, str]) -> set[str]:
    """The modules whose imports `cache` holds, by their content keys."""
    if cache is None:
        return set()
    return {module for module, key in keys.items() if key in cache.entries}


def scan_universe(
    universe: Universe,
    *,
    mark_type_checking: bool = False,
    progress: ProgressCallback | None = None,
    cache_dir: str | None = None,
    keys: dict[str, str] | None = None,
    jobs: int | None = None,
    needles: ImportNeedles | None = None,
    screen_dynamic: bool = False,
) -> ScanResult:
    """Every import of every file of the universe, with what could not be read and why.

    With `mark_type_checking`, imports that sit under `if TYPE_CHECKING:` are flagged.
    With `cache_dir`, files whose content is unchanged are not scanned again (see
    scan_cache.py); `keys` are their cache keys when the caller has already computed them.
    With `needles`, only the files that could import a restricted module are scanned
    (or taken from the cache); the others are `cleared`, whatever the cache holds.
    `jobs` worker processes scan (default: one per core). With `screen_dynamic`, the
    files read are screened for dynamic imports on the way (`ScanResult.no_dynamic`):
    the report's dynamic pass then need not read them again.
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
            keys, _ = file_keys(universe, cache_dir)
        result.keys, result.generation = keys, generation
    keys = keys or {}
    by_module = {f.module: f for f in universe.files}
    entries: dict[str, Entry] = {}  # module -> its imports, cached or scanned now
    sources: dict[str, Source] = {}
    cap = relative_cap(universe)
    jobs = jobs or default_jobs()
    # Screened ahead, in parallel, when every file is to be read: for the needles, or
    # for dynamic imports with no cache to take files from.
    screened = (
        _screened(universe, needles, screen_dynamic, cap, jobs, _cached(cache, keys))
        if needles is not None or (screen_dynamic and cache is None)
        else {}
    )
    for source in universe.files:
        screen = screened.get(source.module)
        if screen is not None and screen.flags & CLEARED:
            result.cleared.append(source)
            continue
        data = None
        if needles is not None and screen is None:
            data = universe.read_or_why(source)
            if not isinstance(data, Unanalyzed) and not could_import(data, needles):
                result.cleared.append(source)
                continue
        if cache is not None and source.module in keys:
            cached = cache.get(keys[source.module])
            if cached is not None:
                entries[source.module] = cached
                continue
        decoded = screen.decoded if screen is not None else None
        if decoded is None:
            data = data if data is not None else universe.read_or_why(source)
            if screen_dynamic and isinstance(data, bytes) and not may_import_dynamically(data):
                result.no_dynamic.add(source.module)
            decoded = (
                data
                if isinstance(data, Unanalyzed)
                else decode(data, source.path, cap, source.path in universe.linked)
            )
        elif screen is not None and screen.flags & NO_DYNAMIC:
            result.no_dynamic.add(source.module)
        elif screen is not None and screen.dynamic is not None:
            if isinstance(screen.dynamic, str):
                said_unparsable(source.path, screen.dynamic)
                result.dynamic[source.module] = None
            else:
                result.dynamic[source.module] = screen.dynamic
        if isinstance(decoded, Unanalyzed):
            result.unanalyzed.append(decoded)
        else:
            sources[source.module] = decoded
    if cache is not None:
        wanted = len(universe.files) - len(result.cleared)
        logger.info("cache: %d of %d files unchanged", cache.hits, wanted)
    if sources:
        entries.update(scan_sources(universe, sources, mark_type_checking, progress, jobs))

    for module in sorted(entries):
        source = by_module[module]
        entry = entries[module]
        if isinstance(entry, ScanFailure):
            result.unanalyzed.append(Unanalyzed(source.path, entry.reason))
            continue
        result.analyzed.append(source)
        for imported, line, line_contents, type_checking in entry:
            if imported is None:
                result.unresolved.append(
                    UnresolvedImport(source.path, line, line_contents, BEYOND_TOP_LEVEL)
                )
            else:
                result.imports.append(
                    ImportRecord(module, imported, line, line_contents, type_checking)
                )
    if cache is not None:
        fresh = {keys[m]: entries[m] for m in entries if m in keys}
        # A cleared file's entry (from a run that parsed it) stays for the next report.
        kept = {
            keys[f.module]: cache.entries[keys[f.module]]
            for f in result.cleared
            if keys.get(f.module) in cache.entries
        }
        if cache.hits != len(entries) or len(cache.entries) != len(fresh) + len(kept):
            cache.save({**kept, **fresh})
    # `imports` stays in scan order: whatever is shown is sorted where it is shown.
    result.unanalyzed.sort()
    result.unresolved.sort()
    result.analyzed.sort(key=attrgetter("path"))
    result.cleared.sort(key=attrgetter("path"))
    return result
