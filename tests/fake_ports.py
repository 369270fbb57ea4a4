"""In-memory stand-ins for the ports the use cases read and write through
(ssot_arch/application/ports.py): a repository built from `{path: text}`, caches held in
dicts, files held in memory, a command runner that records what it was asked to run.
With them a use case's policy is tested without a file: `fake_ports(...)` gives the
`Ports` to pass, and `offline` (a fixture of tests/test_use_cases_with_fakes.py) fails
the test when anything still reaches for the disk.

The fake scan lists imports with `ast`, not with grimp's scanner: an independent
oracle, held to the real scanner by `test_the_fake_scan_finds_what_the_scanner_finds`.
"""

from __future__ import annotations

import ast
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ssot_arch.adapters.codemod.verify_command import CommandRun
from ssot_arch.adapters.filesystem.reading import NotReadable
from ssot_arch.adapters.scanning.scan_cache import content_key
from ssot_arch.adapters.scanning.scanner import ScanResult
from ssot_arch.adapters.scanning.universe import Root, Universe
from ssot_arch.analysis.broken import find_broken_imports
from ssot_arch.analysis.dynamic import find_dynamic_imports
from ssot_arch.application.ports import Ports
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.model import (
    BrokenImport,
    CheckOutcome,
    ContractSpec,
    DynamicImport,
    FileKind,
    ImportRecord,
    SourceFile,
    Unanalyzed,
)

# A repository root that does not exist: whatever reads the disk finds nothing there.
ROOT = "/nonexistent/ssot-arch-fake"
REGULAR = stat.S_IFREG | 0o644


def settings(*contracts: ContractSpec, roots: Sequence[str] = ("app",), **more) -> RunSettings:
    """Settings for the fake repository: its roots under ROOT, one job (no process)."""
    found = [Root(name, f"{ROOT}/{name}") for name in roots]
    return RunSettings(root_dir=ROOT, roots=found, contracts=list(contracts), jobs=1, **more)


def source_file(path: str) -> SourceFile:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        return SourceFile(path, ".".join(parts[:-1]), parts[0], FileKind.PACKAGE)
    return SourceFile(path, ".".join(parts), parts[0])


# --------------------------------------------------------------------------- the scan


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement of `tree`, anywhere, and whether it sits under
    `if TYPE_CHECKING:` (its body, not its `else`)."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, guarded))
        if isinstance(node, ast.If) and _type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, guarded)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def imports_of(source: SourceFile, text: str, internal: Collection[str]) -> list[ImportRecord]:
    """What the scanner records of `text`'s imports: a first-party name as its nearest
    existing module (or namespace package), an external one as its top-level package;
    `from X import n` as `X.n` when that is a module. Relative imports resolved."""
    roots = {name.split(".")[0] for name in internal}
    lines = text.splitlines()

    def nearest(name: str) -> str | None:
        parts = name.split(".")
        if parts[0] not in roots:
            return parts[0]
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in internal:
                return ".".join(parts[:end])
        return None

    records: list[ImportRecord] = []
    for node, guarded in _statements(ast.parse(text)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = source.module.split(".")
                package = package if source.is_package else package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                module = f"{base}.{alias.name}"
                names.append(module if module in internal else base)
        for name in names:
            imported = nearest(name)
            if imported is not None and imported != source.module:
                line = lines[node.lineno - 1].strip()
                records.append(ImportRecord(source.module, imported, node.lineno, line, guarded))
    return list(dict.fromkeys(records))


# --------------------------------------------------------------------------- the ports


class MemoryRepository:
    """The Repository port over `{path: text}` (paths relative to ROOT). `scans` counts
    the scans; `reads` lists the paths read, in order."""

    def __init__(self, texts: Mapping[str, str | bytes]):
        self.contents: dict[str, bytes] = {
            path: text if isinstance(text, bytes) else text.encode("utf-8")
            for path, text in texts.items()
        }
        self.modes: dict[str, int] = dict.fromkeys(self.contents, REGULAR)
        self.links: set[str] = set()
        self.scans = 0
        self.reads: list[str] = []

    def universe(
        self, root_dir: str, roots: Sequence[Root], skip_dirs: Sequence[str], max_file_size: int
    ) -> Universe:
        names = {root.name for root in roots}
        files = sorted(
            (source_file(p) for p in self.contents if p.endswith(".py")),
            key=lambda f: f.path,
        )
        files = [f for f in files if f.root in names]
        folders = {
            ".".join(f.path.split("/")[:depth])
            for f in files
            for depth in range(1, f.path.count("/") + 1)
        }
        return Universe(
            root_dir=root_dir,
            roots=tuple(roots),
            files=files,
            namespace_packages=folders - {f.module for f in files},
            real_root=root_dir,
            max_file_size=max_file_size,
        )

    def read(self, universe: Universe, source: SourceFile) -> bytes:
        self.reads.append(source.path)
        if source.path not in self.contents:
            raise NotReadable("no such file")
        return self.contents[source.path]

    def text(self, source: SourceFile) -> str:
        return self.contents[source.path].decode("utf-8")

    def file_keys(
        self, universe: Universe, cache_dir: str | None
    ) -> tuple[dict[str, str], list[Unanalyzed]]:
        return {
            f.module: content_key(f.module, f.is_package, self.contents[f.path])
            for f in universe.files
        }, []

    def scan(
        self,
        universe: Universe,
        *,
        mark_type_checking: bool,
        progress: Callable[[int, int], None] | None,
        cache_dir: str | None,
        keys: dict[str, str] | None,
        jobs: int | None,
        needles: object,
        screen_dynamic: bool,
    ) -> ScanResult:
        """Every file parsed (none cleared by text); `ast` finds the imports."""
        self.scans += 1
        result = ScanResult()
        if cache_dir is not None:
            result.keys = keys if keys is not None else self.file_keys(universe)[0]
            result.generation = "memory"
        internal = {f.module for f in universe.files} | universe.namespace_packages
        for source in universe.files:
            try:
                found = imports_of(source, self.text(source), internal)
            except SyntaxError as error:
                result.unanalyzed.append(Unanalyzed(source.path, f"syntax error: {error.msg}"))
                continue
            result.analyzed.append(source)
            result.imports += [
                r._replace(type_checking=r.type_checking and mark_type_checking) for r in found
            ]
        return result

    def dynamic_imports(
        self, universe: Universe, files: Iterable[SourceFile], jobs: int | None
    ) -> dict[str, list[DynamicImport]]:
        return {f.module: find_dynamic_imports(self.text(f), f.module, f.is_package) for f in files}

    def broken_imports(
        self, universe: Universe, suspects: Mapping[str, tuple[int, ...]], jobs: int | None
    ) -> dict[str, list[BrokenImport]]:
        roots = {root.name for root in universe.roots}
        exists = universe.existing_modules()
        files = {f.module: f for f in universe.files}
        return {
            module: find_broken_imports(
                self.text(files[module]), module, files[module].is_package, roots, exists, lines
            )
            for module, lines in suspects.items()
        }

    def with_reasons(self, universe: Universe, broken: list[BrokenImport]) -> list[BrokenImport]:
        return broken  # no git here: no file is said to be ignored


@dataclass
class _Results:
    saved: dict[str, CheckOutcome]
    tree_key: str

    def get(
        self, universe: Universe, contracts: Sequence[ContractSpec], other_contracts: Sequence[str]
    ) -> CheckOutcome | None:
        return self.saved.get(self.tree_key)

    def save(self, outcome: CheckOutcome) -> None:
        self.saved[self.tree_key] = outcome


@dataclass
class _Facts:
    entries: dict[str, dict[str, list]]
    fresh: dict[str, dict[str, list]] = field(default_factory=lambda: {"dynamic": {}, "broken": {}})

    def dynamic(self, key: str, module: str) -> list[DynamicImport] | None:
        found = self.entries["dynamic"].get(key)
        if found is not None:
            self.fresh["dynamic"][key] = found
        return found

    def put_dynamic(self, key: str, found: Iterable[DynamicImport]) -> None:
        self.fresh["dynamic"][key] = list(found)

    def broken(self, key: str, module: str) -> list[BrokenImport] | None:
        found = self.entries["broken"].get(key)
        if found is not None:
            self.fresh["broken"][key] = found
        return found

    def put_broken(self, key: str, found: Iterable[BrokenImport]) -> None:
        self.fresh["broken"][key] = list(found)

    def save(self, kinds: Collection[str]) -> None:
        for kind in kinds:
            self.entries[kind] = self.fresh[kind]


@dataclass
class _Rewrites:
    entries: dict[str, tuple[str | None, list[tuple[int, str, str]]]]

    def key_of(
        self,
        text: str,
        restricted: Sequence[str],
        replacements: Sequence[object],
        first_party: Iterable[str] = (),
    ) -> str:
        return repr((text, sorted(restricted), sorted(map(str, replacements)), sorted(first_party)))

    def get(self, key: str) -> tuple[str | None, list[tuple[int, str, str]]] | None:
        return self.entries.get(key)

    def put(self, key: str, text: str | None, remaining: Iterable[tuple[int, str, str]]) -> None:
        self.entries[key] = (text, list(remaining))

    def save(self) -> None:
        pass


class MemoryStores:
    """The Stores port in dicts: `checks` holds each tree's outcome by its key."""

    def __init__(self) -> None:
        self.checks: dict[str, CheckOutcome] = {}
        self.facts: dict[str, dict[str, dict[str, list]]] = {}
        self.rewritten: dict[str, tuple[str | None, list[tuple[int, str, str]]]] = {}

    def results(self, cache_dir: str, tree_key: str) -> _Results:
        return _Results(self.checks, tree_key)

    def source_facts(self, cache_dir: str, generation: str, other_modules: Iterable[str]) -> _Facts:
        entries = self.facts.setdefault(generation, {"dynamic": {}, "broken": {}})
        return _Facts(entries)

    def rewrites(self, cache_dir: str) -> _Rewrites:
        return _Rewrites(self.rewritten)


class MemoryFiles:
    """The Files port over a MemoryRepository's contents; `writes` lists each write as
    (path, bytes, permissions), in order."""

    def __init__(self, repository: MemoryRepository):
        self.repository = repository
        self.writes: list[tuple[str, bytes, int]] = []

    def _relative(self, path: str) -> str:
        assert path.startswith(ROOT + "/"), path
        return path[len(ROOT) + 1 :]

    def is_link(self, path: str) -> bool:
        return self._relative(path) in self.repository.links

    def mode(self, path: str, follow_links: bool = True) -> int:
        relative = self._relative(path)
        if relative not in self.repository.contents:
            raise FileNotFoundError(path)
        if relative in self.repository.links and not follow_links:
            return stat.S_IFLNK | 0o777
        return self.repository.modes[relative]

    def write_atomic(self, path: str, data: bytes, mode: int) -> None:
        relative = self._relative(path)
        self.writes.append((relative, data, mode))
        self.repository.contents[relative] = data
        self.repository.modes[relative] = stat.S_IFREG | mode


class MemoryCommands:
    """The CommandRunner port: records (command, folder, the files' contents then) and
    answers with `status`."""

    def __init__(self, repository: MemoryRepository, status: int = 0):
        self.repository = repository
        self.status = status
        self.runs: list[tuple[str, str, dict[str, bytes]]] = []

    def __call__(self, command: str, folder: str) -> CommandRun:
        self.runs.append((command, folder, dict(self.repository.contents)))
        return CommandRun(command, self.status, "" if self.status == 0 else "1 test failed")


@dataclass
class Fakes:
    repository: MemoryRepository
    stores: MemoryStores
    files: MemoryFiles
    commands: MemoryCommands

    @property
    def ports(self) -> Ports:
        return Ports(self.repository, self.stores, self.files, self.commands)

    def text(self, path: str) -> str:
        return self.repository.contents[path].decode("utf-8")


def fake_ports(texts: Mapping[str, str | bytes], status: int = 0) -> Fakes:
    """The fakes of a repository of `texts` (path -> source); `--verify` answers `status`."""
    repository = MemoryRepository(texts)
    return Fakes(
        repository, MemoryStores(), MemoryFiles(repository), MemoryCommands(repository, status)
    )
