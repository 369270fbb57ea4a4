"""What the trace's text and Markdown both say, worded once."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from ssot_arch.domain.findings import Hop
from ssot_arch.domain.trace import ProcessTrace, RuntimeLoad, SystemRun, TraceOutcome
from ssot_arch.formats.common import hop_place, plural, printable

ARROW = " → "

_ORIGIN_NOTES = {
    "start-up": "already loaded at interpreter start-up, before the trace began",
    "unobserved": "found loaded at exit, its import not observed",
    "main": "run as __main__",
    "import": "",
}


def command_line(argv: Sequence[str]) -> str:
    """A command as a shell would take it back (quoted where needed), printable."""
    return printable(shlex.join(argv))


def headline(outcome: TraceOutcome) -> str:
    status = outcome.status
    how = f"exit status {status}"
    if status > 128:
        how += f" (signal {status - 128})"
    return (
        f"{command_line(outcome.command)}: {how}; "
        f"{len(outcome.processes)} Python process{'' if len(outcome.processes) == 1 else 'es'} "
        "traced"
    )


def runtime_chain(load: RuntimeLoad) -> str:
    text = ARROW.join(printable(m) for m in load.chain)
    note = _ORIGIN_NOTES[load.origin] if len(load.chain) == 1 else ""
    return f"{text} ({note})" if note else text


def static_chain(chain: Sequence[Hop]) -> str:
    """`a (l.3) → b (l.7) → c`: each importer with the line of its import of the next."""
    if not chain:
        return ""
    parts = [f"{printable(hop.importer)} ({hop_place(hop)})" for hop in chain]
    return ARROW.join([*parts, printable(chain[-1].imported)])


def process_title(process: ProcessTrace) -> str:
    record = process.record
    how = ", forked" if record.forked else ""
    return f"process {process.key} (pid {record.pid}{how}): {command_line(record.argv)}"


def entries_line(process: ProcessTrace) -> str:
    if not process.entries:
        return "entries: none (it loaded no module of the repository)"
    whose = "--entry" if process.entries_given else "the first repository modules it loaded"
    text = f"entries ({whose}): {', '.join(map(printable, process.entries))}"
    if process.entries_not_in_graph:
        missing = ", ".join(map(printable, process.entries_not_in_graph))
        text += f"; not in the static graph: {missing}"
    return text


def loaded_systems(runs: Sequence[SystemRun]) -> str:
    loaded = [r.system for r in runs if r.load is not None]
    if not loaded:
        return "no system loaded"
    return f"{plural(len(loaded), 'system')} loaded: {', '.join(map(printable, loaded))}"


def static_note(run: SystemRun) -> str:
    """What the static closure says of a system the process loaded or not."""
    if run.load is not None and run.static_chain is None:
        return "not predicted by the static graph"
    if run.load is None:
        return "predicted by the static graph, never loaded"
    return "predicted"


def record_notes(process: ProcessTrace) -> list[str]:
    """What to know of the process's record itself."""
    record = process.record
    notes = []
    if not record.complete:
        notes.append(
            "its record ends early: the process did not exit normally (os._exit, a "
            "signal), so it may have loaded more"
        )
    notes += [f"record {printable(problem)}" for problem in record.problems]
    return notes
