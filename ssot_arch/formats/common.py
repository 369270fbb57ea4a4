"""Figures and wording every format shows, computed in one place."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from ssot_arch import __version__
from ssot_arch.domain.baseline import BaselineEntry, root_of
from ssot_arch.domain.findings import PACKAGE_FIRST, Hop
from ssot_arch.domain.model import (
    KNOWN,
    NEW,
    CheckOutcome,
    ContractResult,
    ContractSpec,
    Coverage,
    Violation,
)
from ssot_arch.domain.printable import printable

__all__ = ["printable"]  # re-exported: every format escapes through this one helper

# What json.dumps(ensure_ascii=False) leaves raw although it ends lines for some
# readers (NEL, U+2028/U+2029 in JavaScript and log viewers) or starts a terminal
# control (DEL, C1), and lone surrogates it cannot encode.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def document_header(schema_version: int) -> dict[str, Any]:
    """The first keys of every JSON document ssot-arch writes (check, report, fix, plan,
    init, trend, graph): which tool, its version, and the document's schema version."""
    return {"tool": "ssot-arch", "version": __version__, "schema_version": schema_version}


def json_text(data: Any, **options: Any) -> str:
    """`json.dumps`, with those characters as `\\u` escapes: the same JSON value, and an
    output every line-based tool reads as the lines it has. (Outside strings JSON is
    ASCII, so replacing them anywhere in the text only touches strings.)"""
    text = json.dumps(data, ensure_ascii=False, **options)
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def violations_by_root(outcome: CheckOutcome, result: ContractResult) -> dict[str, dict[str, int]]:
    """Per root: violations and violating files (roots without any are listed with zeros)."""
    counts: Counter[str] = Counter()
    files: dict[str, set[str]] = {root: set() for root in outcome.roots}
    for v in result.violations:
        root = root_of(outcome.files, v.importer)
        counts[root] += 1
        files.setdefault(root, set()).add(v.file)
    return {
        root: {"violations": counts[root], "violating_files": len(files[root])}
        for root in sorted(files)
    }


def gate_counts(outcome: CheckOutcome, result: ContractResult) -> dict[str, dict[str, int]]:
    """Per root: new (or expired), known and fixed-but-still-listed (stale) violations."""
    rows = {root: {"new": 0, "known": 0, "stale": 0} for root in outcome.roots}

    def row(root: str) -> dict[str, int]:
        return rows.setdefault(root, {"new": 0, "known": 0, "stale": 0})

    for v in result.violations:
        row(root_of(outcome.files, v.importer))["known" if v.status == KNOWN else "new"] += 1
    for entry in result.baseline.stale if result.baseline else ():
        row(root_of(outcome.files, entry.importer, entry.file))["stale"] += 1
    return dict(sorted(rows.items()))


def advice(spec: ContractSpec) -> str:
    """What to do instead of importing a restricted module directly."""
    if spec.message:
        return spec.message
    if spec.gateways:
        return f"import it through the SSOT ({', '.join(spec.gateways)})"
    return "no module may import it directly"


def violation_message(spec: ContractSpec, v: Violation) -> str:
    """The message of a violation: what is imported, how, and what to do instead."""
    expired = " (its baseline entry has expired)" if v.status not in (NEW, KNOWN) else ""
    return f"'{v.imported}' imported directly ({v.line_contents.strip()}): {advice(spec)}{expired}"


def _backticked(command: str) -> str:
    return f"`{command}`"


def _as_is(text: str) -> str:
    return text


def stale_message(
    entry: BaselineEntry,
    text: Callable[[str], str] = _as_is,
    code: Callable[[str], str] = _backticked,
) -> str:
    """The message of a stale baseline entry: fixed, and how to drop it. `text` and
    `code` write its words and its command (Markdown escapes one and quotes the other)."""
    words = f"fixed: '{entry.import_text}' is gone; remove it from the baseline with "
    return text(words) + code("ssot-arch baseline --update")


def hop_place(hop: Hop) -> str:
    """Where a chain's hop imports the next module: `l.3`, or `its package` (which
    Python runs first, not an import statement)."""
    return "its package" if hop.line == PACKAGE_FIRST else f"l.{hop.line}"


def plural(n: int, word: str) -> str:
    """`n` and `word`, with an `s` unless `n` is 1."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def files_analysed(coverage: Coverage, of: str = "/") -> str:
    """`40/41 files analysed (28 by their text alone)`: the coverage in a few words (`of`
    joins the counts: `/` or ` of `)."""
    text = f"{coverage.files_analyzed}{of}{coverage.files_total} files analysed"
    if coverage.files_cleared_by_text:
        text += f" ({coverage.files_cleared_by_text} by their text alone)"
    return text
