"""`ssot-arch init`: scan a repository with no configuration and propose one
(analysis/adoption.py), and with `--write`, add it to a configuration file
(adapters/config/config_writer.py) without touching a contract already there."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from ssot_arch.adapters.config.config_writer import read_target, with_contract
from ssot_arch.adapters.filesystem.writing import write_atomic
from ssot_arch.adapters.scanning.sources import RepositorySources
from ssot_arch.analysis.adoption import LIBRARIES, library_of, plan_order, propose
from ssot_arch.application.check import Progress, check_repository
from ssot_arch.application.fix import FixOptions, run_fix
from ssot_arch.application.options import CommandLineContract
from ssot_arch.application.settings import RunSettings, load_settings
from ssot_arch.domain.adoption import InitOutcome
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import ContractSpec, ImportRecord
from ssot_arch.domain.remediation import FIXED

# The scan's own contract: every library restricted, no gateway. Never written.
_SCAN = ContractSpec("init", "what init looks for", restricted=LIBRARIES, gateways=())


def imported_names(
    records: list[ImportRecord], sources: RepositorySources, wanted: set[str]
) -> dict[tuple[str, str], list[str]]:
    """For each import of one of `wanted`, the names its statement takes from it."""
    names: dict[tuple[str, str], list[str]] = {}
    for record in records:
        if record.imported not in wanted or record.importer not in sources:
            continue
        bindings = sources.statement_bindings(record.importer, record.line, record.line_contents)
        taken = [b.attribute for b in bindings if b.module == record.imported and b.attribute]
        if taken:
            names.setdefault((record.importer, record.imported), []).extend(taken)
    return names


def run_init(
    path: str,
    cli: CommandLineContract,
    write: str | None = None,
    progress: Progress | None = None,
) -> InitOutcome:
    """Scan the repository at `path` and propose its contract; with `write`, add it to
    that configuration file. Raises ConfigError for a file that cannot take it."""
    # The command line's own contract stands in for any configured one (which may not
    # be an ssot contract, or may be missing): the configuration gives the roots only.
    settings = load_settings(path, None, replace(cli, restricted=cli.restricted or LIBRARIES))
    existing = settings.config_file
    # Read first: a file that cannot take the contract (a FIFO, a link) is refused
    # before the scan, and the bytes read are those the new text keeps.
    current = read_target(write, settings.root_dir) if write is not None else b""
    settings = replace(settings, contracts=(_SCAN,), other_contracts=())
    analysed = check_repository(settings, progress)
    graph, _ = analysed.import_graph(True)
    records = analysed.scan.imports
    sources = RepositorySources(analysed.universe.read, analysed.outcome.files)
    # The modules logger names may be imported from: those importing a library, and
    # the first-party modules importing those (facades).
    wrapping = {r.importer for r in records if library_of(r.imported)}
    wanted = wrapping | {r.importer for r in records if r.imported in wrapping}
    first_party = analysed.outcome.files

    def offers(module: str) -> dict[str, str]:
        return sources.offered(module) if module in first_party else {}

    proposal = propose(graph, imported_names(records, sources, wanted), offers)
    # A folder or file whose name is no identifier holds no importable module:
    # import-linter refuses it as a root package, and ssot-arch as a root module. Both
    # are left out of the roots written, and a note says so (a check on the written
    # configuration does not see them).
    packages = tuple(r.name for r in settings.roots if not r.is_file and r.name.isidentifier())
    modules = tuple(r.name for r in settings.roots if r.is_file and r.name.isidentifier())
    unnamed = sorted(
        os.path.relpath(r.path, settings.root_dir).replace(os.sep, "/")
        for r in settings.roots
        if not r.name.isidentifier()
    )
    if unnamed:
        left_out = (
            f"Left out of the roots, as no import can name them: {', '.join(unnamed)}. "
            "`check` with this configuration does not see them; give them names that are "
            "identifiers to have them checked."
        )
        proposal = replace(proposal, notes=(*proposal.notes, left_out))
    source_roots = sorted(
        {
            os.path.relpath(os.path.dirname(r.path), settings.root_dir).replace(os.sep, "/")
            for r in settings.roots
        }
    )
    # The violations are those `check` reports with the configuration as written: its
    # roots, and whatever else the file holds.
    violators: list[str] = []
    migratable = 0
    if proposal.libraries:
        data = with_contract(write, current, proposal, list(packages), source_roots, modules)
        plain = CommandLineContract(cache_dir=cli.cache_dir, no_cache=cli.no_cache, jobs=cli.jobs)
        trial_settings = _loaded(data, write or ".importlinter", settings.root_dir, plain)
        trial_settings = replace(
            trial_settings,
            contracts=tuple(c for c in trial_settings.contracts if c.id == proposal.contract.id),
        )
        if not trial_settings.contracts:
            raise ConfigError(
                ConfigProblem("the contract would not be read back; please report this", file=write)
            )
        checked = check_repository(trial_settings).outcome
        violators = [v.importer for v in checked.contracts[0].violations]
        if proposal.contract.replacements and violators:
            # What `fix` would migrate safely with the replacements (a dry run: the
            # rewrite and its proof, reading the code, never running it).
            fixed = run_fix(trial_settings, FixOptions(), progress=None).files
            migratable = sum(1 for f in fixed if f.status == FIXED)
    elif write is not None:
        raise ConfigError(
            ConfigProblem("no module imports a logging library: there is no contract to write")
        )
    written = None
    if write is not None:
        # Replaced, never written into: a link or FIFO put there since is replaced too.
        write_atomic(write, data)
        written = write
    return InitOutcome(
        root_dir=settings.root_dir,
        packages=packages,
        modules=modules,
        source_roots=tuple(source_roots),
        skipped_dirs=tuple(analysed.outcome.coverage.skipped_dirs),
        existing_config=existing,
        proposal=proposal,
        violations=len(violators),
        priorities=plan_order(graph, packages, violators),
        written=written,
        migratable=migratable,
    )


def _loaded(data: bytes, path: str, root_dir: str, cli: CommandLineContract) -> RunSettings:
    """The settings of the configuration `data`, to be written to `path`: loaded from a
    copy, so that nothing is written before it is known to load and to hold the
    contract."""
    with tempfile.TemporaryDirectory(prefix="ssot-arch-init-") as folder:
        trial = os.path.join(folder, os.path.basename(path) or "config")
        with open(trial, "wb") as handle:
            handle.write(data)
        try:
            loaded = load_settings(root_dir, trial, cli)
        except ConfigError as error:
            problems = "; ".join(str(p).replace(trial, path) for p in error.problems)
            raise ConfigError(
                ConfigProblem(
                    f"the configuration init would write does not load ({problems}); "
                    "nothing was written, please report this",
                    file=path,
                )
            ) from error
    return loaded
