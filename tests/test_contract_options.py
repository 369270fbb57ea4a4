"""ssot-arch parses the ssot contract's options itself (domain/contract_options.py), so a
warm check need not import import-linter; lint-imports parses them through import-linter's
fields. The oracle here is import-linter's own field machinery (ListField, BooleanField,
TextField, its unrecognized-option check), declared as the contract declared its options
before they moved into one table: on generated options, both give the same contract or
the same errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importlinter import Contract, fields
from importlinter.domain.contract import InvalidContractOptions

from ssot_arch.contract import SSOTContract
from ssot_arch.domain.contract_options import (
    DEFAULT_RESTRICTED,
    ONE_PER_LINE,
    ContractOptionsError,
    OptionError,
    check_together,
    is_module_name,
    parse_contract,
    parse_replacement,
    parse_system,
    to_spec,
)


class _Module(fields.ModuleField):
    def parse(self, raw_data):
        module = super().parse(raw_data)
        if not is_module_name(module.name):
            raise fields.ValidationError(f"'{module.name}' is not a module name; {ONE_PER_LINE}")
        return module


class _Parsed(fields.Field):
    def __init__(self, parse, one, **kwargs):
        super().__init__(**kwargs)
        self._parse, self._one = parse, one

    def parse(self, raw_data):
        if isinstance(raw_data, list):
            raise fields.ValidationError(self._one)
        try:
            return self._parse(raw_data)
        except OptionError as error:
            raise fields.ValidationError(str(error)) from error


class Oracle(Contract):
    """The contract's options as import-linter's stock fields read them."""

    restricted_modules = fields.ListField(
        subfield=_Module(), default=[fields.Module(m) for m in DEFAULT_RESTRICTED]
    )
    gateways = fields.ListField(subfield=_Module(), default=[])
    systems = fields.ListField(
        subfield=_Parsed(parse_system, "Expected one system per line."), default=[]
    )
    ssot_systems = fields.ListField(subfield=fields.StringField(), default=[])
    exclude = fields.ListField(subfield=fields.StringField(), default=[])
    type_checking_imports = fields.BooleanField(default=True)
    message = fields.TextField(default="")
    baseline = fields.StringField(default="")
    fail_on_stale = fields.BooleanField(default=False)
    dynamic_imports = fields.BooleanField(default=False)
    replacements = fields.ListField(
        subfield=_Parsed(parse_replacement, "Expected one replacement per line."), default=[]
    )

    def validate(self) -> None:
        errors = check_together(self.values())
        if errors:
            raise InvalidContractOptions(errors)

    def values(self) -> dict[str, Any]:
        names = [n for n, f in vars(Oracle).items() if isinstance(f, fields.Field)]
        return {name: vars(self)[name] for name in names}

    def check(self, graph, verbose):  # never checked here
        raise NotImplementedError

    def render_broken_contract(self, check):  # never rendered here
        raise NotImplementedError


def oracle(options: dict[str, Any]):
    try:
        contract = Oracle("c", {}, options)
    except InvalidContractOptions as error:
        return error.errors
    return to_spec("c", "c", contract.values())


def ours(options: dict[str, Any]):
    try:
        return parse_contract("c", "c", options)
    except ContractOptionsError as error:
        return error.errors


def lint_imports(options: dict[str, Any]):
    try:
        return SSOTContract("c", {}, options).to_spec("c")
    except InvalidContractOptions as error:
        return error.errors


MODULE_LIKE = st.sampled_from(
    ["logging", "loguru", "app.logs", "app.logs.core", "", " ", "a b", "a,b", "a-b", "1x"]
)
SYSTEM_LIKE = st.sampled_from(
    ["stdlib = logging", "loguru=loguru", "x = a, b", "bad", "x = a b", "= a", "stdlib = x"]
)
REPLACEMENT_LIKE = st.sampled_from(
    [
        "logging.getLogger = app.logs:get_logger",
        "logging.getLogger() = app.logs:root",
        "loguru.logger=app.logs:logger",
        "logging.getLogger = app.logs:get_logger",
        "other.x = app:y",
        "nope",
        "logging = app:y",
        "logging.x = app:class",
    ]
)
FLAG_LIKE = st.sampled_from(["True", "false", "FALSE", "yes", "", "1"])


def values(item: st.SearchStrategy[str]) -> st.SearchStrategy[str | list[str]]:
    return st.one_of(item, st.lists(item, max_size=4))


OPTIONS = {
    "restricted_modules": values(MODULE_LIKE),
    "gateways": values(MODULE_LIKE),
    "systems": values(SYSTEM_LIKE),
    "ssot_systems": values(st.sampled_from(["stdlib", "loguru", "x", "none"])),
    "exclude": values(st.sampled_from(["app.*", "tests.*", ""])),
    "type_checking_imports": values(FLAG_LIKE),
    "message": values(st.sampled_from(["use app.logs", "", "two\nlines"])),
    "baseline": values(st.sampled_from(["baseline.json", ""])),
    "fail_on_stale": values(FLAG_LIKE),
    "dynamic_imports": values(FLAG_LIKE),
    "replacements": values(REPLACEMENT_LIKE),
    "gateway": st.just("app.logs"),  # misspelt: unrecognized
    "name": st.just("a name"),
}


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.none()).flatmap(
        lambda keys: st.fixed_dictionaries({k: OPTIONS[k] for k in keys})
    )
)
def test_ssot_arch_reads_the_options_as_import_linter_does(options):
    expected = oracle(options)
    assert ours(options) == expected
    assert lint_imports(options) == expected


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"restricted_modules": ["logging", "", "loguru"], "gateways": "app.logs"},
        {"restricted_modules": []},
        {"systems": ["a = logging", "a = loguru"], "ssot_systems": "b"},
        {"type_checking_imports": "maybe"},
        {"restricted_modules": "logging, loguru"},
    ],
)
def test_examples_both_readers_agree_on(options):
    assert ours(options) == oracle(options) == lint_imports(options)


def test_a_warm_check_need_not_import_import_linter():
    """Parsing the configuration imports neither import-linter nor grimp."""
    import subprocess
    import sys

    code = (
        "import sys; import ssot_arch.application.settings; "
        "print(sorted({'importlinter', 'grimp', 'rich', 'networkx'} & set(sys.modules)))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
