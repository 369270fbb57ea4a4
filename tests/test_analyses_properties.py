"""Leaks, fix impact, the fix-first list and systems reach equal brute-force searches
(tests/oracles.py) on random graphs with random gateways and systems."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.analysis.leaks import find_transitive_leaks, index_importers
from ssot_arch.analysis.systems import compliance, index_systems, systems_reach
from ssot_arch.domain.findings import follow
from ssot_arch.domain.model import ContractSpec, System, Violation
from tests import oracles
from tests.fakes import import_graph

MODULES = [f"{pkg}.{sub}m{i}" for pkg in ("app", "lib") for sub in ("", "core.") for i in range(5)]
EXTERNAL = ["logging", "loguru", "os"]
RESTRICTED = ("logging", "loguru")


@st.composite
def graphs(draw):
    modules = draw(st.lists(st.sampled_from(MODULES), min_size=2, max_size=20, unique=True))
    nodes = modules + EXTERNAL
    edges = draw(
        st.lists(
            st.tuples(st.sampled_from(modules), st.sampled_from(nodes)),
            max_size=60,
        )
    )
    graph = import_graph(
        *((u, v, line, f"import {v}") for line, (u, v) in enumerate(edges, 1) if u != v),
        modules=modules,
    )
    gateways = draw(st.lists(st.sampled_from(modules + ["app.core", "lib"]), max_size=3))
    return graph, tuple(sorted(set(gateways)))


def spec_for(gateways, exclude=()) -> ContractSpec:
    return ContractSpec(id="c", name="c", restricted=RESTRICTED, gateways=gateways, exclude=exclude)


def assert_chain_is_valid(graph, chain, spec):
    for hop, nxt in zip(chain, chain[1:], strict=False):
        assert hop.imported == nxt.importer
    for hop in chain:
        assert graph.has_edge(hop.importer, hop.imported)
        assert not oracles.within(hop.importer, spec.gateways)
        assert hop.line == graph.edges[hop.importer, hop.imported]["imports"][0][0]
    assert oracles.within(chain[-1].imported, spec.restricted)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_leaks_equal_brute_force(case):
    graph, gateways = case
    spec = spec_for(gateways)
    analysis = find_transitive_leaks(graph, spec, index_importers(graph))
    assert graph.graph == {}  # the analysis keeps nothing on the graph
    expected = oracles.leakers(graph, spec.restricted, spec.gateways)
    assert {leak.module: leak.length for leak in analysis.leaks} == expected
    for leak in analysis.leaks:
        chain = analysis.chain(leak.module)
        assert chain[0].importer == leak.module
        assert (len(chain), chain[-1].importer) == (leak.length, leak.cause)
        assert_chain_is_valid(graph, chain, spec)
        shown = oracles.shortest_chain(graph, leak.module, spec.restricted, spec.gateways)
        assert [(h.importer, h.imported, h.line) for h in chain] == shown
    on_chains = {hop.importer for leak in analysis.leaks for hop in analysis.chain(leak.module)}
    assert set(analysis.hops) == on_chains  # nothing more is kept


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_fix_impact_and_fix_first_equal_brute_force(case):
    graph, gateways = case
    spec = spec_for(gateways)
    analysis = find_transitive_leaks(graph, spec, index_importers(graph))
    before = set(oracles.leakers(graph, spec.restricted, spec.gateways))
    for cause in analysis.causes:
        fixed = oracles.without_direct_imports(graph, {cause.module}, spec.restricted)
        after = set(oracles.leakers(fixed, spec.restricted, spec.gateways))
        assert cause.fix_impact == len(before - after), cause.module
    fixed_so_far: set[str] = set()
    for step in analysis.fix_first:
        fixed_so_far |= set(step.violators)
        fixed = oracles.without_direct_imports(graph, fixed_so_far, spec.restricted)
        after = set(oracles.leakers(fixed, spec.restricted, spec.gateways))
        assert step.cumulative == len(before - after)
    if analysis.fix_first:
        assert analysis.fix_first[-1].cumulative == analysis.removable == len(before)
    best_single = max((c.fix_impact for c in analysis.causes), default=0)
    if best_single:  # the greedy's first step is the best single fix
        assert len(analysis.fix_first[0].violators) == 1
        assert analysis.fix_first[0].leaks_removed == best_single


@st.composite
def systems(draw):
    entries = st.lists(st.sampled_from(MODULES + EXTERNAL + ["app.core"]), min_size=1, max_size=2)
    chosen = draw(st.lists(entries, min_size=1, max_size=3))
    return tuple(System(f"s{i}", tuple(sorted(set(e)))) for i, e in enumerate(chosen))


@settings(max_examples=300, deadline=None)
@given(graphs(), systems())
def test_systems_reach_equals_brute_force(case, chosen):
    graph, gateways = case
    groups = {"app": ["app"], "lib": ["lib"], "core": ["app.core", "lib.core"]}
    # The contract's violators, system members among them (issue 22: a member that
    # imports a restricted module is a violator like any other).
    violators = frozenset(
        u for u, v in graph.edges if v in RESTRICTED and not oracles.within(u, gateways)
    )
    reach, fragmented, hops = systems_reach(
        graph, index_systems(graph, chosen), groups, index_importers(graph), violators
    )
    assert graph.graph == {}
    members = {n for s in chosen for n in graph if oracles.within(n, s.entries)} - violators
    for group, prefixes in groups.items():
        expected = oracles.reach(graph, chosen, prefixes, violators)
        for system in chosen:
            cell = reach[group][system.name]
            chain = follow(hops.get(system.name, {}), cell.start) if cell.start else ()
            direct, transitive, shortest = expected[system.name]
            assert (cell.direct, cell.transitive, len(chain), cell.length) == (
                direct,
                transitive,
                shortest,
                shortest,
            )
            for hop in chain[:-1]:
                assert hop.imported not in members
            if chain:
                assert chain[0].importer == cell.start
                assert oracles.within(chain[-1].imported, system.entries)
                assert all(graph.has_edge(h.importer, h.imported) for h in chain)
        reaching = sum(1 for s in chosen if reach[group][s.name].transitive)
        assert (group in fragmented) == (reaching > 1)


@settings(max_examples=200, deadline=None)
@given(graphs(), systems())
def test_compliance_counts_each_file_and_violation_once_per_group(case, chosen):
    graph, _ = case
    chosen = (replace(chosen[0], ssot=True), *chosen[1:])
    # Overlapping prefixes, within a group and across groups.
    groups = {
        "app": ["app", "app.core"],
        "core": ["app.core", "lib.core"],
        "mixed": ["app.m0", "lib"],
    }
    violations = [
        Violation(u, v, 1, f"import {v}") for u, v in sorted(graph.edges) if v in RESTRICTED
    ]
    rows = compliance(graph, index_systems(graph, chosen), groups, violations)
    members = {n for s in chosen for n in graph if oracles.within(n, s.entries)}
    violators = {v.importer for v in violations}
    ssot = {s.name for s in chosen if s.ssot}
    for row in rows:
        prefixes = groups[row.group]
        files = [n for n in graph if "file" in graph.nodes[n] and oracles.within(n, prefixes)]
        # A violator counts, a system's member or not, and is never compliant.
        used = [
            (
                {
                    s.name
                    for s in chosen
                    for t in graph.successors(n)
                    if oracles.within(t, s.entries)
                },
                n in violators,
            )
            for n in files
            if n not in members or n in violators
        ]
        mine = [v for v in violations if oracles.within(v.importer, prefixes)]
        assert (row.files, row.logging_files, row.compliant_files) == (
            len(files),
            sum(1 for u, violating in used if u or violating),
            sum(1 for u, violating in used if u and u <= ssot and not violating),
        )
        # No 100 % with a violation left.
        assert row.compliance_pct < 100 or not row.violations
        assert (row.violations, row.violating_files) == (len(mine), len({v.importer for v in mine}))
    assert [row.group for row in rows] == sorted(groups)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_saturated_cause_sets_keep_fix_impact_exact(case):
    # With every cause set of more than one cause saturated, as on a huge repository,
    # fix impact and the removable count must not change.
    from ssot_arch.analysis import leaks as leaks_module

    graph, gateways = case
    spec = spec_for(gateways, exclude=("lib.core.*",))
    importers = index_importers(graph)
    exact = find_transitive_leaks(graph, spec, importers)
    original = leaks_module.MAX_CAUSES_PER_STEP_SEARCH
    leaks_module.MAX_CAUSES_PER_STEP_SEARCH = 1
    try:
        capped = find_transitive_leaks(graph, spec, importers)
    finally:
        leaks_module.MAX_CAUSES_PER_STEP_SEARCH = original
    assert capped.causes == exact.causes
    assert capped.removable == exact.removable
    assert capped.leaks == exact.leaks and capped.hops == exact.hops
