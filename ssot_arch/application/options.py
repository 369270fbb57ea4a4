"""The user's options, read and checked: the configuration file's keys (each key's
expected type declared once, in TOOL_KEYS, SESSION_KEYS and the contract type's own
fields), the command line's contract options, the report's groups and `--replace`.

Every function here answers with the problems it found instead of raising at the
first, so that one run names every mistake (`load_settings` raises them together).
Nothing here looks at the repository's layout (application/layout.py does).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ssot_arch.adapters.config.config_files import (
    LinkLeavesRepository,
    RawConfig,
    find_config,
    is_text,
    read_config_file,
    toml_type,
)
from ssot_arch.adapters.filesystem.reading import DEFAULT_MAX_FILE_SIZE
from ssot_arch.domain.contract_options import (
    CLASS_PATH,
    FLAG,
    ONE_PER_LINE,
    OPTIONS,
    STRING,
    TYPE_NAME,
    ContractOptionsError,
    parse_contract,
    parse_named_list,
    parse_replacement,
    restricted_owner,
)
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import ContractSpec
from ssot_arch.domain.remediation import Replacement

STRINGS = "a string or an array of strings"
TOOL_KEYS = {
    "source_roots": STRINGS,
    "root_modules": STRINGS,
    "skip_dirs": STRINGS,
    "groups": STRINGS,
    "entries": STRINGS,
    "cache_dir": "a string",
    "max_file_size": "a whole number of bytes",
    "verify": "a string",
}


@dataclass
class CommandLineContract:
    """Contract and layout options given on the command line (docs/spec.md: audits
    without a configuration file)."""

    root_packages: Sequence[str] = ()
    source_roots: Sequence[str] = ()
    restricted: Sequence[str] = ()
    gateways: Sequence[str] = ()
    systems: Sequence[str] = ()
    ssot_systems: Sequence[str] = ()  # which of `systems` are the SSOT
    exclude: Sequence[str] = ()
    groups: Sequence[str] = ()  # NAME=PKG[,PKG...]
    entries: Sequence[str] = ()  # `report --entry MODULE`
    # `--replace OLD=MODULE:NAME` (fix, plan): over and beside each contract's replacements
    replacements: Sequence[str] = ()
    cache_dir: str | None = None
    no_cache: bool = False
    jobs: int | None = None  # worker processes (None: one per core)

    @property
    def defines_contract(self) -> bool:
        """Whether these options make a contract of their own (replacing the configured)."""
        return bool(
            self.restricted or self.gateways or self.systems or self.ssot_systems or self.exclude
        )


Origin = tuple[str | None, str | None, str]  # (file, section, key) of an option


def max_file_size(config: RawConfig | None) -> tuple[int, list[ConfigProblem]]:
    """`[ssot-arch] max_file_size`: bytes, or a number with K, M or G (binary units)."""
    raw = str(config.tool.get("max_file_size", "")).strip() if config else ""
    if config is None or not raw:
        return DEFAULT_MAX_FILE_SIZE, []
    number, unit = raw[:-1] if raw[-1:].isalpha() else raw, raw[-1:].upper()
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(unit, 1 if unit.isdigit() else 0)
    if number.isdigit() and factor and int(number) > 0:
        return int(number) * factor, []
    return DEFAULT_MAX_FILE_SIZE, [
        ConfigProblem(
            f"'{raw}' is not a size; write a whole number of bytes, or one with K, M or G "
            "(for example 20M)",
            file=config.file,
            section=config.tool_section,
            key="max_file_size",
        )
    ]


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", "\n").split("\n") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _ssot_type_names(session: dict[str, Any]) -> set[str]:
    """The `type` values that mean our contract: 'ssot' and any registered alias."""
    names = {TYPE_NAME, CLASS_PATH}
    for line in as_list(session.get("contract_types")):
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
        return parse_contract(contract_id, str(options["name"]), options)
    except ContractOptionsError as error:
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


# What each option ssot-arch reads takes, for the message when a TOML value is something else.
SESSION_KEYS = {
    "root_package": STRINGS,
    "root_packages": STRINGS,
    "contract_types": STRINGS,
    "exclude_type_checking_imports": "true or false",
    "include_external_packages": "true or false",
}
CONTRACT_KEYS = {
    name: {FLAG: "true or false", STRING: "a string"}.get(option.kind, STRINGS)
    for name, option in OPTIONS.items()
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
        elif key == "verify" and not (
            isinstance(config.tool[key], str) and config.tool[key].strip()
        ):
            message = "must be one command, such as 'python -m pytest -x'"
        else:
            continue
        problems.append(
            ConfigProblem(message, file=config.file, section=config.tool_section, key=key)
        )
    return problems


def resolve_groups(
    cli: CommandLineContract, config: RawConfig | None
) -> tuple[dict[str, list[str]], Origin | None, list[ConfigProblem]]:
    """The report's groups (`--group`, else `[ssot-arch] groups`) and where they were
    given; a problem for each line that is not `NAME = PACKAGE[, PACKAGE...]`, and for
    each name given to more than one line (the last would silently replace the others)."""
    origin: Origin
    if cli.groups:
        lines, origin = list(cli.groups), (None, None, "--group")
    elif config and "groups" in config.tool:
        raw = config.tool["groups"]
        lines = [raw] if isinstance(raw, str) else list(raw)
        origin = (config.file, config.tool_section, "groups")
    else:
        return {}, None, []
    definitions: dict[str, list[tuple[str, ...]]] = {}
    messages = []
    for line in lines:
        parsed = parse_named_list(line)
        if parsed is None:
            messages.append(f"'{line}' is not a group; write NAME = PACKAGE[, PACKAGE...]")
        else:
            definitions.setdefault(parsed[0], []).append(parsed[1])
    for name, given in definitions.items():
        if len(given) > 1:
            packages = ", ".join(dict.fromkeys(p for definition in given for p in definition))
            messages.append(
                f"group '{name}' is defined more than once; give each group one name, or "
                f"list all its packages in one definition: {name} = {packages}"
            )
    if messages:
        file, section, key = origin
        return {}, None, [ConfigProblem(m, file=file, section=section, key=key) for m in messages]
    return {name: list(given[0]) for name, given in definitions.items()}, origin, []


@dataclass
class ResolvedContracts:
    """The ssot contracts to check, the others (left to lint-imports), and where each
    ssot contract was configured: (file, section)."""

    contracts: list[ContractSpec] = field(default_factory=list)
    other_contracts: list[str] = field(default_factory=list)
    origins: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def resolve_contracts(
    cli: CommandLineContract, config: RawConfig | None
) -> tuple[ResolvedContracts, list[ConfigProblem]]:
    """The contracts the command line defines, else the configured ssot ones; the
    problems of every one of them."""
    session = config.session if config else {}
    if cli.defines_contract or config is None or not config.contracts:
        return _command_line_contract(cli, session)
    resolved = ResolvedContracts()
    ours = _ssot_type_names(session)
    problems: list[ConfigProblem] = []
    for raw in config.contracts:
        if raw.options.get("type") not in ours:
            resolved.other_contracts.append(raw.id)
            continue
        options, wrong = _typed(raw.options, CONTRACT_KEYS, config.file, raw.section)
        problems.extend(wrong)
        try:
            resolved.contracts.append(
                _parse_contract(raw.id, options, session, (config.file, raw.section))
            )
            resolved.origins[raw.id] = (config.file, raw.section)
        except ConfigError as error:
            problems.extend(error.problems)
    # A contract whose table or type could not be read may well be an ssot one.
    unreadable = any(
        p.key == "contracts" or (p.section or "").startswith(f"{config.session_section}.contracts")
        for p in config.problems
    )
    if not resolved.contracts and not problems and not unreadable:
        problems.append(
            ConfigProblem(
                f"no contract of type '{TYPE_NAME}' (contracts found: "
                f"{', '.join(resolved.other_contracts) or 'none'}); add one, "
                "or give --restricted/--gateway on the command line",
                file=config.file,
            )
        )
    return resolved, problems


def _command_line_contract(
    cli: CommandLineContract, session: dict[str, Any]
) -> tuple[ResolvedContracts, list[ConfigProblem]]:
    """The one contract of `--restricted`, `--gateway`, `--system`, `--ssot-system` and
    `--exclude`."""
    options: dict[str, Any] = {"name": "SSOT logging (command line)"}
    if cli.restricted:
        options["restricted_modules"] = list(cli.restricted)
    options["gateways"] = list(cli.gateways)
    options["systems"] = list(cli.systems)
    options["ssot_systems"] = list(cli.ssot_systems)
    options["exclude"] = list(cli.exclude)
    keys = {
        "restricted_modules": "--restricted",
        "gateways": "--gateway",
        "systems": "--system",
        "ssot_systems": "--ssot-system",
        "exclude": "--exclude",
    }
    try:
        spec = _parse_contract("cli", options, session, (None, None), keys)
    except ConfigError as error:
        return ResolvedContracts(), error.problems
    return ResolvedContracts([spec], origins={"cli": (None, None)}), []


def with_replacements(
    contracts: list[ContractSpec], given: Sequence[str]
) -> tuple[list[ContractSpec], list[ConfigProblem]]:
    """`contracts` with the command line's `--replace OLD=MODULE:NAME` values: each goes
    to every contract whose restricted modules hold OLD, over the contract's own
    replacement of OLD; a problem for each value that is malformed or fits no contract."""
    parsed: list[Replacement] = []
    problems = []
    for raw in given:
        try:
            replacement = parse_replacement(raw)
        except ValueError as error:
            problems.append(ConfigProblem(str(error), key="--replace"))
            continue
        if not any(restricted_owner(replacement, c.restricted) for c in contracts):
            restricted = sorted({m for c in contracts for m in c.restricted})
            problems.append(
                ConfigProblem(
                    f"'{replacement.old}' is inside no restricted module "
                    f"({', '.join(restricted)}); replace a name of one of them",
                    key="--replace",
                )
            )
        parsed.append(replacement)
    if problems or not parsed:
        return contracts, problems
    updated = []
    for spec in contracts:
        mine = {r.old: r for r in parsed if restricted_owner(r, spec.restricted)}
        if mine:
            kept = tuple(r for r in spec.replacements if r.old not in mine)
            spec = dataclasses.replace(spec, replacements=kept + tuple(mine.values()))
        updated.append(spec)
    return updated, []


def read_config(root_dir: str, config_path: str | None) -> RawConfig | None:
    """The configuration: `--config`'s file, else the first one found in `root_dir`."""
    if not config_path:
        try:
            return find_config(root_dir)
        except LinkLeavesRepository as error:
            raise ConfigError(
                ConfigProblem(
                    f"is a symbolic link to {error.target}, outside the repository; it is not "
                    "read. Give that file with --config if it is the configuration to use",
                    file=error.path,
                )
            ) from error
    if not os.path.exists(config_path):
        raise ConfigError(ConfigProblem("no such file; check the --config path", file=config_path))
    config = read_config_file(config_path)
    if config is None:
        raise ConfigError(
            ConfigProblem("holds no [importlinter] or [ssot-arch] configuration", file=config_path)
        )
    return config


def config_problems(config: RawConfig | None) -> list[ConfigProblem]:
    """What is wrong with the file's own structure and [ssot-arch] keys; values no reader
    could parse are taken out of `config` (each is a problem)."""
    if config is None:
        return []
    config.session, wrong_session = _typed(
        config.session, SESSION_KEYS, config.file, config.session_section
    )
    config.tool, wrong_tool = _typed(config.tool, TOOL_KEYS, config.file, config.tool_section)
    return config.problems + wrong_session + wrong_tool + _tool_problems(config)
