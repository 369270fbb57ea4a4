"""`trace --format text`: what each traced process loaded, for a terminal."""

from __future__ import annotations

from ssot_arch.domain.trace import ProcessTrace, TraceOutcome
from ssot_arch.formats.common import plural, printable
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


def _process(process: ProcessTrace) -> list[str]:
    lines = [process_title(process)]
    lines += [f"  note: {note}" for note in record_notes(process)]
    lines.append(f"  {entries_line(process)}")
    lines.append(
        f"  the repository's modules loaded: {len(process.first_party)} "
        f"(static closure of the entries: {process.static_size})"
    )
    for contract in process.contracts:
        lines.append(f"  [{printable(contract.contract)}] {loaded_systems(contract.systems)}")
        width = max((len(r.system) for r in contract.systems), default=0)
        for run in contract.systems:
            name = printable(run.system).ljust(width)
            if run.load is not None:
                lines.append(f"    {name}  {runtime_chain(run.load)}")
                if run.static_chain is None:
                    lines.append(f"    {'':{width}}  ({static_note(run)})")
            else:
                chain = static_chain(run.static_chain or ())
                lines.append(f"    {name}  {static_note(run)}: {chain}")
    if process.not_in_static:
        lines.append(
            f"  loaded, not in the static closure of the entries "
            f"({plural(len(process.not_in_static), 'module')}):"
        )
        for unreached in process.not_in_static:
            lines.append(f"    {runtime_chain(unreached.load)}")
            lines.append(f"      {unreached.why}")
    return lines


def render(outcome: TraceOutcome, color: bool = False) -> str:
    lines = [f"ssot-arch trace: {headline(outcome)}"]
    for problem in outcome.problems:
        lines.append(f"  note: record {printable(problem)}")
    for process in outcome.processes:
        lines += ["", *_process(process)]
    return "\n".join(lines) + "\n"
