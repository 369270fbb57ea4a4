"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One rule per contract (with its help text), one result per violation at its file and
line. With a baseline, results carry `baselineState` (`new`, `unchanged`, or `absent`
for a fixed entry still in the baseline) and accepted ones are notes, not errors.
Files that could not be analysed, files not read and warnings are tool execution
notifications. Each result has a line-independent fingerprint, the identity the
baseline uses. Locations hold exact file names; message texts, which viewers print,
show control characters escaped.
"""

from __future__ import annotations

from typing import Any

from ssot_arch import __version__
from ssot_arch.domain.baseline import entries_for, fingerprint
from ssot_arch.domain.model import KNOWN, CheckOutcome, ContractSpec
from ssot_arch.formats.common import (
    advice,
    json_text,
    printable,
    stale_message,
    violation_message,
)

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/ssot-arch/"


def _message(text: str) -> dict[str, str]:
    return {"text": printable(text)}


def _location(file: str, line: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _rule(spec: ContractSpec) -> dict[str, Any]:
    restricted = printable(", ".join(spec.restricted))
    gateways = printable(", ".join(spec.gateways) or "none")
    fix = printable(advice(spec))
    text = (
        f"Only the SSOT gateway modules ({gateways}) may import {restricted}. "
        f"Fix: {fix}. Why: competing logging systems give each service different "
        "formats, levels and sinks; one SSOT module makes the choice in one place."
    )
    return {
        "id": spec.id,
        "name": "SsotImport",
        "shortDescription": _message(spec.name),
        "fullDescription": {"text": f"Direct import of {restricted} outside {gateways}."},
        "help": {
            "text": text,
            "markdown": (
                f"Only the SSOT gateway modules (`{gateways}`) may import `{restricted}`.\n\n"
                f"**Fix:** {fix}."
            ),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["architecture", "maintainability"]},
    }


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as a SARIF 2.1.0 log: a rule per contract, a result per violation and
    per stale entry, notifications for the rest. (`color` is unused.)"""
    contracts = sorted(outcome.contracts, key=lambda r: r.spec.id)
    results = []
    for index, result in enumerate(contracts):
        spec = result.spec
        with_baseline = result.baseline is not None
        for violation, entry in entries_for(result.violations):
            known = violation.status == KNOWN
            item: dict[str, Any] = {
                "ruleId": spec.id,
                "ruleIndex": index,
                "level": "note" if known else "error",
                "message": _message(violation_message(spec, violation)),
                "locations": [_location(violation.file, violation.line)],
                "partialFingerprints": {"ssotArchImport/v1": fingerprint(spec.id, entry)},
            }
            if with_baseline:
                item["baselineState"] = "unchanged" if known else "new"
            results.append(item)
        for entry in result.baseline.stale if result.baseline else ():
            results.append(
                {
                    "ruleId": spec.id,
                    "ruleIndex": index,
                    "level": "note",
                    "message": _message(stale_message(entry)),
                    "locations": [_location(entry.file)],
                    "partialFingerprints": {"ssotArchImport/v1": fingerprint(spec.id, entry)},
                    "baselineState": "absent",
                }
            )
    coverage = outcome.coverage
    notifications = [
        {
            "level": "error",
            "message": _message(f"not analysed: {u.reason}"),
            "locations": [_location(u.file)],
        }
        for u in coverage.unanalyzed
    ] + [
        {
            "level": "warning",
            "message": _message(f"{u.reason}: {u.line_contents.strip()}"),
            "locations": [_location(u.file, u.line)],
        }
        for u in coverage.unresolved_imports
    ]
    notifications += [
        {
            "level": "warning",
            "message": _message(f"not read: {s.reason}"),
            "locations": [_location(s.path)],
        }
        for s in sorted(coverage.skipped_files)
    ]
    notifications += [
        {
            "level": "warning",
            "message": _message(warning),
            "associatedRule": {"id": result.spec.id, "index": index},
        }
        for index, result in enumerate(contracts)
        for warning in sorted(result.warnings)
    ]
    notifications += [
        {"level": "warning", "message": _message(warning)} for warning in sorted(outcome.warnings)
    ]
    run = {
        "tool": {
            "driver": {
                "name": "ssot-arch",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(r.spec) for r in contracts],
            }
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(document, indent=2) + "\n"
