"""`trend --format svg`: violations per service over the commits, as a standalone SVG
chart: one line per service (and the total, dashed), a marker per commit whose title
names it (on the total only, beyond 60 commits), the commits along the x axis in
history order.

Plain SVG written here (no plotting library): every name is escaped, and the chart has
no script, so it is safe to open and to embed.
"""

from __future__ import annotations

from ssot_arch.domain.findings import Trend
from ssot_arch.formats.report_figures import axis_ticks, text
from ssot_arch.formats.trend_table import services_of

# Okabe and Ito's palette, which readers with colour blindness tell apart; then greys.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442")
TOTAL = "#1f2328"
MARKED_SERIES_UP_TO = 60  # commits up to which every series gets a marker per commit


def render(trend: Trend, color: bool = False) -> str:
    services = services_of(trend)
    points = trend.points
    width = min(max(720, 60 + 28 * len(points) + 220), 1400)  # long histories: denser
    height = 420
    x0, x1, y0, y1 = 70, width - 200, height - 90, 30
    judged = [p for p in points if p.error is None]
    top = max((p.violations for p in judged), default=0)
    ticks = axis_ticks(max(top, 1))
    y_top = ticks[-1]

    def px(index: int) -> float:
        return x0 + (x1 - x0) * (index / max(len(points) - 1, 1))

    def py(value: int) -> float:
        return y0 - (y0 - y1) * value / y_top

    parts = [
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{x0}" y="18" font-weight="600">Violations per service, commit by commit</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{x0}" x2="{x1}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" '
            'stroke="#d1d9e0" stroke-dasharray="3 3"/>'
            f'<text x="{x0 - 6}" y="{py(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    label_every = max(1, len(points) // 30)
    for index, point in enumerate(points):
        x = px(index)
        parts.append(
            f'<line class="commit" x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y0 + 5}" '
            'stroke="#59636e"/>'
        )
        if index % label_every == 0 or index == len(points) - 1:
            parts.append(
                f'<text transform="translate({x:.1f},{y0 + 14}) rotate(45)" '
                f'font-family="monospace">{text(point.commit[:9])}</text>'
            )
    parts.append(
        f'<line x1="{x0}" x2="{x1}" y1="{y0}" y2="{y0}" stroke="#59636e"/>'
        f'<line x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}" stroke="#59636e"/>'
    )
    series = [(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(services)]
    for name, colour in [*series, ("all services", TOTAL)]:
        values = [
            (index, p.violations if name == "all services" else p.services[name].violations)
            for index, p in enumerate(points)
            if p.error is None and (name == "all services" or name in p.services)
        ]
        if not values:
            continue
        coordinates = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in values)
        dash = ' stroke-dasharray="6 4"' if name == "all services" else ""
        parts.append(
            f'<polyline class="series" data-service="{text(name)}" points="{coordinates}" '
            f'fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        if len(points) > MARKED_SERIES_UP_TO and name != "all services":
            continue  # a long history: commit markers on the total only
        for index, value in values:
            point = points[index]
            parts.append(
                f'<circle cx="{px(index):.1f}" cy="{py(value):.1f}" r="3" fill="{colour}">'
                f"<title>{text(point.commit[:10])} {text(point.date)} "
                f"{text(point.subject)}: {text(name)} {value} violations</title></circle>"
            )
    for row, (name, colour) in enumerate([*series, ("all services", TOTAL)]):
        y = y1 + 10 + row * 20
        parts.append(
            f'<line x1="{x1 + 20}" x2="{x1 + 44}" y1="{y}" y2="{y}" stroke="{colour}" '
            f'stroke-width="3"/><text x="{x1 + 50}" y="{y + 4}">{text(name)}</text>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" '
        'font-size="12">\n'
        f"<title>ssot-arch trend: violations per service</title>\n"
        + "\n".join(parts)
        + "\n</svg>\n"
    )
