"""`init --format json` (schema init-v1.json): what init found and the contract it proposes."""

from __future__ import annotations

from typing import Any

from ssot_arch.domain.adoption import InitOutcome
from ssot_arch.formats.common import document_header, json_text

SCHEMA_VERSION = 1


def init_to_dict(outcome: InitOutcome) -> dict[str, Any]:
    proposal = outcome.proposal
    contract = proposal.contract
    return {
        **document_header(SCHEMA_VERSION),
        "roots": {
            "packages": list(outcome.packages),
            "modules": list(outcome.modules),
            "source_roots": list(outcome.source_roots),
            "skipped_dirs": [
                {"path": s.path, "rule": s.rule, "python_files": s.python_files}
                for s in outcome.skipped_dirs
            ],
            "config": outcome.existing_config,
        },
        "libraries": dict(proposal.libraries),
        "candidates": [
            {
                "module": c.module,
                "score": c.score,
                "importers": c.importers,
                "names": dict(sorted(c.names.items())),
                "wraps": list(c.wraps),
                "facades": list(c.facades),
                "intended": c.intended,
                "why": c.why,
            }
            for c in proposal.candidates
        ],
        "systems": [
            {"name": s.name, "entries": list(s.entries), "ssot": s.ssot} for s in proposal.systems
        ],
        "gateways": list(contract.gateways),
        "contract": {
            "id": contract.id,
            "name": contract.name,
            "restricted_modules": list(contract.restricted),
            "gateways": list(contract.gateways),
            "systems": {s.name: list(s.entries) for s in contract.systems},
            "ssot_systems": [s.name for s in contract.systems if s.ssot],
            "replacements": [str(r) for r in contract.replacements],
        },
        "violations": outcome.violations,
        "migratable": outcome.migratable,
        "priorities": list(outcome.priorities),
        "notes": list(proposal.notes),
        "written": outcome.written,
    }


def render(outcome: InitOutcome, color: bool = False) -> str:
    return json_text(init_to_dict(outcome), indent=2) + "\n"
