"""Benchmark the HTML report on a large repository: its size, and how fast it opens and
answers in a headless Chromium.

    python -m benchmarks.html_page --modules 15000 --seed 1
    python -m benchmarks.html_page --tree PATH --config FILE

On a synthetic monorepo (benchmarks/synthetic.py; 15,000 modules with seed 1 give
about 12,000 leaks) or an existing tree: writes `report --format html` and, for
comparison, `--format json`, then opens the page from file:// in Chromium (driven by
Playwright, as tests/test_report_browser.py does) and measures, median of `--repeat`:

* open: from navigation to the moment the page's script has built every table
  (`body[data-ready]`);
* sort, filter, page, expand: one interaction on the largest table (the leak chains),
  from the event to the table redrawn.

Prints a Markdown table and the targets (opens and answers within 2 s, under 5 MB);
exit status 1 when one is missed. Needs Chromium (`chromium` on PATH, or
SSOT_ARCH_CHROMIUM).

`--screenshots DIR` also writes pictures of the page's main views (PNG): the summary
with the compliance table, the reach figures, the fix-first chart, and the leaks of the
largest cause opened. The README's pictures are these, of the audited monorepo.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import synthetic

OPEN_SECONDS = 2.0
MEGABYTES = 5.0
# As the machine's own probe starts Chromium: no sandbox (root), no GPU, and none of the
# background connections a closed network refuses. (tests/test_report_browser.py too.)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each interaction runs in the page and returns the milliseconds until the table is
# redrawn (the handlers redraw synchronously).
INTERACTIONS = {
    "sort (leak chains, by cause)": """
        const table = document.querySelector("#c0-leaks");
        const t = performance.now();
        table.querySelectorAll("th button.sort")[2].click();
        return performance.now() - t;""",
    "filter by text (leak chains)": """
        const input = document.querySelector("#c0-leaks .text-filter");
        const t = performance.now();
        input.value = "mod1";
        input.dispatchEvent(new Event("input"));
        return performance.now() - t;""",
    "filter by service (leak chains)": """
        const select = document.querySelector("#c0-leaks .service-filter");
        const t = performance.now();
        select.selectedIndex = 1;
        select.dispatchEvent(new Event("change"));
        return performance.now() - t;""",
    "last page (leak chains)": """
        const t = performance.now();
        document.querySelector("#c0-leaks button[aria-label='Last page']").click();
        return performance.now() - t;""",
    "open the largest cause": """
        const t = performance.now();
        document.querySelector("#c0-causes tbody tr:first-child button.toggle").click();
        return performance.now() - t;""",
}


def _ssot_arch() -> str:
    return str(Path(sys.executable).with_name("ssot-arch"))


def _write(tree: Path, config: Path, output_format: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            _ssot_arch(),
            "report",
            str(tree),
            "--config",
            str(config),
            "--format",
            output_format,
            "-o",
            str(out),
        ],
        check=True,
    )
    return time.perf_counter() - started


def find_chromium() -> str | None:
    """The Chromium to drive: $SSOT_ARCH_CHROMIUM, else the first on PATH (None if
    none; tests/test_report_browser.py asks too)."""
    found = os.environ.get("SSOT_ARCH_CHROMIUM")
    if found:
        return found
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium() -> str:
    found = find_chromium()
    if not found:
        sys.exit("no Chromium: install Debian's chromium or set SSOT_ARCH_CHROMIUM")
    return found


def measure(page_file: Path, repeat: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    timings: dict[str, list[float]] = {"open": [], **{name: [] for name in INTERACTIONS}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        for _ in range(repeat):
            page: Any = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            started = time.perf_counter()
            page.goto(page_file.as_uri())
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            timings["open"].append(time.perf_counter() - started)
            for name, script in INTERACTIONS.items():
                timings[name].append(page.evaluate(f"() => {{{script}}}") / 1000)
            if errors:
                sys.exit(f"the page failed: {errors[0]}")
            page.close()
        browser.close()
    return timings


# name -> (the first element shown, the last one): each picture spans both.
VIEWS = {
    "report-summary": ("header.top", "#c0-compliance"),
    "report-reach": ("#c0 .figures", "#c0 .figures"),
    "report-fix-first": ("#fix-first-chart", "#c0-fix-first"),
    "report-leaks": ("#c0-causes", "#c0-causes"),
}


def screenshots(page_file: Path, folder: Path) -> list[Path]:
    """The main views of the page, as PNG files in `folder`."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        page: Any = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        page.click("#c0-causes tbody tr:first-child button.toggle")
        # The navigation bar sticks to the top of the window: out of the pictures.
        page.add_style_tag(content="nav.toc { position: static; }")
        for name, (first, last) in VIEWS.items():
            # Page coordinates (a bounding box is the viewport's, which scrolls).
            top, bottom = (
                page.eval_on_selector(
                    selector,
                    "e => { const r = e.getBoundingClientRect();"
                    " return [r.top + scrollY, r.bottom + scrollY, r.right]; }",
                )
                for selector in (first, last)
            )
            clip = {
                "x": 0,
                "y": top[0],
                "width": min(1400, max(top[2], bottom[2]) + 24),
                "height": min(bottom[1] - top[0] + 8, 1400),
            }
            path = folder / f"{name}.png"
            page.screenshot(path=str(path), clip=clip, full_page=True)
            written.append(path)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=15_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tree", type=Path, help="an existing tree instead of a synthetic one")
    parser.add_argument("--config", type=Path, help="its configuration (with --tree)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keep the tree and pages here")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="write the views here")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ssot-arch-html-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.tree:
        tree, config = args.tree, args.config or args.tree / ".importlinter"
    else:
        tree = work / f"synthetic-{args.modules}"
        if not (tree / ".importlinter").exists():
            print(f"generating {args.modules} modules in {tree}", file=sys.stderr)
            synthetic.generate(str(tree), args.modules, args.seed)
        config = tree / ".importlinter"
    page_file, json_file = work / "report.html", work / "report.json"
    _write(tree, config, "json", json_file)  # cold: fills the content cache
    html_seconds = _write(tree, config, "html", page_file)
    json_seconds = _write(tree, config, "json", json_file)
    timings = measure(page_file, args.repeat)
    megabytes = page_file.stat().st_size / 1e6
    print(f"| {tree} | |\n|---|---|")
    print(f"| report --format html (warm cache) | {html_seconds:.2f} s |")
    print(f"| report --format json (warm cache) | {json_seconds:.2f} s |")
    print(
        f"| page size | {megabytes:.2f} MB (JSON report: {json_file.stat().st_size / 1e6:.2f} MB) |"
    )
    for name, values in timings.items():
        print(
            f"| {name} | {statistics.median(values) * 1000:.0f} ms (max {max(values) * 1000:.0f}) |"
        )
    slowest = max(max(values) for values in timings.values())
    goals = [
        (f"opens and answers within {OPEN_SECONDS:.0f} s", slowest < OPEN_SECONDS),
        (f"under {MEGABYTES:.0f} MB", megabytes < MEGABYTES),
    ]
    if args.screenshots:
        for path in screenshots(page_file, args.screenshots):
            print(f"wrote {path}", file=sys.stderr)
    print()
    for claim, met in goals:
        print(f"- {'met' if met else 'MISSED'}: {claim}")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
