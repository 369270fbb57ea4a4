"""`trace --format markdown`: what each traced process loaded, for a pull request."""

from __future__ import annotations

from ssot_arch.domain.trace import ProcessTrace, SystemRun, TraceOutcome
from ssot_arch.formats.common import plural
from ssot_arch.formats.markdown_text import code, escape, table
from ssot_arch.formats.trace_common import (
    entries_line,
    headline,
    loaded_systems,
    process_title,
    record_notes,
    runtime_chain,
    static_chain,
    static_note,
)


def _system_row(run: SystemRun) -> list[str]:
    runtime = code(runtime_chain(run.load)) if run.load is not None else "never loaded"
    static = escape(static_note(run))
    if run.static_chain:
        static += ": " + code(static_chain(run.static_chain))
    return [escape(run.system), runtime, static]


def _process(process: ProcessTrace) -> list[str]:
    lines = [f"## {escape(process_title(process))}", ""]
    lines += [f"> {escape(note)}" for note in record_notes(process)]
    lines += [
        f"- {escape(entries_line(process))}",
        f"- the repository's modules loaded: {len(process.first_party)} "
        f"(static closure of the entries: {process.static_size})",
        "",
    ]
    for contract in process.contracts:
        loaded = loaded_systems(contract.systems)
        lines += [f"### {escape(contract.contract)}: {escape(loaded)}", ""]
        if contract.systems:
            rows = [_system_row(run) for run in contract.systems]
            lines += [*table(["system", "runtime chain", "static graph"], rows), ""]
    if process.not_in_static:
        rows = [
            [code(u.load.module), code(runtime_chain(u.load)), escape(u.why)]
            for u in process.not_in_static
        ]
        lines += [
            "### Loaded, not in the static closure of the entries "
            f"({plural(len(process.not_in_static), 'module')})",
            "",
            *table(["module", "runtime chain", "why"], rows),
            "",
        ]
    return lines


def render(outcome: TraceOutcome, color: bool = False) -> str:
    lines = [f"# ssot-arch trace: {escape(headline(outcome))}", ""]
    lines += [f"> record {escape(problem)}" for problem in outcome.problems]
    for process in outcome.processes:
        lines += _process(process)
    return "\n".join(lines).rstrip("\n") + "\n"
