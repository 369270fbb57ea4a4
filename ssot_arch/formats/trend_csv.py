"""`trend --format csv`: one row per commit, in history order; per service its
violations, compliance and the systems it reaches (separated by spaces)."""

from __future__ import annotations

import csv
import io

from ssot_arch.domain.findings import Trend
from ssot_arch.formats.common import printable
from ssot_arch.formats.trend_table import header, row, services_of


def render(trend: Trend, color: bool = False) -> str:
    services = services_of(trend)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([printable(cell) for cell in header(services)])
    for point in trend.points:
        writer.writerow([printable(cell) for cell in row(point, services)])
    return out.getvalue()
