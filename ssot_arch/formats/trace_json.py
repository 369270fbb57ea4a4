"""`trace --format json` (schema trace-v1.json): what each traced process loaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ssot_arch.domain.findings import Hop
from ssot_arch.domain.trace import ProcessTrace, RuntimeLoad, SystemRun, TraceOutcome
from ssot_arch.formats.common import document_header, json_text

SCHEMA_VERSION = 1


def _load(load: RuntimeLoad | None) -> dict[str, Any] | None:
    if load is None:
        return None
    return {"module": load.module, "origin": load.origin, "chain": list(load.chain)}


def _hops(chain: Sequence[Hop] | None) -> list[dict[str, Any]] | None:
    if chain is None:
        return None
    return [{"importer": h.importer, "imported": h.imported, "line": h.line} for h in chain]


def _system(run: SystemRun) -> dict[str, Any]:
    return {
        "system": run.system,
        "ssot": run.ssot,
        "loaded": _load(run.load),
        "predicted": run.static_chain is not None,
        "static_chain": _hops(run.static_chain),
    }


def _process(process: ProcessTrace) -> dict[str, Any]:
    record = process.record
    return {
        "key": process.key,
        "parent": process.parent_key,
        "pid": record.pid,
        "parent_pid": record.parent_pid,
        "argv": list(record.argv),
        "forked": record.forked,
        "complete": record.complete,
        "problems": list(record.problems),
        "entries": list(process.entries),
        "entries_given": process.entries_given,
        "entries_not_in_graph": list(process.entries_not_in_graph),
        "first_party": list(process.first_party),
        "static_closure_size": process.static_size,
        "not_in_static": [{**(_load(u.load) or {}), "why": u.why} for u in process.not_in_static],
        "contracts": [
            {
                "id": c.contract,
                "systems_loaded": len(c.loaded),
                "systems": [_system(run) for run in c.systems],
            }
            for c in process.contracts
        ],
    }


def trace_to_dict(outcome: TraceOutcome) -> dict[str, Any]:
    return {
        **document_header(SCHEMA_VERSION),
        "command": list(outcome.command),
        "exit_status": outcome.status,
        "problems": list(outcome.problems),
        "processes": [_process(p) for p in outcome.processes],
    }


def render(outcome: TraceOutcome, color: bool = False) -> str:
    return json_text(trace_to_dict(outcome), indent=2) + "\n"
