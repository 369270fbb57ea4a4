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
from dataclasses import dataclass, field
from operator import attrgetter

from ssot_arch.adapters.filesystem.decoding import Source, declares_encoding, decode, decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable
from ssot_arch.adapters.processes.pool import default_jobs
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
from ssot_arch.domain.model import ImportRecord, SourceFile, Unanalyzed, UnresolvedImport
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


def _read_bytes(universe: Universe, source: SourceFile) -> bytes | Unanalyzed:
    try:
        return universe.read(source)
    except NotReadable as error:
        return Unanalyzed(source.path, str(error))


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
    for source in universe.files:
        data = None
        if needles is not None:
            data = _read_bytes(universe, source)
            if not isinstance(data, Unanalyzed) and not could_import(data, needles):
                result.cleared.append(source)
                continue
        if cache is not None and source.module in keys:
            cached = cache.get(keys[source.module])
            if cached is not None:
                entries[source.module] = cached
                continue
        if data is None:
            data = _read_bytes(universe, source)
        if screen_dynamic and isinstance(data, bytes) and not may_import_dynamically(data):
            result.no_dynamic.add(source.module)
        decoded = (
            data
            if isinstance(data, Unanalyzed)
            else decode(data, source.path, cap, source.path in universe.linked)
        )
        if isinstance(decoded, Unanalyzed):
            result.unanalyzed.append(decoded)
        else:
            sources[source.module] = decoded
    if cache is not None:
        wanted = len(universe.files) - len(result.cleared)
        logger.info("cache: %d of %d files unchanged", cache.hits, wanted)
    if sources:
        entries.update(
            scan_sources(universe, sources, mark_type_checking, progress, jobs or default_jobs())
        )

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
