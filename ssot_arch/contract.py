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
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output

from ssot_arch.analysis.direct import find_direct_violations, unmatched_modules
from ssot_arch.domain.model import ContractSpec, System

DEFAULT_RESTRICTED = ("logging", "loguru", "structlog")
TYPE_NAME = "ssot"
CLASS_PATH = "ssot_arch.contract.SSOTContract"
# The advice for a list written on one line of an INI file; ssot-arch rewords it for the
# command line ("one module per --restricted") and for TOML arrays.
ONE_PER_LINE = "write one module per line"


def is_module_name(name: str) -> bool:
    return all(part.isidentifier() for part in name.split("."))


def parse_system(raw: str) -> System:
    """`NAME = MODULE[, MODULE...]`, the same syntax as `--system NAME=MOD,MOD`."""
    name, sep, entries = raw.partition("=")
    modules = tuple(e.strip() for e in entries.split(",") if e.strip())
    name = name.strip()
    if not sep or not name or not modules:
        raise fields.ValidationError(
            f"'{raw.strip()}' is not a system; write NAME = MODULE[, MODULE...] "
            "(for example: stdlib = logging)"
        )
    for module in modules:
        if not is_module_name(module):
            raise fields.ValidationError(
                f"'{module}' in system '{name}' is not a module name; separate modules with commas"
            )
    return System(name=name, entries=modules)


class ModuleNameField(fields.ModuleField):
    """A dotted module name: a list on one line (`logging, loguru`) would name no module,
    and the contract would pass whatever the code imports."""

    def parse(self, raw_data: str | list) -> fields.Module:
        module = super().parse(raw_data)
        if not is_module_name(module.name):
            raise fields.ValidationError(f"'{module.name}' is not a module name; {ONE_PER_LINE}")
        return module


class SystemField(fields.Field):
    def parse(self, raw_data: str | list) -> System:
        if isinstance(raw_data, list):
            raise fields.ValidationError("Expected one system per line.")
        return parse_system(raw_data)


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

    def validate(self) -> None:
        errors = {}
        if not self.restricted_modules:  # type: ignore[attr-defined]
            errors["restricted_modules"] = (
                "No restricted module: the contract could never fail. Name at least one, "
                "or leave the option out for the default "
                f"({', '.join(DEFAULT_RESTRICTED)})."
            )
        names = [s.name for s in self.systems]  # type: ignore[attr-defined]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            errors["systems"] = f"System named more than once: {', '.join(duplicates)}."
        unknown = [s for s in self.ssot_systems if s not in names]  # type: ignore[attr-defined]
        if unknown:
            errors["ssot_systems"] = (
                f"No system named {', '.join(repr(u) for u in unknown)}; "
                f"the systems are: {', '.join(names) or '(none)'}."
            )
        if errors:
            from importlinter.domain.contract import InvalidContractOptions

            raise InvalidContractOptions(errors)

    def to_spec(self, contract_id: str) -> ContractSpec:
        ssot = set(self.ssot_systems)  # type: ignore[attr-defined]
        return ContractSpec(
            id=contract_id,
            name=self.name,
            restricted=tuple(m.name for m in self.restricted_modules),  # type: ignore[attr-defined]
            gateways=tuple(m.name for m in self.gateways),  # type: ignore[attr-defined]
            systems=tuple(
                System(s.name, s.entries, ssot=s.name in ssot)
                for s in self.systems  # type: ignore[attr-defined]
            ),
            exclude=tuple(self.exclude),  # type: ignore[attr-defined]
            type_checking_imports=self.type_checking_imports,  # type: ignore[attr-defined]
            message=self.message,  # type: ignore[attr-defined]
            baseline=self.baseline,  # type: ignore[attr-defined]
            fail_on_stale=self.fail_on_stale,  # type: ignore[attr-defined]
        )

    # -- lint-imports ----------------------------------------------------------------

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
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
        if self.message:  # type: ignore[attr-defined]
            output.print(self.message)  # type: ignore[attr-defined]
            output.new_line()
