"""`trend --format json`: {"schema_version": 1, "commits": [...]} (schema trend-v1.json)."""

from __future__ import annotations

from ssot_arch.domain.findings import Trend
from ssot_arch.formats.common import json_text
from ssot_arch.formats.trend_table import trend_to_dict


def render(trend: Trend, color: bool = False) -> str:
    return json_text(trend_to_dict(trend), indent=2) + "\n"
