"""`plan --format json`: the migration plan's steps (schema plan-v1.json, docs/spec.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ssot_arch.domain.remediation import UNSAFE, Plan, PlanFile
from ssot_arch.formats.common import document_header, json_text
from ssot_arch.formats.fix_json import reasons

SCHEMA_VERSION = 1


def totals(files: Sequence[PlanFile]) -> dict[str, int]:
    automatic = sum(1 for f in files if f.automatic)
    unsafe = sum(1 for f in files if f.status == UNSAFE)
    return {
        "files": len(files),
        "automatic": automatic,
        "manual": len(files) - automatic,
        "unsafe": unsafe,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        **document_header(SCHEMA_VERSION),
        "steps": [
            {
                "name": step.name,
                "patterns": list(step.patterns),
                "files": [
                    {
                        "file": f.file,
                        "module": f.module,
                        "automatic": f.automatic,
                        "status": f.status,
                        "reasons": reasons(f.remaining),
                        "fix_impact": f.fix_impact,
                    }
                    for f in step.files
                ],
                "command": step.command,
                "totals": totals(step.files),
            }
            for step in plan.steps
        ],
        "totals": totals([f for step in plan.steps for f in step.files]),
    }


def render(plan: Plan, color: bool = False) -> str:
    return json_text(plan_to_dict(plan), indent=2) + "\n"
