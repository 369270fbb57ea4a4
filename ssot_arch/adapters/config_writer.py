"""`init --write FILE`: add the proposed contract to a configuration file, in its own
syntax (INI for `.importlinter`, `setup.cfg` and other names; TOML for `*.toml`).

What is there stays as it is, byte for byte, comments included: the contract (and, when
missing, the `[importlinter]` session with `root_packages`) is appended, and at most one
line, the `ssot` contract type, is added to an existing session. A file that already
holds an `ssot` contract, or one with the proposed id, is refused: init never
overwrites a contract. The new text must parse and load as a configuration before it
replaces the file, atomically (application/init.py).
"""

from __future__ import annotations

import configparser
import json
import re
import sys

from ssot_arch.adapters.config_files import CONTRACT_PREFIX, TOOL_SECTION
from ssot_arch.domain.adoption import Proposal
from ssot_arch.domain.errors import ConfigError, ConfigProblem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SSOT_TYPE = "ssot: ssot_arch.contract.SSOTContract"


def _problem(path: str, message: str) -> ConfigError:
    return ConfigError(ConfigProblem(message, file=path))


def _contract_lines(proposal: Proposal) -> list[tuple[str, list[str]]]:
    """The contract's keys and their values, in the order they are written."""
    spec = proposal.contract
    keys = [
        ("name", [spec.name]),
        ("type", ["ssot"]),
        ("restricted_modules", list(spec.restricted)),
        ("gateways", list(spec.gateways)),
        ("systems", [f"{s.name} = {', '.join(s.entries)}" for s in spec.systems]),
        ("ssot_systems", [s.name for s in spec.systems if s.ssot]),
    ]
    return [(key, values) for key, values in keys if values]


def _ini_block(header: str, keys: list[tuple[str, list[str]]]) -> str:
    lines = [f"[{header}]"]
    for key, values in keys:
        if len(values) == 1 and key in ("name", "type", "include_external_packages"):
            lines.append(f"{key} = {values[0]}")
        else:
            lines.append(f"{key} =")
            lines += [f"    {value}" for value in values]
    return "\n".join(lines) + "\n"


def _ini(
    path: str, text: str, proposal: Proposal, packages: list[str], source_roots: list[str]
) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as error:
        raise _problem(
            path, f"cannot be read as INI ({error}); fix it, or --write another file"
        ) from error
    contract_id = proposal.contract.id
    for section in parser.sections():
        if section.startswith(CONTRACT_PREFIX):
            if section == CONTRACT_PREFIX + contract_id:
                raise _problem(
                    path, f"already has a contract [{section}]; init never overwrites a contract"
                )
            if parser.get(section, "type", fallback="").strip() == "ssot":
                raise _problem(
                    path,
                    f"already has an ssot contract [{section}]; init never overwrites a contract "
                    "(edit it, or --write another file)",
                )
    lines = text.splitlines()
    if parser.has_section("importlinter"):
        lines = _with_ssot_type_ini(
            lines, parser.get("importlinter", "contract_types", fallback=None)
        )
    else:
        session = [
            ("root_packages", packages),
            ("include_external_packages", ["True"]),
            ("contract_types", [SSOT_TYPE]),
        ]
        lines += ["", *_ini_block("importlinter", session).splitlines()]
    lines += [
        "",
        *_ini_block(CONTRACT_PREFIX + contract_id, _contract_lines(proposal)).splitlines(),
    ]
    if source_roots != ["."] and not parser.has_section(TOOL_SECTION):
        lines += ["", *_ini_block(TOOL_SECTION, [("source_roots", source_roots)]).splitlines()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _with_ssot_type_ini(lines: list[str], contract_types: str | None) -> list[str]:
    """`lines` with the ssot contract type in the [importlinter] session: one line added."""
    if contract_types is not None and re.search(r"^\s*ssot\s*:", contract_types, re.M):
        return lines
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*\[importlinter\]\s*$", line))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    if contract_types is None:
        return [*lines[: start + 1], "contract_types =", f"    {SSOT_TYPE}", *lines[start + 1 :]]
    key = next(i for i in range(start + 1, end) if re.match(r"contract_types\s*[=:]", lines[i]))
    last = key
    while last + 1 < end and lines[last + 1][:1] in (" ", "\t") and lines[last + 1].strip():
        last += 1
    return [*lines[: last + 1], f"    {SSOT_TYPE}", *lines[last + 1 :]]


def _toml_array(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _toml(
    path: str, text: str, proposal: Proposal, packages: list[str], source_roots: list[str]
) -> str:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _problem(
            path, f"cannot be read as TOML ({error}); fix it, or --write another file"
        ) from error
    session = data.get("tool", {}).get("importlinter")
    lines = text.splitlines()
    if session is not None:
        for index, contract in enumerate(session.get("contracts", [])):
            if contract.get("type") == "ssot" or contract.get("id") == proposal.contract.id:
                raise _problem(
                    path,
                    f"already has an ssot contract (tool.importlinter.contracts[{index}]); "
                    "init never overwrites a contract",
                )
        types = session.get("contract_types")
        if types is None:
            header = next(
                (i for i, line in enumerate(lines) if line.strip() == "[tool.importlinter]"), None
            )
            if header is None:
                raise _problem(
                    path,
                    "defines tool.importlinter without a [tool.importlinter] "
                    f'header; add contract_types = ["{SSOT_TYPE}"] to it by hand',
                )
            lines.insert(header + 1, f"contract_types = {_toml_array([SSOT_TYPE])}")
        elif not any(str(t).split(":")[0].strip() == "ssot" for t in types):
            raise _problem(
                path,
                f'tool.importlinter.contract_types lacks "{SSOT_TYPE}": add it, then run '
                "init again",
            )
    else:
        lines += [
            "",
            "[tool.importlinter]",
            f"root_packages = {_toml_array(packages)}",
            "include_external_packages = true",
            f"contract_types = {_toml_array([SSOT_TYPE])}",
        ]
    lines += ["", "[[tool.importlinter.contracts]]", f"id = {json.dumps(proposal.contract.id)}"]
    for key, values in _contract_lines(proposal):
        value = json.dumps(values[0]) if key in ("name", "type") else _toml_array(values)
        lines.append(f"{key} = {value}")
    if source_roots != ["."] and TOOL_SECTION not in data.get("tool", {}):
        lines += ["", f"[tool.{TOOL_SECTION}]", f"source_roots = {_toml_array(source_roots)}"]
    return "\n".join(lines).lstrip("\n") + "\n"


def with_contract(
    path: str | None, proposal: Proposal, packages: list[str], source_roots: list[str]
) -> str:
    """The text of the configuration file `path` (empty when missing; None: a new
    `.importlinter`) with the proposal added. Raises ConfigError when the file cannot
    take it: its syntax, or a contract already there."""
    if path is None:
        return _ini(".importlinter", "", proposal, packages, source_roots)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(path, f"cannot be read ({error})") from error
    build = _toml if path.endswith(".toml") else _ini
    return build(path, text, proposal, packages, source_roots)
