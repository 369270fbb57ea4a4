"""The architecture report's model, which both report pages render: its sections (id,
title, the paragraphs explaining each) and its tables' columns (title, and how the page
shows the cells), each declared once here and built once from the findings.

report_markdown.py writes the model as Markdown, report_html.py as an HTML page; neither
names a section, explains one or titles a column itself, so renaming one here renames
it in both, and neither can lose the other's text.

Explanations are Markdown text, every name from the tree in them written by
markdown_text.py (`code`, `escape`): the Markdown report writes them as they are, the
page reads them back (`markdown_text.inline_parts`) as HTML. Several read their section
on its own data ("For example, ..."), hence built from the findings.

The formats lay a section's findings out differently: the Markdown report a few rows
of each list, one line per cell, and the JSON for the rest; the page every row, each
module linked to its file, and sections of its own (the leaks by cause, the direct
violations). So each format picks, for each of its tables, its columns from those
declared here: a column has one title and one kind wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ssot_arch.domain.findings import ContractReport, FixStep, ReportOutcome
from ssot_arch.domain.model import ContractResult, System
from ssot_arch.formats.markdown_text import code, escape


@dataclass(frozen=True)
class Column:
    """A table column: its title (plain text), and its kind, which says how the page
    shows its cells (html/report.js: text, code, num, pct, status, module, modules,
    path, chain). The Markdown report writes every cell as text."""

    title: str
    kind: str = "text"


SERVICE = Column("Service")
PACKAGE = Column("Package")
FILES = Column("Files", "num")
FILES_THAT_LOG = Column("Files that log", "num")
SSOT_COMPLIANT = Column("SSOT-compliant", "num")
COMPLIANCE_SHARE = Column("Compliance", "pct")
VIOLATIONS = Column("Violations", "num")
VIOLATING_FILES = Column("Violating files", "num")
STATUS = Column("Status", "status")
ENTRY_POINT = Column("Entry point", "module")
MODULES_LOADED = Column("Modules loaded", "num")
SYSTEM = Column("System")
DIRECT = Column("Direct", "num")
FRAGMENTED = Column("Fragmented")
DIRECT_IMPORTER = Column("Direct importer", "module")
LEAKS_ENDING_HERE = Column("Leaks ending here", "num")
FIX_IMPACT = Column("Fix impact", "num")
VIOLATOR = Column("Violator")
FIX_FIRST_STEP = Column("Fix-first step", "num")
REMOVED_AT_STEP = Column("Removed at that step", "num")
STEP = Column("Step", "num")
FIX = Column("Fix", "modules")
REMOVES = Column("Removes", "num")
TOTAL = Column("Total", "num")
MODULE = Column("Module", "module")
LINE = Column("Line", "num")  # the page links the `module` or `path` column before it there
FILE = Column("File", "path")
WHERE = Column("Where")  # `path:line`, in one cell
CHAIN_LENGTH = Column("Chain length", "num")
CAUSE = Column("Cause", "module")
SHORTEST_CHAIN = Column("Shortest chain", "chain")  # the page draws a leak's chain
CHAIN_WORDS = replace(SHORTEST_CHAIN, kind="text")  # an entry point's chain, as words
IMPORTS = Column("Imports", "code")
STATEMENT = Column("Statement", "code")
AGAINST_BASELINE = Column("Against the baseline")
IMPORT = Column("Import", "code")
REALLY_IS = Column("Really is", "code")
CALL = Column("Call", "code")
BROKEN_IMPORTS = Column("Broken imports", "num")
UNGUARDED = Column("Unguarded", "num")
GUARDED = Column("Guarded")
MODULES = Column("Modules", "num")
MISSING_MODULE = Column("Missing module", "code")
STATEMENTS = Column("Statements", "num")
NEAREST_EXISTING = Column("Nearest existing", "code")
WHY = Column("Why")
WHAT = Column("What")
DETAIL = Column("Detail")

# The one table both formats show whole.
COMPLIANCE_COLUMNS = (
    SERVICE,
    FILES,
    FILES_THAT_LOG,
    SSOT_COMPLIANT,
    COMPLIANCE_SHARE,
    VIOLATIONS,
    VIOLATING_FILES,
    STATUS,
)


def system_title(system: System) -> str:
    """The title of a system's column (and of its row in a figure), plain text."""
    return f"{system.name} (SSOT)" if system.ssot else system.name


@dataclass(frozen=True)
class Section:
    """A section both formats show: its id (the page's anchors), its title (plain text),
    and the paragraphs explaining it (Markdown text)."""

    id: str
    title: str
    explanations: tuple[str, ...]


@dataclass(frozen=True)
class ContractSections:
    """One contract's sections, in the order both formats show them. `fix_first`: the
    causes section's paragraphs on the fix-first list (or on why there is none), which
    the Markdown report writes after the causes table, the page before its chart."""

    result: ContractResult
    summary: tuple[str, ...]  # the verdict's figures and the SSOT systems, first of all
    entries: Section | None  # only when the report is asked about entry points
    compliance: Section
    reach: Section
    causes: Section
    fix_first: tuple[str, ...]
    chains: Section
    laundering: Section
    dynamic: Section


@dataclass(frozen=True)
class ReportSections:
    """The report's sections: each contract's, in the order of their ids, then the broken
    imports. Coverage comes last, titled `COVERAGE`: each format lists it its own way."""

    contracts: tuple[ContractSections, ...]
    broken: Section


COVERAGE = "Coverage"


def report_sections(outcome: ReportOutcome) -> ReportSections:
    """The report's sections, from its findings."""
    contracts = sorted(outcome.check.contracts, key=lambda r: r.spec.id)
    return ReportSections(
        tuple(_contract(result, outcome) for result in contracts), _broken(outcome)
    )


def _contract(result: ContractResult, outcome: ReportOutcome) -> ContractSections:
    report = outcome.reports[result.spec.id]
    causes, fix_first = _causes(report)
    return ContractSections(
        result,
        summary=_summary(result, report, outcome.systems[result.spec.id]),
        entries=_entries(report),
        compliance=_compliance(report),
        reach=_reach(report, outcome.systems[result.spec.id]),
        causes=causes,
        fix_first=fix_first,
        chains=_chains(report),
        laundering=_laundering(report),
        dynamic=_dynamic(result, report),
    )


def _summary(
    result: ContractResult, report: ContractReport, systems: Sequence[System]
) -> tuple[str, ...]:
    """The contract's verdict in figures, then which systems are the SSOT and why (the
    others compete)."""
    state = "kept" if result.kept else "broken"
    verdict = (
        f"Contract {state}: {len(result.violations)} direct violations in "
        f"{len({v.file for v in result.violations})} files, {len(report.leaks.leaks)} "
        f"transitive leaks, {len(report.laundering)} laundered imports."
    )
    if not systems:
        return (verdict,)
    ssot = [escape(f"{s.name} ({s.why})" if s.why else s.name) for s in systems if s.ssot]
    others = [escape(s.name) for s in systems if not s.ssot]
    text = f"SSOT systems: {', '.join(ssot) if ssot else 'none'}."
    if others:
        text += f" Competing: {', '.join(others)}."
    if not ssot:
        text += (
            " With no SSOT system, every service is 0 % compliant: name the SSOT with "
            "`ssot_systems` (`--ssot-system`), or a gateway inside one of the systems."
        )
    return verdict, text


def _entries(report: ContractReport) -> Section | None:
    if not report.entries:
        return None
    return Section(
        "entries",
        "Entry points",
        (
            "What importing each entry point loads, through any module: the logging systems "
            'that run together in its process. "N direct": the modules it loads that import '
            "the system themselves, which must change for the process to stop loading it.",
        ),
    )


def _compliance(report: ContractReport) -> Section:
    intro = (
        "Per service: of its files that import a logging system directly, and its "
        'violators ("files that log"), the share that import only SSOT systems and violate '
        "nothing (rounded down: a violation is never rounded away). The violating files are "
        "the work left: each one imports a restricted module itself."
    )
    worst = min(
        (row for row in report.compliance if row.violations),
        key=lambda row: (row.compliance_pct, -row.violations, row.group),
        default=None,
    )
    if worst is not None:
        intro += (
            f" For example, {escape(worst.group)}: {worst.compliant_files} of its "
            f"{worst.logging_files} files that log go through the SSOT only "
            f"({worst.compliance_pct:.1f} %), and {worst.violating_files} files import a "
            f"restricted module ({worst.violations} imports)."
        )
    return Section("compliance", "Compliance", (intro,))


def _reach(report: ContractReport, systems: Sequence[System]) -> Section:
    return Section(
        "reach",
        "Systems reach",
        (
            "Which logging systems each package pulls in. Cells: modules importing the "
            "system directly / modules reaching it (directly or through modules of no "
            "system). Fragmented: the systems a package reaches, and the share of its "
            "files that log importing each one directly (a file importing two counts for "
            "both).",
            "A package reaching a competing system only transitively is fixed where its "
            "chains end, in the modules that import that system directly."
            + _reach_example(report, systems),
        ),
    )


def _reach_example(report: ContractReport, systems: Sequence[System]) -> str:
    """A sentence reading one cell of the matrix: the competing system reached through
    the most modules, with the fewest direct importers among those."""
    cells = [
        (cell.transitive, -cell.direct, group, system.name, cell)
        for group, row in report.reach.items()
        for system in systems
        if not system.ssot and (cell := row[system.name]).transitive > cell.direct
    ]
    if not cells:
        return ""
    *_, group, name, cell = max(cells, key=lambda c: (c[0], c[1], c[2]))
    return (
        f" For example, {cell.transitive} modules of {escape(group)} reach {escape(name)}, only "
        f"{cell.direct} of them by importing it: the others reach it through those or "
        "through other packages' modules."
    )


def _causes(report: ContractReport) -> tuple[Section, tuple[str, ...]]:
    """The causes section, and its paragraphs on the fix-first list."""
    leaks = report.leaks
    title = "Top causes and what to fix first"
    if not leaks.leaks:
        return Section("causes", title, ("No transitive leaks.",)), ()
    causes = Section(
        "causes",
        title,
        (
            "A leak's chain ends in a direct importer of a restricted module: its cause. "
            "Fix impact is how many leaks fixing that module alone removes; a leak whose "
            "modules reach several causes stays until all of them are fixed, so a cause at "
            "the end of many chains can have an impact of 0. The fix-first step is the one "
            "number to follow: fixed in step order, each step removes what it says.",
        ),
    )
    if not leaks.fix_first:
        return causes, (NO_FIX_ORDER if leaks.removable else NOTHING_REMOVABLE,)
    return causes, (
        "Each step of the fix-first list takes the fix that removes the most leaks given "
        "the steps before it, so a later step can remove more than an earlier one: it "
        "completes leaks whose other causes were fixed before. A step of several "
        "modules removes leaks only when they are fixed together."
        + _fix_first_example(leaks.fix_first),
    )


# Leaks with more than 64 causes are left out of the fix-first search (analysis/leaks.py).
NO_FIX_ORDER = (
    "No fix-first list: every leak reaches more than 64 direct importers of restricted "
    "modules, and stops only when all of them are fixed. Work down the table above: the "
    "direct importers at the end of the most chains first."
)

NOTHING_REMOVABLE = (
    "No fix-first list: every leak reaches a direct importer that the contract excludes, "
    "so fixing violators removes none of them."
)


def _fix_first_example(steps: Sequence[FixStep]) -> str:
    """A sentence reading the fix-first list on its own data."""
    together = next((s for s in steps if len(s.violators) > 1 and s.leaks_removed), None)
    if together is not None:
        *first, last = map(code, together.violators)
        alone = "neither removes" if len(first) == 1 else "none of them removes"
        return (
            f" For example, fixing {', '.join(first)} and {last} together removes "
            f"{_leaks(together.leaks_removed)} that {alone} alone."
        )
    for number, (before, step) in enumerate(zip(steps, steps[1:], strict=False), 2):
        if step.leaks_removed > before.leaks_removed:
            return (
                f" For example, step {number} ({code(step.violators[0])}) removes "
                f"{_leaks(step.leaks_removed)}, more than step {number - 1}: leaks that also "
                "needed the fixes before it."
            )
    return ""


def _leaks(count: int) -> str:
    return f"{count} leak" if count == 1 else f"{count} leaks"


def _chains(report: ContractReport) -> Section:
    explanation = (
        "Every module that reaches a restricted module only through other modules, "
        "with a shortest chain and the line of each import (a long chain shows its "
        "first and last hops). Fix the chain's last module, or cut the chain where a "
        "module needs nothing from the next."
    )
    return Section("chains", "Leak chains", (explanation if report.leaks.leaks else "None.",))


def _laundering(report: ContractReport) -> Section:
    explanation = (
        "Imports of a restricted module, or of one of its objects, through a module "
        "that re-exports it: not direct violations, yet the same dependency. Import "
        "the SSOT's own name instead."
        if report.laundering
        else "No restricted module or object is re-exported to a non-gateway."
    )
    return Section("laundering", "Laundering", (explanation,))


def _dynamic(result: ContractResult, report: ContractReport) -> Section:
    counted = (
        "they are violations of this contract (`dynamic_imports = true`)"
        if result.spec.dynamic_imports
        else "set `dynamic_imports = true` in the contract to make them violations"
    )
    explanation = (
        "Calls that import a restricted module by a literal name "
        '(`importlib.import_module("logging")`, `__import__("loguru")`): neither '
        f"grimp, import-linter nor ruff sees them; {counted}."
        if report.dynamic_imports
        else "No call imports a restricted module by a literal name."
    )
    return Section("dynamic", "Dynamic imports", (explanation,))


def _broken(outcome: ReportOutcome) -> Section:
    broken = outcome.broken_imports
    guarded = sum(1 for b in broken if b.guarded)
    explanation = (
        f"{len(broken)} import statements in {len({b.importer for b in broken})} modules "
        f"name a first-party module that does not exist ({guarded} guarded by a `try` "
        "catching `ImportError`, or `suppress`): each raises `ModuleNotFoundError` when "
        "it runs, unless guarded. For the analyses, each is an import of its nearest "
        "existing ancestor, which Python runs before it raises."
        if broken
        else "Every first-party module an import names exists."
    )
    return Section("broken", "Broken imports", (explanation,))
