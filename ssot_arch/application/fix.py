"""`ssot-arch fix`: migrate each violating file to the SSOT where the rewrite can prove it
safe, and say what is left for a person.

Only files that break a contract are read: gateways, excluded modules and files that
were not analysed have no violation, so they are never touched. Every file is assessed
before any is written, and a file is written only when its new text parses, it can be
written back in its own encoding, and it is still the file that was read.
"""

from __future__ import annotations

import fnmatch
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ssot_arch.adapters.codemod.rewrite_pool import rewrite_all
from ssot_arch.adapters.filesystem.decoding import decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable
from ssot_arch.adapters.processes.pool import default_jobs
from ssot_arch.application.check import Analysed, Progress, check_repository, timed
from ssot_arch.application.fix_proof import UseProver, read_fixes, without_import_cycles
from ssot_arch.application.ports import Ports
from ssot_arch.application.settings import RunSettings
from ssot_arch.application.wiring import DISK
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import CheckOutcome, SourceFile, Violation
from ssot_arch.domain.remediation import (
    FIXED,
    MANUAL,
    UNCHANGED,
    UNSAFE,
    FileFix,
    FixOutcome,
    Remaining,
    Replacement,
    Rewrite,
    Verification,
)
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

# Why a file is left as it is although the rewrite is not what stands in the way.
SYMBOLIC_LINK = "symbolic link: not written through"
NO_PARSE = "the rewritten text would not parse: left as it is"
NOT_SEEN = "the rewrite finds nothing to change here: migrate by hand"
CHANGED = "the file changed during the run: left as it is"


@dataclass(frozen=True)
class FixOptions:
    only: tuple[str, ...] = ()  # glob patterns over module names (any of them)
    write: bool = False
    unsafe_fixes: bool = False  # --write also writes the UNSAFE rewrites
    verify: str | None = None  # a command run after --write; the files restored if it fails


@dataclass(frozen=True)
class Target:
    """A violating file and what the rewrite must make of it: every contract whose
    violations name it contributes its restricted modules and its replacements."""

    source: SourceFile
    restricted: tuple[str, ...]
    replacements: tuple[Replacement, ...]
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class Assessed:
    """A file's verdict, with what writing it needs."""

    target: Target
    fix: FileFix
    data: bytes = b""  # the bytes read
    encoding: str = "utf-8"


def selected(module: str, only: Sequence[str]) -> bool:
    """Whether `module` matches one of the `--only` globs (`*` crosses dots); all do
    without any."""
    return not only or any(fnmatch.fnmatchcase(module, pattern) for pattern in only)


def violating_files(outcome: CheckOutcome, only: Sequence[str] = ()) -> list[Target]:
    """The files with violations (of the modules `only` selects), by path.

    With several contracts, a file must satisfy every contract that names it: the
    rewrite gets the union of their restricted modules, and of their replacements (the
    first contract's, in contract order, for a name several replace)."""
    restricted: dict[str, dict[str, None]] = {}
    replacements: dict[str, dict[str, Replacement]] = {}
    violations: dict[str, list[Violation]] = {}
    for result in outcome.contracts:
        for v in result.violations:
            if not selected(v.importer, only):
                continue
            restricted.setdefault(v.importer, {}).update(dict.fromkeys(result.spec.restricted))
            mine = replacements.setdefault(v.importer, {})
            for r in result.spec.replacements:
                mine.setdefault(r.old, r)
            violations.setdefault(v.importer, []).append(v)
    targets = [
        Target(
            outcome.files[module],
            tuple(restricted[module]),
            tuple(replacements[module].values()),
            tuple(sorted(set(found), key=lambda v: (v.line, v.imported))),
        )
        for module, found in violations.items()
    ]
    return sorted(targets, key=lambda t: t.source.path)


def check_replacements(settings: RunSettings, analysed: Analysed) -> None:
    """A replacement must name an existing name of a module of the analysed roots: a
    misspelt one would be written into every file it migrates, and fail when it runs.
    The module's source is read (never imported) for the name. Raises ConfigError."""
    outcome = analysed.outcome
    modules = set(outcome.files)
    prover = UseProver(analysed)
    problems = []
    for result in outcome.contracts:
        for r in result.spec.replacements:
            if r.module not in modules:
                why = (
                    f"'{r.module}' (in '{r}') matches no module under the roots "
                    f"({', '.join(outcome.roots)}); check the name"
                )
            else:
                missing = prover.missing(r)
                if missing is None:
                    continue
                why = f"'{r}': {missing}; check the name, or define it there"
            file, section = settings.origins.get(result.spec.id, (None, None))
            given = r in settings.replace_options
            problems.append(
                ConfigProblem(
                    why,
                    file=None if given else file,
                    section=None if given else section,
                    key="--replace" if given or file is None else "replacements",
                )
            )
    if problems:
        raise ConfigError(sorted({str(p): p for p in problems}.values(), key=str))


def unmatched_patterns(outcome: CheckOutcome, only: Sequence[str]) -> tuple[str, ...]:
    """The `--only` patterns that match no module of the analysed roots, each warned
    about: `app/a.py` (a path) or `..` selects nothing, which must not pass for "nothing
    to fix"."""
    unmatched = tuple(p for p in only if not any(selected(m, [p]) for m in outcome.files))
    for pattern in unmatched:
        logger.warning(
            "--only %r matches no module; patterns are globs over module names, such as "
            "'app.services.*' or 'app.a' (not paths)",
            pattern,
        )
    return unmatched


def warn_unanalysed(outcome: CheckOutcome) -> None:
    """Say which files neither `fix` nor `plan` can see: their violations are unknown."""
    unanalysed = outcome.coverage.unanalyzed
    if unanalysed:
        names = ", ".join(u.file for u in unanalysed[:5]) + (", ..." if len(unanalysed) > 5 else "")
        logger.warning(
            "%d file(s) not analysed, so neither fixed nor planned (`ssot-arch check` says "
            "why; repair them first): %s",
            len(unanalysed),
            names,
        )


def _left(target: Target, why: str) -> tuple[Remaining, ...]:
    """Each violation of `target`, left for a person for the same reason."""
    return tuple(
        sorted({Remaining(v.line, v.line_contents.strip(), why) for v in target.violations})
    )


@dataclass(frozen=True)
class _Read:
    """A violating file as read: its text for the rewrite, or already its verdict."""

    target: Target
    verdict: Assessed | None = None
    data: bytes = b""
    text: str = ""
    encoding: str = "utf-8"


def _manual(target: Target, remaining: Iterable[Remaining], original: str = "") -> Assessed:
    source = target.source
    return Assessed(
        target, FileFix(source.path, source.module, MANUAL, tuple(sorted(remaining)), original)
    )


def read_target(analysed: Analysed, target: Target) -> _Read:
    """Read one violating file for the rewrite (links and unreadable files are verdicts)."""
    source, universe = target.source, analysed.universe
    if source.path in universe.linked or analysed.ports.files.is_link(universe.real_path(source)):
        return _Read(target, _manual(target, _left(target, SYMBOLIC_LINK)))
    try:
        data = analysed.read(source)
        text, encoding = decode_source(data)
    except NotReadable as error:
        return _Read(target, _manual(target, _left(target, str(error))))
    except (SyntaxError, UnicodeDecodeError) as error:
        return _Read(target, _manual(target, _left(target, f"undecodable: {error}")))
    return _Read(target, None, data, text, encoding)


def conclude(read: _Read, result: Rewrite) -> Assessed:
    """What `fix` makes of one violating file, given its rewrite (nothing is written)."""
    target, text = read.target, read.text
    file, module = target.source.path, target.source.module
    if result.remaining:
        return _manual(target, result.remaining, text)
    if result.text is None or result.text == text:
        # The check sees a restricted import the rewrite does not: still a violation.
        return Assessed(target, FileFix(file, module, UNCHANGED, _left(target, NOT_SEEN), text))
    try:
        result.text.encode(read.encoding)
    except UnicodeEncodeError:
        why = f"the new text cannot be written in its encoding {read.encoding}"
        return _manual(target, _left(target, why))
    return Assessed(
        target, FileFix(file, module, FIXED, (), text, result.text), read.data, read.encoding
    )


def write_fixed(analysed: Analysed, assessed: Assessed) -> FileFix:
    """Write a FIXED file atomically, keeping its permissions; its verdict afterwards
    (MANUAL when it was replaced by a link or changed since it was read)."""
    fix, files = assessed.fix, analysed.ports.files
    source = analysed.outcome.files[fix.module]
    path = analysed.universe.real_path(source)
    mode: int | None
    try:
        mode = files.mode(path, follow_links=False)
        current = analysed.read(source)
    except (OSError, NotReadable):
        current, mode = b"", None
    if mode is not None and stat.S_ISLNK(mode):
        why = SYMBOLIC_LINK
    elif mode is None or current != assessed.data or fix.rewritten is None:
        why = CHANGED
    else:  # its new text parsed in the rewrite and again in the proof (`proven`)
        files.write_atomic(path, fix.rewritten.encode(assessed.encoding), stat.S_IMODE(mode))
        return fix
    return replace(fix, status=MANUAL, remaining=_left(assessed.target, why), rewritten=None)


def run_fix(
    settings: RunSettings,
    options: FixOptions,
    progress: Progress | None = None,
    rewriting: Callable[[int, int], None] | None = None,
    ports: Ports = DISK,
) -> FixOutcome:
    """Check the repository, then rewrite its violating files (those `options.only`
    selects); with `options.write`, write the ones migrated completely. The files are
    read, written and verified through `ports`."""
    analysed = check_repository(settings, progress, ports=ports)
    check_replacements(settings, analysed)
    warn_unanalysed(analysed.outcome)
    unmatched = unmatched_patterns(analysed.outcome, options.only)
    targets = violating_files(analysed.outcome, options.only)
    assessed = assess_all(analysed, targets, rewriting, settings.jobs, settings.cache_dir)
    verification = None
    if options.write:
        with timed("writing"):
            writable = (FIXED, UNSAFE) if options.unsafe_fixes else (FIXED,)
            fixes = [
                write_fixed(analysed, a) if a.fix.status in writable else a.fix for a in assessed
            ]
        written = [a for a, f in zip(assessed, fixes, strict=True) if f.status in writable]
        if options.verify is not None and written:
            verification = verify(analysed, options.verify, written)
    else:
        fixes = [a.fix for a in assessed]
    return FixOutcome(
        tuple(fixes),
        written=options.write,
        unsafe_fixes=options.unsafe_fixes,
        unmatched_only=unmatched,
        verification=verification,
    )


def verify(analysed: Analysed, command: str, written: Sequence[Assessed]) -> Verification:
    """Run `command` in the repository after `written` were written; when it fails,
    give every one of them its old bytes (and permissions) back."""
    with timed("verifying"):
        run = analysed.ports.commands(command, analysed.universe.root_dir)
    if run.status == 0:
        return Verification(command, 0, run.tail)
    files = analysed.ports.files
    restored, not_restored = [], []
    for a in written:
        path = analysed.universe.real_path(analysed.outcome.files[a.fix.module])
        try:
            mode = stat.S_IMODE(files.mode(path))
            files.write_atomic(path, a.data, mode)
            restored.append(a.fix.file)
        except (OSError, ConfigError) as error:
            logger.error("could not restore %s: %s", a.fix.file, error)
            not_restored.append(a.fix.file)
    return Verification(command, run.status, run.tail, tuple(restored), tuple(not_restored))


def assess_all(
    analysed: Analysed,
    targets: Sequence[Target],
    rewriting: Callable[[int, int], None] | None,
    jobs: int | None = None,
    cache_dir: str | None = None,
) -> list[Assessed]:
    """Every target's verdict, in the targets' order, with progress; the rewrites run in
    `jobs` processes (default: one per core), and with `cache_dir` a module text already
    rewritten (by `plan`, or a dry run) is not analysed again."""
    with timed("rewriting"):
        reads = [read_target(analysed, target) for target in targets]
        pending = [r for r in reads if r.verdict is None]
        cache = analysed.ports.stores.rewrites(cache_dir) if cache_dir else None
        first_party = frozenset(root.split(".")[0] for root in analysed.outcome.roots)
        keys = (
            [
                cache.key_of(r.text, r.target.restricted, r.target.replacements, first_party)
                for r in pending
            ]
            if cache
            else []
        )
        known: dict[int, Rewrite] = {}
        for n, key in enumerate(keys):
            stored = cache.get(key) if cache else None
            if stored is not None:
                known[n] = Rewrite(stored[0], tuple(Remaining(*r) for r in stored[1]))
        todo = [n for n in range(len(pending)) if n not in known]
        tasks = [
            (
                pending[n].text,
                pending[n].target.restricted,
                pending[n].target.replacements,
                first_party,
            )
            for n in todo
        ]
        for n, rewrite in zip(
            todo, rewrite_all(tasks, jobs or default_jobs(), rewriting), strict=True
        ):
            known[n] = rewrite
            if cache:
                cache.put(
                    keys[n], rewrite.text, [(r.line, r.use, r.why) for r in rewrite.remaining]
                )
        if cache:
            logger.info(
                "rewrite cache: %d of %d modules known", len(pending) - len(todo), len(pending)
            )
            cache.save()
        rewrites = iter(known[n] for n in range(len(pending)))
        assessed = [r.verdict or conclude(r, next(rewrites)) for r in reads]
    with timed("proving"):
        return proven(analysed, assessed, jobs or default_jobs())


def proven(analysed: Analysed, assessed: list[Assessed], jobs: int = 1) -> list[Assessed]:
    """`assessed` with each rewrite judged against the repository: a use the replacement
    lacks makes it manual, one it cannot be proven to support unsafe (application/
    fix_proof.py); then a new import that closes an import-time cycle makes it manual."""
    prover = UseProver(analysed)
    reads = read_fixes(
        analysed, [(a.fix, a.target.replacements) for a in assessed if a.fix.status == FIXED], jobs
    )
    judged = []
    for a in assessed:
        read = reads.get(a.fix.module)
        if a.fix.status == FIXED and read is None:  # the new text does not parse here
            judged.append(_manual(a.target, _left(a.target, NO_PARSE), a.fix.original))
            continue
        verdict = prover.verdict(a.fix, a.target.replacements, read) if read else None
        if verdict is None or verdict.status is None:
            judged.append(a)
        elif verdict.status == MANUAL:
            judged.append(_manual(a.target, verdict.remaining, a.fix.original))
        else:
            unsafe = replace(a.fix, status=UNSAFE, remaining=verdict.remaining)
            judged.append(replace(a, fix=unsafe))
    by_module = {a.fix.module: a for a in judged}

    def left(fix: FileFix, why: str) -> FileFix:
        target = by_module[fix.module].target
        return _manual(target, _left(target, why), fix.original).fix

    fixes = without_import_cycles(analysed, [a.fix for a in judged], reads, left)
    return [
        a if fix is a.fix else replace(a, fix=fix, data=b"")
        for a, fix in zip(judged, fixes, strict=True)
    ]
