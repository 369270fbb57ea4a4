"""The ports of application/ports.py on the disk: the adapters every run uses (`DISK`,
the use cases' default). Each method hands over to the adapter that does the work."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from ssot_arch.adapters.codemod.rewrite_cache import RewriteCache
from ssot_arch.adapters.codemod.verify_command import run_command
from ssot_arch.adapters.filesystem import writing
from ssot_arch.adapters.scanning import broken_scan
from ssot_arch.adapters.scanning.dynamic_scan import scan_dynamic_imports
from ssot_arch.adapters.scanning.file_keys import file_keys
from ssot_arch.adapters.scanning.grimp_scan import ProgressCallback
from ssot_arch.adapters.scanning.scan_cache import ResultCache, SourceFactsCache
from ssot_arch.adapters.scanning.scanner import ScanResult, scan_universe
from ssot_arch.adapters.scanning.universe import Root, Universe, collect_universe
from ssot_arch.analysis.text_filter import ImportNeedles
from ssot_arch.application.ports import Ports
from ssot_arch.domain.model import BrokenImport, DynamicImport, SourceFile, Unanalyzed


class DiskRepository:
    """The repository's files, scanned by grimp's scanner in worker processes."""

    def universe(
        self, root_dir: str, roots: Sequence[Root], skip_dirs: Sequence[str], max_file_size: int
    ) -> Universe:
        return collect_universe(root_dir, roots, skip_dirs, max_file_size)

    def read(self, universe: Universe, source: SourceFile) -> bytes:
        return universe.read(source)

    def file_keys(
        self, universe: Universe, cache_dir: str | None
    ) -> tuple[dict[str, str], list[Unanalyzed]]:
        return file_keys(universe, cache_dir)

    def scan(
        self,
        universe: Universe,
        *,
        mark_type_checking: bool,
        progress: ProgressCallback | None,
        cache_dir: str | None,
        keys: dict[str, str] | None,
        jobs: int | None,
        needles: ImportNeedles | None,
        screen_dynamic: bool,
    ) -> ScanResult:
        return scan_universe(
            universe,
            mark_type_checking=mark_type_checking,
            progress=progress,
            cache_dir=cache_dir,
            keys=keys,
            jobs=jobs,
            needles=needles,
            screen_dynamic=screen_dynamic,
        )

    def dynamic_imports(
        self, universe: Universe, files: Iterable[SourceFile], jobs: int | None
    ) -> dict[str, list[DynamicImport]]:
        return scan_dynamic_imports(universe, files, jobs)

    def broken_imports(
        self, universe: Universe, suspects: Mapping[str, tuple[int, ...]], jobs: int | None
    ) -> dict[str, list[BrokenImport]]:
        return broken_scan.scan_broken_imports(universe, suspects, jobs)

    def with_reasons(self, universe: Universe, broken: list[BrokenImport]) -> list[BrokenImport]:
        return broken_scan.with_reasons(universe, broken)


class DiskStores:
    """The signed caches under the cache folder (adapters/storage/signed_store.py)."""

    def results(self, cache_dir: str, tree_key: str) -> ResultCache:
        return ResultCache(cache_dir, tree_key)

    def source_facts(
        self, cache_dir: str, generation: str, other_modules: Iterable[str]
    ) -> SourceFactsCache:
        return SourceFactsCache(cache_dir, generation, other_modules)

    def rewrites(self, cache_dir: str) -> RewriteCache:
        return RewriteCache(cache_dir)


class DiskFiles:
    """The files `fix` writes: atomically, keeping their permissions."""

    def is_link(self, path: str) -> bool:
        return os.path.islink(path)

    def mode(self, path: str, follow_links: bool = True) -> int:
        return (os.stat(path) if follow_links else os.lstat(path)).st_mode

    def write_atomic(self, path: str, data: bytes, mode: int) -> None:
        writing.write_atomic(path, data, mode)


DISK = Ports(DiskRepository(), DiskStores(), DiskFiles(), run_command)
