"""The HTML report's figures, drawn in Python as plain HTML and SVG (no library, no
script): the systems reach heat map, the services-to-systems diagram and the fix-first
chart.

Every name in them comes from the analysed repository and is escaped here, in text
and in attributes alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from ssot_arch.domain.findings import ContractReport, FixStep, Hop, ReachCell
from ssot_arch.domain.model import System
from ssot_arch.formats.common import hop_place, printable
from ssot_arch.formats.report_model import SERVICE, system_title

GOOD = (26, 127, 55)  # the SSOT: green
BAD = (207, 34, 46)  # a competing system: red
WARN = "#9a6700"  # a fragmented service: amber


def text(value: object) -> str:
    """Text from the analysed repository, escaped for HTML and SVG (quotes included)."""
    return escape(printable(str(value)), quote=True)


def chain_words(chain: Sequence[Hop]) -> str:
    """A chain as plain words: `a (l.3) → b (its package) → logging`."""
    if not chain:
        return ""
    steps = [f"{hop.importer} ({hop_place(hop)})" for hop in chain]
    return " → ".join([*steps, chain[-1].imported])


def _rgba(colour: tuple[int, int, int], alpha: float) -> str:
    red, green, blue = colour
    return f"rgba({red},{green},{blue},{alpha:.2f})"


def heat_map(report: ContractReport, systems: Sequence[System], sizes: Mapping[str, int]) -> str:
    """The reach matrix as a table whose cells are shaded by the share of the service's
    files that reach the system (green for an SSOT system, red for a competing one).
    `sizes`: the files of each service."""
    head = "".join(
        f'<th scope="col" class="{"ssot" if s.ssot else "competing"}">{text(system_title(s))}</th>'
        for s in systems
    )
    rows = []
    for group, row in report.reach.items():
        fragmentation = report.fragmentation.get(group)
        fragmented = fragmentation is not None and fragmentation.fragmented
        label = text(group)
        if fragmented and fragmentation is not None:
            label += f" <small>⚠ {fragmentation.systems_reached} systems</small>"
        cells = [_heat_cell(report, group, s, row[s.name], sizes.get(group, 0)) for s in systems]
        css = ' class="fragmented"' if fragmented else ""
        rows.append(f'<tr{css}><th scope="row">{label}</th>{"".join(cells)}</tr>')
    return (
        '<div class="scroll"><table class="heat" id="reach-matrix">'
        f'<thead><tr><th scope="col">{text(SERVICE.title)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="legend">Cells: modules importing the system directly / modules reaching '
        "it. Shade: the share of the service's files that reach it (green: SSOT, red: "
        "competing); hover a cell for an example chain. ⚠: a fragmented service.</p>"
    )


def _heat_cell(
    report: ContractReport, group: str, system: System, cell: ReachCell, size: int
) -> str:
    share = cell.transitive / size if size else 0.0
    alpha = 0.0 if not cell.transitive else 0.12 + 0.7 * min(1.0, share)
    title = (
        f"{cell.transitive} modules of {group} reach {system.name}; "
        f"{cell.direct} import it directly."
    )
    example = chain_words(report.reach_chain(system.name, cell))
    if example:
        title += f" Example: {example}"
    colour = GOOD if system.ssot else BAD
    return (
        f'<td style="background:{_rgba(colour, alpha)}" title="{text(title)}" '
        f'data-direct="{cell.direct}" data-transitive="{cell.transitive}">'
        f"{cell.direct} / {cell.transitive}</td>"
    )


ROW = 30  # px between two nodes of the diagram


def reach_diagram(report: ContractReport, systems: Sequence[System]) -> str:
    """Services on the left, systems on the right, an edge where a service reaches a
    system, as wide as the modules that reach it (square root, so that small edges
    stay visible); SSOT systems green, competing ones red, fragmented services amber."""
    services = list(report.reach)
    widest = max(
        (row[s.name].transitive for row in report.reach.values() for s in systems), default=0
    )
    rows = max(len(services), len(systems), 1)
    height = rows * ROW + 40
    left, right, width = 200, 520, 760

    def y_of(index: int, count: int) -> float:
        return 30 + (rows - count) * ROW / 2 + index * ROW

    edges, nodes = [], []
    for i, group in enumerate(services):
        y1 = y_of(i, len(services))
        for j, system in enumerate(systems):
            cell = report.reach[group][system.name]
            if not cell.transitive:
                continue
            y2 = y_of(j, len(systems))
            stroke = 1 + 11 * math.sqrt(cell.transitive / widest)
            colour = _rgba(GOOD if system.ssot else BAD, 0.45)
            middle = (left + right) / 2
            edges.append(
                f'<path class="edge" d="M{left},{y1:.1f} C{middle},{y1:.1f} {middle},{y2:.1f} '
                f'{right},{y2:.1f}" stroke="{colour}" stroke-width="{stroke:.1f}" fill="none">'
                f"<title>{text(group)} → {text(system.name)}: {cell.transitive} modules "
                f"reach it, {cell.direct} directly</title></path>"
            )
    for i, group in enumerate(services):
        fragmentation = report.fragmentation.get(group)
        fragmented = fragmentation is not None and fragmentation.fragmented
        colour = WARN if fragmented else "#59636e"
        label = text(group) + (" ⚠" if fragmented else "")
        y = y_of(i, len(services))
        nodes.append(
            f'<g class="service{" fragmented" if fragmented else ""}">'
            f'<circle cx="{left}" cy="{y:.1f}" r="5" fill="{colour}"/>'
            f'<text x="{left - 10}" y="{y + 4:.1f}" text-anchor="end" '
            f'style="fill:{colour}">{label}</text></g>'
        )
    for j, system in enumerate(systems):
        y = y_of(j, len(systems))
        colour = "#1a7f37" if system.ssot else "#cf222e"
        nodes.append(
            f'<g class="system{" ssot" if system.ssot else ""}">'
            f'<rect x="{right - 6}" y="{y - 6:.1f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{right + 12}" y="{y + 4:.1f}" style="fill:{colour};font-weight:600">'
            f"{text(system_title(system))}</text></g>"
        )
    return (
        f'<svg id="reach-diagram" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        "<title>Which logging systems each service reaches</title>"
        f'<text x="{left}" y="14" text-anchor="middle">Services</text>'
        f'<text x="{right}" y="14" text-anchor="middle">Logging systems</text>'
        f"{''.join(edges)}{''.join(nodes)}</svg>"
    )


def axis_ticks(top: int, count: int = 5) -> list[int]:
    """Round values from 0 to at least `top` for an axis."""
    if top <= 0:
        return [0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return list(range(0, top + step, step))[: count + 2]


def fix_first_chart(steps: Sequence[FixStep], leaks: int, removable: int) -> str:
    """Leaks removed against violators fixed, step by step along the fix-first list:
    where the curve flattens, further fixes remove little."""
    width, height = 640, 320
    x0, y0, x1, y1 = 60, height - 45, width - 20, 20
    fixes = [0]
    for step in steps:
        fixes.append(fixes[-1] + len(step.violators))
    removed = [0, *(step.cumulative for step in steps)]
    x_ticks = axis_ticks(fixes[-1])
    y_ticks = axis_ticks(max(leaks, 1))
    x_top, y_top = max(x_ticks[-1], 1), max(y_ticks[-1], 1)

    def px(value: int) -> float:
        return x0 + (x1 - x0) * value / x_top

    def py(value: int) -> float:
        return y0 - (y0 - y1) * value / y_top

    parts = []
    for tick in y_ticks:
        parts.append(
            f'<line class="grid" x1="{x0}" x2="{x1}" y1="{py(tick):.1f}" y2="{py(tick):.1f}"/>'
            f'<text x="{x0 - 6}" y="{py(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for tick in x_ticks:
        parts.append(f'<text x="{px(tick):.1f}" y="{y0 + 16}" text-anchor="middle">{tick}</text>')
    parts.append(
        f'<line class="axis" x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}"/>'
        f'<line class="axis" x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}"/>'
        f'<text x="{(x0 + x1) / 2}" y="{height - 8}" text-anchor="middle">violators fixed</text>'
        f'<text transform="translate(14,{(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">'
        "leaks removed</text>"
    )
    for value, label in ((leaks, f"all {leaks} leaks"), (removable, f"{removable} removable")):
        if value == leaks and label.endswith("removable"):
            continue
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{py(value):.1f}" y2="{py(value):.1f}" '
            'stroke="#cf222e" stroke-dasharray="6 4"/>'
            f'<text x="{x1}" y="{py(value) - 5:.1f}" text-anchor="end">{label}</text>'
        )
    points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(fixes, removed, strict=True))
    parts.append(
        f'<polyline id="fix-curve" points="{points}" fill="none" stroke="#0969da" '
        'stroke-width="2.5"/>'
    )
    for number, (step, x, y) in enumerate(zip(steps, fixes[1:], removed[1:], strict=True), 1):
        names = " + ".join(step.violators)
        parts.append(
            f'<circle class="step" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="#0969da">'
            f"<title>Step {number}: fix {text(names)}: removes {step.leaks_removed} "
            f"(total {step.cumulative})</title></circle>"
        )
    return (
        f'<svg id="fix-first-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        "<title>Leaks removed as the fix-first list is worked down</title>"
        f"{''.join(parts)}</svg>"
    )
