"""Scan the universe's imports with grimp's Rust scanner, one bad file never stopping the run.

grimp's `build_graph` aborts on the first syntax error, drops some relative imports
that climb above the top-level package and panics on others. So the scanner is driven
here directly, with three safeguards:

* Files are read and decoded in Python (PEP 263 encodings, BOMs); unreadable,
  undecodable and NUL-holding files are listed as unanalysed before grimp sees them.
  grimp then reads a temporary tree of symbolic links to the real files (a UTF-8
  copy where the file is in another encoding): its in-memory file system is a test
  helper that strips indentation.
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

from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
from grimp.domain.valueobjects import Module
from grimp.exceptions import SourceSyntaxError

from ssot_arch.adapters.universe import Universe
from ssot_arch.domain.model import ImportRecord, SourceFile, Unanalyzed, UnresolvedImport

VIRTUAL_TOP = "_ssot_virtual_"
PREFIX = "_ssot_outside_"
# Deeper than any relative import in real code (`from ........ import x`); deeper ones
# still cannot crash the run: their file is found by bisection and listed.
PREFIX_DEPTH = 12
CHUNK_SIZE = 2000

_PREFIX_MODULES = tuple(
    ".".join([VIRTUAL_TOP] + [PREFIX] * depth) for depth in range(1, PREFIX_DEPTH + 1)
)
_PREFIX_NAME = _PREFIX_MODULES[-1]
_PREFIX_DOTTED = _PREFIX_NAME + "."

ProgressCallback = Callable[[int, int], None]


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
    text: str
    plain_utf8: bool  # grimp can read the file as it is on disk


def _read(path: str, display: str) -> tuple[_Source | None, Unanalyzed | None]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, Unanalyzed(display, f"unreadable: {error.strerror or error}")
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
    return _Source(text, encoding == "utf-8"), None


def _virtual_module(module: str) -> str:
    return f"{_PREFIX_NAME}.{module}"


def _virtual_path(directory: str, module: str, is_package: bool) -> str:
    parts = _virtual_module(module).split(".")[1:]
    suffix = "/__init__.py" if is_package else ".py"
    return directory + "/" + "/".join(parts) + suffix


def _real_name(name: str, importer_root: str) -> str | None:
    """The repository's name for a scanned name; None when it climbed above the roots."""
    if name.startswith(_PREFIX_DOTTED):
        return name[len(_PREFIX_DOTTED) :]
    if name == VIRTUAL_TOP:
        return importer_root
    if name.startswith(VIRTUAL_TOP + "."):
        return None
    return name


class _Scanner:
    """grimp's scanner over a temporary tree laid out under the prefix."""

    def __init__(self, universe: Universe, sources: dict[str, _Source], directory: str):
        self.universe = universe
        by_module = {f.module: f for f in universe.files}
        self.by_module = by_module
        self.by_virtual_path: dict[str, SourceFile] = {}
        made: set[str] = set()
        for module, text in sources.items():
            source = by_module[module]
            target = _virtual_path(directory, module, source.is_package)
            self.by_virtual_path[target] = source
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if text.plain_utf8:
                os.symlink(os.path.join(universe.root_dir, source.path), target)
            else:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(text.text)
        # The prefix levels are (empty) packages, so that a relative import climbing
        # above a root resolves to one of them rather than to the fallback top.
        prefix_files = []
        for prefix_module in _PREFIX_MODULES:
            init = directory + "/" + "/".join(prefix_module.split(".")[1:]) + "/__init__.py"
            os.makedirs(os.path.dirname(init), exist_ok=True)
            open(init, "w").close()
            prefix_files.append(ModuleFile(module=Module(prefix_module), mtime=0.0))
        self.file_system = rust.RealBasicFileSystem()
        self.module_files = {
            module: ModuleFile(module=Module(_virtual_module(module)), mtime=0.0)
            for module in sources
        }
        namespaces = frozenset(_virtual_module(n) for n in universe.namespace_packages)
        virtual_package = FoundPackage(
            name=VIRTUAL_TOP,
            directory=directory,
            module_files=frozenset([*self.module_files.values(), *prefix_files]),
            namespace_packages=namespaces,
        )
        # The real roots, so that absolute imports resolve to first-party modules.
        real: dict[str, list[ModuleFile]] = {root.name: [] for root in universe.roots}
        for module in by_module:
            real.setdefault(module.split(".")[0], []).append(
                ModuleFile(module=Module(module), mtime=0.0)
            )
        real_namespaces: dict[str, set[str]] = {}
        for namespace in universe.namespace_packages:
            real_namespaces.setdefault(namespace.split(".")[0], set()).add(namespace)
        self.found_packages = {virtual_package} | {
            FoundPackage(
                name=top,
                directory=f"{directory}-real/{top}",
                module_files=frozenset(files),
                namespace_packages=frozenset(real_namespaces.get(top, ())),
            )
            for top, files in real.items()
        }

    def scan(
        self,
        modules: Sequence[str],
        result: ScanResult,
        progress: ProgressCallback | None,
        exclude_type_checking: bool = False,
    ) -> dict[str, set]:
        found: dict[str, set] = {}
        done = 0
        for start in range(0, len(modules), CHUNK_SIZE):
            chunk = list(modules[start : start + CHUNK_SIZE])
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
                    found_packages=self.found_packages,
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


def scan_universe(
    universe: Universe,
    *,
    mark_type_checking: bool = False,
    progress: ProgressCallback | None = None,
) -> ScanResult:
    """Every import of every file of the universe, with what could not be read and why.

    With `mark_type_checking`, imports that sit under `if TYPE_CHECKING:` are flagged
    (found by a second scan, of only the files that mention TYPE_CHECKING).
    """
    result = ScanResult(unanalyzed=list(universe.unreadable_dirs))
    sources: dict[str, _Source] = {}
    for source in universe.files:
        text, problem = _read(os.path.join(universe.root_dir, source.path), source.path)
        if problem:
            result.unanalyzed.append(problem)
        else:
            sources[source.module] = text  # type: ignore[assignment]

    directory = tempfile.mkdtemp(prefix="ssot-arch-scan-")
    try:
        scanner = _Scanner(universe, sources, directory)
        modules = sorted(sources)
        found = scanner.scan(modules, result, progress)
        type_checking_only: set[tuple[str, int]] = set()
        if mark_type_checking:
            guarded = [m for m in modules if m in found and "TYPE_CHECKING" in sources[m].text]
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

    for module in modules:
        if module not in found:
            continue
        source = scanner.by_module[module]
        result.analyzed.append(source)
        for direct in found[module]:
            imported = _real_name(direct.imported.name, source.root)
            if imported is None:
                result.unresolved.append(
                    UnresolvedImport(
                        source.path,
                        direct.line_number,
                        direct.line_contents,
                        "relative import beyond the top-level package",
                    )
                )
                continue
            result.imports.append(
                ImportRecord(
                    importer=module,
                    imported=imported,
                    line=direct.line_number,
                    line_contents=direct.line_contents,
                    type_checking=(module, direct.line_number) in type_checking_only,
                )
            )
    result.imports.sort()
    result.unanalyzed.sort()
    result.unresolved.sort()
    result.analyzed.sort()
    return result

