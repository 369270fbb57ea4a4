"""What `ssot-arch trace` observed and what it found: plain values.

A *process record* is what the import recorder (adapters/processes/import_hook.py) wrote
in one traced Python process: the modules already loaded when it started, then in order
each import that started (the module and its importer) and each module seen loaded (with
its file, relative to the repository, when it is one of the repository's), and at a
clean exit the modules it never saw imported. The analysis (analysis/trace.py) turns
that into the systems the process loaded, the runtime chain that loaded each first, and
how the process compares with the static graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ssot_arch.domain.findings import Hop

# How a module came to be loaded: imported while the trace ran; already loaded when the
# process started (interpreter start-up: `site`, `.pth` files); run as `__main__`; or
# found loaded at exit without its import having been seen (a finder of the program's
# own after it replaced `sys.meta_path`).
Origin = Literal["import", "start-up", "main", "unobserved"]


@dataclass(frozen=True)
class Attempt:
    """An import that started: `module` was not loaded yet; `importer` ran it."""

    module: str
    importer: str | None  # None: no Python frame outside the import machinery


@dataclass(frozen=True)
class Loaded:
    """`module` seen in `sys.modules`; `path` is its file (or folder) relative to the
    repository, '/'-separated, when it is inside the repository, else None."""

    module: str
    path: str | None


@dataclass(frozen=True)
class ProcessRecord:
    """One traced process, as its record file says."""

    pid: int
    parent_pid: int
    forked: bool  # a child forked from a traced process, which loaded what it had
    argv: tuple[str, ...]
    preloaded: tuple[Loaded, ...]  # loaded before the trace began in it
    events: tuple[Attempt | Loaded, ...]  # in the order they happened
    main: str | None  # the module `__main__` runs as (`python -m pkg.mod`)
    main_path: str | None  # `__main__`'s file relative to the repository, when inside
    unobserved: tuple[Loaded, ...]  # loaded at exit, its import never seen
    complete: bool  # it reached a normal exit (not `os._exit`, not killed)
    problems: tuple[str, ...] = ()  # record lines that could not be read


@dataclass(frozen=True)
class TracedRun:
    """What running the command under the trace gave."""

    command: tuple[str, ...]
    status: int  # its exit status (128 + N when signal N ended it)
    processes: tuple[ProcessRecord, ...]
    problems: tuple[str, ...] = ()  # record files that could not be read at all


@dataclass(frozen=True)
class RuntimeLoad:
    """A module a process loaded, how, and the runtime chain that loaded it: the import
    nesting from the module that started it (an entry, `__main__`, a module loaded
    at start-up) down to the module itself."""

    module: str
    origin: Origin
    chain: tuple[str, ...]


@dataclass(frozen=True)
class SystemRun:
    """A system of the contract in one process: loaded at runtime (`load`, its first
    module), predicted by the static closure of the entries (`static_chain`), or both."""

    system: str
    ssot: bool
    load: RuntimeLoad | None
    static_chain: tuple[Hop, ...] | None  # None: the static closure does not hold it


@dataclass(frozen=True)
class ContractTrace:
    """One contract's systems in one process."""

    contract: str
    systems: tuple[SystemRun, ...]  # every system loaded or predicted, in contract order

    @property
    def loaded(self) -> tuple[SystemRun, ...]:
        return tuple(s for s in self.systems if s.load is not None)


@dataclass(frozen=True)
class UnreachedModule:
    """A first-party module the process loaded that the static closure of its entries
    does not hold: a dynamic import, a plugin, a gap of the static analysis."""

    load: RuntimeLoad
    why: str


@dataclass(frozen=True)
class ProcessTrace:
    """What one process loaded, against the static graph."""

    record: ProcessRecord
    key: str  # its place in the process tree: "1", "1.2", ...
    parent_key: str | None
    entries: tuple[str, ...]  # the static closure is theirs
    entries_given: bool  # by --entry; else the first first-party modules it loaded
    entries_not_in_graph: tuple[str, ...]
    first_party: tuple[str, ...]  # the repository's modules it loaded, sorted
    static_size: int  # first-party modules in the static closure of the entries
    not_in_static: tuple[UnreachedModule, ...]
    contracts: tuple[ContractTrace, ...]


@dataclass(frozen=True)
class TraceOutcome:
    command: tuple[str, ...]
    status: int
    processes: tuple[ProcessTrace, ...]
    problems: tuple[str, ...]
