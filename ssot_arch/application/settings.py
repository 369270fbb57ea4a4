"""Resolve what to analyse from the configuration file and the command line."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from importlinter.domain.contract import InvalidContractOptions

from ssot_arch.adapters.cache import DEFAULT_DIR
from ssot_arch.adapters.config_files import RawConfig, find_config, read_config_file
from ssot_arch.adapters.universe import (
    DEFAULT_SKIP_DIRS,
    Root,
    default_source_roots,
    discover_roots,
    locate_roots,
)
from ssot_arch.contract import CLASS_PATH, TYPE_NAME, SSOTContract
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import ContractSpec

TOOL_KEYS = ("source_roots", "skip_dirs", "groups", "cache_dir")


@dataclass
class CommandLineContract:
    """Contract and layout options given on the command line (SPEC: config-less audits)."""

    root_packages: Sequence[str] = ()
    source_roots: Sequence[str] = ()
    restricted: Sequence[str] = ()
    gateways: Sequence[str] = ()
    systems: Sequence[str] = ()
    exclude: Sequence[str] = ()
    groups: Sequence[str] = ()  # NAME=PKG[,PKG...]
    cache_dir: str | None = None
    no_cache: bool = False

    @property
    def defines_contract(self) -> bool:
        return bool(self.restricted or self.gateways or self.systems or self.exclude)


@dataclass
class RunSettings:
    root_dir: str
    roots: list[Root]
    contracts: list[ContractSpec]
    config_file: str | None = None
    skip_dirs: tuple[str, ...] = DEFAULT_SKIP_DIRS
    other_contracts: list[str] = field(default_factory=list)
    # Where each contract was configured, for messages about it: (file, section).
    origins: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # Services for the report's reach and compliance tables: name -> module prefixes.
    groups: dict[str, list[str]] = field(default_factory=dict)
    groups_origin: tuple[str | None, str | None, str] = (None, None, "--group")
    cache_dir: str | None = None  # None: no cache


def parse_groups(lines: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """`NAME = PKG[, PKG...]` lines (or `NAME=PKG,PKG`), and the lines that are not that."""
    groups: dict[str, list[str]] = {}
    bad = []
    for line in lines:
        name, sep, packages = line.partition("=")
        prefixes = [p.strip() for p in packages.split(",") if p.strip()]
        if not sep or not name.strip() or not prefixes:
            bad.append(line)
        else:
            groups[name.strip()] = prefixes
    return groups, bad


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", "\n").split("\n") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _ssot_type_names(session: dict[str, Any]) -> set[str]:
    """The `type` values that mean our contract: 'ssot' and any registered alias."""
    names = {TYPE_NAME, CLASS_PATH}
    for line in _as_list(session.get("contract_types")):
        alias, _, path = line.partition(":")
        if path.strip() in {CLASS_PATH, "ssot_arch.SSOTContract"}:
            names.add(alias.strip())
    return names


def _parse_contract(
    contract_id: str,
    options: dict[str, Any],
    session: dict[str, Any],
    where: tuple[str | None, str | None],
    key_names: dict[str, str] | None = None,
) -> ContractSpec:
    options = {k: v for k, v in options.items() if k not in ("type", "name", "id")} | {
        "name": options.get("name", contract_id)
    }
    if (
        "type_checking_imports" not in options
        and str(session.get("exclude_type_checking_imports", "")).lower() == "true"
    ):
        options["type_checking_imports"] = "False"
    try:
        contract = SSOTContract(str(options["name"]), session, options)
    except InvalidContractOptions as error:
        file, section = where
        raise ConfigError(
            [
                ConfigProblem(
                    message, file=file, section=section, key=(key_names or {}).get(key, key)
                )
                for key, message in sorted(error.errors.items())
            ]
        ) from error
    return contract.to_spec(contract_id)


def _check_tool_keys(config: RawConfig) -> None:
    problems = []
    for key in sorted(config.tool):
        if key not in TOOL_KEYS:
            close = difflib.get_close_matches(key, TOOL_KEYS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else f" Valid: {', '.join(TOOL_KEYS)}."
            problems.append(
                ConfigProblem(
                    "Unrecognized option." + hint,
                    file=config.file,
                    section=config.tool_section,
                    key=key,
                )
            )
    if problems:
        raise ConfigError(problems)


def _read_groups(settings: RunSettings, cli: CommandLineContract, config: RawConfig | None) -> None:
    if cli.groups:
        lines, origin = list(cli.groups), (None, None, "--group")
    elif config and "groups" in config.tool:
        raw = config.tool["groups"]
        lines = [raw] if isinstance(raw, str) else list(raw)
        origin = (config.file, config.tool_section, "groups")
    else:
        return
    groups, bad = parse_groups(lines)
    if bad:
        raise ConfigError(
            [
                ConfigProblem(
                    f"'{line}' is not a group; write NAME = PACKAGE[, PACKAGE...]",
                    file=origin[0],
                    section=origin[1],
                    key=origin[2],
                )
                for line in bad
            ]
        )
    settings.groups, settings.groups_origin = groups, origin


def load_settings(
    root_dir: str, config_path: str | None = None, cli: CommandLineContract | None = None
) -> RunSettings:
    cli = cli or CommandLineContract()
    root_dir = os.path.abspath(root_dir)
    if not os.path.isdir(root_dir):
        raise ConfigError(ConfigProblem(f"PATH '{root_dir}' is not a folder"))
    config = read_config_file(config_path) if config_path else find_config(root_dir)
    if config_path and config is None:
        raise ConfigError(
            ConfigProblem("holds no [importlinter] or [ssot-arch] configuration", file=config_path)
        )
    session = config.session if config else {}
    file = config.file if config else None
    if config:
        _check_tool_keys(config)

    source_roots = [
        os.path.join(root_dir, s)
        for s in (cli.source_roots or _as_list(config.tool.get("source_roots") if config else None))
    ] or default_source_roots(root_dir)
    for source_root in source_roots:
        if not os.path.isdir(source_root):
            raise ConfigError(
                ConfigProblem(
                    f"source root '{source_root}' is not a folder",
                    file=None if cli.source_roots else file,
                    section=None if cli.source_roots else (config.tool_section if config else None),
                    key="--source-root" if cli.source_roots else "source_roots",
                )
            )
    skip_dirs = (
        tuple(_as_list(config.tool.get("skip_dirs")))
        if config and "skip_dirs" in config.tool
        else DEFAULT_SKIP_DIRS
    )

    if cli.root_packages:
        roots = locate_roots(cli.root_packages, source_roots, "--root-package")
    else:
        names = _as_list(session.get("root_packages")) or _as_list(session.get("root_package"))
        if names:
            try:
                roots = locate_roots(names, source_roots, "root_packages")
            except ConfigError as error:
                for problem in error.problems:
                    problem.file, problem.section = file, config.session_section  # type: ignore[union-attr]
                raise
        else:
            roots = discover_roots(source_roots, skip_dirs)
    if not roots:
        raise ConfigError(
            ConfigProblem(
                f"no Python packages found under {', '.join(source_roots)}; "
                "name them with --root-package or root_packages"
            )
        )

    settings = RunSettings(
        root_dir=root_dir, roots=roots, contracts=[], config_file=file, skip_dirs=skip_dirs
    )
    _read_groups(settings, cli, config)
    if not cli.no_cache:
        configured = config.tool.get("cache_dir") if config else None
        settings.cache_dir = os.path.join(root_dir, cli.cache_dir or configured or DEFAULT_DIR)
    if cli.defines_contract or not (config and config.contracts):
        options: dict[str, Any] = {"name": "SSOT logging (command line)"}
        if cli.restricted:
            options["restricted_modules"] = list(cli.restricted)
        options["gateways"] = list(cli.gateways)
        options["systems"] = list(cli.systems)
        options["exclude"] = list(cli.exclude)
        keys = {
            "restricted_modules": "--restricted",
            "gateways": "--gateway",
            "systems": "--system",
            "exclude": "--exclude",
        }
        settings.contracts.append(_parse_contract("cli", options, session, (None, None), keys))
        settings.origins["cli"] = (None, None)
        return settings

    ours = _ssot_type_names(session)
    problems: list[ConfigProblem] = []
    for raw in config.contracts:  # type: ignore[union-attr]
        if raw.options.get("type") not in ours:
            settings.other_contracts.append(raw.id)
            continue
        try:
            settings.contracts.append(
                _parse_contract(raw.id, raw.options, session, (file, raw.section))
            )
            settings.origins[raw.id] = (file, raw.section)
        except ConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    if not settings.contracts:
        raise ConfigError(
            ConfigProblem(
                f"no contract of type '{TYPE_NAME}' (contracts found: "
                f"{', '.join(settings.other_contracts) or 'none'}); add one, "
                "or give --restricted/--gateway on the command line",
                file=file,
            )
        )
    return settings
