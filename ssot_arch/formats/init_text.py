"""`init --format text`: what init found, and the contract it proposes, for people."""

from __future__ import annotations

from ssot_arch.domain.adoption import InitOutcome
from ssot_arch.formats.common import plural, printable

SHOWN_CANDIDATES = 10


def render(outcome: InitOutcome, color: bool = False) -> str:
    proposal = outcome.proposal
    contract = proposal.contract
    lines = [
        f"Roots: {plural(len(outcome.packages), 'package')} ({', '.join(outcome.packages)})"
        + (f" and {plural(len(outcome.modules), 'top-level module')}" if outcome.modules else "")
        + f", in {', '.join(outcome.source_roots)}"
        + (f" (from {outcome.existing_config})" if outcome.existing_config else ""),
    ]
    if outcome.skipped_dirs:
        skipped = ", ".join(f"{s.path} ({s.rule})" for s in outcome.skipped_dirs[:5])
        more = len(outcome.skipped_dirs) - 5
        lines.append(
            f"Skipped folders: {skipped}"
            + (f" and {more} more (--format json)" if more > 0 else "")
        )
    if not proposal.libraries:
        lines.append("No module imports a logging library: nothing to propose.")
        return "\n".join(printable(line) for line in lines) + "\n"
    lines.append(
        "Logging libraries: "
        + ", ".join(
            f"{name} ({plural(count, 'module')})" for name, count in proposal.libraries.items()
        )
    )
    lines += ["", "Candidate SSOT modules, most imported for their loggers first:"]
    for number, candidate in enumerate(proposal.candidates[:SHOWN_CANDIDATES], 1):
        mark = "  <- SSOT" if candidate.intended else ""
        lines.append(f"  {number}. {candidate.module} (score {candidate.score}){mark}")
        lines.append(f"     {candidate.why}")
    if len(proposal.candidates) > SHOWN_CANDIDATES:
        lines.append(f"  … and {len(proposal.candidates) - SHOWN_CANDIDATES} more (--format json)")
    if not proposal.candidates:
        lines.append("  none")
    lines += ["", "Systems:"]
    for system in proposal.systems:
        kind = "SSOT" if system.ssot else "competing"
        lines.append(f"  {system.name} ({kind}): {', '.join(system.entries)}")
    lines += ["", *proposal.notes] if proposal.notes else []
    lines += [
        "",
        f"Proposed contract [{contract.id}]: restricted {', '.join(contract.restricted)}; "
        f"gateways {', '.join(contract.gateways) or 'none'}.",
        f"With it, `ssot-arch check` reports {plural(outcome.violations, 'violation')} today.",
    ]
    if contract.replacements:
        lines.append(
            "Replacements, from what the code already imports: "
            + "; ".join(str(r) for r in contract.replacements)
            + f". With them, `ssot-arch fix` would migrate {outcome.migratable} of the "
            f"violating files safely (`ssot-arch plan` orders them)."
        )
    elif outcome.violations:
        lines.append(
            "No replacement found (no SSOT name its users import stands for a library's): "
            "`fix` needs one per use, see docs/migration.md."
        )
    if outcome.priorities:
        order = " ".join(f"--priority '{pattern}'" for pattern in outcome.priorities)
        lines.append(f"Migration order (libraries first): ssot-arch plan {order}")
    if outcome.written:
        lines.append(f"Written to {outcome.written}.")
    else:
        lines.append("Write it with --write FILE (.importlinter, setup.cfg or pyproject.toml).")
    return "\n".join(printable(line) for line in lines) + "\n"
