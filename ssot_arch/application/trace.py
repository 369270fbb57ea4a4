"""`ssot-arch trace`: run the user's command traced, then hold what each Python process
loaded against the repository's static graph.

The one use case besides `fix --verify` that runs the repository's code, and only the
command the user gave. The repository is analysed first, as `report` analyses it, so
that a configuration error stops the run before anything runs; then the command runs
in the current folder, its output and exit status its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ssot_arch.adapters.processes.tracing import run_traced
from ssot_arch.analysis.entries import missing_entries
from ssot_arch.analysis.systems import default_systems, index_systems
from ssot_arch.analysis.trace import process_trace, process_tree
from ssot_arch.application.check import Progress, check_repository, timed
from ssot_arch.application.ports import Ports
from ssot_arch.application.settings import RunSettings
from ssot_arch.application.wiring import DISK
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.trace import TracedRun, TraceOutcome
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

Runner = Callable[[Sequence[str], str], TracedRun]

UNTRACED = (
    "no Python process of the command was traced: an interpreter started with -I, -E or "
    "-S, or without this environment's PYTHONPATH, runs without the recorder"
)


def run_trace(
    settings: RunSettings,
    command: Sequence[str],
    entries: Sequence[str] = (),
    progress: Progress | None = None,
    ports: Ports = DISK,
    run: Runner = run_traced,
) -> TraceOutcome:
    """Run `command` traced, analyse the repository, and compare each traced process
    with the static closure of `entries` (`--entry`), else of its own first modules.

    Raises ConfigError (before anything runs) when the contracts or `entries` name no
    analysed module: the configuration is checked first, by a scan of the repository.
    """
    analysed = check_repository(settings, progress, audit=True, ports=ports)
    # TYPE_CHECKING imports never run: the static closure leaves them out.
    graph, _ = analysed.import_graph(False)
    missing = missing_entries(graph, entries)
    if missing:
        raise ConfigError(
            [
                ConfigProblem(
                    f"entry '{name}' matches no analysed module; give a module's full dotted "
                    "name (such as 'service.main')",
                    key="--entry",
                )
                for name in missing
            ]
        )
    with timed("running the command"):
        traced = run(command, settings.root_dir)
    if not traced.processes:
        logger.warning(UNTRACED)
    for problem in traced.problems:
        logger.warning("trace record %s", problem)
    indexes = {
        result.spec.id: index_systems(graph, default_systems(result.spec))
        for result in analysed.outcome.contracts
    }
    roots = {root.name for root in settings.roots}
    module_at = {f.path: f.module for f in analysed.universe.files}
    with timed("comparing with the static graph"):
        processes = tuple(
            process_trace(record, key, parent, graph, indexes, roots, module_at, entries)
            for record, key, parent in process_tree(traced.processes)
        )
    return TraceOutcome(traced.command, traced.status, processes, traced.problems)
