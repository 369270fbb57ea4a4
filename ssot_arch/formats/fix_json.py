"""`fix --format json`: each violating file's verdict (schema fix-v2.json, docs/spec.md).

The domain calls what a file keeps `remaining`; the document calls it `reasons`, as the
command's documentation does.
"""

from __future__ import annotations

from typing import Any

from ssot_arch.domain.remediation import (
    FIXED,
    MANUAL,
    UNCHANGED,
    UNSAFE,
    FixOutcome,
    Remaining,
    kind_of,
)
from ssot_arch.formats.common import document_header, json_text

SCHEMA_VERSION = 2


def reasons(remaining: tuple[Remaining, ...]) -> list[dict[str, Any]]:
    return [{"line": r.line, "use": r.use, "why": r.why, "kind": kind_of(r.why)} for r in remaining]


def outcome_to_dict(outcome: FixOutcome) -> dict[str, Any]:
    return {
        **document_header(SCHEMA_VERSION),
        "written": outcome.written,
        "unsafe_fixes": outcome.unsafe_fixes,
        "files": [
            {
                "file": f.file,
                "module": f.module,
                "status": f.status,
                "reasons": reasons(f.remaining),
            }
            for f in outcome.files
        ],
        "verify": None
        if outcome.verification is None
        else {
            "command": outcome.verification.command,
            "status": outcome.verification.status,
            "passed": outcome.verification.passed,
            "restored": list(outcome.verification.restored),
            "not_restored": list(outcome.verification.not_restored),
            "tail": outcome.verification.tail,
        },
        "totals": {status: outcome.count(status) for status in (FIXED, UNSAFE, MANUAL, UNCHANGED)},
    }


def render(outcome: FixOutcome, color: bool = False) -> str:
    return json_text(outcome_to_dict(outcome), indent=2) + "\n"
