"""`ssot-arch graph`: the analysed import graph, or a focused view of it, for graph tools.

The view is built from the report's networkx graph (every import, TYPE_CHECKING ones
included when any contract counts them) and the contracts' restricted modules, gateways
and systems: with several contracts, their restricted modules and gateways together.
"""

from __future__ import annotations

from collections.abc import Callable

from ssot_arch.analysis.graph_views import ViewOptionError, fit_view, view
from ssot_arch.analysis.systems import default_systems
from ssot_arch.application.check import Progress, check_repository, timed
from ssot_arch.application.settings import RunSettings
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.graph_view import GraphView


def run_graph(
    settings: RunSettings,
    *,
    collapse: int | None = None,
    focus: str | None = None,
    chains_of: str | None = None,
    fits: Callable[[GraphView], bool] | None = None,
    progress: Progress | None = None,
    externals: bool = False,
) -> GraphView:
    """The view the options ask for; with `fits` (and no `collapse`), the least collapsed
    one that fits (Mermaid's size limits); without `externals`, the external packages
    that are neither restricted nor a system's are left out. A `focus` or `chains_of`
    that names nothing suitable is a ConfigError naming the option."""
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
                focus=focus,
                chains_of=chains_of,
                externals=externals,
            )
            return fit_view(selected, fits) if fits is not None and collapse is None else selected
        except ViewOptionError as error:
            flag = {"focus": "--focus", "chains_of": "--chains-of", "collapse": "--collapse"}
            raise ConfigError(ConfigProblem(str(error), key=flag[error.option])) from error
