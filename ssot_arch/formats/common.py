"""Figures every format shows, computed once."""

from __future__ import annotations

from collections import Counter

from ssot_arch.domain.model import CheckOutcome, ContractResult, ContractSpec


def violations_by_root(outcome: CheckOutcome, result: ContractResult) -> dict[str, dict[str, int]]:
    """Per root: violations and violating files (roots without any are listed with zeros)."""
    counts: Counter[str] = Counter()
    files: dict[str, set[str]] = {root: set() for root in outcome.roots}
    for v in result.violations:
        root = outcome.files[v.importer].root
        counts[root] += 1
        files.setdefault(root, set()).add(v.file)
    return {
        root: {"violations": counts[root], "violating_files": len(files[root])}
        for root in sorted(files)
    }


def advice(spec: ContractSpec) -> str:
    if spec.message:
        return spec.message
    if spec.gateways:
        return f"import it through the SSOT ({', '.join(spec.gateways)})"
    return "no module may import it directly"
