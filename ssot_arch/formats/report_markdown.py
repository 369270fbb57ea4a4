"""`report --format markdown`: the architecture report, for a wiki page or a pull request.

Sections: summary, then per contract the compliance table, the systems reach
matrix, the top causes of leaks with the fix-first list, leak chains and laundering;
coverage last. Warnings open the summary and the contract they are about.
"""

from __future__ import annotations

from ssot_arch.application.report import ReportOutcome
from ssot_arch.domain.findings import ContractReport, Hop
from ssot_arch.domain.model import ContractResult, System
from ssot_arch.formats.common import printable

MAX_ROWS = 25


def chain_text(chain: tuple[Hop, ...]) -> str:
    if not chain:
        return ""
    parts = [f"`{hop.importer}` (l.{hop.line})" for hop in chain]
    return " → ".join([*parts, f"`{chain[-1].imported}`"])


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    return [f"- Warning: {w}" for w in sorted(warnings)]


def _more(total: int, shown: int) -> list[str]:
    return (
        ["", f"… and {total - shown} more (all of them in `--format json`)."]
        if total > shown
        else []
    )


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _compliance(report: ContractReport) -> list[str]:
    rows = [
        [
            row.group,
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
    return ["### Compliance", "", *_table(header, rows), ""]


def _reach(report: ContractReport, systems: tuple[System, ...]) -> list[str]:
    header = ["Package", *[s.name + (" (SSOT)" if s.ssot else "") for s in systems], "Fragmented"]
    rows = []
    for group, row in report.reach.items():
        cells = [f"{row[s.name].direct} / {row[s.name].transitive}" for s in systems]
        rows.append([group, *cells, "yes" if group in report.fragmented else ""])
    lines = [
        "### Systems reach",
        "",
        "Cells: modules importing the system directly / modules reaching it.",
        "",
        *_table(header, rows),
        "",
        "Example chains:",
        "",
    ]
    for group, row in report.reach.items():
        for system in systems:
            cell = row[system.name]
            if cell.chain:
                lines.append(f"- {group} → {system.name}: {chain_text(cell.chain)}")
    return [*lines, ""]


def _causes(report: ContractReport, files: dict) -> list[str]:
    leaks = report.leaks
    lines = ["### Top causes and what to fix first", ""]
    if not leaks.leaks:
        return [*lines, "No transitive leaks.", ""]
    rows = [
        [
            f"`{c.module}`",
            files[c.module].path if c.module in files else "",
            str(c.leaks),
            str(c.fix_impact),
        ]
        for c in leaks.causes[:MAX_ROWS]
    ]
    lines += _table(["Direct importer", "File", "Leaks ending here", "Fix impact"], rows)
    lines += _more(len(leaks.causes), len(rows))
    lines += [
        "",
        f"Fix first ({leaks.removable} of {len(leaks.leaks)} leaks can be removed by "
        "fixing violators; greedy order, exact counts):",
        "",
    ]
    for n, step in enumerate(leaks.fix_first, 1):
        together = " + ".join(f"`{v}`" for v in step.violators)
        lines.append(f"{n}. {together}: removes {step.leaks_removed} (total {step.cumulative})")
    return [*lines, ""]


def _leak_chains(report: ContractReport) -> list[str]:
    leaks = report.leaks.leaks
    lines = ["### Leak chains", ""]
    if not leaks:
        return [*lines, "None.", ""]
    shown = leaks[:MAX_ROWS]
    lines += [f"- {chain_text(leak.chain)}" for leak in shown]
    return [*lines, *_more(len(leaks), len(shown)), ""]


def _laundering(report: ContractReport, files: dict) -> list[str]:
    lines = ["### Laundering", ""]
    if not report.laundering:
        return [*lines, "No restricted module or object is re-exported to a non-gateway.", ""]
    rows = [
        [f"{files[i.importer].path}:{i.line}", f"`from {i.via} import {i.name}`", f"`{i.origin}`"]
        for i in report.laundering[:MAX_ROWS]
    ]
    lines += _table(["Where", "Import", "Really is"], rows)
    return [*lines, *_more(len(report.laundering), len(rows)), ""]


def _contract(result: ContractResult, outcome: ReportOutcome) -> list[str]:
    spec = result.spec
    report = outcome.reports[spec.id]
    files = outcome.check.files
    state = "kept" if result.kept else "broken"
    head = [
        f"## {spec.name} (`{spec.id}`)",
        "",
        f"Contract {state}: {len(result.violations)} direct violations in "
        f"{len({v.file for v in result.violations})} files, {len(report.leaks.leaks)} "
        f"transitive leaks, {len(report.laundering)} laundered imports.",
        "",
    ]
    if result.warnings:
        head += [*_warnings(result.warnings), ""]
    return [
        *head,
        *_compliance(report),
        *_reach(report, outcome.systems[spec.id]),
        *_causes(report, files),
        *_leak_chains(report),
        *_laundering(report, files),
    ]


def _coverage(outcome: ReportOutcome) -> list[str]:
    coverage = outcome.check.coverage
    lines = [
        "## Coverage",
        "",
        f"{coverage.files_analyzed} of {coverage.files_total} files analysed.",
        "",
    ]
    for title, items in (
        ("Not analysed", [f"- `{u.file}`: {u.reason}" for u in coverage.unanalyzed]),
        (
            "Relative imports beyond the top-level package",
            [f"- `{u.file}:{u.line}`: `{u.line_contents}`" for u in coverage.unresolved_imports],
        ),
        (
            "Analysed although not importable",
            [f"- `{f.path}` ({f.kind.value}, as `{f.module}`)" for f in coverage.not_importable],
        ),
        (
            "Folders skipped",
            [
                f"- `{s.path}` ({s.rule}, {s.python_files} Python files)"
                for s in coverage.skipped_dirs
            ],
        ),
        (
            "Files not read",
            [f"- `{s.path}`: {s.reason}" for s in sorted(coverage.skipped_files)],
        ),
    ):
        if items:
            lines += [f"{title}:", "", *items, ""]
    return lines


def render(outcome: ReportOutcome, color: bool = False) -> str:
    check = outcome.check
    violations = sum(len(r.violations) for r in check.contracts)
    leaks = sum(len(r.leaks.leaks) for r in outcome.reports.values())
    fragmented = sorted({g for r in outcome.reports.values() for g in r.fragmented})
    lines = [
        "# ssot-arch report",
        "",
        "## Summary",
        "",
        f"- Files analysed: {check.coverage.files_analyzed} of {check.coverage.files_total} "
        f"(roots: {', '.join(check.roots)})",
        f"- Contracts: {len(check.contracts)}, {sum(1 for r in check.contracts if r.kept)} kept",
        f"- Direct violations: {violations}",
        f"- Transitive leaks: {leaks}",
        f"- Fragmented packages (reaching more than one system): "
        f"{', '.join(fragmented) if fragmented else 'none'}",
        *_warnings(check.warnings),
        "",
    ]
    for result in sorted(check.contracts, key=lambda r: r.spec.id):
        lines += _contract(result, outcome)
    lines += _coverage(outcome)
    # Each entry is one line (the HTML format relies on it too): whatever the names
    # hold, it stays one line.
    return "\n".join(map(printable, lines)).rstrip("\n") + "\n"
