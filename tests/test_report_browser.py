"""The HTML report opened from file:// in a real headless Chromium, driven by Playwright.

Needs Chromium (Debian's `chromium`, installed by .ci/run) and Playwright (a dev
dependency). Where none can be found the tests are skipped, saying so; with
SSOT_ARCH_BROWSER_TESTS=required (set by .ci/run) a missing browser fails them instead.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from benchmarks.html_page import CHROMIUM_FLAGS, find_chromium
from tests.helpers import html_report_data, run_cli
from tests.test_report_html import ATTACKS, GENERATED, INJECTION, SHOP, shop


def _unavailable(reason: str) -> None:
    if os.environ.get("SSOT_ARCH_BROWSER_TESTS") == "required":
        pytest.fail(f"browser tests are required here, but {reason}")
    pytest.skip(f"{reason}: install Debian's chromium (apt-get install chromium) to run them")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found (chromium, chromium-browser or $SSOT_ARCH_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    """A report open in a page, with what the page said and asked for."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def rows(self, table_id: str) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            f"#{table_id} tbody tr:not(.detail)",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
        )

    def count(self, table_id: str) -> str:
        return self.page.text_content(f"#{table_id} .count")


def open_report(browser: Any, tmp_path: Path, files: dict[str, str]) -> Opened:
    repo = shop(tmp_path, files)
    out = tmp_path / "report.html"
    run = run_cli("report", str(repo), "--format", "html", "-o", str(out))
    assert run.exit_code == 0, run.stderr
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    opened = Opened(page)
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return opened


@pytest.fixture
def report(browser, tmp_path) -> Iterator[Opened]:
    opened = open_report(browser, tmp_path, SHOP)
    yield opened
    opened.page.close()


def test_opens_without_errors_or_network(report):
    assert report.errors == []
    assert report.requests == [report.page.url]  # the file itself, nothing else


def test_summary_and_compliance_show_the_known_figures(report):
    figures = report.page.eval_on_selector_all(
        "#summary .card", "cards => cards.map(c => c.textContent.trim())"
    )
    assert figures[1:3] == [f"{GENERATED + 2}direct violations", "3transitive leaks"]
    rows = {row[0]: row for row in report.rows("c0-compliance")}
    assert rows["app"][1:] == ["36", "32", "1", "3.1 %", "31", "31", "critical"]
    assert rows["worker"][4] == "50.0 %" and rows["worker"][7] == "partial"
    widths = report.page.eval_on_selector_all(
        "#c0-compliance tbody tr", "rows => rows.map(r => r.querySelector('.bar-fill').style.width)"
    )
    assert widths == ["3.1%", "100%", "50%"]  # app, shared, worker
    colour = report.page.eval_on_selector(
        "#c0-compliance .status-critical", "e => getComputedStyle(e).color"
    )
    assert colour == "rgb(207, 34, 46)"


def test_matrix_diagram_and_chart_are_drawn(report):
    cell = report.page.eval_on_selector_all(
        "#reach-matrix tbody tr",
        "rows => rows.map(r => [r.cells[0].textContent.trim(),"
        " ...[...r.cells].slice(1).map(c => c.dataset.direct + '/' + c.dataset.transitive)])",
    )
    matrix = {row[0].split()[0]: row[1:] for row in cell}
    # columns: ssot, stdlib, loguru
    assert matrix["app"] == ["1/1", f"{GENERATED}/{GENERATED}", "1/3"]
    assert matrix["worker"] == ["1/1", "1/2", "0/0"]
    edges = report.page.eval_on_selector_all("#reach-diagram path.edge", "e => e.length")
    assert edges == 5  # the non-empty cells: app 3, worker 2 (shared.log is the SSOT's own)
    assert report.page.text_content("#reach-diagram g.system.ssot") == "ssot (SSOT)"
    points = report.page.get_attribute("#fix-first-chart #fix-curve", "points")
    assert len(points.split()) == 3  # the origin and two steps
    box = report.page.locator("#reach-diagram").bounding_box()
    assert box["width"] > 500 and box["height"] > 100


def test_tables_sort_filter_and_page(report):
    page = report.page
    assert len(report.rows("c0-violations")) == 25
    assert report.count("c0-violations") == f"{GENERATED + 2} rows"
    page.click("#c0-violations .pager button[aria-label='Next page']")
    assert len(report.rows("c0-violations")) == GENERATED + 2 - 25
    # Sort by violations, twice: descending.
    header = "#c0-compliance th:nth-child(6) button"
    page.click(header)
    page.click(header)
    assert [row[0] for row in report.rows("c0-compliance")][:2] == ["app", "worker"]
    # Filter by service, then by text.
    page.select_option("#c0-violations .service-filter", label="worker")
    assert [row[0] for row in report.rows("c0-violations")] == ["worker.jobs"]
    page.select_option("#c0-violations .service-filter", label="All services")
    page.fill("#c0-violations .text-filter", "m2")
    assert report.count("c0-violations") == f"10 of {GENERATED + 2} rows"
    page.fill("#c0-violations .text-filter", "no such module")
    assert report.rows("c0-violations") == [["No rows match."]]


def test_a_cause_opens_to_its_leaks_chains(report, tmp_path):
    page = report.page
    page.click("#c0-causes tbody tr:first-child button.toggle")
    chains = page.eval_on_selector_all(
        "#c0-causes tr.detail li", "items => items.map(i => i.textContent)"
    )
    assert chains == [
        "app.api (l.1) → app.views (l.1) → app.core (l.1) → loguru",
        "app.views (l.1) → app.core (l.1) → loguru",
    ]
    href = page.eval_on_selector("#c0-causes tr.detail li a", "a => a.href")
    assert href == (tmp_path / "shop" / "app" / "api.py").as_uri()


def test_the_screenshot_is_a_real_rendering(report, tmp_path):
    image_library = pytest.importorskip("PIL.Image")
    shot = image_library.open(io.BytesIO(report.page.screenshot(full_page=True))).convert("RGB")
    colours = shot.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, bars, cells: not one flat fill
    white = max(count for count, colour in colours if colour == (255, 255, 255))
    assert white < 0.95 * shot.width * shot.height
    assert shot.height > 2000  # every section laid out


def test_names_from_the_repository_run_no_script(browser, tmp_path):
    opened = open_report(browser, tmp_path, INJECTION)
    page = opened.page
    try:
        # Bring every hostile name on screen: the rows holding them, whatever their page.
        page.fill("#c0-violations .text-filter", "pwned")
        page.fill("#coverage .text-filter", "pwned")
        shown = page.text_content("#c0-violations tbody")
        assert ATTACKS[0] in shown and ATTACKS[2] in shown  # comments on import lines
        assert ATTACKS[1] in page.text_content("#coverage tbody")  # not a module: listed
        assert opened.errors == [] and opened.dialogs == []
        assert page.evaluate("window.pwned") is None
        assert page.eval_on_selector_all("img, [onload], [onerror]", "e => e.length") == 0
        assert ATTACKS[0] in page.text_content("h2")  # the contract's name, as written
        page.fill("#coverage .text-filter", "")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        files = [href for href in hrefs if not href.startswith(page.url + "#")]
        # Every file link, the one to `javascript:….py` too, is a file of the repository.
        repository = (tmp_path / "shop").as_uri()
        assert files and all(href.startswith(repository + "/") for href in files), files
        assert any("javascript%3Awindow.pwned%3D4.py" in href for href in files)
    finally:
        page.close()


def test_the_text_filter_matches_what_is_shown_not_the_page_s_numbering(report, tmp_path):
    # A chain cell carries a module's number in the page's data: typing that number
    # must not find the row (only names, paths and shown figures count).
    data = html_report_data((tmp_path / "report.html").read_text())
    table = data["tables"]["c0-leaks"]
    shown = " ".join(
        " ".join([data["modules"][r[0]][0], data["modules"][r[0]][1], str(r[1])])
        + " "
        + " ".join(data["modules"][r[2]][:2])
        for r in table["rows"]
    )
    numbers = [str(r[3]) for r in table["rows"] if str(r[3]) not in shown]
    assert numbers, "every chain's number also appears as shown text: no case to test"
    report.page.fill("#c0-leaks .text-filter", numbers[0])
    assert report.rows("c0-leaks") == [["No rows match."]]
