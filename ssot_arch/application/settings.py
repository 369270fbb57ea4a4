"""Resolve what to analyse from the configuration file and the command line: the
options (application/options.py) and the layout (application/layout.py) joined into
one immutable `RunSettings`, with the cache's place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ssot_arch.adapters.filesystem.reading import DEFAULT_MAX_FILE_SIZE
from ssot_arch.adapters.scanning.universe import DEFAULT_SKIP_DIRS, Layout, Root
from ssot_arch.adapters.storage.signed_store import cache_dir_for
from ssot_arch.application.layout import resolve_root_packages, resolve_source_roots
from ssot_arch.application.options import (
    CommandLineContract,
    Origin,
    as_list,
    config_problems,
    max_file_size,
    read_config,
    resolve_contracts,
    resolve_groups,
    with_replacements,
)
from ssot_arch.domain.contract_options import parse_replacement
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import ContractSpec
from ssot_arch.domain.remediation import Replacement


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs to know: what to analyse, against which contracts, where.

    Immutable: a use case that needs other settings (init's trial contract, trend's
    shared cache) makes them with `dataclasses.replace`."""

    root_dir: str
    roots: tuple[Root, ...]
    contracts: tuple[ContractSpec, ...]
    config_file: str | None = None
    skip_dirs: tuple[str, ...] = DEFAULT_SKIP_DIRS
    other_contracts: tuple[str, ...] = ()
    # Where each contract was configured, for messages about it: (file, section).
    origins: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # Groups of the report's reach and compliance tables: name -> module prefixes.
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    groups_origin: Origin = (None, None, "--group")
    # Entry points whose closures the report follows (`--entry`, `[ssot-arch] entries`).
    entries: tuple[str, ...] = ()
    entries_origin: Origin = (None, None, "--entry")
    cache_dir: str | None = None  # None: no cache
    jobs: int | None = None  # worker processes that scan and rewrite (None: one per core)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # What root discovery left out at the top level (empty when the roots are named).
    top_level: Layout = field(default_factory=Layout)
    # The replacements given with `--replace` (the others come from the contracts).
    replace_options: tuple[Replacement, ...] = ()
    # `[ssot-arch] verify`: the command `plan` puts in each step's `fix --write --verify`.
    # Never run from here: the repository's configuration is not the user's word.
    verify: str | None = None


def load_settings(
    root_dir: str, config_path: str | None = None, cli: CommandLineContract | None = None
) -> RunSettings:
    """What to analyse, and how, for the repository at `root_dir`: the configuration file
    (`config_path`, else the first found) with the command line's options over it.

    Raises ConfigError with every problem found, not only the first: fixing one should not
    reveal the next.
    """
    cli = cli or CommandLineContract()
    root_dir = os.path.abspath(root_dir)
    if not os.path.isdir(root_dir):
        raise ConfigError(ConfigProblem(f"PATH '{root_dir}' is not a folder"))
    config = read_config(root_dir, config_path)
    tool = config.tool if config else {}
    problems = config_problems(config)
    source_roots, wrong = resolve_source_roots(root_dir, cli, config)
    problems += wrong
    skip_dirs = tuple(as_list(tool["skip_dirs"])) if "skip_dirs" in tool else DEFAULT_SKIP_DIRS
    layout = Layout()
    if not wrong:  # roots are looked for only in source roots that exist
        layout, wrong = resolve_root_packages(root_dir, cli, config, source_roots, skip_dirs)
        problems += wrong
    size, wrong = max_file_size(config)
    problems += wrong
    groups, groups_origin, wrong = resolve_groups(cli, config)
    problems += wrong
    contracts, wrong = resolve_contracts(cli, config)
    problems += wrong
    if not wrong:
        contracts.contracts, wrong = with_replacements(contracts.contracts, cli.replacements)
        problems += wrong
    if problems:
        raise ConfigError(problems)
    entries: tuple[str, ...] = tuple(cli.entries)
    entries_origin: Origin = (None, None, "--entry")
    if not cli.entries and config and "entries" in tool:
        entries = tuple(as_list(tool["entries"]))
        entries_origin = (config.file, config.tool_section, "entries")
    cache_dir = (
        None if cli.no_cache else cache_dir_for(root_dir, cli.cache_dir, tool.get("cache_dir"))
    )
    return RunSettings(
        root_dir=root_dir,
        roots=tuple(layout.roots),
        contracts=tuple(contracts.contracts),
        config_file=config.file if config else None,
        skip_dirs=skip_dirs,
        other_contracts=tuple(contracts.other_contracts),
        origins=contracts.origins,
        groups={name: tuple(prefixes) for name, prefixes in groups.items()},
        groups_origin=groups_origin or (None, None, "--group"),
        entries=entries,
        entries_origin=entries_origin,
        cache_dir=cache_dir,
        jobs=cli.jobs,
        max_file_size=size,
        top_level=layout,
        replace_options=tuple(parse_replacement(r) for r in cli.replacements),
        verify=str(tool["verify"]).strip() if isinstance(tool.get("verify"), str) else None,
    )
