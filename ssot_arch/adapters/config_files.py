"""Read import-linter configuration (`.importlinter`, `setup.cfg`, `pyproject.toml`).

Only reading happens here: the values come back as import-linter would hand them
to a contract (strings, or lists of strings), each located by file and section so
that a later error can name them.
"""

from __future__ import annotations

import configparser
import os
import sys
from dataclasses import dataclass, field
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ssot_arch.domain.errors import ConfigError, ConfigProblem

CANDIDATES = (".importlinter", "setup.cfg", "pyproject.toml")
TOOL_SECTION = "ssot-arch"


@dataclass
class RawContract:
    id: str
    section: str  # where it was written, for messages
    options: dict[str, Any]


@dataclass
class RawConfig:
    file: str
    session: dict[str, Any] = field(default_factory=dict)
    session_section: str = "importlinter"
    contracts: list[RawContract] = field(default_factory=list)
    tool: dict[str, Any] = field(default_factory=dict)
    tool_section: str = TOOL_SECTION


def _ini_value(value: str) -> str | list[str]:
    if "\n" in value:
        return [line.strip() for line in value.strip().split("\n") if line.strip()]
    return value.strip()


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise ConfigError(
            ConfigProblem(f"cannot read it: {error.strerror}; check the path", file=path)
        ) from error
    except UnicodeDecodeError as error:
        raise ConfigError(
            ConfigProblem(f"is not UTF-8 text ({error.reason})", file=path)
        ) from error


def _read_ini(path: str) -> RawConfig | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read_text(path), source=path)
    except configparser.Error as error:
        message = " ".join(str(error).split())
        raise ConfigError(ConfigProblem(f"malformed INI: {message}", file=path)) from error
    if "importlinter" not in parser and TOOL_SECTION not in parser:
        return None
    config = RawConfig(file=path)
    if "importlinter" in parser:
        config.session = {k: _ini_value(v) for k, v in parser["importlinter"].items()}
    if TOOL_SECTION in parser:
        config.tool = {k: _ini_value(v) for k, v in parser[TOOL_SECTION].items()}
    prefix = "importlinter:contract:"
    for section in parser.sections():
        if section.startswith(prefix):
            options = {k: _ini_value(v) for k, v in parser[section].items()}
            contract_id = section[len(prefix) :]
            config.contracts.append(RawContract(contract_id, section, options))
    return config


def _toml_value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_toml_value(v) for v in value]
    return value


def _read_toml(path: str) -> RawConfig | None:
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(ConfigProblem(f"malformed TOML: {error}", file=path)) from error
    tool = data.get("tool", {})
    if "importlinter" not in tool and TOOL_SECTION not in tool:
        return None
    config = RawConfig(
        file=path, session_section="tool.importlinter", tool_section=f"tool.{TOOL_SECTION}"
    )
    session = dict(tool.get("importlinter", {}))
    contracts = session.pop("contracts", [])
    config.session = {k: _toml_value(v) for k, v in session.items()}
    config.tool = {k: _toml_value(v) for k, v in tool.get(TOOL_SECTION, {}).items()}
    if not isinstance(contracts, list):
        raise ConfigError(
            ConfigProblem(
                "must be an array of tables ([[tool.importlinter.contracts]])",
                file=path,
                section="tool.importlinter",
                key="contracts",
            )
        )
    for index, contract in enumerate(contracts):
        options = {k: _toml_value(v) for k, v in contract.items()}
        contract_id = str(options.pop("id", "")) or f"contract-{index + 1}"
        config.contracts.append(
            RawContract(contract_id, f"tool.importlinter.contracts[{index}]", options)
        )
    return config


def read_config_file(path: str) -> RawConfig | None:
    """The configuration in `path`, or None when it holds no import-linter section."""
    if not os.path.isfile(path):
        raise ConfigError(ConfigProblem("no such file; check the --config path", file=path))
    if path.endswith(".toml"):
        return _read_toml(path)
    return _read_ini(path)


def find_config(root_dir: str) -> RawConfig | None:
    """The first of CANDIDATES in `root_dir` that configures import-linter or ssot-arch."""
    for name in CANDIDATES:
        path = os.path.join(root_dir, name)
        if os.path.isfile(path):
            config = read_config_file(path)
            if config is not None:
                return config
    return None
