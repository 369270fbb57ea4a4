"""`--format json`: the stable interface of docs/spec.md (schema_version 1)."""

from __future__ import annotations

from typing import Any

from ssot_arch.domain.baseline import BaselineEntry, BaselineVerdict, EntryValue, entry_to_dict
from ssot_arch.domain.model import CheckOutcome
from ssot_arch.formats.common import document_header, json_text, violations_by_root

SCHEMA_VERSION = 1


def baseline_to_dict(verdict: BaselineVerdict) -> dict[str, Any]:
    """A contract's baseline verdict; its entries show every field but `importer`."""

    def entry(e: BaselineEntry) -> dict[str, EntryValue]:
        return {k: v for k, v in entry_to_dict(e).items() if k != "importer"}

    return {
        "file": verdict.file,
        "stale": [entry(e) for e in verdict.stale],
        "expired": [entry(e) for e in verdict.expired],
        "budgets": [
            {"group": b.root, "violations": b.violations, "budget": b.budget}
            for b in verdict.budgets
        ],
        "fail_on_stale": verdict.fail_on_stale,
    }


def outcome_to_dict(outcome: CheckOutcome, schema_version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The check's JSON document, as a value (the report's starts as it, with its own
    `schema_version`)."""
    coverage = outcome.coverage
    # Keys added after schema_version 1 appear only when they have something to say.
    skipped_files = [{"path": s.path, "reason": s.reason} for s in sorted(coverage.skipped_files)]
    return {
        **document_header(schema_version),
        "roots": list(outcome.roots),
        "coverage": {
            "files_total": coverage.files_total,
            "files_analyzed": coverage.files_analyzed,
            **(
                {"files_cleared_by_text": coverage.files_cleared_by_text}
                if coverage.files_cleared_by_text
                else {}
            ),
            "unanalyzed": [{"file": u.file, "reason": u.reason} for u in coverage.unanalyzed],
            "unresolved_imports": [
                {
                    "file": u.file,
                    "line": u.line,
                    "line_contents": u.line_contents,
                    "reason": u.reason,
                }
                for u in coverage.unresolved_imports
            ],
            "not_importable": [
                {"file": f.path, "module": f.module, "kind": f.kind.value}
                for f in coverage.not_importable
            ],
            "skipped_dirs": [
                {"path": s.path, "rule": s.rule, "python_files": s.python_files}
                for s in coverage.skipped_dirs
            ],
            **({"skipped_files": skipped_files} if skipped_files else {}),
        },
        "contracts": [
            {
                "id": r.spec.id,
                "name": r.spec.name,
                "kept": r.kept,
                "restricted": list(r.spec.restricted),
                "gateways": list(r.spec.gateways),
                "violating_files": len({v.file for v in r.violations}),
                "by_root": violations_by_root(outcome, r),
                "violations": [
                    {
                        "importer": v.importer,
                        "imported": v.imported,
                        "file": v.file,
                        "line": v.line,
                        "line_contents": v.line_contents,
                        "status": v.status,
                    }
                    for v in r.violations
                ],
                **({"warnings": sorted(r.warnings)} if r.warnings else {}),
                **({"baseline": baseline_to_dict(r.baseline)} if r.baseline else {}),
            }
            for r in sorted(outcome.contracts, key=lambda r: r.spec.id)
        ],
        "other_contracts": sorted(outcome.other_contracts),
        **({"warnings": sorted(outcome.warnings)} if outcome.warnings else {}),
        **({"changed_since": outcome.changed_since} if outcome.changed_since else {}),
    }


def render(outcome: CheckOutcome, color: bool = False) -> str:
    """The check as the JSON document of schema_version 1. (`color` is unused.)"""
    return json_text(outcome_to_dict(outcome), indent=2) + "\n"
