"""What the use cases read and write, as ports: `check` reads the repository
(`Repository`) and keeps what it found (`Stores`); `report` reads module sources
through the same repository; `fix` also writes files (`Files`) and runs the user's
`--verify` command (`CommandRunner`).

The disk implementations are wired in application/wiring.py (`DISK`, every use case's
default); the tests give in-memory ones (tests/fake_ports.py), so that a use case's
policy is tested without a file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ssot_arch.adapters.codemod.verify_command import CommandRun
    from ssot_arch.adapters.scanning.grimp_scan import ProgressCallback
    from ssot_arch.adapters.scanning.scanner import ScanResult
    from ssot_arch.adapters.scanning.universe import Root, Universe
    from ssot_arch.analysis.text_filter import ImportNeedles
    from ssot_arch.domain.model import (
        BrokenImport,
        CheckOutcome,
        ContractSpec,
        DynamicImport,
        SourceFile,
        Unanalyzed,
    )


class Repository(Protocol):
    """The repository as `check` reads it: its modules, their bytes, their imports."""

    def universe(
        self, root_dir: str, roots: Sequence[Root], skip_dirs: Sequence[str], max_file_size: int
    ) -> Universe:
        """Every `.py` file below `roots`, and what is left out."""

    def read(self, universe: Universe, source: SourceFile) -> bytes:
        """`source`'s bytes; NotReadable (with the reason) when they cannot be read."""

    def file_keys(
        self, universe: Universe, cache_dir: str | None
    ) -> tuple[dict[str, str], list[Unanalyzed]]:
        """Each readable file's content key, and the files that could not be read (with a
        cache, the files unchanged since the last run need not be read)."""

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
        """Every import of the universe (adapters/scanning/scanner.py's `scan_universe`)."""

    def dynamic_imports(
        self, universe: Universe, files: Iterable[SourceFile], jobs: int | None
    ) -> dict[str, list[DynamicImport]]:
        """The dynamic imports of each of `files` that Python can parse, by module."""

    def broken_imports(
        self, universe: Universe, suspects: Mapping[str, tuple[int, ...]], jobs: int | None
    ) -> dict[str, list[BrokenImport]]:
        """The broken imports on the `suspects` lines of each module, by module."""

    def with_reasons(self, universe: Universe, broken: list[BrokenImport]) -> list[BrokenImport]:
        """`broken`, each missing module whose file git ignores said to be so."""


class ResultStore(Protocol):
    """The last check's outcome for one tree (adapters/scanning/scan_cache.py)."""

    def get(
        self, universe: Universe, contracts: Sequence[ContractSpec], other_contracts: Sequence[str]
    ) -> CheckOutcome | None: ...

    def save(self, outcome: CheckOutcome) -> None: ...


class SourceFacts(Protocol):
    """What the source passes found in each file, by its content key."""

    def dynamic(self, key: str, module: str) -> list[DynamicImport] | None: ...

    def put_dynamic(self, key: str, found: Iterable[DynamicImport]) -> None: ...

    def broken(self, key: str, module: str) -> list[BrokenImport] | None: ...

    def put_broken(self, key: str, found: Iterable[BrokenImport]) -> None: ...

    def save(self, kinds: Collection[str]) -> None: ...


class RewriteStore(Protocol):
    """`fix`'s verdict on each module text it rewrote (adapters/codemod/rewrite_cache.py)."""

    def key_of(
        self,
        text: str,
        restricted: Sequence[str],
        replacements: Sequence[object],
        first_party: Iterable[str] = (),
    ) -> str: ...

    def get(self, key: str) -> tuple[str | None, list[tuple[int, str, str]]] | None: ...

    def put(
        self, key: str, text: str | None, remaining: Iterable[tuple[int, str, str]]
    ) -> None: ...

    def save(self) -> None: ...


class Stores(Protocol):
    """The caches under a cache folder: each opened for one run."""

    def results(self, cache_dir: str, tree_key: str) -> ResultStore: ...

    def source_facts(
        self, cache_dir: str, generation: str, other_modules: Iterable[str]
    ) -> SourceFacts: ...

    def rewrites(self, cache_dir: str) -> RewriteStore: ...


class Files(Protocol):
    """What `fix` needs of the files it writes, by the path their bytes are read from."""

    def is_link(self, path: str) -> bool: ...

    def mode(self, path: str, follow_links: bool = True) -> int:
        """The file's `st_mode` (of the link itself without `follow_links`); OSError
        when there is none."""

    def write_atomic(self, path: str, data: bytes, mode: int) -> None:
        """Replace the file with `data`, whole or not at all; OSError or ConfigError
        when it cannot be written."""


class CommandRunner(Protocol):
    """Runs the user's `--verify` command in a folder and waits for it."""

    def __call__(self, command: str, folder: str) -> CommandRun: ...


@dataclass(frozen=True)
class Ports:
    """Everything a use case reads and writes through."""

    repository: Repository
    stores: Stores
    files: Files
    commands: CommandRunner
