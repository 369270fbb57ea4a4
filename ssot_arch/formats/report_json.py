"""`report --format json`: the check's JSON plus, per contract, the analyses (docs/spec.md).

Schema report-v2.json: a leak names only its next hop (`via`, `line`), its chain's
`length` and `cause`; the next hops of the other modules on leaks' chains are listed
once per contract in `hops`. (Version 1 wrote every leak's whole chain: on a long
chain of imports, a document that grows with the square of the repository.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ssot_arch.domain.findings import (
    PACKAGE_FIRST,
    ContractReport,
    EntryReport,
    Hop,
    LeakAnalysis,
    ReportOutcome,
)
from ssot_arch.domain.model import SourceFile, System
from ssot_arch.formats.common import json_text
from ssot_arch.formats.json_format import outcome_to_dict

SCHEMA_VERSION = 2  # the report's own; `check --format json` stays at 1


def next_hop(hop: Hop) -> dict[str, Any]:
    return {"via": hop.imported, "line": hop.line}


def leak_hops(leaks: LeakAnalysis) -> dict[str, dict[str, Any]]:
    """The next hop of every module on a leak's chain that is no leak itself (the
    causes, and the excluded or namespace modules between), by module: what a reader
    follows from a leak's `via` to the restricted module."""
    leaking = {leak.module for leak in leaks.leaks}
    return {
        module: next_hop(hop) for module, hop in sorted(leaks.hops.items()) if module not in leaking
    }


def chain_steps(chain: tuple[Hop, ...]) -> list[dict[str, Any]]:
    """A chain as the modules along it, each with the line of its import of the next
    (null at the end, and where the next is its package, which Python runs first)."""
    steps: list[dict[str, Any]] = [
        {"module": hop.importer, "line": None if hop.line == PACKAGE_FIRST else hop.line}
        for hop in chain
    ]
    if chain:
        steps.append({"module": chain[-1].imported, "line": None})
    return steps


def entry_findings(entry: EntryReport) -> dict[str, Any]:
    return {
        "closure_size": entry.closure_size,
        "systems": {
            name: {"direct": system.direct, "chain": chain_steps(system.chain)}
            for name, system in sorted(entry.systems.items())
        },
    }


def contract_findings(
    report: ContractReport, systems: tuple[System, ...], files: Mapping[str, SourceFile]
) -> dict[str, Any]:
    """One contract's findings, as the keys its JSON object gains."""

    def file_of(module: str) -> str:
        return files[module].path if module in files else ""

    leaks = report.leaks
    steps = leaks.fix_first_steps()
    return {
        "systems": [
            {"name": s.name, "entries": list(s.entries), "ssot": s.ssot}
            | ({"why": s.why} if s.ssot else {})
            for s in systems
        ],
        "leaks": [
            {
                "module": leak.module,
                "file": file_of(leak.module),
                **next_hop(leaks.hops[leak.module]),
                "length": leak.length,
                "cause": leak.cause,
            }
            for leak in leaks.leaks
        ],
        "hops": leak_hops(leaks),
        "leak_causes": [
            {
                "module": c.module,
                "file": file_of(c.module),
                "leaks": c.leaks,
                "fix_impact": c.fix_impact,
                "violator": c.violator,
                "fix_first_step": steps[c.module][0] if c.module in steps else None,
                "removed_at_step": steps[c.module][1] if c.module in steps else 0,
            }
            for c in leaks.causes
        ],
        "leaks_removable": leaks.removable,
        "fix_first": [
            {
                "violators": [{"module": v, "file": file_of(v)} for v in step.violators],
                "leaks_removed": step.leaks_removed,
                "cumulative": step.cumulative,
            }
            for step in leaks.fix_first
        ],
        "reach": {
            group: {
                system: {
                    "direct": cell.direct,
                    "transitive": cell.transitive,
                    "start": cell.start,
                    "length": cell.length,
                }
                for system, cell in row.items()
            }
            for group, row in report.reach.items()
        },
        "reach_hops": {
            system: {module: next_hop(hop) for module, hop in sorted(hops.items())}
            for system, hops in sorted(report.reach_hops.items())
        },
        "fragmented": list(report.fragmented),
        "compliance": [
            {
                "group": row.group,
                "files": row.files,
                "logging_files": row.logging_files,
                "compliant_files": row.compliant_files,
                "violations": row.violations,
                "violating_files": row.violating_files,
                "compliance_pct": row.compliance_pct,
                "status": row.status,
            }
            for row in report.compliance
        ],
        "laundering": [
            {
                "importer": item.importer,
                "file": file_of(item.importer),
                "line": item.line,
                "via": item.via,
                "name": item.name,
                "origin": item.origin,
            }
            for item in report.laundering
        ],
        "entries": {
            module: entry_findings(entry) for module, entry in sorted(report.entries.items())
        },
        "dynamic_imports": [
            {
                "importer": d.importer,
                "file": file_of(d.importer),
                "line": d.line,
                "imported": d.imported,
                "call": d.call,
            }
            for d in report.dynamic_imports
        ],
    }


def report_to_dict(outcome: ReportOutcome) -> dict[str, Any]:
    """The report as JSON data: the check's, with the groups and each contract's findings."""
    data = outcome_to_dict(outcome.check, SCHEMA_VERSION)
    groups = sorted(outcome.groups.items())
    data["groups"] = {name: list(group.prefixes) for name, group in groups}
    excluded = {name: list(group.excluded) for name, group in groups if group.excluded}
    if excluded:
        data["groups_excluded"] = excluded
    files = outcome.check.files
    data["broken_imports"] = [
        {
            "importer": b.importer,
            "file": files[b.importer].path,
            "line": b.line,
            "statement": b.statement,
            "name": b.name,
            "ancestor": b.ancestor,
            "guarded": b.guarded,
            "reason": b.reason,
        }
        for b in outcome.broken_imports
    ]
    for contract in data["contracts"]:
        contract_id = contract["id"]
        contract.update(
            contract_findings(
                outcome.reports[contract_id], outcome.systems[contract_id], outcome.check.files
            )
        )
    return data


def render(outcome: ReportOutcome, color: bool = False) -> str:
    """The report as one line of JSON."""
    # Compact: a large repository's report holds tens of thousands of leaks, and
    # indenting makes json use its pure-Python encoder (a third of the report's time).
    # `jq .` shows it indented.
    return json_text(report_to_dict(outcome), separators=(",", ":")) + "\n"
