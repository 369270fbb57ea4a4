"""The ssot contract's options, declared once: what each takes, its default, how it is
parsed and how the options are checked against each other.

Two readers use this table. `ssot-arch` parses a contract with `parse_contract` (no
import-linter needed, so a warm check starts fast); `lint-imports` parses it through
import-linter's fields, which contract.py builds from the same table and whose `parse`
is `parse_option`. tests/test_contract_options.py checks that both readers agree on
generated options, errors included.
"""

from __future__ import annotations

import difflib
import keyword
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ssot_arch.domain.model import ContractSpec, System
from ssot_arch.domain.remediation import EXACT_CALL, Replacement

TYPE_NAME = "ssot"
CLASS_PATH = "ssot_arch.contract.SSOTContract"
DEFAULT_RESTRICTED = ("logging", "loguru", "structlog")
# The advice for a list written on one line of an INI file; ssot-arch rewords it for the
# command line ("one module per --restricted") and for TOML arrays.
ONE_PER_LINE = "write one module per line"
# Options every import-linter contract has, read by import-linter itself.
COMMON_OPTIONS = frozenset({"id", "name", "type"})

MODULES, SYSTEMS, STRINGS, REPLACEMENTS, FLAG, TEXT, STRING = (
    "modules",
    "systems",
    "strings",
    "replacements",
    "flag",
    "text",
    "string",
)
LISTS = (MODULES, SYSTEMS, STRINGS, REPLACEMENTS)


@dataclass(frozen=True)
class Option:
    """One option of the contract: its kind (one of the constants above) and default."""

    kind: str
    default: Any


OPTIONS: Mapping[str, Option] = {
    "restricted_modules": Option(MODULES, DEFAULT_RESTRICTED),
    "gateways": Option(MODULES, ()),
    "systems": Option(SYSTEMS, ()),
    "ssot_systems": Option(STRINGS, ()),
    "exclude": Option(STRINGS, ()),
    "type_checking_imports": Option(FLAG, True),
    "message": Option(TEXT, ""),
    "baseline": Option(STRING, ""),
    "fail_on_stale": Option(FLAG, False),
    "dynamic_imports": Option(FLAG, False),
    "replacements": Option(REPLACEMENTS, ()),
}


class OptionError(ValueError):
    """A value an option cannot take; the message says what to write instead."""


class ContractOptionsError(ValueError):
    """The contract's options are wrong: a message per option."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
        self.errors = dict(errors)


def is_module_name(name: str) -> bool:
    """Whether `name` is a dotted module name (`a.b`), not a list or a path."""
    return all(part.isidentifier() for part in name.split("."))


def parse_named_list(line: str) -> tuple[str, tuple[str, ...]] | None:
    """`NAME = A[, B...]` (or `NAME=A,B`): the name and its items, or None when `line`
    is not that. Systems (`stdlib = logging`) and report groups are written so."""
    name, sep, items = line.partition("=")
    values = tuple(v.strip() for v in items.split(",") if v.strip())
    if not sep or not name.strip() or not values:
        return None
    return name.strip(), values


def parse_system(raw: str) -> System:
    """`NAME = MODULE[, MODULE...]`, the same syntax as `--system NAME=MOD,MOD`."""
    parsed = parse_named_list(raw)
    if parsed is None:
        raise OptionError(
            f"'{raw.strip()}' is not a system; write NAME = MODULE[, MODULE...] "
            "(for example: stdlib = logging)"
        )
    name, modules = parsed
    for module in modules:
        if not is_module_name(module):
            raise OptionError(
                f"'{module}' in system '{name}' is not a module name; separate modules with commas"
            )
    return System(name=name, entries=modules)


def parse_replacement(raw: str) -> Replacement:
    """`OLD = MODULE:NAME` (or `OLD=MODULE:NAME`, as `--replace` takes it): the restricted
    name `OLD` becomes `NAME` imported from `MODULE`. Raises OptionError (a ValueError)
    saying what is wrong."""
    old, sep, target = raw.partition("=")
    module, colon, name = target.partition(":")
    old, module, name = old.strip(), module.strip(), name.strip()
    example = "for example: logging.getLogger = shared.logging:get_logger"
    if not sep or not colon or not old or not module or not name:
        raise OptionError(
            f"'{raw.strip()}' is not a replacement; write OLD = MODULE:NAME ({example})"
        )
    bare = old.removesuffix(EXACT_CALL)
    if not is_module_name(bare) or "." not in bare:
        raise OptionError(
            f"'{old}' is not a dotted name inside a restricted module, nor one followed by "
            f"'()' for its calls without arguments ({example})"
        )
    if not is_module_name(module):
        raise OptionError(f"'{module}' is not a module name ({example})")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise OptionError(f"'{name}' is not a name to import from {module} ({example})")
    return Replacement(old, module, name)


def restricted_owner(replacement: Replacement, restricted: Sequence[str]) -> str | None:
    """The restricted module `replacement.old` lies inside (`logging` for
    `logging.getLogger`), or None."""
    for module in restricted:
        if replacement.old.startswith(module + "."):
            return module
    return None


def _module(raw: str) -> str:
    if not is_module_name(raw):
        raise OptionError(f"'{raw}' is not a module name; {ONE_PER_LINE}")
    return raw


def _single(raw: str | list[str]) -> str:
    if isinstance(raw, list):
        raise OptionError(_MULTIPLE)
    return str(raw)


_ITEMS: dict[str, Callable[[str], Any]] = {
    MODULES: _module,
    SYSTEMS: parse_system,
    STRINGS: str,
    REPLACEMENTS: parse_replacement,
}
_NOT_ONE = {
    SYSTEMS: "Expected one system per line.",
    REPLACEMENTS: "Expected one replacement per line.",
}
_MULTIPLE = "Expected a single value, got multiple values."


def parse_option(kind: str, raw: str | list[str]) -> Any:
    """The value of an option of `kind` written as `raw` (a string, or the lines of a
    list); OptionError when it cannot be. A list skips blank lines, as import-linter's
    ListField does."""
    if kind in LISTS:
        lines = list(raw) if isinstance(raw, list | tuple) else [raw]
        parse = _ITEMS[kind]
        items = []
        for line in lines:
            if not isinstance(line, str):
                raise OptionError(
                    _NOT_ONE.get(kind, "Expected a single value, got multiple values.")
                )
            if line.strip():
                items.append(parse(line))
        return tuple(items)
    if kind == TEXT:
        return "\n".join(raw) if isinstance(raw, list) else raw
    value = _single(raw)
    if kind == FLAG:
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise OptionError(f"Could not parse a boolean from '{value}'.")
    return value


def unrecognized(options: Mapping[str, Any]) -> dict[str, str]:
    """An error for each option the contract does not have (a misspelt one would
    otherwise be silently ignored), with the closest it has."""
    recognized = COMMON_OPTIONS | set(OPTIONS)
    errors = {}
    for option in sorted(set(options) - recognized):
        message = "Unrecognized option."
        close = difflib.get_close_matches(option, sorted(recognized), n=1)
        if close:
            message += f" Did you mean '{close[0]}'?"
        errors[option] = message
    return errors


def check_together(values: Mapping[str, Any]) -> dict[str, str]:
    """The options checked against each other: an error per option."""
    errors = {}
    restricted = [str(m) for m in values["restricted_modules"]]
    if not restricted:
        errors["restricted_modules"] = (
            "No restricted module: the contract could never fail. Name at least one, "
            f"or leave the option out for the default ({', '.join(DEFAULT_RESTRICTED)})."
        )
    names = [s.name for s in values["systems"]]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors["systems"] = f"System named more than once: {', '.join(duplicates)}."
    unknown = [s for s in values["ssot_systems"] if s not in names]
    if unknown:
        errors["ssot_systems"] = (
            f"No system named {', '.join(repr(u) for u in unknown)}; "
            f"the systems are: {', '.join(names) or '(none)'}."
        )
    replacements = values["replacements"]
    outside = [r.old for r in replacements if restricted_owner(r, restricted) is None]
    if outside and restricted:
        errors["replacements"] = (
            f"{', '.join(repr(o) for o in outside)} is inside no restricted module "
            f"({', '.join(restricted)}); a replacement says what a restricted name becomes."
        )
    olds = [r.old for r in replacements]
    twice = sorted({o for o in olds if olds.count(o) > 1})
    if twice:
        errors.setdefault("replacements", f"Replaced more than once: {', '.join(twice)}.")
    return errors


def to_spec(contract_id: str, name: str, values: Mapping[str, Any]) -> ContractSpec:
    """The contract of parsed option `values` as the domain's ContractSpec."""
    ssot = set(values["ssot_systems"])
    return ContractSpec(
        id=contract_id,
        name=name,
        restricted=tuple(str(m) for m in values["restricted_modules"]),
        gateways=tuple(str(m) for m in values["gateways"]),
        systems=tuple(System(s.name, s.entries, ssot=s.name in ssot) for s in values["systems"]),
        exclude=tuple(values["exclude"]),
        type_checking_imports=values["type_checking_imports"],
        message=values["message"],
        baseline=values["baseline"],
        fail_on_stale=values["fail_on_stale"],
        dynamic_imports=values["dynamic_imports"],
        replacements=tuple(values["replacements"]),
    )


def parse_contract(contract_id: str, name: str, options: Mapping[str, Any]) -> ContractSpec:
    """The contract `options` (as import-linter reads them from a file: strings, or
    lists of lines) define; ContractOptionsError with every option's problem."""
    values, errors = {}, {}
    for option, declared in OPTIONS.items():
        if option not in options:
            values[option] = declared.default
            continue
        try:
            values[option] = parse_option(declared.kind, options[option])
        except OptionError as error:
            errors[option] = str(error)
    errors.update(unrecognized(options))
    if not errors:
        errors = check_together(values)
    if errors:
        raise ContractOptionsError(errors)
    return to_spec(contract_id, name, values)
