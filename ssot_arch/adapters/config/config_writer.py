"""`init --write FILE`: add the proposed contract to a configuration file, in its own
syntax (INI for `.importlinter`, `setup.cfg` and other names; TOML for `*.toml`).

What is there stays as it is, byte for byte, comments and line endings included: the
contract (and, when missing, the `[importlinter]` session with `root_packages`) is
appended, and at most one line, the `ssot` contract type, is added to an existing
session; the lines added end as the file's first line does (`\r\n` or `\n`), and a file
whose last line has no line end gets one first. A file that already holds an `ssot`
contract, or one with the proposed id, is refused: init never overwrites a contract.
The new text must parse and load as a configuration before it replaces the file,
atomically (application/init.py).

The file is read as the analysed repository's files are (adapters/filesystem/reading.py), since it
may be one of them: only a regular file, without blocking (a FIFO named
`pyproject.toml`), never through a symbolic link, nor in a linked folder that leads out
of the repository.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import stat
import sys
from collections.abc import Sequence

from ssot_arch.adapters.config.config_files import CONTRACT_PREFIX, TOOL_SECTION
from ssot_arch.adapters.filesystem.reading import NotReadable, kind_of, read_source
from ssot_arch.adapters.filesystem.writing import is_within
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
        ("replacements", [str(r) for r in spec.replacements]),
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


def _lines(text: str) -> list[str]:
    """`text` cut after each `\\n` only, each line keeping its own end (`\\r\\n` or
    `\\n`): the lines configparser and TOML know. (str.splitlines would also cut at form
    feeds and Unicode separators, and the file's own line ends would be lost.)"""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _line_end(text: str) -> str:
    """The line end of `text`'s first line, for the lines added; `\\n` when it has none."""
    at = text.find("\n")
    return "\r\n" if at > 0 and text[at - 1] == "\r" else "\n"


def _joined(lines: list[str], added: list[str], end: str) -> str:
    """The file's `lines` as they are, then the `added` lines (blank ones included) each
    ended with `end`; an empty file starts with its first added line that is not blank."""
    if not lines:
        while added and not added[0]:
            added = added[1:]
    return "".join(lines) + "".join(line + end for line in added)


def _ended(text: str, end: str) -> list[str]:
    """`text`'s lines, the last one given the line end `end` if it has none."""
    lines = _lines(text)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += end
    return lines


def _tool_keys(source_roots: list[str], modules: list[str]) -> list[tuple[str, list[str]]]:
    """The `[ssot-arch]` keys init writes: the source roots (when not the repository's
    top), and the top-level modules to check beside the packages (import-linter's
    `root_packages` takes packages only)."""
    keys = [("source_roots", source_roots)] if source_roots != ["."] else []
    return keys + ([("root_modules", modules)] if modules else [])


def _ini(
    path: str,
    text: str,
    proposal: Proposal,
    packages: list[str],
    source_roots: list[str],
    modules: list[str],
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
    end = _line_end(text)
    lines = _ended(text, end)
    added: list[str] = []
    if parser.has_section("importlinter"):
        lines = _with_ssot_type_ini(
            path, lines, parser.get("importlinter", "contract_types", fallback=None), end
        )
    else:
        session = [
            ("root_packages", packages),
            ("include_external_packages", ["True"]),
            ("contract_types", [SSOT_TYPE]),
        ]
        added += ["", *_ini_block("importlinter", session).splitlines()]
    added += [
        "",
        *_ini_block(CONTRACT_PREFIX + contract_id, _contract_lines(proposal)).splitlines(),
    ]
    tool = _tool_keys(source_roots, modules if not parser.has_section("importlinter") else [])
    if tool and not parser.has_section(TOOL_SECTION):
        added += ["", *_ini_block(TOOL_SECTION, tool).splitlines()]
    return _joined(lines, added, end)


def _with_ssot_type_ini(
    path: str, lines: list[str], contract_types: str | None, end: str
) -> list[str]:
    """`lines` (each with its line end) with the ssot contract type in the [importlinter]
    session: one line added (two with the key), ended with `end`. The session and the
    key are found as configparser finds them (`[importlinter] ; note`, `Contract_Types`)."""
    if contract_types is not None and re.search(r"^\s*ssot\s*:", contract_types, re.M):
        return lines
    sectcre, optcre = configparser.ConfigParser.SECTCRE, configparser.ConfigParser.OPTCRE

    def is_header(line: str) -> bool:
        match = sectcre.match(line.strip())
        return match is not None and match.group("header") == "importlinter"

    def is_key(line: str) -> bool:
        match = None if line.lstrip().startswith(("#", ";")) else optcre.match(line.strip())
        return match is not None and match.group("option").strip().lower() == "contract_types"

    start = next((i for i, line in enumerate(lines) if is_header(line)), None)
    if start is not None:
        stop = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines)
        )
        if contract_types is None:
            added = ["contract_types =" + end, f"    {SSOT_TYPE}{end}"]
            return [*lines[: start + 1], *added, *lines[start + 1 :]]
        key = next((i for i in range(start + 1, stop) if is_key(lines[i])), None)
        if key is not None:
            last = key
            while (
                last + 1 < stop and lines[last + 1][:1] in (" ", "\t") and lines[last + 1].strip()
            ):
                last += 1
            return [*lines[: last + 1], f"    {SSOT_TYPE}{end}", *lines[last + 1 :]]
    raise _problem(
        path,
        "has an [importlinter] session init cannot find the place in; add "
        f"{SSOT_TYPE!r} to its contract_types by hand, then run init again",
    )


def _toml_array(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _toml(
    path: str,
    text: str,
    proposal: Proposal,
    packages: list[str],
    source_roots: list[str],
    modules: list[str],
) -> str:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _problem(
            path, f"cannot be read as TOML ({error}); fix it, or --write another file"
        ) from error
    tool = data.get("tool", {})
    session = tool.get("importlinter") if isinstance(tool, dict) else None
    contracts = session.get("contracts", []) if isinstance(session, dict) else []
    if not (
        isinstance(tool, dict)
        and isinstance(session, (dict, type(None)))
        and isinstance(contracts, list)
        and all(isinstance(contract, dict) for contract in contracts)
    ):
        raise _problem(
            path,
            "has a tool or tool.importlinter value that is no table; fix it (`ssot-arch "
            "check --config` names it), or --write another file",
        )
    end = _line_end(text)
    lines = _ended(text, end)
    added: list[str] = []
    if session is not None:
        for index, contract in enumerate(contracts):
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
            lines.insert(header + 1, f"contract_types = {_toml_array([SSOT_TYPE])}{end}")
        elif not any(str(t).split(":")[0].strip() == "ssot" for t in types):
            raise _problem(
                path,
                f'tool.importlinter.contract_types lacks "{SSOT_TYPE}": add it, then run '
                "init again",
            )
    else:
        added += [
            "",
            "[tool.importlinter]",
            f"root_packages = {_toml_array(packages)}",
            "include_external_packages = true",
            f"contract_types = {_toml_array([SSOT_TYPE])}",
        ]
    added += ["", "[[tool.importlinter.contracts]]", f"id = {json.dumps(proposal.contract.id)}"]
    for key, values in _contract_lines(proposal):
        value = json.dumps(values[0]) if key in ("name", "type") else _toml_array(values)
        added.append(f"{key} = {value}")
    keys = _tool_keys(source_roots, modules if session is None else [])
    if keys and TOOL_SECTION not in tool:
        added += ["", f"[tool.{TOOL_SECTION}]"]
        added += [f"{key} = {_toml_array(values)}" for key, values in keys]
    return _joined(lines, added, end)


def read_target(path: str, root_dir: str) -> bytes:
    """The bytes of the configuration file `path` that init adds to (empty when it does
    not exist). Only a regular file is read, without blocking, and never through a
    symbolic link, nor in a linked folder of the repository `root_dir` that leads out of
    it: the file may be the analysed tree's, as hostile as its other files. Raises
    ConfigError naming the file and what to do."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _problem(
            path, f"cannot be read ({error.strerror or error}); check the path"
        ) from error
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise _problem(
            path,
            f"is a symbolic link (to {os.path.realpath(path)}); init --write never writes "
            "through a link: --write the file it points to, if that is the one to change",
        )
    repository = os.path.abspath(root_dir)
    absolute = os.path.abspath(path)
    if is_within(absolute, repository) and not is_within(
        os.path.realpath(absolute), os.path.realpath(repository)
    ):
        raise _problem(
            path,
            "lies in a linked folder that leads out of the repository, and init does not "
            "write there: --write the file's own path, if that is the one to change",
        )
    if info is None:
        return b""
    if not stat.S_ISREG(info.st_mode):
        raise _problem(
            path,
            f"is not a regular file ({kind_of(info.st_mode)}); init adds the contract to a "
            "configuration file: --write another file",
        )
    try:
        return read_source(path)  # the checks again, on the file opened
    except NotReadable as error:
        raise _problem(path, f"cannot be read ({error}); --write another file") from error


def with_contract(
    path: str | None,
    existing: bytes,
    proposal: Proposal,
    packages: list[str],
    source_roots: list[str],
    modules: Sequence[str] = (),
) -> bytes:
    """The bytes of the configuration file `path` (None: a new `.importlinter`), which
    holds `existing` (read_target), with the proposal added; `modules`: top-level modules
    to check beside `packages` (written with them, when the file has no session yet).
    Raises ConfigError when the file cannot take it: its encoding, its syntax, or a
    contract already there."""
    if path is None:
        return _ini(".importlinter", "", proposal, packages, source_roots, list(modules)).encode(
            "utf-8"
        )
    try:
        text = existing.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _problem(path, f"is not UTF-8 text ({error.reason}); --write another file") from error
    build = _toml if path.endswith(".toml") else _ini
    return build(path, text, proposal, packages, source_roots, list(modules)).encode("utf-8")
