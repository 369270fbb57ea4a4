"""The report stays linear in the size of the repository: a leak holds its next hop,
not its whole chain, and a reader rebuilds the chain by following `via` through the
leaks and the contract's `hops` (report-v2.json, docs/spec.md)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.analysis.leaks import find_transitive_leaks, index_importers
from ssot_arch.domain.findings import ContractReport, Hop
from ssot_arch.formats.report_json import contract_findings
from ssot_arch.formats.report_markdown import chain_text
from tests import oracles
from tests.helpers import make_repo, run_cli
from tests.test_analyses_properties import graphs, spec_for


def followed(contract: dict, module: str) -> list[tuple[str, str, int]]:
    """The chain from `module` as a consumer of the JSON rebuilds it: `via` after
    `via`, through the leaks and `hops`, to a module in neither."""
    steps = {**contract["hops"], **{leak["module"]: leak for leak in contract["leaks"]}}
    chain = []
    while module in steps:
        step = steps[module]
        chain.append((module, step["via"], step["line"]))
        module = step["via"]
    return chain


@settings(max_examples=300, deadline=None)
@given(graphs(), st.sampled_from([(), ("lib.core.*",), ("app.m*",)]))
def test_following_via_rebuilds_the_shortest_chain_of_every_leak(case, exclude):
    graph, gateways = case
    spec = spec_for(gateways, exclude=exclude)
    analysis = find_transitive_leaks(graph, spec, index_importers(graph))
    contract = contract_findings(ContractReport(analysis, {}, (), (), ()), (), {})
    leaks = contract["leaks"]
    expected = oracles.leakers(graph, spec.restricted, spec.gateways, excluded=exclude)
    assert {leak["module"]: leak["length"] for leak in leaks} == expected
    on_chains = set()
    for leak in leaks:
        chain = followed(contract, leak["module"])
        shortest = oracles.shortest_chain(graph, leak["module"], spec.restricted, spec.gateways)
        assert chain == shortest  # the chain version 1 wrote out, hop for hop
        assert (len(chain), chain[-1][0]) == (leak["length"], leak["cause"])
        assert all(not oracles.within(importer, gateways) for importer, _, _ in chain)
        assert oracles.within(chain[-1][1], spec.restricted)
        on_chains.update(importer for importer, _, _ in chain)
    hops = contract["hops"]
    assert list(hops) == sorted(hops)
    assert set(hops) == on_chains - set(expected)  # every module needed, no leak, no more


def chain_repository(root, modules: int):
    """`pkg.a0` imports `pkg.a1` ... imports `logging`; `pkg.logs` is an unused gateway."""
    files = {"pkg/__init__.py": "", "pkg/logs.py": "import logging\n"}
    for i in range(modules):
        files[f"pkg/a{i}.py"] = f"import pkg.a{i + 1}\n" if i + 1 < modules else "import logging\n"
    return make_repo(root, files)


def test_a_long_chain_of_imports_writes_a_report_linear_in_its_length(tmp_path):
    modules = 2000
    repo = chain_repository(tmp_path, modules)
    started = time.perf_counter()
    run = run_cli("report", str(repo), "--no-cache", "--gateway", "pkg.logs", "--format", "json")
    assert run.exit_code == 0, run.stderr
    # Under a second; version 1 took 7 s and wrote 113 MB (the square of the length).
    assert time.perf_counter() - started < 30  # a guard: the size is what tells
    assert len(run.stdout.encode()) < 200 * modules  # now about 105 bytes per module
    contract = run.json["contracts"][0]
    assert len(contract["leaks"]) == modules - 1
    assert contract["hops"] == {f"pkg.a{modules - 1}": {"via": "logging", "line": 1}}
    chain = followed(contract, "pkg.a0")
    assert chain == [
        (f"pkg.a{i}", f"pkg.a{i + 1}" if i + 1 < modules else "logging", 1) for i in range(modules)
    ]
    markdown = run_cli("report", str(repo), "--gateway", "pkg.logs").stdout
    assert max(map(len, markdown.splitlines())) < 500
    assert f"`pkg.a3` (l.1) → … ({modules - 8} more) … → `pkg.a{modules - 4}` (l.1)" in markdown


def test_a_long_chain_shows_its_first_and_last_hops():
    hops = tuple(Hop(f"m{i}", f"m{i + 1}", i + 1) for i in range(10))
    assert chain_text(hops) == (
        "`m0` (l.1) → `m1` (l.2) → `m2` (l.3) → `m3` (l.4) → … (2 more) … → "
        "`m6` (l.7) → `m7` (l.8) → `m8` (l.9) → `m9` (l.10) → `m10`"
    )
    assert chain_text(hops[:8]) == " → ".join([*(f"`m{i}` (l.{i + 1})" for i in range(8)), "`m8`"])
    assert chain_text(()) == ""


def package_chain_repository(root, packages: int):
    """`pkg.a0.m` imports `pkg.a1.m` ... imports `logging`: each module in a package
    of its own; `pkg.logs` is an unused gateway."""
    files = {"pkg/__init__.py": "", "pkg/logs.py": "import logging\n"}
    for i in range(packages):
        last = i + 1 == packages
        files[f"pkg/a{i}/m.py"] = "import logging\n" if last else f"import pkg.a{i + 1}.m\n"
    return make_repo(root, files)


def test_one_group_per_module_still_writes_a_linear_report(tmp_path):
    """With `--group-depth`, there may be nearly as many packages as modules, each with
    an example chain per system: written out one by one they grew with the square."""
    sizes = {}
    for modules in (500, 1000):
        repo = package_chain_repository(tmp_path / str(modules), modules)
        run = run_cli(
            "report",
            str(repo),
            "--no-cache",
            "--gateway",
            "pkg.logs",
            "--group-depth",
            "2",
            "--format",
            "json",
        )
        assert run.exit_code == 0, run.stderr
        sizes[modules] = len(run.stdout.encode())
        contract = run.json["contracts"][0]
        assert len(contract["reach"]) == modules + 1  # and `pkg (top level)`
        assert run.json["groups_excluded"]["pkg (top level)"][:2] == ["pkg.a0", "pkg.a1"]
        cell = contract["reach"]["pkg.a0"]["logging"]
        assert (cell["start"], cell["length"]) == ("pkg.a0.m", modules)
        hops = contract["reach_hops"]["logging"]
        node, walked = "pkg.a0.m", 0
        while node in hops:
            node, walked = hops[node]["via"], walked + 1
        assert (node, walked) == ("logging", modules)
    assert sizes[1000] < 2.3 * sizes[500]  # linear (it was about 4 times)
