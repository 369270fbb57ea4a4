"""Resolve what to analyse from the configuration file and the command line."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from importlinter.domain import fields
from importlinter.domain.contract import InvalidContractOptions

from ssot_arch.adapters.cache import cache_dir_for
from ssot_arch.adapters.config_files import (
    RawConfig,
    find_config,
    is_text,
    read_config_file,
    toml_type,
)
from ssot_arch.adapters.reading import DEFAULT_MAX_FILE_SIZE
from ssot_arch.adapters.universe import (
    DEFAULT_SKIP_DIRS,
    Layout,
    Root,
    default_source_roots,
    discover_layout,
    locate_roots,
)
from ssot_arch.contract import CLASS_PATH, ONE_PER_LINE, TYPE_NAME, SSOTContract
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import ContractSpec

STRINGS = "a string or an array of strings"
TOOL_KEYS = {
    "source_roots": STRINGS,
    "skip_dirs": STRINGS,
    "groups": STRINGS,
    "cache_dir": "a string",
    "max_file_size": "a whole number of bytes",
}


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
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # What root discovery left out at the top level (empty when the roots are named).
    top_level: Layout = field(default_factory=Layout)


def _max_file_size(config: RawConfig | None) -> tuple[int, list[ConfigProblem]]:
    """`[ssot-arch] max_file_size`: bytes, or a number with K, M or G (binary units)."""
    raw = str(config.tool.get("max_file_size", "")).strip() if config else ""
    if not raw:
        return DEFAULT_MAX_FILE_SIZE, []
    number, unit = raw[:-1] if raw[-1:].isalpha() else raw, raw[-1:].upper()
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(unit, 1 if unit.isdigit() else 0)
    if number.isdigit() and factor and int(number) > 0:
        return int(number) * factor, []
    return DEFAULT_MAX_FILE_SIZE, [
        ConfigProblem(
            f"'{raw}' is not a size; write a whole number of bytes, or one with K, M or G "
            "(for example 20M)",
            file=config.file,  # type: ignore[union-attr]
            section=config.tool_section,  # type: ignore[union-attr]
            key="max_file_size",
        )
    ]


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
        problems = []
        for key, message in sorted(error.errors.items()):
            # The contract's advice is for an INI file; say it in the words of the source.
            flag = (key_names or {}).get(key)
            if flag:
                message = message.replace(ONE_PER_LINE, f"give one module per {flag}")
            elif file and file.endswith(".toml"):
                message = message.replace(ONE_PER_LINE, "write an array, one module per item")
            problems.append(ConfigProblem(message, file=file, section=section, key=flag or key))
        raise ConfigError(problems) from error
    return contract.to_spec(contract_id)


def _expected(field: fields.Field) -> str:
    """What `field` parses, in the words of a message about a TOML value."""
    if isinstance(field, fields.BooleanField):
        return "true or false"
    if isinstance(field, fields.StringField):
        return "a string"
    return STRINGS


# What each option ssot-arch reads takes, for the message when a TOML value is something else.
SESSION_KEYS = {
    "root_package": STRINGS,
    "root_packages": STRINGS,
    "contract_types": STRINGS,
    "exclude_type_checking_imports": "true or false",
    "include_external_packages": "true or false",
}
CONTRACT_KEYS = {
    name: _expected(field)
    for name, field in vars(SSOTContract).items()
    if isinstance(field, fields.Field)
}


def _typed(
    values: dict[str, Any], expected: dict[str, str], file: str, section: str
) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """The values their readers can parse, and a problem for each value of a key in
    `expected` that no reader can (a TOML table, an array of arrays...)."""
    kept, problems = {}, []
    for key, value in values.items():
        if key in expected and not is_text(value):
            message = f"must be {expected[key]}, not {toml_type(value)}"
            problems.append(ConfigProblem(message, file=file, section=section, key=key))
        else:
            kept[key] = value
    return kept, problems


def _tool_problems(config: RawConfig) -> list[ConfigProblem]:
    """Unknown [ssot-arch] keys, and a cache_dir of several folders (INI lines or an array)."""
    problems = []
    for key in sorted(config.tool):
        if key not in TOOL_KEYS:
            close = difflib.get_close_matches(key, TOOL_KEYS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else f" Valid: {', '.join(TOOL_KEYS)}."
            message = "Unrecognized option." + hint
        elif key == "cache_dir" and not isinstance(config.tool[key], str):
            message = "must be one folder, not a list"
        else:
            continue
        problems.append(
            ConfigProblem(message, file=config.file, section=config.tool_section, key=key)
        )
    return problems


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


def _locate_roots(
    cli: CommandLineContract,
    config: RawConfig | None,
    source_roots: list[str],
    skip_dirs: tuple[str, ...],
    root_dir: str,
) -> Layout:
    if cli.root_packages:
        return Layout(locate_roots(cli.root_packages, source_roots, "--root-package"))
    session = config.session if config else {}
    names = _as_list(session.get("root_packages")) or _as_list(session.get("root_package"))
    if not names:
        return discover_layout(root_dir, source_roots, skip_dirs)
    try:
        return Layout(locate_roots(names, source_roots, "root_packages"))
    except ConfigError as error:
        for problem in error.problems:
            problem.file, problem.section = config.file, config.session_section  # type: ignore[union-attr]
        raise


def _read_contracts(
    settings: RunSettings, cli: CommandLineContract, config: RawConfig | None
) -> list[ConfigProblem]:
    """Parse the ssot contracts into `settings`; the problems of every one of them."""
    session = config.session if config else {}
    if cli.defines_contract or config is None or not config.contracts:
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
        try:
            settings.contracts.append(_parse_contract("cli", options, session, (None, None), keys))
        except ConfigError as error:
            return error.problems
        settings.origins["cli"] = (None, None)
        return []

    ours = _ssot_type_names(session)
    problems: list[ConfigProblem] = []
    for raw in config.contracts:
        if raw.options.get("type") not in ours:
            settings.other_contracts.append(raw.id)
            continue
        options, wrong = _typed(raw.options, CONTRACT_KEYS, config.file, raw.section)
        problems.extend(wrong)
        try:
            settings.contracts.append(
                _parse_contract(raw.id, options, session, (config.file, raw.section))
            )
            settings.origins[raw.id] = (config.file, raw.section)
        except ConfigError as error:
            problems.extend(error.problems)
    # A contract whose table or type could not be read may well be an ssot one.
    unreadable = any(
        p.key == "contracts" or (p.section or "").startswith(f"{config.session_section}.contracts")
        for p in config.problems
    )
    if not settings.contracts and not problems and not unreadable:
        problems.append(
            ConfigProblem(
                f"no contract of type '{TYPE_NAME}' (contracts found: "
                f"{', '.join(settings.other_contracts) or 'none'}); add one, "
                "or give --restricted/--gateway on the command line",
                file=config.file,
            )
        )
    return problems


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
    file = config.file if config else None
    # Every problem is collected and reported together: fixing one should not reveal the next.
    problems: list[ConfigProblem] = []
    if config:
        config.session, wrong = _typed(
            config.session, SESSION_KEYS, config.file, config.session_section
        )
        problems += config.problems + wrong
        config.tool, wrong = _typed(config.tool, TOOL_KEYS, config.file, config.tool_section)
        problems += wrong + _tool_problems(config)

    source_roots = [
        os.path.join(root_dir, s)
        for s in (cli.source_roots or _as_list(config.tool.get("source_roots") if config else None))
    ] or default_source_roots(root_dir)
    missing = [s for s in source_roots if not os.path.isdir(s)]
    for source_root in missing:
        problems.append(
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
    roots: list[Root] = []
    layout = Layout()
    if not missing:
        try:
            layout = _locate_roots(cli, config, source_roots, skip_dirs, root_dir)
            roots = layout.roots
        except ConfigError as error:
            problems.extend(error.problems)
        else:
            if not roots:
                problems.append(
                    ConfigProblem(
                        f"no Python packages found under {', '.join(source_roots)}; "
                        "name them with --root-package or root_packages"
                    )
                )

    max_file_size, wrong = _max_file_size(config)
    problems += wrong
    settings = RunSettings(
        root_dir=root_dir,
        roots=roots,
        contracts=[],
        config_file=file,
        skip_dirs=skip_dirs,
        max_file_size=max_file_size,
        top_level=layout,
    )
    try:
        _read_groups(settings, cli, config)
    except ConfigError as error:
        problems.extend(error.problems)
    problems.extend(_read_contracts(settings, cli, config))
    if problems:
        raise ConfigError(problems)
    if not cli.no_cache:
        configured = config.tool.get("cache_dir") if config else None
        settings.cache_dir = cache_dir_for(root_dir, cli.cache_dir, configured)
    return settings
