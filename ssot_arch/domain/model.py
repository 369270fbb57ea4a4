"""The words of docs/spec.md as immutable value objects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from ssot_arch.domain.baseline import BaselineVerdict
from ssot_arch.domain.remediation import Replacement


class FileKind(str, enum.Enum):
    """How a file in the module universe maps to a module name."""

    MODULE = "module"  # importable module: pkg/mod.py -> pkg.mod
    PACKAGE = "package"  # importable package: pkg/sub/__init__.py -> pkg.sub
    NOT_IMPORTABLE = "not-importable"  # a path part is no identifier: pkg/my-tool.py
    SHADOWED = "shadowed"  # pkg/x.py beside the regular package pkg/x/__init__.py


@dataclass(frozen=True, order=True)
class SourceFile:
    """One `.py` file of the module universe."""

    path: str  # relative to the repository root, '/'-separated
    module: str  # the module name; unique within one scan
    root: str  # the root package the file belongs to
    kind: FileKind = FileKind.MODULE

    @property
    def is_package(self) -> bool:
        return self.kind is FileKind.PACKAGE


@dataclass(frozen=True, order=True)
class Unanalyzed:
    """A file of the universe whose imports could not be read, and why."""

    file: str
    reason: str


@dataclass(frozen=True, order=True)
class SkippedDir:
    """A folder below a root left out of the universe by the skip rules."""

    path: str
    rule: str
    python_files: int


@dataclass(frozen=True, order=True)
class SkippedFile:
    """A `.py` entry below a root that is deliberately not read, and why (for example a
    symbolic link that leads out of the repository, or a second name of a file analysed
    under its own)."""

    path: str
    reason: str


@dataclass(frozen=True, order=True)
class UnresolvedImport:
    """An import that names no module, such as a relative import beyond the top level."""

    file: str
    line: int
    line_contents: str
    reason: str


class ImportRecord(NamedTuple):
    """One import statement: `importer -> imported` at `line`.

    A named tuple, not a dataclass: a large repository has hundreds of thousands.
    """

    importer: str
    imported: str
    line: int
    line_contents: str
    type_checking: bool = False


@dataclass(frozen=True)
class Coverage:
    """How much of the module universe was analysed, and everything that was not."""

    files_total: int
    files_analyzed: int  # parsed, or cleared by their text alone
    unanalyzed: tuple[Unanalyzed, ...] = ()
    skipped_dirs: tuple[SkippedDir, ...] = ()
    unresolved_imports: tuple[UnresolvedImport, ...] = ()
    not_importable: tuple[SourceFile, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    # `check` only: the analysed files whose text cannot import a restricted module, so
    # that they were not parsed (see analysis/text_filter.py).
    cleared_by_text: tuple[str, ...] = ()

    @property
    def files_cleared_by_text(self) -> int:
        return len(self.cleared_by_text)


@dataclass(frozen=True)
class System:
    """A logging system: a name and the modules that are its entry points."""

    name: str
    entries: tuple[str, ...]
    ssot: bool = False
    why: str = ""  # why the report takes it as an SSOT system (see systems.default_systems)


@dataclass(frozen=True)
class ContractSpec:
    """The SSOT rule, parsed and validated: what may import what."""

    id: str
    name: str
    restricted: tuple[str, ...]
    gateways: tuple[str, ...]
    systems: tuple[System, ...] = ()
    exclude: tuple[str, ...] = ()
    type_checking_imports: bool = True
    message: str = ""
    baseline: str = ""  # path of the baseline file, relative to the repository
    fail_on_stale: bool = False
    replacements: tuple[Replacement, ...] = ()  # what `fix` turns restricted uses into
    dynamic_imports: bool = False  # literal dynamic imports are violations too


NO_SUCH_MODULE = "no such module"


@dataclass(frozen=True, order=True)
class BrokenImport:
    """An import statement that needs a first-party module that does not exist
    (analysis/broken.py)."""

    importer: str  # the module whose statement it is
    line: int  # 1-based line where the statement starts
    statement: str  # its text, comments and continuations dropped, whitespace runs made
    # one space, cut at 200 characters
    name: str  # the (absolute) module it needs that does not exist
    ancestor: str | None  # the nearest existing ancestor of `name`
    guarded: bool  # whether a `try` or `with suppress(...)` catches its error
    reason: str = NO_SUCH_MODULE  # and, for a file git ignores, that it is generated


@dataclass(frozen=True, order=True)
class DynamicImport:
    """A call that imports a module named by a literal string (analysis/dynamic.py):
    `importlib.import_module("logging")`, `__import__("loguru")`."""

    importer: str  # the module whose file holds the call
    line: int  # 1-based line where the call starts
    imported: str  # the absolute name of the module it imports
    call: str  # its source text, whitespace runs made one space, cut at 200 characters


@dataclass(frozen=True, order=True)
class Violation:
    """A direct violation: a non-gateway module importing a restricted module."""

    importer: str
    imported: str
    line: int
    line_contents: str
    file: str = ""
    status: str = "new"


NEW, KNOWN, EXPIRED = "new", "known", "expired"  # a violation's status against a baseline


@dataclass(frozen=True)
class ContractResult:
    """One contract's findings: its direct violations and warnings, and its verdict."""

    spec: ContractSpec
    violations: tuple[Violation, ...]
    warnings: tuple[str, ...] = ()
    baseline: BaselineVerdict | None = None
    strict: bool = False  # a warning breaks the contract

    @property
    def failing(self) -> tuple[Violation, ...]:
        """The violations that break the contract: all of them, or with a baseline the
        new and expired ones."""
        return tuple(v for v in self.violations if v.status != KNOWN)

    @property
    def kept(self) -> bool:
        """Whether the contract holds: nothing failing, within its baseline's budget."""
        if self.failing or (self.strict and self.warnings):
            return False
        if self.baseline is None:
            return True
        if self.baseline.over_budget:
            return False
        return not (self.baseline.fail_on_stale and self.baseline.stale)


@dataclass(frozen=True)
class CheckOutcome:
    """Everything `ssot-arch check` learned about one repository."""

    root_dir: str
    roots: tuple[str, ...]
    coverage: Coverage
    contracts: tuple[ContractResult, ...]
    files: dict[str, SourceFile] = field(default_factory=dict)  # by module name
    other_contracts: tuple[str, ...] = ()  # import-linter contracts left to lint-imports
    changed_since: str | None = None  # only files changed since this git revision are shown
    changed_files: int = 0
    # Run-level warnings about the verdict (not tied to one contract), such as a baseline
    # section that matches no checked contract. (A cache that cannot be used changes no
    # verdict: that is said on stderr.)
    warnings: tuple[str, ...] = ()
    strict: bool = False  # every warning fails the check: the run's, and unresolved imports

    @property
    def kept(self) -> bool:
        """Whether the check passes: every contract kept and every file analysed."""
        if self.strict and (self.warnings or self.coverage.unresolved_imports):
            return False
        return all(c.kept for c in self.contracts) and not self.coverage.unanalyzed


@dataclass(frozen=True)
class Binding:
    """A name a module binds at its top level, and to what.

    `import a.b` binds `a` (module `a`); `import a.b as c` binds `c` (module `a.b`);
    `from m import x as y` binds `y` (module `m`, attribute `x`); `y = x.a.b` binds `y`
    (alias of `x`, attribute `a.b`); `from m import *` binds `*`.
    """

    name: str
    line: int
    module: str | None = None
    attribute: str | None = None
    alias_of: str | None = None
