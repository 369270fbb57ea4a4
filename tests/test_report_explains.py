"""The report explains itself: which systems are the SSOT and why, what each section's
numbers mean with an example from its own data, and where the rest of a cut list is."""

from __future__ import annotations

from tests.helpers import make_repo, run_cli

REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",  # the SSOT
    "app/a.py": "import logging\n",
    "app/b.py": "from loguru import logger\n",
    "app/both.py": "from app import a, b\n",  # a leak that only fixing a and b together ends
    "app/ok.py": "from app import logs\n",
}
SYSTEMS = ("--system", "mine=app.logs", "--system", "stdlib=logging", "--system", "loguru=loguru")


def report(repo, *args):
    run = run_cli("report", str(repo), "--no-cache", *args)
    assert run.exit_code == 0, run.stderr
    return run


def test_the_ssot_systems_are_named_with_why(tmp_path):
    repo = make_repo(tmp_path, REPO)
    held = report(repo, "--gateway", "app.logs", *SYSTEMS, "--format", "json").json
    assert [(s["name"], s["ssot"], s.get("why")) for s in held["contracts"][0]["systems"]] == [
        ("mine", True, "holds the gateway app.logs"),
        ("stdlib", False, None),
        ("loguru", False, None),
    ]
    named = report(repo, "--gateway", "app.logs", *SYSTEMS, "--ssot-system", "stdlib")
    assert "SSOT systems: stdlib (named by --ssot-system). Competing: mine, loguru." in (
        named.stdout
    )
    flags = report(repo, *SYSTEMS, "--ssot-system", "stdlib", "--format", "json").json
    assert [(s["name"], s["ssot"]) for s in flags["contracts"][0]["systems"]] == [
        ("mine", False),
        ("stdlib", True),
        ("loguru", False),
    ]
    none = report(repo, *SYSTEMS).stdout
    assert "SSOT systems: none. Competing: mine, stdlib, loguru." in none
    assert "name the SSOT with `ssot_systems` (`--ssot-system`)" in none


def test_each_section_says_what_its_numbers_mean_with_an_example(tmp_path):
    markdown = report(make_repo(tmp_path, REPO), "--gateway", "app.logs").stdout
    assert (
        "For example, app: 1 of its 3 files that log go through the SSOT only (33.3 %), "
        "and 2 files import a restricted module (2 imports)."
    ) in markdown
    assert "Fix impact is how many leaks fixing that module alone removes" in markdown
    assert (
        "For example, fixing `app.a` and `app.b` together removes 1 leak that neither "
        "removes alone."
    ) in markdown
    assert "1. `app.a` + `app.b`: removes 1 (total 1)" in markdown


def test_a_cut_list_says_how_many_more_and_where_they_all_are(tmp_path):
    files = {"app/__init__.py": "", "app/logs.py": "import logging\n"}
    files |= {f"app/m{i:02}.py": "from app import logs\nimport logging\n" for i in range(30)}
    files |= {f"app/u{i:02}.py": f"from app import m{i:02}\n" for i in range(30)}
    markdown = report(make_repo(tmp_path, files), "--gateway", "app.logs").stdout
    assert (
        "… and 5 more (all of them: `ssot-arch report --format json`, key "
        "`contracts[].leaks (chains: via, hops)`)."
    ) in markdown
