"""`check --format markdown`: a short summary for a CI job summary or a pull-request comment."""

from __future__ import annotations

from collections import Counter

from ssot_arch.domain.graph_view import EXTERNAL, MODULE, PACKAGE, GraphView, ViewEdge, ViewNode
from ssot_arch.domain.model import CheckOutcome, ContractResult
from ssot_arch.formats.common import (
    files_analysed,
    gate_counts,
    plural,
    printable,
    stale_message,
    violation_message,
)
from ssot_arch.formats.markdown_text import code, escape, table

MAX_LISTED = 50
# A pull-request comment's diagram stays small: beyond this many arrows, the violating
# modules are shown by service.
MAX_DIAGRAM_EDGES = 30


def _warnings(warnings: tuple[str, ...]) -> list[str]:
    """Shown, not folded: a warning can mean the contract checks less than it seems to."""
    return [*(f"- Warning: {escape(w)}" for w in sorted(warnings)), ""] if warnings else []


def _details(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = items[:MAX_LISTED]
    more = [f"- … and {len(items) - len(shown)} more"] if len(items) > len(shown) else []
    return [
        f"<details><summary>{title} ({len(items)})</summary>",
        "",
        *shown,
        *more,
        "",
        "</details>",
        "",
    ]


def _diagram(outcome: CheckOutcome, result: ContractResult) -> list[str]:
    """A Mermaid diagram of what the change made worse: the modules with new (or
    expired) violations and the restricted modules they pull in, the arrows red. GitHub
    draws it in a pull-request comment or a job summary."""
    from ssot_arch.formats.graph_export import render_mermaid

    failing = result.failing
    if not failing:
        return []
    files = outcome.files
    by_module = len({(v.importer, v.imported) for v in failing}) <= MAX_DIAGRAM_EDGES

    def source(importer: str) -> str:
        known = files.get(importer)
        return importer if by_module or known is None else known.root

    edges = Counter((source(v.importer), v.imported) for v in failing)
    members = Counter(source(m) for m in {v.importer for v in failing})  # modules per node
    kind = MODULE if by_module else PACKAGE
    nodes = {name: ViewNode(name, kind, violator=True, modules=n) for name, n in members.items()}
    for imported in {v.imported for v in failing}:
        nodes.setdefault(imported, ViewNode(imported, EXTERNAL, restricted=True))
    view = GraphView(
        nodes=tuple(sorted(nodes.values())),
        edges=tuple(
            sorted(ViewEdge(s, t, count, 0, violation=True) for (s, t), count in edges.items())
        ),
        title="what this change made worse" + ("" if by_module else ", by service"),
    )
    return ["```mermaid", *render_mermaid(view).splitlines(), "```", ""]


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as a Markdown summary: per contract a table of new, known and stale
    violations per root, then the lists, folded. (`color` is unused.)"""
    broken = [r for r in outcome.contracts if not r.kept]
    coverage = outcome.coverage
    head = (
        "all contracts kept"
        if not broken and not coverage.unanalyzed
        else f"{plural(len(broken), 'contract')} broken"
        + (
            f", {plural(len(coverage.unanalyzed), 'file')} not analysed"
            if coverage.unanalyzed
            else ""
        )
    )
    lines = [f"## ssot-arch: {head}", "", *_warnings(outcome.warnings)]
    if outcome.changed_since:
        lines += [f"Files changed since {code(outcome.changed_since)} only.", ""]
    for result in sorted(outcome.contracts, key=lambda r: r.spec.id):
        spec = result.spec
        state = "kept" if result.kept else "broken"
        lines += [
            f"### {escape(spec.name)} ({code(spec.id)}): {state}",
            "",
            *_warnings(result.warnings),
        ]
        counts = gate_counts(outcome, result)
        kinds = ("new", "known", "stale")
        rows = [[escape(root), *(str(row[k]) for k in kinds)] for root, row in counts.items()]
        totals = [sum(r[k] for r in counts.values()) for k in kinds]
        rows.append(["**total**", *(f"**{n}**" for n in totals)])
        header = ["Service", "New", "Known", "Fixed (stale)"]
        lines += [*table(header, rows, numeric=(1, 2, 3)), ""]
        if result.baseline:
            lines += [f"Baseline: {code(result.baseline.file)}.", ""]
            if result.baseline.budgets:
                budgets = [
                    [
                        escape(b.root),
                        str(b.violations),
                        f"{b.budget}" + (" (over)" if b.violations > b.budget else ""),
                    ]
                    for b in result.baseline.budgets
                ]
                lines += [*table(["Service", "Violations", "Budget"], budgets, numeric=(1, 2)), ""]
        lines += _diagram(outcome, result)
        lines += _details(
            "New violations",
            [
                f"- {code(f'{v.file}:{v.line}')} {escape(violation_message(spec, v))}"
                for v in result.failing
            ],
        )
        lines += _details(
            "Fixed, still in the baseline",
            [
                f"- {code(e.file)} {stale_message(e, escape, code)}"
                for e in (result.baseline.stale if result.baseline else ())
            ],
        )
    lines += _details(
        "Not analysed", [f"- {code(u.file)}: {escape(u.reason)}" for u in coverage.unanalyzed]
    )
    lines += _details(
        "Not read",
        [f"- {code(s.path)}: {escape(s.reason)}" for s in sorted(coverage.skipped_files)],
    )
    lines.append(files_analysed(coverage, " of ") + ".")
    # Each entry is one line: whatever the names hold, it stays one line.
    return "\n".join(map(printable, lines)) + "\n"
