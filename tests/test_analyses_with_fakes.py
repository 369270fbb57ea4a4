"""The report's analyses on in-memory graphs and sources (tests/fakes.py), with answers
worked out by hand: no repository on disk, no scan."""

from __future__ import annotations

import networkx as nx

from ssot_arch.adapters.scanning.nx_graph import to_networkx
from ssot_arch.analysis.laundering import find_laundering
from ssot_arch.analysis.leaks import find_transitive_leaks, index_importers
from ssot_arch.analysis.systems import (
    compliance,
    default_systems,
    index_systems,
    systems_reach,
)
from ssot_arch.application.check import check_repository
from ssot_arch.application.settings import load_settings
from ssot_arch.domain.findings import FixStep, Hop, LaunderedImport, LeakCause, follow
from ssot_arch.domain.model import ContractSpec, System, Violation
from tests.fakes import fake_repository, import_graph
from tests.helpers import make_repo
from tests.test_report import REPO

RESTRICTED = ("logging", "loguru")
SYSTEMS = (
    System("ssot", ("app.logging",), ssot=True),
    System("stdlib", ("logging",)),
    System("loguru", ("loguru",)),
)
GROUPS = {"app": ["app"], "svc": ["svc"]}


def spec(gateways=("app.logging",), exclude=()) -> ContractSpec:
    return ContractSpec("logs", "logs", RESTRICTED, tuple(gateways), SYSTEMS, tuple(exclude))


def leaks_of(graph: nx.DiGraph, contract: ContractSpec):
    return find_transitive_leaks(graph, contract, index_importers(graph))


def sources_only(files: dict[str, str]) -> dict[str, str]:
    return {path: text for path, text in files.items() if path.endswith(".py")}


# The fixture of tests/test_report.py: the same answers, without the scan.
GRAPH, _ = fake_repository(sources_only(REPO))


def test_the_fake_repository_is_the_graph_the_scan_builds(tmp_path):
    repo = make_repo(tmp_path, REPO)
    analysed = check_repository(load_settings(str(repo)))
    scanned = to_networkx(
        analysed.scan.analyzed, analysed.namespace_packages, analysed.scan.imports
    )
    fake, _ = fake_repository(sources_only(REPO), namespaces=analysed.namespace_packages)
    assert sorted(fake.nodes(data=True)) == sorted(scanned.nodes(data=True))
    assert sorted(fake.edges(data=True)) == sorted(scanned.edges(data=True))


def test_leaks_causes_and_fix_first():
    analysis = leaks_of(GRAPH, spec())
    chains = {leak.module: analysis.chain(leak.module) for leak in analysis.leaks}
    assert sorted(chains) == ["app.cycle.a", "app.cycle.b", "app.user", "svc.main"]
    assert chains["svc.main"] == (
        Hop("svc.main", "app.user", 1),
        Hop("app.user", "app.shortcut", 1),
        Hop("app.shortcut", "loguru", 1),
    )
    # svc.main reaches both violators: fixing one alone does not stop it.
    assert analysis.causes == (
        LeakCause("app.bad", leaks=2, fix_impact=2, violator=True),
        LeakCause("app.shortcut", leaks=2, fix_impact=1, violator=True),
    )
    assert analysis.fix_first == (FixStep(("app.bad",), 2, 2), FixStep(("app.shortcut",), 2, 4))
    assert analysis.removable == 4


def test_a_gateway_ends_every_chain():
    graph = import_graph(
        ("app.a", "app.logs"),
        ("app.logs", "logging"),
        ("app.b", "app.c"),
        ("app.c", "app.bad"),
        ("app.bad", "logging"),
    )
    analysis = leaks_of(graph, spec(gateways=["app.logs"]))
    assert [leak.module for leak in analysis.leaks] == ["app.b", "app.c"]


def test_leaks_through_an_excluded_module_cannot_be_fixed_away():
    graph = import_graph(("app.a", "app.legacy"), ("app.legacy", "logging"))
    analysis = leaks_of(graph, spec(exclude=["app.legacy"]))
    assert [leak.module for leak in analysis.leaks] == ["app.a"]
    assert analysis.causes == (LeakCause("app.legacy", 1, fix_impact=0, violator=False),)
    assert analysis.removable == 0 and analysis.fix_first == ()


def test_violators_that_only_remove_a_leak_together_are_one_step():
    graph = import_graph(
        ("app.m", "app.a"), ("app.m", "app.b"), ("app.a", "logging"), ("app.b", "loguru")
    )
    analysis = leaks_of(graph, spec())
    # Both are causes of app.m; its shortest chain (first by name) ends in app.a.
    assert analysis.causes == (LeakCause("app.a", 1, fix_impact=0, violator=True),)
    assert analysis.fix_first == (FixStep(("app.a", "app.b"), 1, 1),)


def test_systems_reach_and_fragmentation():
    index = index_systems(GRAPH, SYSTEMS)
    reach, fragmented, hops = systems_reach(GRAPH, index, GROUPS, index_importers(GRAPH))
    counts = {
        (group, system): (cell.direct, cell.transitive)
        for group, row in reach.items()
        for system, cell in row.items()
    }
    assert counts == {
        ("app", "ssot"): (1, 2),  # app.good; app.user through it
        ("app", "stdlib"): (1, 3),  # app.bad; app.cycle.a and .b through it
        ("app", "loguru"): (1, 2),
        ("svc", "ssot"): (0, 1),
        ("svc", "stdlib"): (0, 1),
        ("svc", "loguru"): (0, 1),
    }
    # The gateway package's own `import logging` is no start: app.logging.* are members.
    assert follow(hops["ssot"], "svc.main") == (
        Hop("svc.main", "app.user", 1),
        Hop("app.user", "app.good", 2),
        Hop("app.good", "app.logging", 1),
    )
    assert fragmented == ("app", "svc")


def test_compliance_counts_files_that_import_a_system():
    violations = [
        Violation("app.bad", "logging", 1, "import logging"),
        Violation("app.shortcut", "loguru", 1, "from loguru import logger"),
    ]
    rows = compliance(GRAPH, index_systems(GRAPH, SYSTEMS), GROUPS, violations)
    app, svc = rows
    assert (app.group, app.files, app.logging_files, app.compliant_files) == ("app", 9, 3, 1)
    assert (app.violations, app.violating_files, app.compliance_pct, app.status) == (
        2,
        2,
        33.3,
        "critical",
    )
    assert (svc.files, svc.logging_files, svc.compliance_pct, svc.status) == (
        2,
        0,
        100.0,
        "compliant",
    )


def test_indexes_are_built_once_and_the_graph_is_left_as_it_was():
    before = (dict(GRAPH.graph), sorted(GRAPH.edges(data=True)))
    importers = index_importers(GRAPH)
    assert importers.importers["app.bad"] == ["app.cycle.b"]
    assert importers.importers["app.cycle.a"] == ["app.cycle.b", "svc.main"]
    index = index_systems(GRAPH, SYSTEMS)
    assert index.members["ssot"] == {"app.logging", "app.logging.factory"}
    assert index.imports["app.logging.factory"] == {"stdlib"}
    for _ in range(2):
        assert leaks_of(GRAPH, spec()) == find_transitive_leaks(GRAPH, spec(), importers)
        systems_reach(GRAPH, index, GROUPS, importers)
    assert (dict(GRAPH.graph), sorted(GRAPH.edges(data=True))) == before


LAUNDERING = {
    **sources_only(REPO),
    # A gateway that also hands out the raw stdlib module.
    "app/logging/__init__.py": "import logging\nfrom .factory import get_logger\n",
    "app/raw.py": "from app.logging import logging\n",
    "app/alias.py": "import loguru as lg\nlog = lg.logger\n",
    "app/again.py": "from app.alias import (\n    log,\n)\n",
    "app/second_hand.py": "from app.again import log as my_log\n",
    "app/star.py": "from app.shortcut import *\n",
    # Inside a function: no module-level name is bound.
    "app/lazy.py": "def f():\n    from app.shortcut import logger\n",
    # A plain import fetches no name.
    "app/plain.py": "import app.shortcut\n",
}


def test_laundering_follows_re_exports_of_re_exports():
    graph, sources = fake_repository(LAUNDERING)
    assert find_laundering(graph, spec(), sources) == (
        LaunderedImport("app.again", 1, "app.alias", "log", "loguru.logger"),
        LaunderedImport("app.raw", 1, "app.logging", "logging", "logging"),
        LaunderedImport("app.second_hand", 1, "app.again", "log", "loguru.logger"),
        LaunderedImport("app.star", 1, "app.shortcut", "logger", "loguru.logger"),
        LaunderedImport("app.user", 1, "app.shortcut", "logger", "loguru.logger"),
    )


def test_laundering_spares_gateways_and_needs_a_fetched_name():
    graph, sources = fake_repository(
        {
            "app/__init__.py": "",
            "app/logs.py": "from loguru import logger\nLEVEL = 1\n",
            "app/gate.py": "from app.logs import logger\n",  # the gateway may
            "app/level.py": "from app.logs import LEVEL\n",  # not a restricted name
        }
    )
    assert find_laundering(graph, spec(gateways=["app.gate"]), sources) == ()
    assert find_laundering(graph, spec(gateways=[]), sources) == (
        LaunderedImport("app.gate", 1, "app.logs", "logger", "loguru.logger"),
    )


def test_without_ssot_systems_a_system_holding_a_gateway_is_the_ssot():
    stdlib, ssot = System("stdlib", ("logging",)), System("ours", ("app.logs",))
    spec = ContractSpec("c", "c", ("logging",), ("app.logs",), systems=(stdlib, ssot))
    assert [(s.name, s.ssot) for s in default_systems(spec)] == [
        ("stdlib", False),
        ("ours", True),
    ]
    # A system named by ssot_systems is taken as it is, even without a gateway in it.
    named = ContractSpec(
        "c", "c", ("logging",), ("app.logs",), systems=(System("stdlib", ("logging",), True), ssot)
    )
    assert [(s.name, s.ssot) for s in default_systems(named)] == [
        ("stdlib", True),
        ("ours", False),
    ]


def test_compliance_never_rounds_a_violation_away():
    from ssot_arch.domain.findings import ComplianceRow, percent_down, whole_percent

    row = ComplianceRow("app", 2000, 2000, 1999, 1, 1)
    assert row.compliance_pct == 99.9  # not 100.0
    assert row.status == "partial"
    assert percent_down(199, 200) == 99.5
    assert percent_down(2, 3) == 66.6
    assert percent_down(0, 0) == 100.0
    assert whole_percent(99.9) == "99 %"
    assert whole_percent(100.0) == "100 %"


def test_fix_exits_1_by_one_rule_kept_with_its_outcome():
    """Issue 23: fix's exit rule lived in cli.py; it is the outcome's (FixOutcome.failed)."""
    from ssot_arch.domain.remediation import (
        FIXED,
        MANUAL,
        UNSAFE,
        FileFix,
        FixOutcome,
        Verification,
    )

    fixed, manual, unsafe = (FileFix(f"{s}.py", s, s) for s in (FIXED, MANUAL, UNSAFE))
    assert FixOutcome((fixed,), written=False).failed()  # a dry run that would change
    assert not FixOutcome((manual,), written=False).failed()  # nothing it would change
    assert not FixOutcome((fixed,), written=True).failed()  # all written
    assert FixOutcome((fixed, manual), written=True).failed()  # a file left for a person
    assert FixOutcome((unsafe,), written=True).failed()  # unsafe, not written
    assert not FixOutcome((unsafe,), written=True, unsafe_fixes=True).failed()
    unmatched = FixOutcome((fixed,), written=True, unmatched_only=("x.*",))
    assert not unmatched.failed() and unmatched.failed(strict=True)
    broken = Verification("pytest", 1, "1 failed")
    assert FixOutcome((fixed,), written=True, verification=broken).failed()
