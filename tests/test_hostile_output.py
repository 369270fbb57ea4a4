"""Issue 8, case 5: text from the analysed tree cannot forge or hide output.

File names, import lines, reasons and configuration values may hold newlines,
carriage returns and escape sequences. Whatever the format, none of them starts a line
of its own (a GitHub workflow command such as `::error`), hides a line on a terminal,
or breaks the XML or JSON; the JSON formats still hold the exact text.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import html
import html as html_module
import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from ssot_arch import formats
from ssot_arch.application.check import run_check
from ssot_arch.application.gate import GateOptions, apply_gate
from ssot_arch.application.options import CommandLineContract
from ssot_arch.application.settings import load_settings
from ssot_arch.domain.findings import ReportOutcome
from ssot_arch.domain.model import CheckOutcome, SkippedFile
from ssot_arch.formats import CHECK_FORMATS, REPORT_FORMATS, markdown_text, report_html, text
from tests.helpers import html_table, make_repo, read_baseline_json, run_cli, validate_json
from tests.test_formats import junit_schema, sarif_validator

FORGED = "evil\n::error file=fake.py::forged\nx.py"
HIDDEN = "cr\rhide\x1b[2Kx.py"
SEPARATED = "sep\u2028\u0085x.py"
REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    f"app/{FORGED}": "import logging\n",
    f"app/{HIDDEN}": "import logging\n",
    f"app/{SEPARATED}": "import logging\n",
    "app/comment.py": "import logging  # \x1b[2K hidden\n",
    # Both mention logging, so that `check` parses them too. The reason quotes the line.
    "app/broken.py": "import logging\ndef f(:  # \x1b[2K\n",
    "app/up.py": "from ... import logging  # \x1b[2K\n",
}
# Raw, any of these ends a line for some reader or drives the terminal.
UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# A workflow command the github format writes: its properties hold no `:` or `,`.
COMMAND = re.compile(r"::(error|warning) (file=[^:,]*,)?(line=\d+,)?title=[^:,]*::")


def assert_safe(output: str, name: str) -> None:
    """One line per line, no raw control character, no forged workflow command."""
    lines = output.split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert UNSAFE.search(line) is None, line
        if name == "github" and line.startswith("::"):
            assert COMMAND.match(line), line
            assert not line.startswith("::error file=fake.py")
        else:
            assert not line.startswith("::"), line


def check(repo, name: str):
    run = run_cli("check", str(repo), "--gateway", "app.logs", "--format", name)
    assert run.exit_code == 1 and "Traceback" not in run.stderr, run.stderr
    assert_safe(run.stdout, name)
    return run.stdout


def report(repo, name: str):
    run = run_cli("report", str(repo), "--gateway", "app.logs", "--format", name)
    assert run.exit_code == 0 and "Traceback" not in run.stderr, run.stderr
    assert_safe(run.stdout, name)
    return run.stdout


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path, REPO)


def test_text_shows_the_names_escaped(repo):
    output = check(repo, "text")
    assert "app/evil\\n::error file=fake.py::forged\\nx.py:1: 'logging' imported directly" in output
    assert "app/cr\\rhide\\x1b[2Kx.py:1: " in output
    assert "app/sep\\u2028\\x85x.py:1: " in output
    assert "(import logging  # \\x1b[2K hidden)" in output
    assert "app/broken.py: not analysed: SyntaxError (line 2): def f(:  # \\x1b[2K\n" in output
    assert "(from ... import logging  # \\x1b[2K)\n" in output


def test_github_escapes_command_data_and_properties(repo):
    output = check(repo, "github")
    assert (
        "::error file=app/evil%0A%3A%3Aerror file=fake.py%3A%3Aforged%0Ax.py,line=1,"
        "title=ssot-arch [cli]::'logging' imported directly (import logging)"
    ) in output
    assert "::error file=app/cr%0Dhide\\x1b[2Kx.py,line=1," in output
    assert "(import logging  # \\x1b[2K hidden)" in output


def test_markdown_summary_shows_the_names_escaped(repo):
    output = check(repo, "markdown")
    assert "- `app/evil\\n::error file=fake.py::forged\\nx.py:1` 'logging'" in output
    assert "- `app/broken.py`: SyntaxError (line 2): def f(:  # \\x1b\\[2K" in output


def test_junit_is_valid_xml_with_the_names_escaped(repo):
    document = etree.fromstring(check(repo, "junit").encode())
    junit_schema().assertValid(document)
    failures = "\n".join(f.text for f in document.iter("failure"))
    assert "app/evil\\n::error file=fake.py::forged\\nx.py:1: " in failures
    assert "app/broken.py: SyntaxError (line 2): def f(:  # \\x1b[2K" in failures


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_formats_hold_the_exact_names(repo, name):
    document = json.loads(check(repo, name))
    if name == "json":
        validate_json("check-v1", document)
    if name == "sarif":
        sarif_validator().validate(document)
        results = document["runs"][0]["results"]
        files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
        messages = {r["message"]["text"] for r in results}
        assert any("# \\x1b[2K hidden" in m for m in messages)  # text for people: escaped
    else:
        violations = document["contracts"][0]["violations"]
        files = {v["file"] for v in violations}
        assert "import logging  # \x1b[2K hidden" in {v["line_contents"] for v in violations}
        assert document["coverage"]["unanalyzed"] == [
            {"file": "app/broken.py", "reason": "SyntaxError (line 2): def f(:  # \x1b[2K"}
        ]
    assert {f"app/{FORGED}", f"app/{HIDDEN}", f"app/{SEPARATED}"} <= files


def test_reports_hold_the_names_escaped_or_exact(repo):
    markdown = report(repo, "markdown")
    assert "- `app/evil\\n::error file=fake.py::forged\\nx.py` (not-importable" in markdown
    assert "- `app/broken.py`: SyntaxError (line 2): def f(:  # \\x1b\\[2K" in markdown
    page = report(repo, "html")
    coverage = {row[0] for row in html_table(page, "coverage")}
    assert "app/evil\\n::error file=fake.py::forged\\nx.py" in coverage
    data = json.loads(report(repo, "json"))
    validate_json("report-v2", data)
    assert f"app/{FORGED}" in {v["file"] for v in data["contracts"][0]["violations"]}
    assert f"app/{SEPARATED}" in {f["file"] for f in data["coverage"]["not_importable"]}


# Every string of an outcome, not just the names a file system can hold: what a
# configuration, a baseline or a future analysis may put there.
POISON = "\n::error file=fake.py::forged\r\x1b[2K\u2028\u0085\x7f\x00\udcff"
SHOWN = "\\n::error file=fake.py::forged\\r\\x1b[2K\\u2028\\x85\\x7f\\x00\\udcff"


def poisoned(value):
    """`value` with every string in it, dictionary keys too, ending in POISON (but a
    violation's status, a word of the tool's own)."""
    if value is None or isinstance(value, (enum.Enum, bool, int, float, datetime.date)):
        return value
    if isinstance(value, str):
        return value + POISON
    if dataclasses.is_dataclass(value):
        fields = [f.name for f in dataclasses.fields(value) if f.name != "status"]
        return dataclasses.replace(value, **{f: poisoned(getattr(value, f)) for f in fields})
    if isinstance(value, (tuple, list)):
        return type(value)(poisoned(item) for item in value)
    if isinstance(value, dict):
        return {poisoned(k): poisoned(v) for k, v in value.items()}
    raise TypeError(f"unexpected {type(value).__name__} in an outcome")


def with_warnings(outcome: CheckOutcome) -> CheckOutcome:
    contracts = tuple(
        dataclasses.replace(r, warnings=("contract warning",)) for r in outcome.contracts
    )
    skipped = (SkippedFile("app/link.py", "symbolic link to outside the repository"),)
    coverage = dataclasses.replace(outcome.coverage, skipped_files=skipped)
    return dataclasses.replace(
        outcome, contracts=contracts, coverage=coverage, warnings=("run warning",)
    )


def hostile(outcome):
    if isinstance(outcome, ReportOutcome):
        return poisoned(dataclasses.replace(outcome, check=with_warnings(outcome.check)))
    return poisoned(with_warnings(outcome))


RICH = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/bad.py": "import logging\n",
    "app/shortcut.py": "from loguru import logger\n",
    "app/user.py": "from app.shortcut import logger\nfrom app import bad\n",
    "app/gone.py": "import logging\n",
    "app/broken.py": "import logging\ndef f(:\n",
    "app/up.py": "from ... import logging\n",
    "app/my-tool.py": "import logging\n",
    "app/build/x.py": "import logging\n",
    "svc/__init__.py": "",
    "svc/main.py": "from app import user\n",
}
BASELINE = "ssot-arch-baseline.json"  # relative to the repository


@pytest.fixture
def rich(tmp_path):
    """Every kind of finding: violations, leaks, laundering, unanalysed, unresolved and
    not importable files, known, new and stale baseline entries, budgets."""
    repo = make_repo(tmp_path, RICH)
    assert run_cli("baseline", str(repo), "--gateway", "app.logs").exit_code == 0
    baseline = repo / BASELINE
    data = read_baseline_json(baseline)
    data["contracts"]["cli"]["budgets"] = {"app": 1}
    baseline.write_text(json.dumps(data))
    (repo / "app" / "gone.py").write_text("")
    (repo / "svc" / "new.py").write_text("import logging\n")
    return repo


@pytest.mark.parametrize(
    ("command", "name"),
    [("check", name) for name in CHECK_FORMATS] + [("report", name) for name in REPORT_FORMATS],
)
def test_every_string_of_an_outcome_is_escaped(rich, monkeypatch, command, name):
    real = formats.get_renderer

    def hostile_renderer(command, name):
        render = real(command, name)
        return lambda outcome, color: render(hostile(outcome), color)

    monkeypatch.setattr(formats, "get_renderer", hostile_renderer)
    real_page = report_html.page  # the HTML report, which also takes a link template
    monkeypatch.setattr(
        report_html, "page", lambda outcome, *args: real_page(hostile(outcome), *args)
    )
    args = ("--gateway", "app.logs", "--format", name)
    if command == "check":
        args += ("--baseline", str(rich / BASELINE))
    run = run_cli(command, str(rich), *args)
    assert "Traceback" not in run.stderr, run.stderr
    assert_safe(run.stdout, name)
    if name in ("json", "sarif"):
        document = json.loads(run.stdout)
        if name == "sarif":
            sarif_validator().validate(document)
            notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
                "app/broken.py" + POISON
            )
        else:
            assert document["coverage"]["unanalyzed"][0]["file"] == "app/broken.py" + POISON
            assert document["warnings"] == ["run warning" + POISON]
    elif name == "github":
        assert (
            "%0A::error file=fake.py::forged%0D\\x1b[2K\\u2028\\x85\\x7f\\x00\\udcff" in run.stdout
        )
    elif name == "html":
        # Names reach the page's text through its JSON data, as JSON strings.
        assert json.dumps(SHOWN)[1:-1] in run.stdout.split('id="ssot-data"')[1]
        assert html.escape(SHOWN) in run.stdout.split('id="ssot-data"')[0]
    else:
        assert SHOWN in run.stdout
    if name == "junit":
        junit_schema().assertValid(etree.fromstring(run.stdout.encode()))


def test_colour_codes_are_the_only_escape_sequences(rich):
    settings = load_settings(str(rich), None, CommandLineContract(gateways=("app.logs",)))
    outcome = apply_gate(run_check(settings), GateOptions(baseline=str(rich / BASELINE)))
    coloured = text.render(hostile(outcome), color=True)
    assert "\x1b[36m" in coloured and SHOWN in coloured
    assert_safe(re.sub(r"\x1b\[[0-9;]*m", "", coloured), "text")


def test_the_fixture_has_every_kind_of_finding(rich, monkeypatch):
    """So that test_every_string_of_an_outcome_is_escaped sees every list a format shows."""
    seen = []

    def keep(command, name):
        def render(outcome, color):
            seen.append(outcome)
            return ""

        return render

    monkeypatch.setattr(formats, "get_renderer", keep)
    run_cli("check", str(rich), "--gateway", "app.logs", "--baseline", str(rich / BASELINE))
    run_cli("report", str(rich), "--gateway", "app.logs")
    checked, reported = seen
    coverage = checked.coverage
    assert coverage.unanalyzed and coverage.unresolved_imports and coverage.not_importable
    assert coverage.skipped_dirs
    (result,) = checked.contracts
    statuses = {v.status for v in result.violations}
    assert statuses == {"new", "known"} and result.baseline.stale and result.baseline.budgets
    (findings,) = reported.reports.values()
    assert findings.leaks.leaks and findings.laundering and findings.reach


# Issue 20, finding 2: names that end a Markdown code span or split a table row. Legal
# file names on Linux; a module name holds them too. None may become HTML (an `<img>`
# runs where the renderer allows raw HTML: a GitHub job summary partly does), and each
# shows as the exact name. markdown-it-py (CommonMark, with GFM tables) is the reader:
# import-linter needs rich, which needs it.
SPAN = "t`<img src=x onerror=alert(1)>`.py"  # ends a span of one backtick
DOUBLE = "u``<img src=x onerror=alert(2)>``.py"  # ends a span of two
PIPED = "p|q.py"  # splits a table row, even inside a code span
NAMES = (SPAN, DOUBLE, PIPED)
GROUP = "x|y `<b>` *z*"  # a service named on the command line
REPO_OF_ONE = {"app/__init__.py": "", "app/logs.py": "import logging\n"}
MARKDOWN_REPO = {
    **REPO_OF_ONE,
    f"app/{SPAN}": 'import logging\nimport importlib\nimportlib.import_module("logging")\n',
    f"app/{DOUBLE}": "import logging\n",
    f"app/{PIPED}": "import logging\n",
}
# What the formats write as HTML on purpose: the folded lists of the check summary.
FOLDS = re.compile(r"<details><summary>[\w ,()]+</summary>\n|</details>\n")


def markdown_reader():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def tokens(markdown: str):
    for token in markdown_reader().parse(markdown):
        yield token
        yield from token.children or ()


def table_cells(row: str) -> int:
    """The cells of a GFM table row: it splits on every `|` without a backslash before it
    (code spans included), as GitHub and markdown-it do."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def assert_markdown_safe(markdown: str) -> set[str]:
    """No raw HTML but the folds; every table row as many cells as its header. Returns
    the texts of the code spans, as a reader shows them."""
    found = list(tokens(markdown))
    html_tokens = [t.content for t in found if t.type in ("html_inline", "html_block")]
    assert all(FOLDS.fullmatch(content) for content in html_tokens), html_tokens
    assert "<img" not in markdown_reader().render(markdown)
    header = None
    for line in markdown.split("\n"):
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = table_cells(line)
        else:
            assert table_cells(line) == header, line
    return {t.content for t in found if t.type == "code_inline"}


@pytest.fixture
def markdown_repo(tmp_path):
    return make_repo(tmp_path, MARKDOWN_REPO)


def test_check_markdown_shows_hostile_names_as_code(markdown_repo):
    run = run_cli("check", str(markdown_repo), "--gateway", "app.logs", "--format", "markdown")
    assert run.exit_code == 1, run.stderr
    spans = assert_markdown_safe(run.stdout)
    assert {f"app/{name}:1" for name in NAMES} <= spans


def test_report_markdown_shows_hostile_names_as_code(markdown_repo):
    run = run_cli("report", str(markdown_repo), "--gateway", "app.logs", "--no-cache")
    assert run.exit_code == 0, run.stderr
    spans = assert_markdown_safe(run.stdout)
    # The coverage section: each file and its module name.
    assert {f"app/{name}" for name in NAMES} <= spans
    assert {f"app.{name.removesuffix('.py')}" for name in NAMES} <= spans
    # A chain, and the dynamic imports table: the file is a cell of its own.
    assert "app.p|q" in spans
    html = markdown_reader().render(run.stdout)
    assert f"<td>{html_module.escape(f'app/{SPAN}:3', quote=False)}</td>" in html


def test_plan_markdown_shows_hostile_names_as_code(markdown_repo):
    run = run_cli("plan", str(markdown_repo), "--gateway", "app.logs", "--no-cache")
    assert run.exit_code == 0, run.stderr
    spans = assert_markdown_safe(run.stdout)
    assert {f"app/{name}" for name in NAMES} <= spans


def test_a_service_name_keeps_the_report_tables_whole(tmp_path):
    repo = make_repo(tmp_path, {**REPO_OF_ONE, "app/a.py": "import logging\n"})
    args = ("report", str(repo), "--gateway", "app.logs", "--group", f"{GROUP}=app")
    run = run_cli(*args)
    assert run.exit_code == 0, run.stderr
    assert_markdown_safe(run.stdout)
    html = markdown_reader().render(run.stdout)
    shown = html_module.escape(GROUP, quote=False)
    assert f"<tr>\n<td>{shown}</td>\n<td>3</td>" in html  # the compliance table
    assert f"For example, {shown}: 0 of its 1 files" in html
    # The HTML page reads the same explanation: the exact name, as text.
    page = run_cli(*args, "--format", "html").stdout
    assert f"For example, {html_module.escape(GROUP)}: 0 of its 1 files" in page


# What Markdown reads specially, and what a name may hold besides.
MARKUP = st.text(st.sampled_from(list("ab1é \t`\\|<>&#;*_[]()!-+=.$~:")), min_size=1, max_size=12)


def read_inline(markdown: str) -> list[tuple[bool, str]]:
    """markdown-it's reading of one paragraph: its code spans and texts."""
    (paragraph,) = [t for t in markdown_reader().parse(markdown) if t.type == "inline"]
    parts: list[tuple[bool, str]] = []
    for token in paragraph.children or ():
        assert token.type in ("text", "code_inline"), token.type
        is_code = token.type == "code_inline"
        if parts and not is_code and not parts[-1][0]:
            parts[-1] = (False, parts[-1][1] + token.content)
        else:
            parts.append((is_code, token.content))
    return parts


@settings(max_examples=300, deadline=None)
@given(MARKUP, MARKUP)
@example(SPAN, DOUBLE)
@example("  1. x", "` ")
@example("a\\|b", " |` ")
def test_escaped_text_and_code_spans_read_back_exactly(words, name):
    """What the Markdown writers write for a name, any reader shows as the name: in a
    paragraph or list item (markdown-it, and report_html through `inline_parts`) and in
    a table cell."""
    line = f"{markdown_text.escape(words)} {markdown_text.code(name)} {markdown_text.escape(words)}"
    expected = [(False, f"{words} "), (True, name), (False, f" {words}")]
    assert markdown_text.inline_parts(line) == expected
    # A reader drops the spaces ending a line: the line ends with a word of ours.
    assert read_inline(f"- {line} end") == [*expected[:2], (False, f" {words} end")]
    rows = markdown_text.table(
        ["Text", "Code"], [[markdown_text.escape(words) + " end", markdown_text.code(name)]]
    )
    assert [table_cells(row) for row in rows] == [2, 2, 2]
    cells = [t for t in markdown_reader().parse("\n".join(rows)) if t.type == "inline"][2:]
    assert "".join(t.content for t in cells[0].children) == f"{words} end"
    assert [(t.type, t.content) for t in cells[1].children] == [("code_inline", name)]


def test_a_command_cannot_close_its_code_block():
    """plan's command holds the --priority patterns as given, backticks included."""
    command = "ssot-arch fix . --only 'app.``` <img src=x>' --write"
    markdown = "\n".join(["", *markdown_text.code_block(command), "", "after"])
    (fence,) = [t for t in markdown_reader().parse(markdown) if t.type == "fence"]
    assert fence.content == command + "\n"
