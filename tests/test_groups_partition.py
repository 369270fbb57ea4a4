"""`--group-depth` partitions the modules, each in exactly one group; groups may exclude
packages; and fragmentation (how many systems a group reaches, how its logging modules
divide among them) equals a brute-force search (tests/oracles.py) on random graphs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.analysis.leaks import index_importers
from ssot_arch.analysis.systems import (
    FragmentationRow,
    Group,
    compliance,
    files_by_group,
    fragmentation,
    groups_by_depth,
    index_systems,
    systems_reach,
    top_level_group,
)
from ssot_arch.domain.model import System, Violation
from tests import oracles
from tests.fakes import import_graph
from tests.test_analyses_properties import graphs, systems

ROOTS = ("app", "svc")
PARTS = ("a", "b", "c")
EXTERNAL = ("logging", "loguru", "os")
RESTRICTED = ("logging", "loguru")


@st.composite
def trees(draw) -> list[str]:
    """Module names of random trees: a package holds its own module (`__init__`) or
    not (a namespace package)."""
    paths = draw(
        st.lists(
            st.tuples(st.sampled_from(ROOTS), st.lists(st.sampled_from(PARTS), max_size=4)),
            min_size=1,
            max_size=25,
        )
    )
    return sorted({".".join((root, *rest)) for root, rest in paths})


def with_packages(modules) -> list[str]:
    """The modules and every package above them."""
    parts = [m.split(".") for m in modules]
    return sorted({".".join(p[:i]) for p in parts for i in range(1, len(p) + 1)})


def in_group(module: str, members) -> bool:
    """The definition: within a prefix and within no excluded one."""
    if isinstance(members, Group):
        return oracles.within(module, members.prefixes) and not oracles.within(
            module, members.excluded
        )
    return oracles.within(module, members)


def expected_partition(modules, depth) -> dict[str, set[str]]:
    """The groups at `depth` from the rule, written out: group name -> its modules."""
    roots = {m.split(".")[0] for m in modules}
    if depth == 1:
        return {root: {m for m in modules if oracles.within(m, [root])} for root in roots}
    packages = {
        name
        for name in with_packages(modules)
        if name.count(".") == depth - 1 and any(m.startswith(name + ".") for m in modules)
    }
    found = {p: {m for m in modules if oracles.within(m, [p])} for p in packages}
    for root in roots:
        rest = {m for m in modules if oracles.within(m, [root]) and not oracles.within(m, packages)}
        if rest:
            found[f"{root} (top level)"] = rest
    return found


@settings(max_examples=400, deadline=None)
@given(trees(), st.integers(min_value=1, max_value=4))
def test_groups_at_a_depth_partition_the_modules(modules, depth):
    groups = groups_by_depth(modules, depth)
    assert list(groups) == sorted(groups)
    found = files_by_group(import_graph(modules=modules), groups)
    assert {name: set(files) for name, files in found.items()} == expected_partition(modules, depth)
    for module in modules:  # each module in exactly one group, by the groups' definition
        assert sum(1 for members in groups.values() if in_group(module, members)) == 1
    assert sorted(m for files in found.values() for m in files) == modules
    assert all(found.values())  # no empty group


def test_a_depth_gives_packages_and_the_rest_of_each_root():
    modules = ["app", "app.core", "app.core.x", "app.main", "app.ns.y", "app.ns.z.w", "svc.main"]
    assert groups_by_depth(modules, 1) == {"app": Group(("app",)), "svc": Group(("svc",))}
    # `app.ns` is a namespace package; `app.main` and `svc.main` are single-file modules.
    assert groups_by_depth(modules, 2) == {
        "app (top level)": Group(("app",), ("app.core", "app.ns")),
        "app.core": Group(("app.core",)),
        "app.ns": Group(("app.ns",)),
        "svc (top level)": Group(("svc",)),
    }
    assert groups_by_depth(modules, 3) == {
        "app (top level)": Group(("app",), ("app.ns.z",)),
        "app.ns.z": Group(("app.ns.z",)),
        "svc (top level)": Group(("svc",)),
    }
    # A root whose every module is in a package at the depth has no top-level group.
    assert groups_by_depth(["lib.a.x", "lib.b.y"], 2) == {
        "lib.a": Group(("lib.a",)),
        "lib.b": Group(("lib.b",)),
    }
    assert groups_by_depth([], 2) == {}
    assert top_level_group("app") == "app (top level)"
    with pytest.raises(ValueError, match="at least 1"):
        groups_by_depth(modules, 0)


def test_the_report_fixture_at_depth_two():
    # tests/test_report.py's REPO: `app.cycle` is a namespace package, `app.logging` one
    # with its `__init__`; every other module is at the top of its root.
    modules = [
        "app",
        "app.bad",
        "app.cycle.a",
        "app.cycle.b",
        "app.good",
        "app.logging",
        "app.logging.factory",
        "app.shortcut",
        "app.user",
        "svc",
        "svc.main",
    ]
    graph = import_graph(modules=modules)
    assert files_by_group(graph, groups_by_depth(modules, 2)) == {
        "app (top level)": ["app", "app.bad", "app.good", "app.shortcut", "app.user"],
        "app.cycle": ["app.cycle.a", "app.cycle.b"],
        "app.logging": ["app.logging", "app.logging.factory"],
        "svc (top level)": ["svc", "svc.main"],
    }


@st.composite
def any_groups(draw, modules):
    """Groups of prefixes (as configured) and of prefixes minus excluded ones, nested and
    overlapping at will."""
    names = st.sampled_from([*with_packages(modules), "nothing.here"])
    found = {}
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        prefixes = draw(st.lists(names, min_size=1, max_size=3))
        if draw(st.booleans()):
            found[f"g{i}"] = prefixes
        else:
            found[f"g{i}"] = Group(tuple(prefixes), tuple(draw(st.lists(names, max_size=3))))
    return found


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_group_holds_the_modules_within_a_prefix_and_no_excluded_one(data):
    modules = data.draw(trees())
    groups = data.draw(any_groups(modules))
    found = files_by_group(import_graph(modules=modules), groups)
    assert found == {
        name: [m for m in modules if in_group(m, members)] for name, members in groups.items()
    }


def test_an_excluded_package_stays_excluded_below_a_prefix():
    modules = ["a", "a.b", "a.b.c", "a.b.c.d", "a.e"]
    groups = {"x": Group(("a", "a.b.c"), ("a.b",)), "y": ["a.b.c"]}
    assert files_by_group(import_graph(modules=modules), groups) == {
        "x": ["a", "a.e"],
        "y": ["a.b.c", "a.b.c.d"],
    }


@st.composite
def tree_graphs(draw):
    """A random tree's modules importing each other, their packages and external
    modules; systems among them; violations of `logging` and `loguru`."""
    modules = draw(trees())
    nodes = [*with_packages(modules), *EXTERNAL]
    edges = draw(st.lists(st.tuples(st.sampled_from(modules), st.sampled_from(nodes)), max_size=40))
    graph = import_graph(*((u, v) for u, v in edges if u != v), modules=modules)
    entries = st.lists(st.sampled_from(nodes), min_size=1, max_size=2)
    chosen = draw(st.lists(entries, min_size=1, max_size=3))
    chosen_systems = tuple(
        System(f"s{i}", tuple(sorted(set(e))), ssot=i == 0) for i, e in enumerate(chosen)
    )
    return graph, modules, chosen_systems


def brute_force(graph, chosen, modules, violators):
    """Per system: (direct, transitive, shortest), for the group of `modules`; the
    group's logging modules (violators among them, system members or not); and those
    that import only SSOT systems and violate nothing."""
    cells = oracles.reach_from(graph, chosen, modules, violators)
    every = {n for n in graph if any(oracles.within(n, s.entries) for s in chosen)}
    starts = [n for n in modules if n not in every or n in violators]
    used = [
        (
            {
                s.name
                for s in chosen
                if any(oracles.within(t, s.entries) for t in graph.successors(n))
            },
            n in violators,
        )
        for n in starts
    ]
    ssot = {s.name for s in chosen if s.ssot}
    return (
        cells,
        sum(1 for u, violating in used if u or violating),
        sum(1 for u, violating in used if u and u <= ssot and not violating),
    )


@settings(max_examples=300, deadline=None)
@given(tree_graphs(), st.integers(min_value=1, max_value=4))
def test_reach_compliance_and_fragmentation_of_a_partition_equal_brute_force(case, depth):
    graph, modules, chosen = case
    groups = groups_by_depth(modules, depth)
    index = index_systems(graph, chosen)
    violations = [
        Violation(u, v, 1, f"import {v}") for u, v in sorted(graph.edges) if v in RESTRICTED
    ]
    violators = frozenset(v.importer for v in violations)
    reach, fragmented, _ = systems_reach(graph, index, groups, index_importers(graph), violators)
    rows = {row.group: row for row in compliance(graph, index, groups, violations)}
    split = fragmentation(reach, rows.values())
    assert list(split) == list(groups)
    for name, members in groups.items():
        mine = [m for m in modules if in_group(m, members)]
        cells, logging_modules, compliant = brute_force(graph, chosen, mine, violators)
        assert {s: (c.direct, c.transitive, c.length) for s, c in reach[name].items()} == cells
        row = rows[name]
        assert (row.files, row.logging_files, row.compliant_files) == (
            len(mine),
            logging_modules,
            compliant,
        )
        assert row.violations == sum(1 for v in violations if v.importer in mine)
        reached = sum(1 for direct, transitive, _ in cells.values() if transitive)
        assert split[name] == FragmentationRow(
            reached, logging_modules, {s: direct for s, (direct, _, _) in cells.items()}
        )
        assert split[name].fragmented == (name in fragmented) == (reached > 1)


@settings(max_examples=200, deadline=None)
@given(graphs(), systems())
def test_fragmentation_of_configured_groups_equals_brute_force(case, chosen):
    graph, _ = case
    chosen = (replace(chosen[0], ssot=True), *chosen[1:])
    groups = {"app": ["app"], "lib": ["lib"], "core": ["app.core", "lib.core"]}
    index = index_systems(graph, chosen)
    reach, _, _ = systems_reach(graph, index, groups, index_importers(graph))
    split = fragmentation(reach, compliance(graph, index, groups, ()))
    members = {n for s in chosen for n in graph if oracles.within(n, s.entries)}
    for group, prefixes in groups.items():
        expected = oracles.reach(graph, chosen, prefixes)
        logging_modules = [
            {s.name for s in chosen for t in graph.successors(n) if oracles.within(t, s.entries)}
            for n in graph
            if "file" in graph.nodes[n] and oracles.within(n, prefixes) and n not in members
        ]
        row = split[group]
        assert row.systems_reached == sum(1 for _, transitive, _ in expected.values() if transitive)
        assert row.logging_modules == sum(1 for used in logging_modules if used)
        for system in chosen:
            count = sum(1 for used in logging_modules if system.name in used)
            assert row.by_system[system.name] == count
            assert row.share(system.name) == (count / row.logging_modules if count else 0.0)


def test_how_fragmented_a_group_is():
    graph = import_graph(
        ("app.a", "logging"),
        ("app.b", "logging"),
        ("app.b", "loguru"),
        ("app.c", "app.log"),
        ("app.d", "app.c"),
        ("app.log", "logging"),  # the SSOT's own import: not a logging module of app
        modules=["app.a", "app.b", "app.c", "app.d", "app.log"],
    )
    chosen = (System("ssot", ("app.log",), ssot=True), System("stdlib", ("logging",)))
    index = index_systems(graph, chosen)
    groups = {"app": ["app"]}
    reach, _, _ = systems_reach(graph, index, groups, index_importers(graph))
    row = fragmentation(reach, compliance(graph, index, groups, ()))["app"]
    # loguru is no system here: app.b counts for stdlib alone.
    assert row == FragmentationRow(2, 3, {"ssot": 1, "stdlib": 2})
    assert row.fragmented
    assert (row.share("ssot"), row.share("stdlib"), row.share("loguru")) == (1 / 3, 2 / 3, 0.0)
    assert FragmentationRow(0, 0, {"ssot": 0}).share("ssot") == 0.0


def test_the_report_says_how_fragmented_each_package_is(tmp_path):
    from tests.helpers import make_repo, run_cli

    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/logs.py": "import logging\n",
            "app/svc/__init__.py": "",
            **{f"app/svc/s{i}.py": "import logging\n" for i in range(3)},
            "app/svc/lg.py": "from loguru import logger\n",
            **{f"app/svc/ok{i}.py": "from app import logs\n" for i in range(196)},
            "app/svc/both.py": "from app import logs\nfrom loguru import logger\n",
        },
    )
    run = run_cli("report", str(repo), "--no-cache", "--gateway", "app.logs", "--group-depth", "2")
    assert run.exit_code == 0, run.stderr
    # 201 logging files in app.svc: 196 + both on the SSOT, 3 on logging, lg and both on
    # loguru; app.logs is the SSOT's own, in `app (top level)`.
    row = "| app.svc | 197 / 197 | 3 / 3 | 2 / 2 | 0 / 0 | "
    row += "3 systems: ssot 98 %, logging 1 %, loguru 1 % |"
    assert row in run.stdout
    assert "| app (top level) | 0 / 0 | 0 / 0 | 0 / 0 | 0 / 0 |  |" in run.stdout
