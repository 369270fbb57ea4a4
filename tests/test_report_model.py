"""The Markdown report and the HTML page render one model (formats/report_model.py):
each section's title and explanations, and each table's columns, are the model's, in
both formats.

Issue 23: the page used to find each section's explanations under the Markdown
report's heading text, and each format titled its columns itself, so a renamed heading
silently dropped text from the page and a renamed column renamed it in one format only.
"""

from __future__ import annotations

import html
import re

import pytest

from ssot_arch.application import report as report_use_case
from ssot_arch.domain.findings import ReportOutcome
from ssot_arch.formats import report_html, report_markdown, report_model
from ssot_arch.formats.markdown_text import escape, inline_parts
from ssot_arch.formats.report_model import COMPLIANCE_COLUMNS, Column, Section
from tests.helpers import html_report_data, make_repo, run_cli

# A repository every section and table has something to say about: an entry point, a
# leak with a fix-first list, a laundered import, a dynamic import, a broken one and a
# file not analysed.
REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/main.py": "from app import views, logs\n",
    "app/core.py": "from loguru import logger\n",
    "app/views.py": "from app import core\n",
    "app/alias.py": "import loguru as lg\nlog = lg.logger\n",
    "app/again.py": "from app.alias import log\n",
    "app/plugins.py": 'import importlib\nimportlib.import_module("logging")\n',
    "app/user.py": "from app.gone import x\n",
    "app/unparsable.py": "import logging\ndef f(:\n",
}
ARGS = ("--gateway", "app.logs", "--entry", "app.main", "--system", "ssot=app.logs")
ARGS += ("--system", "stdlib=logging", "--system", "loguru=loguru")


@pytest.fixture
def outcome(tmp_path, monkeypatch) -> ReportOutcome:
    """The findings both formats render, as the report command finds them."""
    found: list[ReportOutcome] = []
    real = report_use_case.run_report

    def recording(*args, **kwargs):
        found.append(real(*args, **kwargs))
        return found[-1]

    monkeypatch.setattr(report_use_case, "run_report", recording)
    repo = make_repo(tmp_path, REPO)
    run = run_cli("report", str(repo), "--no-cache", *ARGS, "--format", "json")
    assert run.exit_code == 0, run.stderr
    return found[0]


def sections_by_heading(pattern: str, document: str) -> dict[str, str]:
    """The text under each heading (up to the next), by the heading's text."""
    parts = re.split(pattern, document)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def model_sections(sections: report_model.ReportSections) -> list[tuple[Section, tuple[str, ...]]]:
    """Every section of the model, in order, with all its explanations."""
    found: list[tuple[Section, tuple[str, ...]]] = []
    for contract in sections.contracts:
        assert contract.entries is not None  # the fixture asks about an entry point
        found += [
            (contract.entries, contract.entries.explanations),
            (contract.compliance, contract.compliance.explanations),
            (contract.reach, contract.reach.explanations),
            (contract.causes, (*contract.causes.explanations, *contract.fix_first)),
            (contract.chains, contract.chains.explanations),
            (contract.laundering, contract.laundering.explanations),
            (contract.dynamic, contract.dynamic.explanations),
        ]
    return [*found, (sections.broken, sections.broken.explanations)]


def test_both_formats_show_every_section_with_its_explanations(outcome):
    markdown = report_markdown.render(outcome)
    page = report_html.page(outcome)
    written = sections_by_heading(r"(?m)^#{2,3} (.*)\n", markdown)
    shown = sections_by_heading(r"<h[23][^>]*>(.*?)</h[23]>", page)
    sections = model_sections(report_model.report_sections(outcome))
    titles = [section.title for section, _ in sections]
    assert [t for t in written if t in titles] == titles  # each once, in the model's order
    assert [html.unescape(t) for t in shown if html.unescape(t) in titles] == titles
    for section, explanations in sections:
        assert explanations, f"{section.id} explains nothing"
        lines = written[escape(section.title)].splitlines()
        paragraphs = [
            html.unescape(re.sub(r"<[^>]+>", "", p))
            for p in re.findall(r'<p class="explain">(.*?)</p>', shown[html.escape(section.title)])
        ]
        for explanation in explanations:
            assert explanation in lines, (section.id, explanation)
            assert "".join(part for _, part in inline_parts(explanation)) in paragraphs, (
                section.id,
                explanation,
            )


def test_every_column_title_is_the_models(outcome):
    """Both formats title their columns from the model, each column as the model
    declares it; every column the model declares is shown, and the compliance table,
    which both show whole, has the same columns in both."""
    declared = {value for value in vars(report_model).values() if isinstance(value, Column)}
    systems = {
        escape(report_model.system_title(s)) for found in outcome.systems.values() for s in found
    }
    markdown = report_markdown.render(outcome)
    headers = re.findall(r"(?m)^\| (.*) \|\n\|-", markdown)
    written = [header.split(" | ") for header in headers]
    titles = {escape(column.title): column for column in declared}
    assert {title for header in written for title in header} - systems <= set(titles)
    tables = html_report_data(report_html.page(outcome))["tables"]
    shown = {
        table_id: [Column(c["title"], c["type"]) for c in table["columns"]]
        for table_id, table in tables.items()
    }
    assert {column for columns in shown.values() for column in columns} <= declared
    used = {titles[t] for header in written for t in header if t in titles}
    assert declared - used - {c for columns in shown.values() for c in columns} == set()
    assert shown["c0-compliance"] == list(COMPLIANCE_COLUMNS)
    assert [escape(column.title) for column in COMPLIANCE_COLUMNS] in written


def test_both_formats_open_each_contract_with_its_summary(outcome):
    """The verdict's figures and the SSOT systems open each contract in both formats
    (the page once looked them up under a heading they were not under, and showed none)."""
    markdown = report_markdown.render(outcome).splitlines()
    page = report_html.page(outcome)
    paragraphs = [
        html.unescape(re.sub(r"<[^>]+>", "", p))
        for p in re.findall(r'<p class="explain">(.*?)</p>', page)
    ]
    for contract in report_model.report_sections(outcome).contracts:
        assert len(contract.summary) == 2  # the fixture names its SSOT systems
        for paragraph in contract.summary:
            assert paragraph in markdown
            assert "".join(part for _, part in inline_parts(paragraph)) in paragraphs
