"""Find the dynamic imports of the analysed files (analysis/dynamic.py), reading each
file once more: only those whose bytes name an import function are parsed, in one
forked process per core (processes/pool.py).

A file that cannot be read or decoded has already been listed as unanalysed by the
scan. One that Python cannot parse although the scanner could (code for a newer
Python than the running one) is named in a warning: its dynamic imports are not known.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from ssot_arch.adapters.filesystem.decoding import cannot_parse, decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable, read_source
from ssot_arch.adapters.processes.pool import default_jobs, fork_map
from ssot_arch.adapters.scanning.universe import Universe
from ssot_arch.analysis.dynamic import find_dynamic_imports, may_import_dynamically
from ssot_arch.domain.model import DynamicImport, SourceFile
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

# What a process needs of a file: where to read it, its module, whether it is a package.
_Task = tuple[str, str, bool]


def said_unparsable(path: str, why: str) -> None:
    """The warning for a file whose dynamic imports cannot be looked for."""
    logger.warning(cannot_parse(path, "dynamic imports not looked for", why))


def scan_dynamic_imports(
    universe: Universe, files: Iterable[SourceFile], jobs: int | None = None
) -> dict[str, list[DynamicImport]]:
    """The dynamic imports of each of `files` that Python can parse, by module."""
    files = list(files)
    tasks = [(universe.real_path(f), f.module, f.is_package) for f in files]
    found = fork_map(
        functools.partial(_dynamic_imports, universe.max_file_size), tasks, jobs or default_jobs()
    )
    by_module = {}
    for source, result in zip(files, found, strict=True):
        if isinstance(result, str):
            said_unparsable(source.path, result)
        else:
            by_module[source.module] = result
    return by_module


def _dynamic_imports(limit: int, tasks: Sequence[_Task]) -> list[list[DynamicImport] | str]:
    """Each file's dynamic imports, or why Python cannot parse it."""
    return [_of_file(limit, *task) for task in tasks]


def _of_file(limit: int, path: str, module: str, is_package: bool) -> list[DynamicImport] | str:
    try:
        data = read_source(path, limit)
    except NotReadable:
        return []  # listed as unanalysed by the scan
    return dynamic_imports_in(data, module, is_package)


def dynamic_imports_in(data: bytes, module: str, is_package: bool) -> list[DynamicImport] | str:
    """The dynamic imports in the bytes of `module`'s file, or why Python cannot parse
    it (the scan itself finds them on its way: scanner.py's screen)."""
    if not may_import_dynamically(data):
        return []
    try:
        text = decode_source(data)[0]
    except (SyntaxError, UnicodeDecodeError):
        return []  # listed as unanalysed by the scan
    try:
        return find_dynamic_imports(text, module, is_package)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return type(error).__name__
