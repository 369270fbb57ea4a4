"""`report --format markdown`: the architecture report, for a wiki page or a pull request.

Sections: summary, then per contract the compliance table, the systems reach
matrix, the top causes of leaks with the fix-first list, leak chains and laundering;
coverage last. Warnings open the summary and the contract they are about.

The sections' titles, explanations and table columns come from report_model.py, which
the HTML page renders too. This module lays them out as blocks (`report_blocks`):
headings, paragraphs, tables of the first rows of each list, and lists, whose text is
Markdown, every name from the tree in it written by markdown_text.py (`code`, `escape`);
then writes the blocks (table cells through `markdown_text.table`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from ssot_arch.domain.findings import ContractReport, FragmentationRow, Hop, ReportOutcome
from ssot_arch.domain.model import BrokenImport, SourceFile, System
from ssot_arch.formats.common import hop_place, printable
from ssot_arch.formats.markdown_text import code, escape, table
from ssot_arch.formats.report_model import (
    BROKEN_IMPORTS,
    CALL,
    COMPLIANCE_COLUMNS,
    COVERAGE,
    DIRECT_IMPORTER,
    ENTRY_POINT,
    FILE,
    FIX_FIRST_STEP,
    FIX_IMPACT,
    FRAGMENTED,
    GUARDED,
    IMPORT,
    IMPORTS,
    LEAKS_ENDING_HERE,
    MISSING_MODULE,
    MODULES,
    MODULES_LOADED,
    NEAREST_EXISTING,
    PACKAGE,
    REALLY_IS,
    SERVICE,
    STATEMENTS,
    UNGUARDED,
    WHERE,
    WHY,
    Column,
    ContractSections,
    Section,
    report_sections,
    system_title,
)

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


def _section(section: Section, level: int = 3) -> list[Block]:
    """A section's heading and the paragraphs explaining it."""
    return [Heading(level, escape(section.title)), *map(Paragraph, section.explanations)]


def _header(*columns: Column) -> list[str]:
    """A table's header row: its columns' titles, as Markdown text."""
    return [escape(column.title) for column in columns]


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
        Paragraph(
            f"… and {total - shown} more (all of them: `ssot-arch report --format json`, "
            f"key `{key}`)."
        )
    ]


def _entries(
    section: Section | None, report: ContractReport, systems: tuple[System, ...]
) -> list[Block]:
    """What each entry point loads: the systems running together in its process."""
    if section is None:
        return []
    header = [
        *_header(ENTRY_POINT, MODULES_LOADED),
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
        *_section(section),
        Table(header, rows),
        Paragraph("One shortest chain to each system loaded:"),
        ItemList(chains),
    ]


def _system(system: System) -> str:
    """A system's column title."""
    return escape(system_title(system))


def _compliance(section: Section, report: ContractReport) -> list[Block]:
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
    return [*_section(section), Table(_header(*COMPLIANCE_COLUMNS), rows)]


def _reach(section: Section, report: ContractReport, systems: tuple[System, ...]) -> list[Block]:
    header = [*_header(PACKAGE), *[_system(s) for s in systems], *_header(FRAGMENTED)]
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
        *_section(section),
        Table(header, rows),
        Paragraph("Example chains:"),
        ItemList(chains),
        *_more(len(reaching), len(chains), "contracts[].reach (chains: reach_hops)"),
    ]


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


def _causes(
    sections: ContractSections, report: ContractReport, files: Mapping[str, SourceFile]
) -> list[Block]:
    """The causes table, then the fix-first list (or why there is none)."""
    leaks = report.leaks
    blocks = _section(sections.causes)
    if not leaks.leaks:
        return blocks
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
    header = _header(DIRECT_IMPORTER, FILE, LEAKS_ENDING_HERE, FIX_IMPACT, FIX_FIRST_STEP)
    blocks += [
        Table(header, rows),
        *_more(len(leaks.causes), len(rows), "contracts[].leak_causes"),
        *map(Paragraph, sections.fix_first),
    ]
    if not leaks.fix_first:
        return blocks
    steps = [
        " + ".join(map(code, step.violators))
        + f": removes {step.leaks_removed} (total {step.cumulative})"
        for step in leaks.fix_first
    ]
    return [
        *blocks,
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


def _leak_chains(section: Section, report: ContractReport) -> list[Block]:
    leaks = report.leaks.leaks
    if not leaks:
        return _section(section)
    shown = leaks[:MAX_ROWS]
    return [
        *_section(section),
        ItemList([chain_text(report.leaks.chain(leak.module)) for leak in shown]),
        *_more(len(leaks), len(shown), "contracts[].leaks (chains: via, hops)"),
    ]


def _dynamic_imports(
    section: Section, report: ContractReport, files: Mapping[str, SourceFile]
) -> list[Block]:
    found = report.dynamic_imports
    if not found:
        return _section(section)
    rows = [
        [escape(f"{files[d.importer].path}:{d.line}"), code(d.call), code(d.imported)]
        for d in found[:MAX_ROWS]
    ]
    return [
        *_section(section),
        Table(_header(WHERE, CALL, IMPORTS), rows),
        *_more(len(found), len(rows), "contracts[].dynamic_imports"),
    ]


def _laundering(
    section: Section, report: ContractReport, files: Mapping[str, SourceFile]
) -> list[Block]:
    if not report.laundering:
        return _section(section)
    rows = [
        [
            escape(f"{files[i.importer].path}:{i.line}"),
            code(f"from {i.via} import {i.name}"),
            code(i.origin),
        ]
        for i in report.laundering[:MAX_ROWS]
    ]
    return [
        *_section(section),
        Table(_header(WHERE, IMPORT, REALLY_IS), rows),
        *_more(len(report.laundering), len(rows), "contracts[].laundering"),
    ]


def _contract(sections: ContractSections, outcome: ReportOutcome) -> list[Block]:
    result = sections.result
    spec = result.spec
    report = outcome.reports[spec.id]
    systems = outcome.systems[spec.id]
    files = outcome.check.files
    head: list[Block] = [
        Heading(2, f"{escape(spec.name)} ({code(spec.id)})"),
        *map(Paragraph, sections.summary),
    ]
    if result.warnings:
        head.append(ItemList(_warnings(result.warnings)))
    return [
        *head,
        *_entries(sections.entries, report, systems),
        *_compliance(sections.compliance, report),
        *_reach(sections.reach, report, systems),
        *_causes(sections, report, files),
        *_leak_chains(sections.chains, report),
        *_laundering(sections.laundering, report, files),
        *_dynamic_imports(sections.dynamic, report, files),
    ]


def _broken_imports(section: Section, outcome: ReportOutcome) -> list[Block]:
    broken = outcome.broken_imports
    if not broken:
        return _section(section, level=2)
    files = outcome.check.files
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
        *_section(section, level=2),
        Table(
            _header(SERVICE, BROKEN_IMPORTS, UNGUARDED, GUARDED, MODULES),
            services,
        ),
        Paragraph("By missing module, most imported first:"),
        Table(
            _header(MISSING_MODULE, STATEMENTS, NEAREST_EXISTING, WHY),
            missing,
        ),
        *_more(len(names), len(missing), "broken_imports"),
    ]


def _coverage(outcome: ReportOutcome) -> list[Block]:
    coverage = outcome.check.coverage
    blocks: list[Block] = [
        Heading(2, escape(COVERAGE)),
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
    sections = report_sections(outcome)
    for contract in sections.contracts:
        blocks += _contract(contract, outcome)
    return [*blocks, *_broken_imports(sections.broken, outcome), *_coverage(outcome)]


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
