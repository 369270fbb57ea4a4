"""Read import-linter configuration (`.importlinter`, `setup.cfg`, `pyproject.toml`).

Only reading happens here: the values come back as import-linter would hand them
to a contract (strings, or lists of strings), each located by file and section so
that a later error can name them. A TOML value that cannot be handed over that way
(a table) is kept as it is, for the reader of that key to report; a malformed
structure (`tool = 5`) is recorded as a problem, so that every problem of the file
is reported in one run.
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

from ssot_arch.adapters.filesystem.reading import NotReadable, read_source
from ssot_arch.domain.errors import ConfigError, ConfigProblem

CANDIDATES = (".importlinter", "setup.cfg", "pyproject.toml")
TOOL_SECTION = "ssot-arch"
CONTRACT_PREFIX = "importlinter:contract:"
_COMMON_KEYS = ("id", "name", "type")
_SCALARS = (str, bool, int, float)


class LinkLeavesRepository(Exception):
    """A configuration file found in the repository is a symbolic link to a file outside
    it, and is not read."""

    def __init__(self, path: str, target: str) -> None:
        super().__init__(f"{path} is a symbolic link to {target}, outside the repository")
        self.path, self.target = path, target


# Option values are strings or lists of strings, except TOML values no field could parse
# (a table), kept for the reader of the key to report: only it knows whether it matters.
@dataclass
class RawContract:
    """One contract's options as written, with its id and where it was written."""

    id: str
    section: str  # where it was written, for messages
    options: dict[str, Any]


@dataclass
class RawConfig:
    """A configuration file's import-linter session, contracts and [ssot-arch] options,
    with the problems found in its structure."""

    file: str
    session: dict[str, Any] = field(default_factory=dict)
    session_section: str = "importlinter"
    contracts: list[RawContract] = field(default_factory=list)
    tool: dict[str, Any] = field(default_factory=dict)
    tool_section: str = TOOL_SECTION
    problems: list[ConfigProblem] = field(default_factory=list)


def _ini_value(value: str) -> str | list[str]:
    if "\n" in value:
        return [line.strip() for line in value.strip().split("\n") if line.strip()]
    return value.strip()


def _read_text(path: str) -> str:
    """The text of a configuration file: a regular file (a FIFO is not waited for), read
    through a link (found ones that leave the repository are refused before this)."""
    try:
        return read_source(path, follow_link=True).decode("utf-8")
    except NotReadable as error:
        raise ConfigError(
            ConfigProblem(f"cannot read it ({error}); check the path", file=path)
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
    contract_sections = [s for s in parser.sections() if s.startswith(CONTRACT_PREFIX)]
    if "importlinter" not in parser:
        if contract_sections:
            # import-linter ignores such a file: its contracts would silently go unchecked.
            raise ConfigError(
                ConfigProblem(
                    f"has [{contract_sections[0]}] but no [importlinter] section; "
                    "add one (with root_packages and include_external_packages = True)",
                    file=path,
                )
            )
        if TOOL_SECTION not in parser:
            return None
    config = RawConfig(file=path)
    if "importlinter" in parser:
        config.session = {k: _ini_value(v) for k, v in parser["importlinter"].items()}
    if TOOL_SECTION in parser:
        config.tool = {k: _ini_value(v) for k, v in parser[TOOL_SECTION].items()}
    for section in contract_sections:
        options = {k: _ini_value(v) for k, v in parser[section].items()}
        config.contracts.append(RawContract(section[len(CONTRACT_PREFIX) :], section, options))
    return config


def toml_type(value: Any) -> str:
    """What a TOML value is, in TOML's words, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        inner = next((v for v in value if not isinstance(v, _SCALARS)), None)
        return "an array" if inner is None else f"an array containing {toml_type(inner)}"
    return "a date or time"


def is_text(value: Any) -> bool:
    """Whether import-linter's fields can parse `value`: a string or a list of strings."""
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    )


def _as_text(value: Any) -> Any:
    """Booleans and numbers as strings, as import-linter's fields read them (`True`, `5`),
    also inside an array; any other value as it is."""
    if isinstance(value, _SCALARS):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        return [str(v) for v in value]
    return value


def _common_options(
    contract: dict[str, Any], file: str, section: str, problems: list[ConfigProblem]
) -> dict[str, str]:
    """`id`, `name` and `type`, read for every contract whatever its type; a problem for
    each that is not a single value."""
    values = {}
    for key in (k for k in _COMMON_KEYS if k in contract):
        value = _as_text(contract[key])
        if isinstance(value, str):
            values[key] = value
        else:
            message = f"must be a string, not {toml_type(value)}"
            problems.append(ConfigProblem(message, file=file, section=section, key=key))
    return values


def _table(
    parent: dict[str, Any],
    key: str,
    file: str,
    section: str | None,
    problems: list[ConfigProblem],
) -> dict[str, Any]:
    """The table `parent[key]` (empty when absent); anything else is a problem."""
    value = parent.get(key, {})
    if isinstance(value, dict):
        return value
    name = f"{section}.{key}" if section else key
    problems.append(
        ConfigProblem(
            f"must be a table (a [{name}] section), not {toml_type(value)}",
            file=file,
            section=section,
            key=key,
        )
    )
    return {}


def _read_toml(path: str) -> RawConfig | None:
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(ConfigProblem(f"malformed TOML: {error}", file=path)) from error
    problems: list[ConfigProblem] = []
    tool = _table(data, "tool", path, None, problems)
    session = dict(_table(tool, "importlinter", path, "tool", problems))
    ours = _table(tool, TOOL_SECTION, path, "tool", problems)
    if not problems and "importlinter" not in tool and TOOL_SECTION not in tool:
        return None
    config = RawConfig(
        file=path,
        session_section="tool.importlinter",
        tool_section=f"tool.{TOOL_SECTION}",
        problems=problems,
    )
    contracts = session.pop("contracts", [])
    config.session = {k: _as_text(v) for k, v in session.items()}
    config.tool = {k: _as_text(v) for k, v in ours.items()}
    if not isinstance(contracts, list):
        problems.append(
            ConfigProblem(
                "must be an array of tables ([[tool.importlinter.contracts]] sections), "
                f"not {toml_type(contracts)}",
                file=path,
                section=config.session_section,
                key="contracts",
            )
        )
        contracts = []
    for index, contract in enumerate(contracts):
        section = f"tool.importlinter.contracts[{index}]"
        if not isinstance(contract, dict):
            problems.append(
                ConfigProblem(
                    "must be a table (a [[tool.importlinter.contracts]] section), "
                    f"not {toml_type(contract)}",
                    file=path,
                    section=section,
                )
            )
            continue
        options = {k: _as_text(v) for k, v in contract.items() if k not in _COMMON_KEYS}
        options |= _common_options(contract, path, section, problems)
        contract_id = options.pop("id", "") or f"contract-{index + 1}"
        config.contracts.append(RawContract(contract_id, section, options))
    return config


def read_config_file(path: str) -> RawConfig | None:
    """The configuration in `path`, or None when it holds no import-linter or ssot-arch
    section; ConfigError when it cannot be read or parsed."""
    if path.endswith(".toml"):
        return _read_toml(path)
    return _read_ini(path)


def find_config(root_dir: str) -> RawConfig | None:
    """The first of CANDIDATES in `root_dir` that configures import-linter or ssot-arch.

    A candidate that links outside `root_dir` is refused, not read (LinkLeavesRepository):
    the analysed tree is not trusted to point the tool at files elsewhere on the machine.
    """
    real_root = os.path.realpath(root_dir)
    for name in CANDIDATES:
        path = os.path.join(root_dir, name)
        if not os.path.exists(path) or os.path.isdir(path):
            continue  # a FIFO or a device is read, and refused there (never waited for)
        real = os.path.realpath(path)
        if os.path.commonpath([real_root, real]) != real_root:
            raise LinkLeavesRepository(path, real)
        config = read_config_file(path)
        if config is not None:
            return config
    return None
