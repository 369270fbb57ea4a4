"""The words of remediation: what a restricted use becomes, what `fix` did to a file, and
the migration plan that orders the rest."""

from __future__ import annotations

from dataclasses import dataclass

FIXED, MANUAL, UNCHANGED = "fixed", "manual", "unchanged"  # a file's status after `fix`


@dataclass(frozen=True, order=True)
class Replacement:
    """`OLD = MODULE:NAME`: every use of the restricted name `old` (a qualified name such as
    `logging.getLogger` or `loguru.logger`) becomes `name` imported from the SSOT `module`."""

    old: str
    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.old} = {self.module}:{self.name}"


@dataclass(frozen=True, order=True)
class Remaining:
    """A use of a restricted module that `fix` left for a person, and why."""

    line: int
    use: str  # the use as written, e.g. `logging.INFO` or `from loguru import logger`
    why: str


@dataclass(frozen=True)
class Rewrite:
    """What rewriting one module's source gives: the new text when the module could be
    migrated completely (None when it is left as it is), and what stands in the way."""

    text: str | None
    remaining: tuple[Remaining, ...] = ()


@dataclass(frozen=True)
class FileFix:
    """`fix`'s verdict on one violating file."""

    file: str  # relative to the repository, '/'-separated
    module: str
    status: str  # FIXED, MANUAL or UNCHANGED
    remaining: tuple[Remaining, ...] = ()
    original: str = ""  # the text before, for the diff
    rewritten: str | None = None  # the text after, for FIXED files


@dataclass(frozen=True)
class FixOutcome:
    files: tuple[FileFix, ...]  # sorted by file
    written: bool  # --write: the FIXED files were written

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


@dataclass(frozen=True)
class PlanFile:
    file: str
    module: str
    automatic: bool  # `fix` migrates it completely
    remaining: tuple[Remaining, ...]
    fix_impact: int  # the transitive leaks that fixing this file removes


@dataclass(frozen=True)
class PlanStep:
    name: str
    patterns: tuple[str, ...]  # the --priority patterns of the step (none: the rest)
    files: tuple[PlanFile, ...]  # by fix impact, then module name
    command: str  # the `ssot-arch fix ... --write` command for its automatic part

    @property
    def automatic(self) -> int:
        return sum(1 for f in self.files if f.automatic)


@dataclass(frozen=True)
class Plan:
    steps: tuple[PlanStep, ...]
