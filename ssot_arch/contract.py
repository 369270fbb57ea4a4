"""The SSOT contract type: only gateway modules may import the restricted modules.

`lint-imports` runs it, registered through `contract_types`; its options are declared
once, in domain/contract_options.py, which `ssot-arch` parses without import-linter:

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

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.contract import InvalidContractOptions

from ssot_arch.analysis.direct import find_direct_violations, unmatched_modules
from ssot_arch.domain.contract_options import (
    OPTIONS,
    TYPE_NAME,
    OptionError,
    check_together,
    parse_option,
    to_spec,
)
from ssot_arch.domain.model import ContractSpec


class OptionField(fields.Field):
    """An option of the table in domain/contract_options.py, as an import-linter field:
    parsed by the same `parse_option` that `ssot-arch` uses."""

    def __init__(self, kind: str, default: Any):
        super().__init__(default=default)
        self.kind = kind

    def parse(self, raw_data: str | list) -> Any:
        try:
            return parse_option(self.kind, raw_data)
        except OptionError as error:
            raise fields.ValidationError(str(error)) from error


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

    def _values(self) -> dict[str, Any]:
        """The options' parsed values: import-linter's Contract sets each on the instance,
        in place of its class's field."""
        return {name: vars(self)[name] for name in OPTIONS}

    def validate(self) -> None:
        """Check the options against each other (InvalidContractOptions, by option)."""
        errors = check_together(self._values())
        if errors:
            raise InvalidContractOptions(errors)

    def to_spec(self, contract_id: str) -> ContractSpec:
        """The contract as the domain's ContractSpec, identified by `contract_id`."""
        return to_spec(contract_id, self.name, self._values())

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
        message = self._values()["message"]
        if message:
            output.print(message)
            output.new_line()


# The fields, one per option of the table (import-linter finds them on the class).
for _name, _option in OPTIONS.items():
    setattr(SSOTContract, _name, OptionField(_option.kind, _option.default))
