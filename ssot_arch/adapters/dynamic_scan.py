"""Find the dynamic imports of the analysed files (analysis/dynamic.py), reading each
file once more: only those whose bytes name an import function are parsed.

A file that cannot be read or decoded has already been listed as unanalysed by the
scan. One that Python cannot parse although the scanner could (code for a newer
Python than the running one) is named in a warning: its dynamic imports are not known.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable

from ssot_arch.adapters.decoding import decode_source
from ssot_arch.adapters.reading import NotReadable
from ssot_arch.adapters.universe import Universe
from ssot_arch.analysis.dynamic import find_dynamic_imports, may_import_dynamically
from ssot_arch.domain.model import DynamicImport, SourceFile
from ssot_arch.logs import get_logger

logger = get_logger(__name__)


def scan_dynamic_imports(universe: Universe, files: Iterable[SourceFile]) -> list[DynamicImport]:
    """The dynamic imports of `files`, sorted."""
    found: list[DynamicImport] = []
    for source in files:
        try:
            data = universe.read(source)
        except NotReadable:
            continue
        if not may_import_dynamically(data):
            continue
        try:
            text = decode_source(data)[0]
        except (SyntaxError, UnicodeDecodeError):
            continue
        try:
            found += find_dynamic_imports(text, source.module, source.is_package)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            logger.warning(
                "%s: dynamic imports not looked for: Python %s cannot parse it (%s)",
                source.path,
                platform.python_version(),
                type(error).__name__,
            )
    return sorted(found)
