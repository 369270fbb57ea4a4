"""`ssot-arch graph`: the analysed import graph, or a focused view of it, for graph tools.

The view is built from the report's networkx graph (every import, TYPE_CHECKING ones
included when any contract counts them) and the contracts' restricted modules, gateways
and systems: with several contracts, their restricted modules and gateways together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ssot_arch.analysis.graph_views import ViewOptionError, fit_view, view
from ssot_arch.analysis.systems import default_systems
from ssot_arch.application.check import Progress, check_repository, timed
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.graph_view import GraphView

# A text format of the graph (formats/graph_export.py's GRAPH_FORMATS): how to write a
# view, and whether a view fits the format (None: every view does).
GraphFormat = tuple[Callable[[GraphView], str], Callable[[GraphView], bool] | None]


@dataclass(frozen=True)
class GraphOptions:
    """Which view of the graph `ssot-arch graph` is asked for."""

    collapse: int | None = None  # merge the modules of each package at this depth
    focus: str | None = None  # a module or a system, and what reaches it
    chains_of: str | None = None  # a direct violator's chains
    externals: bool = False  # every external package, not only the restricted ones


def run_graph(
    settings: RunSettings,
    options: GraphOptions,
    fits: Callable[[GraphView], bool] | None = None,
    progress: Progress | None = None,
) -> GraphView:
    """The view the options ask for; with `fits` (and no `collapse`), the least collapsed
    one that fits (Mermaid's size limits); without `externals`, the external packages
    that are neither restricted nor a system's are left out. A `focus` or `chains_of`
    that names nothing suitable is a ConfigError naming the option."""
    collapse = options.collapse
    analysed = check_repository(settings, progress, audit=True)
    contracts = settings.contracts
    graph, _ = analysed.import_graph(any(c.type_checking_imports for c in contracts))
    with timed("building the view"):
        try:
            selected = view(
                graph,
                restricted=sorted({name for c in contracts for name in c.restricted}),
                gateways=sorted({name for c in contracts for name in c.gateways}),
                systems=[s for c in contracts for s in default_systems(c)],
                exclude=sorted({pattern for c in contracts for pattern in c.exclude}),
                collapse=collapse,
                focus=options.focus,
                chains_of=options.chains_of,
                externals=options.externals,
            )
            return fit_view(selected, fits) if fits is not None and collapse is None else selected
        except ViewOptionError as error:
            flag = {"focus": "--focus", "chains_of": "--chains-of", "collapse": "--collapse"}
            raise ConfigError(ConfigProblem(str(error), key=flag[error.option])) from error


def write_graph(
    settings: RunSettings,
    options: GraphOptions,
    output_format: str,
    text_formats: Mapping[str, GraphFormat],
    progress: Progress | None = None,
) -> str:
    """`ssot-arch graph`: the view `run_graph` makes of the options, in `output_format`,
    written by `text_formats` (formats/graph_export.py's GRAPH_FORMATS: renderers a use
    case may not import), which say whether a view fits them: without `collapse`, the
    view is collapsed until it does."""
    write, fits = text_formats[output_format]
    return write(run_graph(settings, options, fits, progress))
