"""The ratchet decides whether the gate passes: `classify` (new, known, expired, stale) and
the baseline update, tested on examples and as properties over random violations and
baselines; with the domain functions they rest on (identity, fingerprint, root)."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_arch.adapters.storage.baseline_file import dumps, read_baseline
from ssot_arch.analysis.ratchet import (
    budget_counts,
    classify,
    updated_budgets,
    updated_entries,
)
from ssot_arch.domain.baseline import (
    Baseline,
    BaselineEntry,
    BudgetCount,
    ContractBaseline,
    entries_for,
    entry_to_dict,
    fingerprint,
    root_of,
)
from ssot_arch.domain.contract_options import parse_named_list
from ssot_arch.domain.model import EXPIRED, KNOWN, NEW, FileKind, SourceFile, Violation

TODAY = datetime.date(2026, 1, 15)
FILES = ("app/a.py", "app/b.py", "app/sub/a.py", "lib/a.py", "lib/c.py")
STATEMENTS = {"logging": ("import logging", "import  logging"), "loguru": ("import loguru",)}


def violation(file: str, line: int, imported: str = "logging", text: str = "") -> Violation:
    importer = file.removesuffix(".py").replace("/", ".")
    return Violation(importer, imported, line, text or f"import {imported}", file)


def accepting(violations, **fields) -> ContractBaseline:
    """The baseline `ssot-arch baseline` writes for `violations`."""
    entries = tuple(sorted(dataclasses.replace(e, **fields) for _, e in entries_for(violations)))
    return ContractBaseline(entries=entries)


def by_status(classification) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {NEW: [], KNOWN: [], EXPIRED: []}
    for v in classification.violations:
        found[v.status].append((v.file, v.line))
    return found


# -- examples ----------------------------------------------------------------------------


def test_a_baseline_accepts_what_it_was_made_from_and_nothing_more():
    old = [violation("app/a.py", 1), violation("app/a.py", 5, "loguru")]
    now = [*old, violation("app/b.py", 2)]
    result = classify(now, accepting(old), TODAY)
    assert by_status(result) == {
        NEW: [("app/b.py", 2)],
        KNOWN: [("app/a.py", 1), ("app/a.py", 5)],
        EXPIRED: [],
    }
    assert result.stale == result.expired == ()


def test_identical_statements_in_one_file_are_told_apart_by_their_order():
    baseline = accepting([violation("app/a.py", 1)])
    result = classify([violation("app/a.py", 3), violation("app/a.py", 9)], baseline, TODAY)
    assert by_status(result)[KNOWN] == [("app/a.py", 3)]  # moved: still the first
    assert by_status(result)[NEW] == [("app/a.py", 9)]


def test_white_space_inside_the_statement_does_not_change_its_identity():
    baseline = accepting([violation("app/a.py", 1, text="import  logging  ")])
    assert by_status(classify([violation("app/a.py", 2)], baseline, TODAY))[KNOWN]


def test_a_fixed_violation_is_stale():
    baseline = accepting([violation("app/a.py", 1), violation("app/b.py", 1)])
    result = classify([violation("app/a.py", 1)], baseline, TODAY)
    assert [e.file for e in result.stale] == ["app/b.py"]


def test_a_moved_file_keeps_its_entries_by_base_name():
    baseline = accepting([violation("app/a.py", 1)])
    result = classify([violation("lib/sub/a.py", 1)], baseline, TODAY)
    assert by_status(result)[KNOWN] == [("lib/sub/a.py", 1)]
    assert result.stale == ()


def test_an_exact_match_comes_before_a_match_by_base_name():
    """The entry of app/a.py accepts app/a.py's violation, not sub/a.py's."""
    baseline = accepting([violation("app/a.py", 1)])
    result = classify([violation("app/sub/a.py", 1), violation("app/a.py", 1)], baseline, TODAY)
    assert by_status(result) == {NEW: [("app/sub/a.py", 1)], KNOWN: [("app/a.py", 1)], EXPIRED: []}


def test_an_expired_entry_matches_but_fails():
    old = [violation("app/a.py", 1)]
    expired = accepting(old, expires=TODAY - datetime.timedelta(days=1))
    result = classify(old, expired, TODAY)
    assert by_status(result)[EXPIRED] == [("app/a.py", 1)]
    assert result.expired == expired.entries
    due_today = accepting(old, expires=TODAY)
    assert by_status(classify(old, due_today, TODAY))[KNOWN] == [("app/a.py", 1)]


def test_an_update_drops_fixed_entries_keeps_annotations_and_grows_only_when_asked():
    old = [violation("app/a.py", 1), violation("app/b.py", 1)]
    baseline = accepting(old, reason="legacy", owner="@ana", expires=TODAY)
    now = [violation("app/a.py", 7), violation("lib/c.py", 1)]
    result = classify(now, baseline, TODAY)
    kept = updated_entries(now, result, allow_growth=False)
    assert [(e.file, e.reason, e.owner, e.expires) for e in kept] == [
        ("app/a.py", "legacy", "@ana", TODAY)
    ]
    grown = updated_entries(now, result, allow_growth=True)
    assert [(e.file, e.reason) for e in grown] == [("app/a.py", "legacy"), ("lib/c.py", "")]


def test_budgets_count_per_root_and_only_come_down():
    now = [violation("app/a.py", 1), violation("app/b.py", 1), violation("lib/a.py", 1)]
    counts = budget_counts(now, lambda v: v.importer.split(".")[0], {"app": 1, "lib": 3})
    assert counts == (BudgetCount("app", 2, 1), BudgetCount("lib", 1, 3))
    assert [b.root for b in counts if b.violations > b.budget] == ["app"]
    assert updated_budgets(counts, {"app": 2, "lib": 1}, allow_growth=False) == {"app": 1, "lib": 1}
    assert updated_budgets(counts, {"lib": 1, "app": 2}, allow_growth=True) == {"app": 2, "lib": 1}


def test_entries_that_differ_only_by_an_expiry_date_sort():
    """A file may hold an entry twice, once with a date: sorting it must not fail."""
    dated = BaselineEntry("app/a.py", "logging", "import logging", expires=TODAY)
    plain = dataclasses.replace(dated, expires=None)
    assert sorted([dated, plain]) == [plain, dated]
    result = classify([], ContractBaseline((dated, plain)), TODAY)
    assert result.stale == (plain, dated)


# -- properties ---------------------------------------------------------------------------


@st.composite
def violation_lists(draw) -> list[Violation]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(FILES), st.integers(1, 30), st.sampled_from(sorted(STATEMENTS))
            ),
            max_size=14,
            unique=True,
        )
    )
    return [
        violation(file, line, imported, draw(st.sampled_from(STATEMENTS[imported])))
        for file, line, imported in keys
    ]


dates = st.none() | st.dates(TODAY - datetime.timedelta(days=3), TODAY + datetime.timedelta(days=3))


@st.composite
def baselines_for(draw, violations: list[Violation]) -> ContractBaseline:
    """Some of the entries that would accept `violations` (some moved to another folder),
    plus entries of other violations; each with or without an expiry date."""
    entries = []
    for _, entry in entries_for(violations):
        if draw(st.booleans()):
            if draw(st.booleans()):
                entry = dataclasses.replace(entry, file="moved/" + entry.file.rpartition("/")[2])
            entries.append(dataclasses.replace(entry, expires=draw(dates)))
    for _, entry in entries_for(draw(violation_lists())):
        if draw(st.booleans()):
            entries.append(dataclasses.replace(entry, expires=draw(dates)))
    return ContractBaseline(entries=tuple(sorted(entries)))


@st.composite
def cases(draw) -> tuple[list[Violation], ContractBaseline]:
    violations = draw(violation_lists())
    return violations, draw(baselines_for(violations))


def without_status(violations) -> Counter:
    return Counter(dataclasses.replace(v, status=NEW) for v in violations)


@settings(max_examples=400, deadline=None)
@given(cases())
def test_classify_gives_each_violation_one_status_and_each_entry_one_role(case):
    violations, baseline = case
    result = classify(violations, baseline, TODAY)
    assert without_status(result.violations) == without_status(violations)
    accepted = list(result.accepted_by.values())
    # Each entry accepts at most one violation, and is either accepting or stale.
    assert len({id(e) for e in accepted}) == len(accepted)
    assert {id(e) for e in accepted}.isdisjoint(id(e) for e in result.stale)
    assert len(accepted) + len(result.stale) == len(baseline.entries)
    for index, v in enumerate(result.violations):
        entry = result.accepted_by.get(index)
        expected = NEW if entry is None else EXPIRED if entry.expired(TODAY) else KNOWN
        assert v.status == expected
        if entry is not None:  # the same statement, in the same file or one of its name
            assert (entry.imported, entry.import_text) == (
                v.imported,
                " ".join(v.line_contents.split()),
            )
            assert entry.file.rpartition("/")[2] == v.file.rpartition("/")[2]
    assert (
        sorted(result.expired)
        == sorted(e for e in accepted if e.expired(TODAY))
        == list(result.expired)
    )


@settings(max_examples=200, deadline=None)
@given(violation_lists(), st.integers(1, 50))
def test_a_fresh_baseline_accepts_everything_wherever_the_lines_move(violations, shift):
    baseline = accepting(violations)
    moved = [dataclasses.replace(v, line=v.line + shift) for v in violations]
    result = classify(moved, baseline, TODAY)
    assert all(v.status == KNOWN for v in result.violations)
    assert result.stale == result.expired == ()


@settings(max_examples=300, deadline=None)
@given(cases(), st.booleans())
def test_an_update_is_a_ratchet(case, allow_growth):
    """After an update, the same code is accepted again with nothing stale; without growth
    no new violation is accepted, and every annotation of a kept entry survives."""
    violations, baseline = case
    result = classify(violations, baseline, TODAY)
    updated = updated_entries(violations, result, allow_growth)
    assert len(updated) == (len(violations) if allow_growth else len(result.accepted_by))
    assert list(updated) == sorted(updated)
    again = classify(violations, ContractBaseline(entries=updated), TODAY)
    assert again.stale == ()
    new_before = sum(1 for v in result.violations if v.status == NEW)
    new_after = sum(1 for v in again.violations if v.status == NEW)
    assert new_after == (0 if allow_growth else new_before)
    annotations = Counter((e.reason, e.owner, e.expires) for e in result.accepted_by.values())
    kept = Counter((e.reason, e.owner, e.expires) for e in updated if e.expires or e.reason)
    assert kept == Counter({k: n for k, n in annotations.items() if k[2] or k[0]})


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["app", "lib", "svc"]), st.integers(0, 5)),
    st.dictionaries(st.sampled_from(["app", "lib", "svc"]), st.integers(0, 5)),
    st.booleans(),
)
def test_budgets_never_grow_without_asking(budgets, current, allow_growth):
    violations = [violation(f"{root}/m{i}.py", 1) for root, n in current.items() for i in range(n)]
    counts = budget_counts(violations, lambda v: v.importer.split(".")[0], budgets)
    assert [(b.root, b.violations, b.budget) for b in counts] == [
        (root, current.get(root, 0), budgets[root]) for root in sorted(budgets)
    ]
    new = updated_budgets(counts, current, allow_growth)
    if allow_growth:
        assert new == dict(sorted(current.items()))
    else:
        assert set(new) == set(budgets)
        assert all(new[r] <= budgets[r] and new[r] <= current.get(r, 0) for r in new)


entry_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            BaselineEntry,
            file=entry_texts.filter(bool),
            imported=entry_texts.filter(bool),
            import_text=entry_texts.filter(bool),
            occurrence=st.integers(1, 4),
            importer=entry_texts,
            reason=entry_texts,
            owner=entry_texts,
            expires=dates,
        ),
        max_size=6,
    ),
    st.dictionaries(entry_texts.filter(bool), st.integers(0, 9), max_size=3),
)
def test_the_baseline_file_reads_back_exactly(tmp_path_factory, entries, budgets):
    baseline = Baseline({"c": ContractBaseline(tuple(sorted(set(entries))), budgets)})
    path = tmp_path_factory.mktemp("baseline") / "b.json"
    path.write_text(dumps(baseline), encoding="utf-8")
    assert read_baseline(str(path)) == baseline


# -- the domain functions the ratchet and the outputs share ------------------------------


def test_one_serialisation_of_an_entry_in_the_file_and_in_the_output():
    plain = BaselineEntry("app/a.py", "logging", "import logging")
    full = BaselineEntry("app/a.py", "logging", "import logging", 2, "app.a", "r", "@o", TODAY)
    assert entry_to_dict(full) == {
        "file": "app/a.py",
        "imported": "logging",
        "import": "import logging",
        "occurrence": 2,
        "importer": "app.a",
        "reason": "r",
        "owner": "@o",
        "expires": "2026-01-15",
    }
    text = dumps(Baseline({"c": ContractBaseline((plain, full))}))
    rows = [json.loads(line.rstrip(",")) for line in text.splitlines() if line.startswith(" " * 8)]
    assert rows == [
        {"file": "app/a.py", "imported": "logging", "import": "import logging"},
        entry_to_dict(full),
    ]


def test_the_fingerprint_is_the_identity_hashed_and_stable():
    entry = BaselineEntry("app/a.py", "logging", "import logging", 2, importer="app.a")
    # sha256 of "c\0app/a.py\0logging\0import logging\02", as SARIF's ssotArchImport/v1 has it.
    assert fingerprint("c", entry) == "a7a4f792585c90437e7607d058552f28"
    assert fingerprint("c", dataclasses.replace(entry, importer="", reason="x")) == (
        fingerprint("c", entry)
    )
    assert fingerprint("d", entry) != fingerprint("c", entry)
    assert len(fingerprint("c", BaselineEntry("\udcff.py", "logging", "import logging"))) == 32


def files(*paths_and_modules: tuple[str, str]) -> dict[str, SourceFile]:
    kinds = {True: FileKind.PACKAGE, False: FileKind.MODULE}
    return {
        module: SourceFile(path, module, module.split(".")[0], kinds[path.endswith("__init__.py")])
        for path, module in paths_and_modules
    }


SRC = files(
    ("src/app/__init__.py", "app"),
    ("src/app/a.py", "app.a"),
    ("src/app/sub/__init__.py", "app.sub"),
    ("src/svc/main.py", "svc.main"),
    ("src/tool.py", "tool"),
    ("top/x.py", "top.x"),
)


@pytest.mark.parametrize(
    ("importer", "file", "root"),
    [
        ("app.a", "src/app/a.py", "app"),  # an analysed module
        ("app.gone", "src/app/gone.py", "app"),  # a module gone since
        ("", "src/app/a.py", "app"),  # no importer: by the file
        ("", "src/app/sub/deep/gone.py", "app"),  # a file gone, in its root's folder
        ("", "src/tool.py", "tool"),  # a root module
        ("", "src/old/x.py", "old"),  # a whole root gone: the folder below its source root
        ("", "src/v1.2/x.py", "v1_2"),
        ("", "src/gone.py", "gone"),
        ("", "top/x.py", "top"),
        ("", "elsewhere/x.py", "elsewhere"),
    ],
)
def test_the_root_of_a_violation_or_an_entry(importer, file, root):
    assert root_of(SRC, importer, file) == root


def test_the_root_of_an_entry_without_analysed_files_is_its_first_folder():
    assert root_of({}, "", "src/app/a.py") == "src"


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("stdlib = logging", ("stdlib", ("logging",))),
        ("a=b,c", ("a", ("b", "c"))),
        (" a = b , , c ", ("a", ("b", "c"))),
        ("a = b = c", ("a", ("b = c",))),
        ("a", None),
        ("= b", None),
        ("a =", None),
        ("a = ,", None),
    ],
)
def test_one_parser_for_systems_and_groups(line, parsed):
    assert parse_named_list(line) == parsed
