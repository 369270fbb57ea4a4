"""What the analyses of `ssot-arch report` find: plain values, sorted, ready to print."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ssot_arch.domain.model import BrokenImport, CheckOutcome, DynamicImport, System


@dataclass(frozen=True, order=True)
class Hop:
    importer: str
    imported: str
    line: int


@dataclass(frozen=True, order=True)
class Leak:
    """A module that reaches a restricted module only through other modules.

    Its shortest chain is not held here: chains share their tails, so a repository's
    chains written out one by one grow with the square of its size. `LeakAnalysis`
    keeps each module's next hop once, and `LeakAnalysis.chain` follows them.
    """

    module: str
    cause: str  # the module whose direct import of the restricted module the chain ends in
    length: int  # hops in the shortest chain, the cause's own import included


@dataclass(frozen=True)
class LeakCause:
    module: str
    leaks: int  # leaks whose shortest chain ends here
    fix_impact: int  # leaks that would stop if this module alone stopped importing directly
    violator: bool  # False for an excluded module (not reported, yet a cause)


@dataclass(frozen=True)
class FixStep:
    violators: tuple[str, ...]  # one, or several that only remove leaks together
    leaks_removed: int  # by this step
    cumulative: int


@dataclass(frozen=True)
class LeakAnalysis:
    leaks: tuple[Leak, ...]
    causes: tuple[LeakCause, ...]  # most leaks first
    fix_first: tuple[FixStep, ...]
    removable: int  # leaks that fixing violators can remove at all
    # The next hop of every module on some leak's chain: the leaks, the modules between
    # them and their causes that are no leaks (excluded ones, namespace packages), and
    # the causes, whose hop goes to the restricted module.
    hops: Mapping[str, Hop]

    def chain(self, module: str) -> tuple[Hop, ...]:
        """The shortest chain from `module` (a leak, or a module on a leak's chain) to
        the restricted module: its hops, followed one by one."""
        return follow(self.hops, module)

    def fix_first_steps(self) -> dict[str, tuple[int, int]]:
        """Each module of the fix-first list: its step (from 1) and the leaks that step
        removes, given the steps before it: fixed in that order, the one number that
        says what to do first (fix impact and leaks ending here can point two ways)."""
        return {
            module: (number, step.leaks_removed)
            for number, step in enumerate(self.fix_first, 1)
            for module in step.violators
        }


def follow(hops: Mapping[str, Hop], module: str) -> tuple[Hop, ...]:
    """The chain from `module` along `hops` (each module's next hop) to its end."""
    chain = []
    node = module
    while node in hops:
        hop = hops[node]
        chain.append(hop)
        node = hop.imported
    return tuple(chain)


@dataclass(frozen=True)
class ReachCell:
    """What one group reaches of one system; its example chain starts at `start` and
    follows `ContractReport.reach_hops` (chains share their tails: with one group per
    package there are nearly as many cells as modules)."""

    direct: int
    transitive: int
    start: str | None = None  # the group's module with the shortest chain (then by name)
    length: int = 0  # that chain's hops


def percent_down(part: int, whole: int) -> float:
    """`part` of `whole` in percent with one decimal, rounded down (100.0 for nothing of
    nothing): 1,999 of 2,000 is 99.9, never 100.0."""
    return 100.0 if not whole else (1000 * part // whole) / 10


def whole_percent(percent: float) -> str:
    """A percentage shown without decimals, rounded down: 99.9 is "99 %", not "100 %"."""
    return f"{math.floor(percent)} %"


@dataclass(frozen=True)
class ComplianceRow:
    group: str
    files: int
    logging_files: int
    compliant_files: int
    violations: int
    violating_files: int

    @property
    def compliance_pct(self) -> float:
        """The compliant share of the logging files, in percent with one decimal, rounded
        down: 100.0 only when every one is compliant, so no violation is rounded away."""
        return percent_down(self.compliant_files, self.logging_files)

    @property
    def status(self) -> str:
        if not self.violations:
            return "compliant"
        return "partial" if self.compliance_pct >= 50.0 else "critical"


@dataclass(frozen=True, order=True)
class LaunderedImport:
    """`from via import name` where `via` re-exports a restricted module or its object."""

    importer: str
    line: int
    via: str
    name: str
    origin: str  # what the name really is: `loguru.logger`, `logging`


# The line of a hop from a module to its package: no import line, for Python runs a
# package before any module in it (docs/spec.md, "Entry closure").
PACKAGE_FIRST = 0


@dataclass(frozen=True)
class EntrySystem:
    """One system an entry point loads."""

    direct: int  # modules of the closure that import the system directly (not its own)
    chain: tuple[Hop, ...]  # a shortest chain from the entry to the system


@dataclass(frozen=True)
class EntryReport:
    """What importing one entry point loads."""

    closure_size: int  # first-party modules loaded, the entry included
    systems: Mapping[str, EntrySystem]  # the systems it loads, by name


@dataclass(frozen=True)
class ContractReport:
    """What the analyses found for one contract."""

    leaks: LeakAnalysis
    reach: dict[str, dict[str, ReachCell]]  # group -> system -> cell
    fragmented: tuple[str, ...]
    compliance: tuple[ComplianceRow, ...]
    laundering: tuple[LaunderedImport, ...]
    # system -> the next hop of every module on an example chain of the reach cells
    reach_hops: Mapping[str, Mapping[str, Hop]] = field(default_factory=dict)
    entries: Mapping[str, EntryReport] = field(default_factory=dict)  # by entry module
    fragmentation: Mapping[str, FragmentationRow] = field(default_factory=dict)  # by group
    # Literal dynamic imports of a restricted module by a module that may not import it.
    dynamic_imports: tuple[DynamicImport, ...] = ()

    def reach_chain(self, system: str, cell: ReachCell) -> tuple[Hop, ...]:
        """`cell`'s example chain to `system`, followed hop by hop."""
        if cell.start is None:
            return ()
        return follow(self.reach_hops.get(system, {}), cell.start)


@dataclass(frozen=True)
class Group:
    """A group of modules: those within one of `prefixes` (a prefix's own module or
    one below it) and within none of `excluded`."""

    prefixes: tuple[str, ...]
    excluded: tuple[str, ...] = ()


_NONE: frozenset[str] = frozenset()


class GroupIndex:
    """The groups a module belongs to: those with a prefix that is it or a package above
    it, and no such excluded prefix.

    Modules share their packages: each package's groups are found once, so a module
    costs one look-up of its own name and one of its package's.
    """

    def __init__(self, groups: Mapping[str, Group]):
        self.including: dict[str, list[str]] = {}  # prefix -> the groups it is one of
        self.excluding: dict[str, list[str]] = {}  # prefix -> the groups excluding it
        for name in sorted(groups):
            group = groups[name]
            for prefix in group.prefixes:
                self.including.setdefault(prefix, []).append(name)
            for prefix in group.excluded:
                self.excluding.setdefault(prefix, []).append(name)
        # module -> (its groups, the groups excluding it or a package above it)
        self.known: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def __call__(self, module: str) -> frozenset[str]:
        return self._walk(module)[0]

    def _walk(self, module: str) -> tuple[frozenset[str], frozenset[str]]:
        found = self.known.get(module)
        if found is None:
            cut = module.rfind(".")
            inside, barred = self._walk(module[:cut]) if cut >= 0 else (_NONE, _NONE)
            left = self.excluding.get(module)
            if left:
                barred = barred.union(left)
                inside = inside.difference(left)
            joined = self.including.get(module)
            if joined:
                inside = inside.union(g for g in joined if g not in barred)
            found = self.known[module] = (inside, barred)
        return found


@dataclass(frozen=True)
class FragmentationRow:
    """How fragmented a group is: the systems it reaches, and how its logging modules
    (its non-member modules that import a system directly) divide among the systems."""

    systems_reached: int  # the systems some module of the group reaches
    logging_modules: int
    by_system: Mapping[str, int]  # every system -> the logging modules importing it

    @property
    def fragmented(self) -> bool:
        return self.systems_reached > 1

    def share(self, system: str) -> float:
        """The share of the logging modules that import `system` directly (0 without
        any). A module importing two systems counts for both: shares may sum above 1."""
        if not self.logging_modules:
            return 0.0
        return self.by_system.get(system, 0) / self.logging_modules


@dataclass(frozen=True)
class ReportOutcome:
    """Everything `ssot-arch report` learned: the check, and per contract its findings."""

    check: CheckOutcome
    groups: Mapping[str, Group]  # by name
    systems: Mapping[str, tuple[System, ...]]  # contract id -> systems analysed
    reports: Mapping[str, ContractReport]  # contract id -> findings
    broken_imports: tuple[BrokenImport, ...] = ()  # of the whole repository


@dataclass(frozen=True)
class ServicePoint:
    """One service at one commit (`ssot-arch trend`)."""

    files: int
    violations: int
    compliance_pct: float  # the lowest of the contracts'
    systems: tuple[str, ...]  # the systems some module of it reaches, sorted


@dataclass(frozen=True)
class TrendPoint:
    """The headline figures at one commit; `error` instead when the contract cannot be
    judged there (a gateway that does not exist yet, a configuration that does not parse)."""

    commit: str
    date: str  # committer date, ISO 8601
    subject: str
    violations: int = 0
    leaks: int = 0
    files_analyzed: int = 0
    files_total: int = 0
    files_missing: int = 0  # blobs the repository's object store lacks (a partial clone)
    services: Mapping[str, ServicePoint] = field(default_factory=dict)
    error: str | None = None
    # Paths of the commit's tree not written, hence not analysed, and why: names git
    # fsck refuses (`..`, `.git`), a link where a folder should be (sorted by path).
    files_unsafe: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Trend:
    """`ssot-arch trend`: the figures at each commit, oldest first."""

    repository: str
    points: tuple[TrendPoint, ...]
    config: str  # where the contracts came from: a file, or "each commit's own"
