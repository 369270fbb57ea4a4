"""The SSOT contract type: only gateway modules may import the restricted modules.

The same class serves `ssot-arch` (which parses configuration with it) and
`lint-imports`, where it is registered through `contract_types`:

    [importlinter]
    root_packages = myapp
    include_external_packages = True
    contract_types =
        ssot: ssot_arch.contract.SSOTContract

    [importlinter:contract:logging-ssot]
    name = Logging goes through myapp.logs
    type = ssot
    restricted_modules =
        logging
        loguru
    gateways = myapp.logs
    message = use myapp.logs.get_logger()
    replacements =
        logging.getLogger = myapp.logs:get_logger
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from typing import NamedTuple

import grimp
from importlinter import Contract, ContractCheck, fields, output

from ssot_arch.analysis.direct import find_direct_violations, unmatched_modules
from ssot_arch.domain.model import ContractSpec, System
from ssot_arch.domain.remediation import EXACT_CALL, Replacement

DEFAULT_RESTRICTED = ("logging", "loguru", "structlog")
TYPE_NAME = "ssot"
CLASS_PATH = "ssot_arch.contract.SSOTContract"
# The advice for a list written on one line of an INI file; ssot-arch rewords it for the
# command line ("one module per --restricted") and for TOML arrays.
ONE_PER_LINE = "write one module per line"


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
        raise fields.ValidationError(
            f"'{raw.strip()}' is not a system; write NAME = MODULE[, MODULE...] "
            "(for example: stdlib = logging)"
        )
    name, modules = parsed
    for module in modules:
        if not is_module_name(module):
            raise fields.ValidationError(
                f"'{module}' in system '{name}' is not a module name; separate modules with commas"
            )
    return System(name=name, entries=modules)


def parse_replacement(raw: str) -> Replacement:
    """`OLD = MODULE:NAME` (or `OLD=MODULE:NAME`, as `--replace` takes it): the restricted
    name `OLD` becomes `NAME` imported from `MODULE`. Raises ValueError saying what is wrong."""
    old, sep, target = raw.partition("=")
    module, colon, name = target.partition(":")
    old, module, name = old.strip(), module.strip(), name.strip()
    example = "for example: logging.getLogger = shared.logging:get_logger"
    if not sep or not colon or not old or not module or not name:
        raise ValueError(
            f"'{raw.strip()}' is not a replacement; write OLD = MODULE:NAME ({example})"
        )
    bare = old.removesuffix(EXACT_CALL)
    if not is_module_name(bare) or "." not in bare:
        raise ValueError(
            f"'{old}' is not a dotted name inside a restricted module, nor one followed by "
            f"'()' for its calls without arguments ({example})"
        )
    if not is_module_name(module):
        raise ValueError(f"'{module}' is not a module name ({example})")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"'{name}' is not a name to import from {module} ({example})")
    return Replacement(old, module, name)


def restricted_owner(replacement: Replacement, restricted: Sequence[str]) -> str | None:
    """The restricted module `replacement.old` lies inside (`logging` for
    `logging.getLogger`), or None."""
    for module in restricted:
        if replacement.old.startswith(module + "."):
            return module
    return None


class ModuleNameField(fields.ModuleField):
    """A dotted module name: a list on one line (`logging, loguru`) would name no module,
    and the contract would pass whatever the code imports."""

    def parse(self, raw_data: str | list) -> fields.Module:
        module = super().parse(raw_data)
        if not is_module_name(module.name):
            raise fields.ValidationError(f"'{module.name}' is not a module name; {ONE_PER_LINE}")
        return module


class SystemField(fields.Field):
    """One system per line: `NAME = MODULE[, MODULE...]`."""

    def parse(self, raw_data: str | list) -> System:
        if isinstance(raw_data, list):
            raise fields.ValidationError("Expected one system per line.")
        return parse_system(raw_data)


class ReplacementField(fields.Field):
    """One replacement per line: `OLD = MODULE:NAME`."""

    def parse(self, raw_data: str | list) -> Replacement:
        if isinstance(raw_data, list):
            raise fields.ValidationError("Expected one replacement per line.")
        try:
            return parse_replacement(raw_data)
        except ValueError as error:
            raise fields.ValidationError(str(error)) from error


class _Options(NamedTuple):
    """The parsed options of an SSOTContract, typed (its fields, once parsed)."""

    restricted_modules: list[fields.Module]
    gateways: list[fields.Module]
    systems: list[System]
    ssot_systems: list[str]
    exclude: list[str]
    type_checking_imports: bool
    message: str
    baseline: str
    fail_on_stale: bool
    dynamic_imports: bool
    replacements: list[Replacement]


class SSOTContract(Contract):
    """Only the SSOT gateway modules may import the restricted modules directly.

    Options:
        - restricted_modules: modules only gateways may import (default: logging,
          loguru, structlog). Importing a descendant (`logging.handlers`) counts.
        - gateways: the SSOT modules allowed to import them; a package covers its
          descendants.
        - systems: the competing logging systems, one per line, `NAME = MOD[, MOD...]`.
        - ssot_systems: which of the systems are the SSOT.
        - exclude: glob patterns over module names (`*` crosses dots) never checked.
        - type_checking_imports: whether imports under `if TYPE_CHECKING:` count
          (default True).
        - message: what the developer should use instead, shown with each violation.
        - baseline: a baseline file (relative to the repository) of accepted violations:
          `ssot-arch check` then fails only on new ones. (Not applied by lint-imports.)
        - fail_on_stale: whether baseline entries the code no longer has fail the check.
        - dynamic_imports: whether a literal dynamic import of a restricted module
          (`importlib.import_module("logging")`) is a violation of `ssot-arch check`
          (default False: the report lists them). (Not seen by lint-imports.)
        - replacements: what `ssot-arch fix` turns restricted uses into, one per line,
          `OLD = MODULE:NAME` (`logging.getLogger = myapp.logs:get_logger`). (Not used
          by lint-imports.)
    """

    type_name = TYPE_NAME

    restricted_modules = fields.ListField(
        subfield=ModuleNameField(), default=[fields.Module(m) for m in DEFAULT_RESTRICTED]
    )
    gateways = fields.ListField(subfield=ModuleNameField(), default=[])
    systems = fields.ListField(subfield=SystemField(), default=[])
    ssot_systems = fields.ListField(subfield=fields.StringField(), default=[])
    exclude = fields.ListField(subfield=fields.StringField(), default=[])
    type_checking_imports = fields.BooleanField(default=True)
    message = fields.TextField(default="")
    baseline = fields.StringField(default="")
    fail_on_stale = fields.BooleanField(default=False)
    dynamic_imports = fields.BooleanField(default=False)
    replacements = fields.ListField(subfield=ReplacementField(), default=[])

    def _parsed(self) -> _Options:
        """The options' parsed values: import-linter's Contract sets each on the instance,
        in place of its class's field."""
        return _Options(**{name: vars(self)[name] for name in _Options._fields})

    def validate(self) -> None:
        """Check the options against each other (InvalidContractOptions, by option)."""
        options = self._parsed()
        errors = {}
        if not options.restricted_modules:
            errors["restricted_modules"] = (
                "No restricted module: the contract could never fail. Name at least one, "
                "or leave the option out for the default "
                f"({', '.join(DEFAULT_RESTRICTED)})."
            )
        names = [s.name for s in options.systems]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            errors["systems"] = f"System named more than once: {', '.join(duplicates)}."
        unknown = [s for s in options.ssot_systems if s not in names]
        if unknown:
            errors["ssot_systems"] = (
                f"No system named {', '.join(repr(u) for u in unknown)}; "
                f"the systems are: {', '.join(names) or '(none)'}."
            )
        outside = [
            r.old
            for r in options.replacements
            if restricted_owner(r, [m.name for m in options.restricted_modules]) is None
        ]
        if outside and options.restricted_modules:
            errors["replacements"] = (
                f"{', '.join(repr(o) for o in outside)} is inside no restricted module "
                f"({', '.join(m.name for m in options.restricted_modules)}); a replacement "
                "says what a restricted name becomes."
            )
        olds = [r.old for r in options.replacements]
        twice = sorted({o for o in olds if olds.count(o) > 1})
        if twice:
            errors.setdefault("replacements", f"Replaced more than once: {', '.join(twice)}.")
        if errors:
            from importlinter.domain.contract import InvalidContractOptions

            raise InvalidContractOptions(errors)

    def to_spec(self, contract_id: str) -> ContractSpec:
        """The contract as the domain's ContractSpec, identified by `contract_id`."""
        options = self._parsed()
        ssot = set(options.ssot_systems)
        return ContractSpec(
            id=contract_id,
            name=self.name,
            restricted=tuple(m.name for m in options.restricted_modules),
            gateways=tuple(m.name for m in options.gateways),
            systems=tuple(System(s.name, s.entries, ssot=s.name in ssot) for s in options.systems),
            exclude=tuple(options.exclude),
            type_checking_imports=options.type_checking_imports,
            message=options.message,
            baseline=options.baseline,
            fail_on_stale=options.fail_on_stale,
            dynamic_imports=options.dynamic_imports,
            replacements=tuple(options.replacements),
        )

    # -- lint-imports ----------------------------------------------------------------

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        """The contract checked by lint-imports on its graph (no baseline applied)."""
        spec = self.to_spec(self.name)
        problems = []
        if str(self.session_options.get("include_external_packages", "")).lower() != "true":
            problems.append(
                "ssot contracts need 'include_external_packages = True' in [importlinter]: "
                "without it the graph holds no 'logging' to find importers of."
            )
        problems += [
            f"{field} entry '{name}' matches no module of the graph."
            for field, name in unmatched_modules(spec, graph)
        ]
        warnings = []
        excludes_tc = str(self.session_options.get("exclude_type_checking_imports", ""))
        if spec.baseline:
            warnings.append(
                f"the baseline {spec.baseline} is applied by `ssot-arch check`, not lint-imports: "
                "every violation is listed here."
            )
        if not spec.type_checking_imports and excludes_tc.lower() != "true":
            warnings.append(
                "type_checking_imports = False needs 'exclude_type_checking_imports = True' "
                "under lint-imports, whose graph is shared by all contracts."
            )
        violations = [] if problems else find_direct_violations(graph, spec)
        return ContractCheck(
            kept=not problems and not violations,
            warnings=warnings,
            metadata={"violations": violations, "problems": problems},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        """lint-imports' report of a broken contract: its problems, then its violations."""
        for problem in check.metadata["problems"]:
            output.print_error(problem, bold=False)
            output.new_line()
        by_imported: dict[str, list] = {}
        for violation in check.metadata["violations"]:
            by_imported.setdefault(violation.imported, []).append(violation)
        for imported in sorted(by_imported):
            output.print_error(f"{imported} is imported outside the SSOT gateways:", bold=False)
            output.new_line()
            for v in by_imported[imported]:
                output.print_error(f"- {v.importer} -> {v.imported} (l.{v.line})", bold=False)
            output.new_line()
        message = self._parsed().message
        if message:
            output.print(message)
            output.new_line()
