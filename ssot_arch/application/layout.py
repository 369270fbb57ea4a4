"""Where the code is: the folders holding root packages and the root packages in them,
from the command line, else the configuration, else what is found on disk.
"""

from __future__ import annotations

import os

from ssot_arch.adapters.config.config_files import RawConfig
from ssot_arch.adapters.scanning.universe import (
    Layout,
    default_source_roots,
    discover_layout,
    locate_roots,
)
from ssot_arch.application.options import CommandLineContract, as_list
from ssot_arch.domain.errors import ConfigError, ConfigProblem


def resolve_source_roots(
    root_dir: str, cli: CommandLineContract, config: RawConfig | None
) -> tuple[list[str], list[ConfigProblem]]:
    """The folders holding root packages (`--source-root`, else `[ssot-arch] source_roots`,
    else PATH/src and PATH), absolute; a problem for each that is not a folder."""
    given = cli.source_roots or as_list(config.tool.get("source_roots") if config else None)
    source_roots = [os.path.join(root_dir, s) for s in given] or default_source_roots(root_dir)
    if cli.source_roots or config is None:
        file, section, key = None, None, "--source-root" if cli.source_roots else "source_roots"
    else:
        file, section, key = config.file, config.tool_section, "source_roots"
    problems = [
        ConfigProblem(f"source root '{s}' is not a folder", file=file, section=section, key=key)
        for s in source_roots
        if not os.path.isdir(s)
    ]
    return source_roots, problems


def resolve_root_packages(
    root_dir: str,
    cli: CommandLineContract,
    config: RawConfig | None,
    source_roots: list[str],
    skip_dirs: tuple[str, ...],
) -> tuple[Layout, list[ConfigProblem]]:
    """The root packages (`--root-package`, else the session's `root_packages`, else every
    package found in the source roots) and what discovery left out at the top level."""
    try:
        layout = _locate_roots(cli, config, source_roots, skip_dirs, root_dir)
    except ConfigError as error:
        return Layout(), error.problems
    if not layout.roots:
        return layout, [
            ConfigProblem(
                f"no Python packages found under {', '.join(source_roots)}; "
                "name them with --root-package or root_packages"
            )
        ]
    return layout, []


def _locate_roots(
    cli: CommandLineContract,
    config: RawConfig | None,
    source_roots: list[str],
    skip_dirs: tuple[str, ...],
    root_dir: str,
) -> Layout:
    if cli.root_packages:
        return Layout(locate_roots(cli.root_packages, source_roots, "--root-package"))
    names: list[str] = []
    if config is not None:
        session = config.session
        names = as_list(session.get("root_packages")) or as_list(session.get("root_package"))
    if config is None or not names:
        return discover_layout(root_dir, source_roots, skip_dirs)
    # Top-level modules beside the packages: import-linter takes packages only.
    modules = as_list(config.tool.get("root_modules"))
    try:
        return Layout(
            locate_roots(names, source_roots, "root_packages")
            + (locate_roots(modules, source_roots, "root_modules") if modules else [])
        )
    except ConfigError as error:
        for problem in error.problems:
            problem.file, problem.section = config.file, config.session_section
        raise
