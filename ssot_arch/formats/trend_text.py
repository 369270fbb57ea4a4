"""`trend --format text`: a table for people, one line per commit, and what changed
from the first commit to the last."""

from __future__ import annotations

from ssot_arch.domain.findings import Trend, whole_percent
from ssot_arch.formats.common import plural, printable
from ssot_arch.formats.trend_table import services_of


def render(trend: Trend, color: bool = False) -> str:
    services = services_of(trend)
    head = ["commit", "date", "violations", "leaks", "files", *services]
    rows = []
    for point in trend.points:
        cells = [point.commit[:10], point.date[:16].replace("T", " ")]
        if point.error is not None:
            rows.append([*cells, f"not judged: {point.error}"])
            continue
        cells += [str(point.violations), str(point.leaks), f"{point.files_analyzed}"]
        for name in services:
            service = point.services.get(name)
            cells.append(
                ""
                if service is None
                else f"{service.violations} ({whole_percent(service.compliance_pct)})"
            )
        rows.append(cells)
    widths = [max(len(r[i]) for r in [head, *rows] if i < len(r)) for i in range(len(head))]
    lines = [f"Contracts from {trend.config}; per service: violations (compliance)."]
    for cells in [head, *rows]:
        if len(cells) < len(head):  # a commit not judged: its reason, on the rest of the line
            lines.append(
                "  ".join([cells[0].ljust(widths[0]), cells[1].ljust(widths[1]), cells[2]])
            )
            continue
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )
    judged = [p for p in trend.points if p.error is None]
    if len(judged) > 1:
        first, last = judged[0], judged[-1]
        lines.append(
            f"From {first.commit[:10]} to {last.commit[:10]}: violations "
            f"{first.violations} → {last.violations} ({last.violations - first.violations:+d}), "
            f"leaks {first.leaks} → {last.leaks} ({last.leaks - first.leaks:+d})."
        )
    lines += _unsafe(trend)
    return "\n".join(printable(line) for line in lines) + "\n"


def _unsafe(trend: Trend) -> list[str]:
    """The paths of the history not analysed because writing them was unsafe: each
    once, with the first commit that holds it."""
    first: dict[str, tuple[str, str]] = {}
    for point in trend.points:
        for path, reason in point.files_unsafe:
            first.setdefault(path, (point.commit[:10], reason))
    if not first:
        return []
    return [
        f"Not analysed: {plural(len(first), 'unsafe path')} of the history, not written "
        "(see docs/security.md):",
        *(
            f"  {path} (from {commit}): {reason}"
            for path, (commit, reason) in sorted(first.items())
        ),
    ]
