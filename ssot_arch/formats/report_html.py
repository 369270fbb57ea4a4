"""`report --format html`: the architecture report as one self-contained page.

Rendered from the findings, not from the Markdown text: a summary header, then per
contract the compliance table with a bar per service, the reach matrix as a heat map
and as a diagram, the fix-first list as a chart, the leaks grouped by cause (each
expandable to its chains), the direct violations, laundering, dynamic imports and
entry points; then broken imports and coverage. Every list is whole: the tables
(html/report.js, plain JavaScript) page, sort and filter by service and by text.

The page needs nothing but itself: its script and style are inlined, and its
Content-Security-Policy allows only that one script (by hash) and no network access at
all. The tables' data travels as JSON in a non-executable script element, with `<`,
`>` and `&` escaped, so that no name from the analysed repository can end it; the
figures and the explanations are escaped HTML (report_figures.py). Module names are
written once, in a table the rows point into: a report of 15,000 modules and 10,000
leaks stays a few megabytes.

The sections' titles, their explanations and the tables' columns come from
report_model.py, which the Markdown report renders too.

File links follow a URL template (`--source-url`): `{path}` is the file's path from the
repository root, percent-encoded, and `{line}` its line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from typing import Any

from ssot_arch import __version__
from ssot_arch.domain.findings import ContractReport, GroupIndex, LeakAnalysis, ReportOutcome
from ssot_arch.domain.model import ContractResult, SourceFile
from ssot_arch.formats.common import printable
from ssot_arch.formats.markdown_text import inline_parts
from ssot_arch.formats.report_figures import (
    chain_words,
    fix_first_chart,
    heat_map,
    reach_diagram,
    text,
)
from ssot_arch.formats.report_model import (
    AGAINST_BASELINE,
    CALL,
    CAUSE,
    CHAIN_LENGTH,
    CHAIN_WORDS,
    COMPLIANCE_COLUMNS,
    COVERAGE,
    DETAIL,
    DIRECT,
    DIRECT_IMPORTER,
    ENTRY_POINT,
    FILE,
    FIX,
    FIX_FIRST_STEP,
    FIX_IMPACT,
    GUARDED,
    IMPORT,
    IMPORTS,
    LEAKS_ENDING_HERE,
    LINE,
    MISSING_MODULE,
    MODULE,
    MODULES_LOADED,
    NEAREST_EXISTING,
    REALLY_IS,
    REMOVED_AT_STEP,
    REMOVES,
    SHORTEST_CHAIN,
    STATEMENT,
    STEP,
    SYSTEM,
    TOTAL,
    VIOLATOR,
    WHAT,
    WHY,
    Column,
    ContractSections,
    Section,
    report_sections,
)

DEFAULT_SOURCE_URL = "{path}"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def source_url_problem(template: str) -> str | None:
    """What is wrong with a file-link template, or None: it must hold `{path}`, and
    no placeholder but `{path}` and `{line}`."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(template)} - {"path", "line"})
    if unknown:
        return f"unknown placeholder {{{unknown[0]}}}: use {{path}} and {{line}}"
    if "{path}" not in template:
        return "it must contain {path}, the file's path from the repository root"
    return None


def _explain(paragraph: str) -> str:
    """An explanation of the report model (Markdown text): its code spans as code, the
    names in it as the exact text they were (`markdown_text.inline_parts`), escaped."""
    inner = "".join(
        f"<code>{text(part)}</code>" if is_code else text(part)
        for is_code, part in inline_parts(printable(paragraph))
    )
    return f'<p class="explain">{inner}</p>'


def _explained(paragraphs: Sequence[str]) -> str:
    """Explanations of the report model, as paragraphs of the page."""
    return "".join(map(_explain, paragraphs))


@dataclass
class _Data:
    """The page's JSON: the modules the tables name (each once), the services, and the
    tables by id."""

    files: Mapping[str, SourceFile]
    group_names: list[str]
    groups_of: GroupIndex
    index: dict[str, int] = field(default_factory=dict)
    modules: list[list[Any]] = field(default_factory=list)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)  # service -> its number

    def __post_init__(self) -> None:
        self.position = {group: i for i, group in enumerate(self.group_names)}

    def module(self, name: str) -> int:
        """The module's number in the page's table of modules: [name, path, services]."""
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.modules)
            source = self.files.get(name)
            self.modules.append(
                [
                    name,
                    printable(source.path) if source else "",
                    sorted(self.position[g] for g in self.groups_of(name)),
                ]
            )
        return found

    def table(
        self,
        table_id: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        **options: Any,
    ) -> str:
        """A table's data and its place in the page. A `module` or `path` column links
        to the line in the next column when that is the `LINE` column."""
        specs: list[dict[str, Any]] = []
        for i, column in enumerate(columns):
            kind = column.kind
            spec: dict[str, Any] = {"title": column.title, "type": kind}
            if kind in ("module", "path") and i + 1 < len(columns) and columns[i + 1] == LINE:
                spec["line"] = i + 1
            if kind == "chain":
                spec["contract"] = options["contract"]
            specs.append(spec)
        self.tables[table_id] = {"columns": specs, "rows": [list(r) for r in rows], **options}
        return f'<div class="table" data-table="{table_id}" id="{table_id}"></div>'


def _script_json(data: Any) -> str:
    """JSON that no text inside it can end the script element holding it."""
    return (
        json.dumps(data, ensure_ascii=True, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _asset(name: str) -> str:
    return (package_files("ssot_arch.formats") / "html" / name).read_text(encoding="utf-8")


def _card(figure: str, label: str, tone: str = "") -> str:
    return (
        f'<div class="card {tone}"><span class="figure">{figure}</span>'
        f'<span class="label">{label}</span></div>'
    )


def _summary(outcome: ReportOutcome) -> str:
    check = outcome.check
    coverage = check.coverage
    violations = sum(len(r.violations) for r in check.contracts)
    leaks = sum(len(r.leaks.leaks) for r in outcome.reports.values())
    systems = {s.name: s for found in outcome.systems.values() for s in found}
    ssot = sorted(name for name, s in systems.items() if s.ssot)
    rows = [row for report in outcome.reports.values() for row in report.compliance]
    worst = sorted(
        (row for row in rows if row.violations),
        key=lambda row: (row.compliance_pct, -row.violations, row.group),
    )[:3]
    worst_text = (
        "<br>".join(f"{text(row.group)} {row.compliance_pct:.1f} %" for row in worst) or "none"
    )
    cards = [
        _card(
            f"{coverage.files_analyzed:,} / {coverage.files_total:,}",
            "files analysed",
            "good" if coverage.files_analyzed == coverage.files_total else "warn",
        ),
        _card(f"{violations:,}", "direct violations", "bad" if violations else "good"),
        _card(f"{leaks:,}", "transitive leaks", "bad" if leaks else "good"),
        _card(
            str(len(systems)),
            "logging systems" + (f" (SSOT: {text(', '.join(ssot))})" if ssot else " (no SSOT)"),
            "warn" if len(systems) > len(ssot) else "",
        ),
        _card(f"{len(outcome.broken_imports):,}", "broken imports"),
        f'<div class="card" id="worst-services"><span class="label">least compliant</span>'
        f'<span class="worst">{worst_text}</span></div>',
    ]
    warnings = "".join(f"<li>{text(w)}</li>" for w in sorted(check.warnings))
    return f'<div class="cards" id="summary">{"".join(cards)}</div>' + (
        f'<ul class="warnings">{warnings}</ul>' if warnings else ""
    )


def _compliance(data: _Data, prefix: str, report: ContractReport) -> str:
    return data.table(
        f"{prefix}-compliance",
        COMPLIANCE_COLUMNS,
        (
            [
                r.group,
                r.files,
                r.logging_files,
                r.compliant_files,
                r.compliance_pct,
                r.violations,
                r.violating_files,
                r.status,
            ]
            for r in report.compliance
        ),
        group=0,
    )


def _violations(data: _Data, prefix: str, result: ContractResult) -> str:
    return data.table(
        f"{prefix}-violations",
        [MODULE, LINE, IMPORTS, STATEMENT, AGAINST_BASELINE],
        (
            [data.module(v.importer), v.line, v.imported, printable(v.line_contents), v.status]
            for v in result.violations
        ),
        group=0,
    )


def _leak_tables(data: _Data, prefix: str, number: int, report: ContractReport) -> tuple[str, str]:
    """The leaks by cause (each row opens to its chains), and every leak with its chain."""
    steps = report.leaks.fix_first_steps()
    causes = data.table(
        f"{prefix}-causes",
        [DIRECT_IMPORTER, LEAKS_ENDING_HERE, FIX_IMPACT, VIOLATOR, FIX_FIRST_STEP, REMOVED_AT_STEP],
        (
            [
                data.module(c.module),
                c.leaks,
                c.fix_impact,
                "yes" if c.violator else "excluded",
                *(steps.get(c.module) or (None, None)),
            ]
            for c in report.leaks.causes
        ),
        group=0,
        detail="leaksOfCause",
        contract=number,
    )
    leaks = data.table(
        f"{prefix}-leaks",
        [MODULE, CHAIN_LENGTH, CAUSE, SHORTEST_CHAIN],
        (
            [
                data.module(leak.module),
                leak.length,
                data.module(leak.cause),
                data.module(leak.module),
            ]
            for leak in report.leaks.leaks
        ),
        group=0,
        contract=number,
    )
    return causes, leaks


def _heading(section: Section, level: int = 3, anchor: str = "") -> str:
    """A section's title as a heading, with the id `anchor` if given."""
    attribute = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{attribute}>{text(section.title)}</h{level}>"


def _contract(data: _Data, number: int, sections: ContractSections, outcome: ReportOutcome) -> str:
    result = sections.result
    spec = result.spec
    report = outcome.reports[spec.id]
    systems = outcome.systems[spec.id]
    prefix = f"c{number}"
    compliance = sections.compliance
    analysis = report.leaks
    data.contracts.append(
        {
            "hops": [
                [data.module(m), data.module(hop.imported), hop.line]
                for m, hop in sorted(analysis.hops.items())
            ],
            "leaks": [
                [data.module(leak.module), leak.length, data.module(leak.cause)]
                for leak in analysis.leaks
            ],
        }
    )
    causes, leaks = _leak_tables(data, prefix, number, report)
    sizes = {row.group: row.files for row in report.compliance}
    state = "kept" if result.kept else "broken"
    warnings = "".join(f"<li>{text(w)}</li>" for w in sorted(result.warnings))
    fix_first = (
        _fix_first_figure(analysis)
        + data.table(
            f"{prefix}-fix-first",
            [STEP, FIX, REMOVES, TOTAL],
            (
                [n, [data.module(v) for v in step.violators], step.leaks_removed, step.cumulative]
                for n, step in enumerate(analysis.fix_first, 1)
            ),
            group=1,
        )
        if analysis.fix_first
        else ""
    )
    return f"""
<section class="contract" id="{prefix}">
<h2>{text(spec.name)} <small>(<code>{text(spec.id)}</code>)</small>
<span class="verdict {state}">{state.upper()}</span></h2>
{_explained(sections.summary)}
{f'<ul class="warnings">{warnings}</ul>' if warnings else ""}
{_entries(data, prefix, report, sections.entries)}
{_heading(compliance, anchor=f"{prefix}-{compliance.id}-heading")}
{_explained(compliance.explanations)}
{_compliance(data, prefix, report)}
{_heading(sections.reach)}
{_explained(sections.reach.explanations)}
<div class="figures">
<figure>{heat_map(report, systems, sizes)}</figure>
<figure>{reach_diagram(report, systems)}<figcaption>Edges as wide as the modules of the
service that reach the system; green: SSOT, red: competing; ⚠ amber: a fragmented
service.</figcaption></figure>
</div>
{_heading(sections.causes)}
{_explained((*sections.causes.explanations, *sections.fix_first))}
{fix_first}
<h3>Leaks by cause</h3>
<p class="explain">Each direct importer with the leaks whose shortest chain ends in it;
open a row (▸) for their chains.</p>
{causes}
{_heading(sections.chains)}
{_explained(sections.chains.explanations)}
{leaks}
<h3>Direct violations</h3>
<p class="explain">Every import of a restricted module by a module that may not import it.</p>
{_violations(data, prefix, result)}
{_heading(sections.laundering)}
{_explained(sections.laundering.explanations)}
{_laundering(data, prefix, report)}
{_heading(sections.dynamic)}
{_explained(sections.dynamic.explanations)}
{_dynamic(data, prefix, report)}
</section>"""


def _fix_first_figure(analysis: LeakAnalysis) -> str:
    steps = analysis.fix_first
    fixes = sum(len(step.violators) for step in steps)
    removed = steps[-1].cumulative
    caption = (
        f"Leaks removed as the fix-first list is worked down: its {len(steps)} steps fix "
        f"{fixes} violators and remove {removed:,} of the {len(analysis.leaks):,} leaks."
    )
    if removed < analysis.removable:
        caption += (
            f" The other {analysis.removable - removed:,} removable leaks each need "
            "fixes beyond the list: the causes table below."
        )
    chart = fix_first_chart(steps, len(analysis.leaks), analysis.removable)
    return f"<figure>{chart}<figcaption>{caption}</figcaption></figure>"


def _entries(
    data: _Data,
    prefix: str,
    report: ContractReport,
    section: Section | None,
) -> str:
    if section is None:
        return ""
    rows = [
        [data.module(module), entry.closure_size, name, loaded.direct, chain_words(loaded.chain)]
        for module, entry in sorted(report.entries.items())
        for name, loaded in sorted(entry.systems.items())
    ]
    table = data.table(
        f"{prefix}-entries",
        [ENTRY_POINT, MODULES_LOADED, SYSTEM, DIRECT, CHAIN_WORDS],
        rows,
    )
    return f"{_heading(section)}{_explained(section.explanations)}{table}"


def _laundering(data: _Data, prefix: str, report: ContractReport) -> str:
    if not report.laundering:
        return ""
    return data.table(
        f"{prefix}-laundering",
        [MODULE, LINE, IMPORT, REALLY_IS],
        (
            [data.module(i.importer), i.line, f"from {i.via} import {i.name}", i.origin]
            for i in report.laundering
        ),
        group=0,
    )


def _dynamic(data: _Data, prefix: str, report: ContractReport) -> str:
    if not report.dynamic_imports:
        return ""
    return data.table(
        f"{prefix}-dynamic",
        [MODULE, LINE, CALL, IMPORTS],
        (
            [data.module(d.importer), d.line, printable(d.call), d.imported]
            for d in report.dynamic_imports
        ),
        group=0,
    )


def _broken(data: _Data, section: Section, outcome: ReportOutcome) -> str:
    table = (
        data.table(
            "broken-imports",
            [MODULE, LINE, STATEMENT, MISSING_MODULE, NEAREST_EXISTING, GUARDED, WHY],
            (
                [
                    data.module(b.importer),
                    b.line,
                    printable(b.statement),
                    b.name,
                    b.ancestor or "–",
                    "yes" if b.guarded else "no",
                    printable(b.reason),
                ]
                for b in outcome.broken_imports
            ),
            group=0,
        )
        if outcome.broken_imports
        else ""
    )
    return f"{_heading(section, 2, section.id)}{_explained(section.explanations)}{table}"


def _coverage(data: _Data, outcome: ReportOutcome) -> str:
    coverage = outcome.check.coverage
    rows: list[list[Any]] = [
        *([u.file, None, "not analysed", u.reason] for u in coverage.unanalyzed),
        *(
            [u.file, u.line, "relative import beyond the top-level package", u.line_contents]
            for u in coverage.unresolved_imports
        ),
        *(
            [f.path, None, "analysed although not importable", f"{f.kind.value}, as {f.module}"]
            for f in coverage.not_importable
        ),
        *(
            [s.path, None, "folder skipped", f"{s.rule}, {s.python_files} Python files"]
            for s in coverage.skipped_dirs
        ),
        *([s.path, None, "file not read", s.reason] for s in sorted(coverage.skipped_files)),
    ]
    table = (
        data.table(
            "coverage",
            [FILE, LINE, WHAT, DETAIL],
            ([printable(cell) if isinstance(cell, str) else cell for cell in row] for row in rows),
        )
        if rows
        else ""
    )
    return (
        f'<h2 id="coverage-heading">{text(COVERAGE)}</h2>'
        f'<p class="explain">{coverage.files_analyzed:,} of {coverage.files_total:,} files '
        "analysed; every other Python file is listed here with its reason.</p>"
        f"{table}"
    )


def page(outcome: ReportOutcome, source_url: str = DEFAULT_SOURCE_URL) -> str:
    """The architecture report as one self-contained HTML page."""
    check = outcome.check
    group_names = sorted(outcome.groups)
    data = _Data(check.files, group_names, GroupIndex(outcome.groups))
    sections = report_sections(outcome)
    contracts = "".join(
        _contract(data, number, contract, outcome)
        for number, contract in enumerate(sections.contracts)
    )
    body = f"{contracts}{_broken(data, sections.broken, outcome)}{_coverage(data, outcome)}"
    payload = _script_json(
        {
            "link": source_url,
            "groups": group_names,
            "modules": data.modules,
            "tables": data.tables,
            "contracts": data.contracts,
        }
    )
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    toc = "".join(
        f'<a href="#c{n}">{text(c.result.spec.name)}</a>' for n, c in enumerate(sections.contracts)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ssot-arch report: {text(", ".join(check.roots))}</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header class="top">
<h1>ssot-arch architecture report</h1>
<p class="meta">Roots: {text(", ".join(check.roots))} · ssot-arch {text(__version__)}</p>
{_summary(outcome)}
</header>
<nav class="toc">{toc}<a href="#{sections.broken.id}">{text(sections.broken.title)}</a>
<a href="#coverage-heading">{text(COVERAGE)}</a></nav>
<main>{body}</main>
<script type="application/json" id="ssot-data">{payload}</script>
<script>{script}</script>
</body>
</html>
"""


def render(outcome: ReportOutcome, color: bool = False) -> str:
    """The page with links relative to the repository root (`page` takes a template)."""
    return page(outcome)
