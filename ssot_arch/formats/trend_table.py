"""`trend` as data: the JSON document (schema trend-v1.json), and the rows of the text
table and the CSV file, one per commit, in history order."""

from __future__ import annotations

from typing import Any

from ssot_arch.domain.findings import Trend, TrendPoint
from ssot_arch.formats.common import document_header

SCHEMA_VERSION = 1


def services_of(trend: Trend) -> list[str]:
    """Every service that some commit has, sorted."""
    return sorted({name for point in trend.points for name in point.services})


def point_to_dict(point: TrendPoint) -> dict[str, Any]:
    data: dict[str, Any] = {
        "commit": point.commit,
        "date": point.date,
        "subject": point.subject,
        "violations": point.violations,
        "leaks": point.leaks,
        "files_analyzed": point.files_analyzed,
        "files_total": point.files_total,
        "files_missing": point.files_missing,
        "files_unsafe": [{"path": path, "reason": reason} for path, reason in point.files_unsafe],
        "services": {
            name: {
                "files": service.files,
                "violations": service.violations,
                "compliance_pct": service.compliance_pct,
                "systems": list(service.systems),
            }
            for name, service in sorted(point.services.items())
        },
    }
    if point.error is not None:
        data["error"] = point.error
    return data


def trend_to_dict(trend: Trend) -> dict[str, Any]:
    return {
        **document_header(SCHEMA_VERSION),
        "config": trend.config,
        "commits": [point_to_dict(point) for point in trend.points],
    }


def header(services: list[str]) -> list[str]:
    columns = [
        "commit",
        "date",
        "violations",
        "leaks",
        "files_analyzed",
        "files_total",
        "files_unsafe",
    ]
    for name in services:
        columns += [f"{name} violations", f"{name} compliance %", f"{name} systems"]
    return [*columns, "error"]


def row(point: TrendPoint, services: list[str], short: bool = False) -> list[str]:
    """One commit's cells (empty figures where the contracts could not be judged)."""
    commit = point.commit[:10] if short else point.commit
    if point.error is not None:
        return [commit, point.date, *[""] * (len(header(services)) - 3), point.error]
    cells = [
        commit,
        point.date,
        str(point.violations),
        str(point.leaks),
        str(point.files_analyzed),
        str(point.files_total),
        str(len(point.files_unsafe)),
    ]
    for name in services:
        service = point.services.get(name)
        if service is None:
            cells += ["", "", ""]
        else:
            cells += [
                str(service.violations),
                f"{service.compliance_pct:.1f}",
                " ".join(service.systems),
            ]
    return [*cells, ""]
