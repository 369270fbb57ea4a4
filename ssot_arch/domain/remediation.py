"""The words of remediation: what a restricted use becomes, what `fix` did to a file, and
the migration plan that orders the rest."""

from __future__ import annotations

from dataclasses import dataclass

FIXED, MANUAL, UNCHANGED = "fixed", "manual", "unchanged"  # a file's status after `fix`
# A rewrite the tool can make but not prove (written only with --unsafe-fixes).
UNSAFE = "unsafe"
EXACT_CALL = "()"  # `OLD()`: a replacement for the calls of OLD without arguments


@dataclass(frozen=True, order=True)
class Replacement:
    """`OLD = MODULE:NAME`: every use of the restricted name `old` (a qualified name such as
    `logging.getLogger` or `loguru.logger`) becomes `name` imported from the SSOT `module`.

    `OLD()` (`logging.getLogger()`) is the exact form: only the calls of OLD without
    arguments become `name()`, before and instead of OLD's own replacement. It is how the
    root logger, which `getLogger`'s replacement would not give, gets one."""

    old: str
    module: str
    name: str

    @property
    def exact_call(self) -> bool:
        return self.old.endswith(EXACT_CALL)

    @property
    def qualified(self) -> str:
        """The name replaced: `old` without the exact form's parentheses."""
        return self.old.removesuffix(EXACT_CALL)

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
class Verification:
    """`fix --write --verify CMD`: how the command ended after the files were written,
    and, when it failed, whether every written file got its old bytes back."""

    command: str
    status: int  # the exit status (minus the signal's number for a killed command)
    tail: str  # the last lines of its output
    restored: tuple[str, ...] = ()  # the files given their old bytes back (it failed)
    not_restored: tuple[str, ...] = ()  # files that could not be (each said on stderr)

    @property
    def passed(self) -> bool:
        return self.status == 0


@dataclass(frozen=True)
class FixOutcome:
    files: tuple[FileFix, ...]  # sorted by file
    written: bool  # --write: the FIXED files were written
    unsafe_fixes: bool = False  # --unsafe-fixes: the UNSAFE ones too (diffed, written)
    unmatched_only: tuple[str, ...] = ()  # --only patterns that match no module (warned)
    verification: Verification | None = None  # --verify's run, after --write

    @property
    def applied(self) -> tuple[str, ...]:
        """The statuses whose rewrites this run applies (or shows, in a dry run)."""
        return (FIXED, UNSAFE) if self.unsafe_fixes else (FIXED,)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def failed(self, strict: bool = False) -> bool:
        """Whether `fix` exits 1 (docs/spec.md): with --strict an --only pattern matched
        no module; the --verify command failed; after --write, a selected file still
        violates (manual, or unsafe without --unsafe-fixes); in a dry run, something
        would change."""
        if strict and self.unmatched_only:
            return True
        if self.verification is not None and not self.verification.passed:
            return True
        changing = [f.status in self.applied for f in self.files]
        return not all(changing) if self.written else any(changing)


@dataclass(frozen=True)
class PlanFile:
    file: str
    module: str
    automatic: bool  # `fix` migrates it completely
    remaining: tuple[Remaining, ...]
    fix_impact: int  # the transitive leaks that fixing this file removes
    status: str = FIXED  # fix's status: FIXED when automatic, UNSAFE, MANUAL or UNCHANGED


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


# Why a use is left, as a stable word (`kind` in fix-v2.json, docs/spec.md): the reason's
# text may name modules and lines, its kind does not. First match wins.
REASON_KINDS: tuple[tuple[str, str], ...] = (
    ("importing ", "import-cycle"),  # importing R here would close an import-time cycle
    ("the root logger", "root-logger"),
    ("no replacement for ", "no-replacement"),
    ("used without a call", "used-without-call"),
    ("import inside ", "nested-import"),
    ("star import", "star-import"),
    ("re-exported in __all__", "reexported"),
    ("rebinds the name", "rebound"),
    ("deleted with del", "deleted"),
    ("declared global", "global"),
    ("used in a string annotation", "string-annotation"),
    ("used in a type comment", "type-comment"),
    ("refers to more than one binding", "ambiguous"),
    ("used before it is imported", "used-before-import"),
    ("does not parse", "does-not-parse"),
    ("the rewritten text would not parse", "does-not-parse"),
    ("the rewrite would not parse", "does-not-parse"),
    ("symbolic link", "symbolic-link"),
    ("the file changed during the run", "changed-during-run"),
    ("the new text cannot be written in its encoding", "encoding"),
    ("undecodable", "encoding"),
    ("the rewrite finds nothing to change", "not-seen"),
)
# Reasons of the API proof (analysis/api_check.py) and of a name the new import would
# take (adapters/codemod/rewrite.py), recognised by what they end with or contain.
_CONTAINED_KINDS: tuple[tuple[str, str], ...] = (
    (" has no attribute ", "missing-attribute"),
    (" positional argument", "signature"),
    (" has no parameter ", "signature"),
    (" gets two values for ", "signature"),
    (" needs '", "signature"),
    (" may or may not have ", "unproven-api"),
    (" cannot be read", "unproven-api"),
    (" is passed on as a value", "unproven-api"),
    ("unpacks arguments", "unproven-api"),
    ("is not proven to offer", "unproven-api"),
    ("an attribute of a ", "unproven-api"),
    (" would shadow the builtin ", "name-conflict"),
    (" is bound in the scope of this use", "name-conflict"),
    (" is already bound in the module", "name-conflict"),
    (" is used in the module without an import", "name-conflict"),
    (" would be imported from two places", "name-conflict"),
    (" comes after this use", "name-conflict"),
)
KINDS = tuple(sorted({kind for _, kind in REASON_KINDS + _CONTAINED_KINDS} | {"other"}))


def kind_of(why: str) -> str:
    """The stable word for a reason (one of KINDS; `other` for none of those known)."""
    for prefix, kind in REASON_KINDS:
        if why.startswith(prefix):
            return kind
    for part, kind in _CONTAINED_KINDS:
        if part in why:
            return kind
    return "other"
