"""`ssot-arch report`: each section on fixture repositories with known answers."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import SSOT_ARCH, html_table, make_repo, run_cli
from tests.test_report_linear import followed

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
[importlinter]
root_packages =
    app
    svc
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logs]
name = Logging via app.logging
type = ssot
gateways = app.logging
systems =
    ssot = app.logging
    stdlib = logging
    loguru = loguru
ssot_systems = ssot
"""

REPO = {
    ".importlinter": CONFIG,
    "app/__init__.py": "",
    # The gateway is a package: its modules may import logging, and are the SSOT system.
    "app/logging/__init__.py": "from .factory import get_logger\n",
    "app/logging/factory.py": "import logging\n\ndef get_logger(name):\n    return logging\n",
    "app/good.py": "from app.logging import get_logger\n",
    "app/bad.py": "import logging\n",
    "app/shortcut.py": "from loguru import logger\n",
    # A cycle: a -> b -> a, and b imports the violator.
    "app/cycle/a.py": "from app.cycle import b\n",
    "app/cycle/b.py": "from app.cycle import a\nfrom app import bad\n",
    "app/user.py": "from app.shortcut import logger\nfrom app import good\n",
    "svc/__init__.py": "",
    "svc/main.py": "from app import user\nfrom app.cycle import a\n",
}


def report_json(repo, *args):
    run = run_cli("report", str(repo), "--format", "json", *args)
    assert run.exit_code == 0, run.stderr
    return run.json["contracts"][0]


def test_leaks_with_chains_causes_and_fix_first(tmp_path):
    contract = report_json(make_repo(tmp_path, REPO))
    leaks = {leak["module"]: leak for leak in contract["leaks"]}
    assert sorted(leaks) == ["app.cycle.a", "app.cycle.b", "app.user", "svc.main"]
    assert leaks["app.cycle.a"] == {
        "module": "app.cycle.a",
        "file": "app/cycle/a.py",
        "via": "app.cycle.b",
        "line": 1,
        "length": 3,
        "cause": "app.bad",
    }
    # The causes' hops, to the restricted modules, are the rest of every chain.
    assert contract["hops"] == {
        "app.bad": {"via": "logging", "line": 1},
        "app.shortcut": {"via": "loguru", "line": 1},
    }
    assert followed(contract, "app.cycle.a") == [
        ("app.cycle.a", "app.cycle.b", 1),
        ("app.cycle.b", "app.bad", 2),
        ("app.bad", "logging", 1),
    ]
    assert followed(contract, "svc.main") == [
        ("svc.main", "app.user", 1),
        ("app.user", "app.shortcut", 1),
        ("app.shortcut", "loguru", 1),
    ]
    causes = {c["module"]: (c["leaks"], c["fix_impact"]) for c in contract["leak_causes"]}
    # svc.main reaches both violators: fixing one alone does not stop it.
    assert causes == {"app.bad": (2, 2), "app.shortcut": (2, 1)}
    steps = [
        ([v["module"] for v in s["violators"]], s["cumulative"]) for s in contract["fix_first"]
    ]
    assert steps == [(["app.bad"], 2), (["app.shortcut"], 4)]
    assert contract["leaks_removable"] == 4


def test_reach_compliance_and_fragmentation(tmp_path):
    contract = report_json(make_repo(tmp_path, REPO))
    app = contract["reach"]["app"]
    assert (app["ssot"]["direct"], app["ssot"]["transitive"]) == (1, 2)  # good; user via good
    assert (app["stdlib"]["direct"], app["stdlib"]["transitive"]) == (1, 3)  # bad; cycle a, b
    assert (app["loguru"]["direct"], app["loguru"]["transitive"]) == (1, 2)
    # The gateway package's own `import logging` is no start: app.logging.* are members.
    cell = contract["reach"]["svc"]["ssot"]
    assert (cell["start"], cell["length"]) == ("svc.main", 3)
    assert contract["reach_hops"]["ssot"] == {
        "svc.main": {"via": "app.user", "line": 1},
        "app.user": {"via": "app.good", "line": 2},
        "app.good": {"via": "app.logging", "line": 1},
    }
    assert contract["reach"]["app"]["ssot"]["start"] == "app.good"  # direct: one hop
    assert contract["fragmented"] == ["app", "svc"]
    rows = {row["group"]: row for row in contract["compliance"]}
    assert rows["app"] == {
        "group": "app",
        "files": 9,
        "logging_files": 3,
        "compliant_files": 1,
        "violations": 2,
        "violating_files": 2,
        "compliance_pct": 33.3,
        "status": "critical",
    }
    assert rows["svc"]["logging_files"] == 0 and rows["svc"]["status"] == "compliant"


def test_groups_from_the_command_line_and_by_depth(tmp_path):
    repo = make_repo(tmp_path, REPO)
    contract = report_json(repo, "--group", "core=app.cycle,app.bad", "--group", "edge=svc")
    assert sorted(contract["reach"]) == ["core", "edge"]
    assert contract["compliance"][0]["violations"] == 1
    contract = report_json(repo, "--group-depth", "2")
    # The packages at depth 2 (app.cycle is a namespace one), and the rest of each root.
    assert list(contract["reach"]) == [
        "app (top level)",
        "app.cycle",
        "app.logging",
        "svc (top level)",
    ]
    run = run_cli("report", str(repo), "--group", "x=nothing.here")
    assert run.exit_code == 2
    assert "--group: group 'x': 'nothing.here' matches no analysed module" in run.stderr


def test_laundering_is_reported_apart(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            **REPO,
            # A gateway that also hands out the raw stdlib module.
            "app/logging/__init__.py": "import logging\nfrom .factory import get_logger\n",
            "app/raw.py": "from app.logging import logging\n",
            "app/alias.py": "import loguru as lg\nlog = lg.logger\n",
            "app/again.py": "from app.alias import (\n    log,\n)\n",
            "app/second_hand.py": "from app.again import log as my_log\n",
            "app/star.py": "from app.shortcut import *\n",
        },
    )
    contract = report_json(repo)
    assert [
        (i["importer"], i["line"], i["via"], i["name"], i["origin"]) for i in contract["laundering"]
    ] == [
        ("app.again", 1, "app.alias", "log", "loguru.logger"),
        ("app.raw", 1, "app.logging", "logging", "logging"),
        ("app.second_hand", 1, "app.again", "log", "loguru.logger"),
        ("app.star", 1, "app.shortcut", "logger", "loguru.logger"),
        ("app.user", 1, "app.shortcut", "logger", "loguru.logger"),
    ]
    assert all(leak["module"] != "app.raw" for leak in contract["leaks"])


def test_markdown_report_sections(tmp_path):
    run = run_cli("report", str(make_repo(tmp_path, REPO)))
    assert run.exit_code == 0
    headings = [line for line in run.stdout.splitlines() if line.startswith("#")]
    assert headings == [
        "# ssot-arch report",
        "## Summary",
        "## Logging via app.logging (`logs`)",
        "### Compliance",
        "### Systems reach",
        "### Top causes and what to fix first",
        "### Leak chains",
        "### Laundering",
        "### Dynamic imports",
        "## Broken imports",
        "## Coverage",
    ]
    assert "| app | 9 | 3 | 1 | 33.3 % | 2 | 2 | critical |" in run.stdout
    assert "- `svc.main` (l.1) → `app.user` (l.1) → `app.shortcut` (l.1) → `loguru`" in run.stdout
    assert "1. `app.bad`: removes 2 (total 2)" in run.stdout


def test_report_is_deterministic_and_check_stays_lean(tmp_path):
    repo = make_repo(tmp_path, REPO)
    first = run_cli("report", str(repo), "--format", "json").stdout
    assert first == run_cli("report", str(repo), "--format", "json").stdout
    check = run_cli("check", str(repo), "--format", "json").json["contracts"][0]
    assert "leaks" not in check and "reach" not in check


def test_example_monorepo_report():
    run = run_cli("report", str(ROOT / "examples" / "monorepo"), "--format", "json")
    contract = run.json["contracts"][0]
    assert [leak["module"] for leak in contract["leaks"]] == [
        "backend.app.main",
        "backend.app.services.orders",
    ]
    assert [(i["importer"], i["origin"]) for i in contract["laundering"]] == [
        ("backend.app.services.orders", "loguru.logger")
    ]


def test_groups_from_the_configuration(tmp_path):
    config = CONFIG + "\n[ssot-arch]\ngroups =\n    backend = app\n    service = svc\n"
    contract = report_json(make_repo(tmp_path, {**REPO, ".importlinter": config}))
    assert [row["group"] for row in contract["compliance"]] == ["backend", "service"]
    bad = CONFIG + "\n[ssot-arch]\ngroups =\n    backend app\n"
    run = run_cli("report", str(make_repo(tmp_path / "bad", {**REPO, ".importlinter": bad})))
    assert run.exit_code == 2
    assert "[ssot-arch] groups: 'backend app' is not a group; write NAME = PACKAGE" in run.stderr


def test_output_is_identical_across_processes_and_hash_seeds(tmp_path):
    # Set and dict order of strings changes with PYTHONHASHSEED between processes; the
    # reports must not.
    import os
    import subprocess

    from benchmarks.synthetic import generate

    generate(str(tmp_path), 400, seed=5)
    executable = SSOT_ARCH
    outputs = set()
    for seed in ("1", "2", "3"):
        for command in (["report", "--format", "json"], ["check", "--format", "sarif"]):
            completed = subprocess.run(
                [executable, *command, str(tmp_path), "--no-cache"],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONHASHSEED": seed},
            )
            outputs.add((command[0], completed.stdout))
    assert len(outputs) == 2


def test_html_report_is_one_well_formed_page_with_every_section(tmp_path):
    from html.parser import HTMLParser

    repo = make_repo(tmp_path, {**REPO, "app/odd<name>/x.py": "import logging\n"})
    page = run_cli("report", str(repo), "--format", "html").stdout

    class Collector(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open: list[str] = []
            self.headings: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "br", "circle", "rect", "path", "line", "polyline"):
                self.open.append(tag)

        def handle_endtag(self, tag):
            if tag not in ("circle", "rect", "path", "line", "polyline"):
                assert self.open.pop() == tag

        def handle_data(self, data):
            if self.open and self.open[-1] in ("h2", "h3"):
                self.headings.append(data.strip())

    collector = Collector()
    collector.feed(page)
    assert collector.open == []
    for heading in (
        "Compliance",
        "Systems reach",
        "Top causes and what to fix first",
        "Leaks by cause",
        "Leak chains",
        "Direct violations",
        "Laundering",
        "Dynamic imports",
        "Broken imports",
        "Coverage",
    ):
        assert heading in collector.headings
    assert "odd<name>" not in page.split('id="ssot-data"')[0]
    coverage = html_table(page, "coverage")
    assert coverage[0][:3] == ["app/odd<name>/x.py", None, "analysed although not importable"]


def test_html_report_is_rendered_from_the_findings_not_from_the_markdown(tmp_path):
    # A `|` in a name would split a Markdown table row: the HTML keeps it one cell.
    repo = make_repo(tmp_path, REPO)
    page = run_cli("report", str(repo), "--format", "html", "--group", "a|b=app").stdout
    assert html_table(page, "c0-compliance")[0][:2] == ["a|b", 9]
    assert ["svc.main", 3, "app.shortcut", "svc.main"] in html_table(page, "c0-leaks")
