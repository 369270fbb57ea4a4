"""`report --format markdown`: the architecture report, for a wiki page or a pull request.

Sections: summary, then per contract the compliance table, the systems reach
matrix, the top causes of leaks with the fix-first list, leak chains and laundering;
coverage last. Warnings open the summary and the contract they are about.

The sections and their wording live here once, as blocks (`report_blocks`): headings,
paragraphs, tables and lists, whose text is Markdown, every name from the tree in it
written by markdown_text.py (`code`, `escape`). This module writes them as Markdown
(table cells through `markdown_text.table`), report_html.py reads the explanations back
(`markdown_text.inline_parts`) as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from ssot_arch.domain.findings import (
    ContractReport,
    FixStep,
    FragmentationRow,
    Hop,
    ReportOutcome,
)
from ssot_arch.domain.model import BrokenImport, ContractResult, SourceFile, System
from ssot_arch.formats.common import hop_place, printable
from ssot_arch.formats.markdown_text import code, escape, table

# The report's sections, by heading: the Markdown report writes them and the HTML page
# finds each section's explanations under the same name (explanations()), so a heading
# is named once here and renamed in both at once.
ENTRY_POINTS = "Entry points"
COMPLIANCE = "Compliance"
REACH = "Systems reach"
CAUSES = "Top causes and what to fix first"
CHAINS = "Leak chains"
DYNAMIC = "Dynamic imports"
LAUNDERING = "Laundering"
BROKEN = "Broken imports"
SECTIONS = (ENTRY_POINTS, COMPLIANCE, REACH, CAUSES, CHAINS, DYNAMIC, LAUNDERING, BROKEN)

MAX_ROWS = 25


@dataclass(frozen=True)
class Heading:
    """A heading of `level` 1 to 3."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One line of Markdown text."""

    text: str


@dataclass(frozen=True)
class Cut(Paragraph):
    """What a cut list leaves out, and where to find it: true of the Markdown, not of
    the HTML page, whose tables hold every row (so the page leaves it out)."""


@dataclass(frozen=True)
class Table:
    """A table: a header row, then rows of as many cells (Markdown text, `|` unescaped)."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class ItemList:
    """A bulleted list, or a numbered one."""

    items: Sequence[str]
    ordered: bool = False


Block: TypeAlias = Heading | Paragraph | Table | ItemList


# A long chain shows its first and last hops: where the leak starts, and which
# violator it ends in. The hops between are counted, not listed.
CHAIN_HEAD = 4
CHAIN_TAIL = 4


def chain_text(chain: tuple[Hop, ...]) -> str:
    """`a` (l.1) → `b` (l.3) → `logging`: a chain of imports on one line; a long one
    as its first and last hops around `… (N more) …`."""
    if not chain:
        return ""
    hidden = len(chain) - CHAIN_HEAD - CHAIN_TAIL
    shown = [*chain[:CHAIN_HEAD], *chain[-CHAIN_TAIL:]] if hidden > 0 else list(chain)
    parts = [f"{code(hop.importer)} ({hop_place(hop)})" for hop in shown]
    if hidden > 0:
        parts.insert(CHAIN_HEAD, f"… ({hidden} more) …")
    return " → ".join([*parts, code(chain[-1].imported)])


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    return [f"Warning: {escape(w)}" for w in sorted(warnings)]


def _more(total: int, shown: int, key: str) -> list[Block]:
    """What a cut list leaves out, and where to find all of it."""
    if total <= shown:
        return []
    return [
        Cut(
            f"… and {total - shown} more (all of them: `ssot-arch report --format json`, "
            f"key `{key}`)."
        )
    ]


def _entries(report: ContractReport, systems: tuple[System, ...]) -> list[Block]:
    """What each entry point loads: the systems running together in its process."""
    if not report.entries:
        return []
    header = [
        "Entry point",
        "Modules loaded",
        *[_system(s) for s in systems],
    ]
    rows = []
    chains = []
    for module, entry in sorted(report.entries.items()):
        cells = []
        for system in systems:
            loaded = entry.systems.get(system.name)
            cells.append("–" if loaded is None else f"loaded ({loaded.direct} direct)")
            if loaded is not None and loaded.chain:
                name = escape(system.name)
                chains.append(f"{code(module)} → {name}: {chain_text(loaded.chain)}")
        rows.append([code(module), str(entry.closure_size), *cells])
    return [
        Heading(3, ENTRY_POINTS),
        Paragraph(
            "What importing each entry point loads, through any module: the logging systems "
            'that run together in its process. "N direct": the modules it loads that import '
            "the system themselves, which must change for the process to stop loading it."
        ),
        Table(header, rows),
        Paragraph("One shortest chain to each system loaded:"),
        ItemList(chains),
    ]


def _system(system: System) -> str:
    """A system's column title."""
    return escape(system.name) + (" (SSOT)" if system.ssot else "")


def _compliance(report: ContractReport) -> list[Block]:
    rows = [
        [
            escape(row.group),
            str(row.files),
            str(row.logging_files),
            str(row.compliant_files),
            f"{row.compliance_pct:.1f} %",
            str(row.violations),
            str(row.violating_files),
            row.status,
        ]
        for row in report.compliance
    ]
    header = [
        "Service",
        "Files",
        "Files that log",
        "SSOT-compliant",
        "Compliance",
        "Violations",
        "Violating files",
        "Status",
    ]
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
    return [Heading(3, COMPLIANCE), Paragraph(intro), Table(header, rows)]


def _reach(report: ContractReport, systems: tuple[System, ...]) -> list[Block]:
    header = ["Package", *[_system(s) for s in systems], "Fragmented"]
    rows = []
    for group, row in report.reach.items():
        cells = [f"{row[s.name].direct} / {row[s.name].transitive}" for s in systems]
        rows.append([escape(group), *cells, _fragmented(report.fragmentation.get(group), systems)])
    reaching = [
        (group, system.name, row[system.name])
        for group, row in report.reach.items()
        for system in systems
        if row[system.name].start is not None
    ]
    chains = [
        f"{escape(group)} → {escape(name)}: {chain_text(report.reach_chain(name, cell))}"
        for group, name, cell in reaching[:MAX_ROWS]
    ]
    return [
        Heading(3, REACH),
        Paragraph(
            "Which logging systems each package pulls in. Cells: modules importing the "
            "system directly / modules reaching it (directly or through modules of no "
            "system). Fragmented: the systems a package reaches, and the share of its "
            "files that log importing each one directly (a file importing two counts for "
            "both)."
        ),
        Paragraph(
            "A package reaching a competing system only transitively is fixed where its "
            "chains end, in the modules that import that system directly."
            + _reach_example(report, systems)
        ),
        Table(header, rows),
        Paragraph("Example chains:"),
        ItemList(chains),
        *_more(len(reaching), len(chains), "contracts[].reach (chains: reach_hops)"),
    ]


def _reach_example(report: ContractReport, systems: tuple[System, ...]) -> str:
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


def _fragmented(row: FragmentationRow | None, systems: tuple[System, ...]) -> str:
    """`3 systems: stdlib 60 %, loguru 30 %, ssot 10 %`: how many systems a fragmented
    package reaches, and the share of its logging files importing each directly."""
    if row is None or not row.fragmented:
        return ""
    shares = sorted(
        ((row.share(s.name), s.name) for s in systems if row.by_system.get(s.name)),
        key=lambda share: (-share[0], share[1]),
    )
    text = ", ".join(f"{escape(name)} {_percent(share)}" for share, name in shares)
    return f"{row.systems_reached} systems" + (f": {text}" if text else "")


def _percent(share: float) -> str:
    """A share as a whole percentage; a share that is not nothing never shows as 0 %,
    one that is not everything never as 100 %."""
    if 0 < share < 0.005:
        return "<1 %"
    if 0.995 <= share < 1:
        return ">99 %"
    return f"{round(100 * share)} %"


def _step(step: tuple[int, int] | None) -> str:
    """A cause's place in the fix-first list: `2: removes 476`, or – when not in it."""
    return "–" if step is None else f"{step[0]}: removes {step[1]}"


def _causes(report: ContractReport, files: Mapping[str, SourceFile]) -> list[Block]:
    leaks = report.leaks
    blocks: list[Block] = [Heading(3, CAUSES)]
    if not leaks.leaks:
        return [*blocks, Paragraph("No transitive leaks.")]
    step_of = leaks.fix_first_steps()
    rows = [
        [
            code(c.module),
            escape(files[c.module].path) if c.module in files else "",
            str(c.leaks),
            str(c.fix_impact),
            _step(step_of.get(c.module)),
        ]
        for c in leaks.causes[:MAX_ROWS]
    ]
    blocks += [
        Paragraph(
            "A leak's chain ends in a direct importer of a restricted module: its cause. "
            "Fix impact is how many leaks fixing that module alone removes; a leak whose "
            "modules reach several causes stays until all of them are fixed, so a cause at "
            "the end of many chains can have an impact of 0. The fix-first step is the one "
            "number to follow: fixed in step order, each step removes what it says."
        ),
        Table(
            ["Direct importer", "File", "Leaks ending here", "Fix impact", "Fix-first step"],
            rows,
        ),
    ]
    blocks += _more(len(leaks.causes), len(rows), "contracts[].leak_causes")
    steps = [
        " + ".join(map(code, step.violators))
        + f": removes {step.leaks_removed} (total {step.cumulative})"
        for step in leaks.fix_first
    ]
    if not steps:
        return [*blocks, Paragraph(NO_FIX_ORDER if leaks.removable else NOTHING_REMOVABLE)]
    return [
        *blocks,
        Paragraph(
            "Each step of the fix-first list takes the fix that removes the most leaks given "
            "the steps before it, so a later step can remove more than an earlier one: it "
            "completes leaks whose other causes were fixed before. A step of several "
            "modules removes leaks only when they are fixed together."
            + _fix_first_example(leaks.fix_first)
        ),
        Paragraph(
            f"Fix first ({leaks.removable} of {len(leaks.leaks)} leaks can be removed by "
            "fixing violators"
            + (
                ""
                if leaks.removable == len(leaks.leaks)
                else "; the others end in excluded modules"
            )
            + "):"
        ),
        ItemList(steps, ordered=True),
    ]


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


def _leak_chains(report: ContractReport) -> list[Block]:
    leaks = report.leaks.leaks
    heading = Heading(3, CHAINS)
    if not leaks:
        return [heading, Paragraph("None.")]
    shown = leaks[:MAX_ROWS]
    return [
        heading,
        Paragraph(
            "Every module that reaches a restricted module only through other modules, "
            "with a shortest chain and the line of each import (a long chain shows its "
            "first and last hops). Fix the chain's last module, or cut the chain where a "
            "module needs nothing from the next."
        ),
        ItemList([chain_text(report.leaks.chain(leak.module)) for leak in shown]),
        *_more(len(leaks), len(shown), "contracts[].leaks (chains: via, hops)"),
    ]


def _dynamic_imports(
    result: ContractResult, report: ContractReport, files: Mapping[str, SourceFile]
) -> list[Block]:
    heading = Heading(3, DYNAMIC)
    found = report.dynamic_imports
    if not found:
        return [heading, Paragraph("No call imports a restricted module by a literal name.")]
    counted = (
        "they are violations of this contract (`dynamic_imports = true`)"
        if result.spec.dynamic_imports
        else "set `dynamic_imports = true` in the contract to make them violations"
    )
    rows = [
        [escape(f"{files[d.importer].path}:{d.line}"), code(d.call), code(d.imported)]
        for d in found[:MAX_ROWS]
    ]
    return [
        heading,
        Paragraph(
            "Calls that import a restricted module by a literal name "
            '(`importlib.import_module("logging")`, `__import__("loguru")`): neither '
            f"grimp, import-linter nor ruff sees them; {counted}."
        ),
        Table(["Where", "Call", "Imports"], rows),
        *_more(len(found), len(rows), "contracts[].dynamic_imports"),
    ]


def _laundering(report: ContractReport, files: Mapping[str, SourceFile]) -> list[Block]:
    heading = Heading(3, LAUNDERING)
    if not report.laundering:
        return [
            heading,
            Paragraph("No restricted module or object is re-exported to a non-gateway."),
        ]
    rows = [
        [
            escape(f"{files[i.importer].path}:{i.line}"),
            code(f"from {i.via} import {i.name}"),
            code(i.origin),
        ]
        for i in report.laundering[:MAX_ROWS]
    ]
    return [
        heading,
        Paragraph(
            "Imports of a restricted module, or of one of its objects, through a module "
            "that re-exports it: not direct violations, yet the same dependency. Import "
            "the SSOT's own name instead."
        ),
        Table(["Where", "Import", "Really is"], rows),
        *_more(len(report.laundering), len(rows), "contracts[].laundering"),
    ]


def _contract(result: ContractResult, outcome: ReportOutcome) -> list[Block]:
    spec = result.spec
    report = outcome.reports[spec.id]
    files = outcome.check.files
    state = "kept" if result.kept else "broken"
    head: list[Block] = [
        Heading(2, f"{escape(spec.name)} ({code(spec.id)})"),
        Paragraph(
            f"Contract {state}: {len(result.violations)} direct violations in "
            f"{len({v.file for v in result.violations})} files, {len(report.leaks.leaks)} "
            f"transitive leaks, {len(report.laundering)} laundered imports."
        ),
    ]
    head += _ssot_systems(outcome.systems[spec.id])
    if result.warnings:
        head.append(ItemList(_warnings(result.warnings)))
    return [
        *head,
        *_entries(report, outcome.systems[spec.id]),
        *_compliance(report),
        *_reach(report, outcome.systems[spec.id]),
        *_causes(report, files),
        *_leak_chains(report),
        *_laundering(report, files),
        *_dynamic_imports(result, report, files),
    ]


def contract_blocks(result: ContractResult, outcome: ReportOutcome) -> list[Block]:
    """One contract's sections, as blocks."""
    return _contract(result, outcome)


def broken_imports_blocks(outcome: ReportOutcome) -> list[Block]:
    """The broken imports section, as blocks."""
    return _broken_imports(outcome)


def explanations(blocks: Sequence[Block]) -> dict[str, list[str]]:
    """The paragraphs that explain each section (not those leading into a list, which
    end with a colon, nor what a cut list leaves out), by the text of the heading they
    follow ("" before any)."""
    found: dict[str, list[str]] = {"": []}
    heading = ""
    for block in blocks:
        if isinstance(block, Heading):
            heading = block.text
            found.setdefault(heading, [])
        elif (
            isinstance(block, Paragraph)
            and not isinstance(block, Cut)
            and not block.text.endswith(":")
        ):
            found[heading].append(block.text)
    return found


def _broken_imports(outcome: ReportOutcome) -> list[Block]:
    broken = outcome.broken_imports
    heading = Heading(2, BROKEN)
    if not broken:
        return [heading, Paragraph("Every first-party module an import names exists.")]
    files = outcome.check.files
    guarded = sum(1 for b in broken if b.guarded)
    by_root: dict[str, list[BrokenImport]] = {}
    by_name: dict[str, list[BrokenImport]] = {}
    for b in broken:
        by_root.setdefault(files[b.importer].root, []).append(b)
        by_name.setdefault(b.name, []).append(b)
    services = [
        [
            escape(root),
            str(len(found)),
            str(sum(1 for b in found if not b.guarded)),
            str(sum(1 for b in found if b.guarded)),
            str(len({b.importer for b in found})),
        ]
        for root, found in sorted(by_root.items())
    ]
    names = sorted(by_name.items(), key=lambda item: (-len(item[1]), item[0]))
    missing = [
        [code(name), str(len(found)), code(found[0].ancestor or "–"), escape(found[0].reason)]
        for name, found in names[:MAX_ROWS]
    ]
    return [
        heading,
        Paragraph(
            f"{len(broken)} import statements in {len({b.importer for b in broken})} modules "
            f"name a first-party module that does not exist ({guarded} guarded by a `try` "
            "catching `ImportError`, or `suppress`): each raises `ModuleNotFoundError` when "
            "it runs, unless guarded. For the analyses, each is an import of its nearest "
            "existing ancestor, which Python runs before it raises."
        ),
        Table(["Service", "Broken imports", "Unguarded", "Guarded", "Modules"], services),
        Paragraph("By missing module, most imported first:"),
        Table(["Missing module", "Statements", "Nearest existing", "Why"], missing),
        *_more(len(names), len(missing), "broken_imports"),
    ]


def _ssot_systems(systems: tuple[System, ...]) -> list[Block]:
    """Which systems the report takes as the SSOT, and why; the others compete."""
    ssot = [escape(f"{s.name} ({s.why})" if s.why else s.name) for s in systems if s.ssot]
    others = [escape(s.name) for s in systems if not s.ssot]
    if not systems:
        return []
    text = f"SSOT systems: {', '.join(ssot) if ssot else 'none'}."
    if others:
        text += f" Competing: {', '.join(others)}."
    if not ssot:
        text += (
            " With no SSOT system, every service is 0 % compliant: name the SSOT with "
            "`ssot_systems` (`--ssot-system`), or a gateway inside one of the systems."
        )
    return [Paragraph(text)]


def _coverage(outcome: ReportOutcome) -> list[Block]:
    coverage = outcome.check.coverage
    blocks: list[Block] = [
        Heading(2, "Coverage"),
        Paragraph(f"{coverage.files_analyzed} of {coverage.files_total} files analysed."),
    ]
    for title, items in (
        ("Not analysed", [f"{code(u.file)}: {escape(u.reason)}" for u in coverage.unanalyzed]),
        (
            "Relative imports beyond the top-level package",
            [
                f"{code(f'{u.file}:{u.line}')}: {code(u.line_contents)}"
                for u in coverage.unresolved_imports
            ],
        ),
        (
            "Analysed although not importable",
            [
                f"{code(f.path)} ({escape(f.kind.value)}, as {code(f.module)})"
                for f in coverage.not_importable
            ],
        ),
        (
            "Folders skipped",
            [
                f"{code(s.path)} ({escape(s.rule)}, {s.python_files} Python files)"
                for s in coverage.skipped_dirs
            ],
        ),
        (
            "Files not read",
            [f"{code(s.path)}: {escape(s.reason)}" for s in sorted(coverage.skipped_files)],
        ),
    ):
        if items:
            blocks += [Paragraph(f"{title}:"), ItemList(items)]
    return blocks


def report_blocks(outcome: ReportOutcome) -> list[Block]:
    """The report's sections, in order, as blocks."""
    check = outcome.check
    violations = sum(len(r.violations) for r in check.contracts)
    leaks = sum(len(r.leaks.leaks) for r in outcome.reports.values())
    fragmented = sorted({g for r in outcome.reports.values() for g in r.fragmented})
    summary = [
        f"Files analysed: {check.coverage.files_analyzed} of {check.coverage.files_total} "
        f"(roots: {', '.join(map(escape, check.roots))})",
        f"Contracts: {len(check.contracts)}, {sum(1 for r in check.contracts if r.kept)} kept",
        f"Direct violations: {violations}",
        f"Transitive leaks: {leaks}",
        f"Fragmented packages (reaching more than one system): "
        f"{', '.join(map(escape, fragmented)) if fragmented else 'none'}",
        *_warnings(check.warnings),
    ]
    blocks: list[Block] = [
        Heading(1, "ssot-arch report"),
        Heading(2, "Summary"),
        ItemList(summary),
    ]
    for result in sorted(check.contracts, key=lambda r: r.spec.id):
        blocks += _contract(result, outcome)
    return [*blocks, *_broken_imports(outcome), *_coverage(outcome)]


def _markdown(block: Block) -> list[str]:
    """The block's lines, then a blank line."""
    if isinstance(block, Heading):
        lines = ["#" * block.level + " " + block.text]
    elif isinstance(block, Paragraph):
        lines = [block.text]
    elif isinstance(block, Table):
        lines = table(block.header, block.rows)
    elif block.ordered:
        lines = [f"{n}. {item}" for n, item in enumerate(block.items, 1)]
    else:
        lines = [f"- {item}" for item in block.items]
    return [*lines, ""]


def render(outcome: ReportOutcome, color: bool = False) -> str:
    """The architecture report as a Markdown page."""
    lines = [line for block in report_blocks(outcome) for line in _markdown(block)]
    # Whatever the names hold, each line stays one line.
    return "\n".join(map(printable, lines)).rstrip("\n") + "\n"
