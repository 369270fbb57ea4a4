"""`ssot-arch trend`: the figures at each commit of a git history built here, checked
against `report` run on each commit's own checkout, in every format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.helpers import SSOT_ARCH, make_repo, run_cli

CONFIG = """
[importlinter]
root_packages =
    app
    shared
include_external_packages = True
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logging-ssot]
name = Logging goes through the SSOT
type = ssot
gateways =
    shared.log
systems =
    ssot = shared.log
    stdlib = logging
    loguru = loguru
"""

# Each commit: its files (None deletes one), its committer date and subject. Known
# figures (violations, leaks): (1, 1), (3, 2), (2, 1), (1, 0).
HISTORY = [
    (
        {
            ".importlinter": CONFIG,
            "app/__init__.py": "",
            "shared/__init__.py": "",
            "shared/log.py": "import logging\n",
            "app/a.py": "import logging\n",
            "app/b.py": "from app import a\n",
        },
        "2025-09-10T09:00:00+00:00",
        "start",
    ),
    (
        {
            "app/c.py": "from loguru import logger\n",
            "app/d.py": "import logging\nfrom app import c\n",
            # A broken import: as in the report, an import of its nearest ancestor.
            "app/f.py": "from app.b.gone import thing\n",
        },
        "2025-09-10T10:00:00+00:00",
        "two more",
    ),
    (
        {"app/a.py": "from shared import log\n", "app/e.py": "from app import d\n"},
        "2025-09-10T18:00:00+00:00",
        "migrate a",
    ),
    (
        {"app/d.py": "from shared import log\n", "app/e.py": None},
        "2025-09-11T08:00:00+00:00",
        "migrate d",
    ),
]
EXPECTED = [(1, 1), (3, 2), (2, 1), (1, 0)]


def git(repo: Path, *args: str, date: str = "2025-09-10T00:00:00+00:00") -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert completed.returncode == 0, f"git {args[0]}: {completed.stderr}"
    return completed.stdout


def commit_history(repo: Path, history=HISTORY) -> list[str]:
    """Make `repo` a git repository with `history`; its commit ids, oldest first."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for files, date, subject in history:
        for path, text in files.items():
            if text is None:
                (repo / path).unlink()
        make_repo(repo, {p: t for p, t in files.items() if t is not None})
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", subject, date=date)
    return git(repo, "rev-list", "--reverse", "HEAD").split()


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    commit_history(path)
    return path


def trend_json(path: Path, *args: str) -> dict:
    run = run_cli("trend", str(path), "--format", "json", *args)
    assert run.exit_code == 0, run.stderr
    return run.json


def figures(document: dict) -> list[tuple[int, int]]:
    return [(c["violations"], c["leaks"]) for c in document["commits"]]


def test_each_commit_has_its_known_figures_in_history_order(repo):
    document = trend_json(repo)
    ids = git(repo, "rev-list", "--reverse", "HEAD").split()
    assert [c["commit"] for c in document["commits"]] == ids
    assert figures(document) == EXPECTED
    assert [c["subject"] for c in document["commits"]] == [h[2] for h in HISTORY]
    assert document["commits"][0]["date"] == "2025-09-10T09:00:00+00:00"
    app = [c["services"]["app"] for c in document["commits"]]
    assert [s["violations"] for s in app] == [1, 3, 2, 1]
    assert app[1]["systems"] == ["loguru", "stdlib"]
    assert app[3]["systems"] == ["loguru", "ssot"]
    assert document["config"] == str(repo / ".importlinter")


def test_each_commit_equals_the_report_on_its_own_checkout(repo, tmp_path):
    # The oracle: `report` on a plain extraction of each commit (git archive).
    document = trend_json(repo)
    for point in document["commits"]:
        checkout = tmp_path / "checkouts" / point["commit"]
        checkout.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", point["commit"]], capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(checkout, filter="data")
        report = run_cli("report", str(checkout), "--format", "json").json
        contract = report["contracts"][0]
        assert point["violations"] == len(contract["violations"])
        assert point["leaks"] == len(contract["leaks"])
        assert point["files_analyzed"] == report["coverage"]["files_analyzed"]
        rows = {row["group"]: row for row in contract["compliance"]}
        for name, service in point["services"].items():
            assert service["compliance_pct"] == rows[name]["compliance_pct"]
            assert service["files"] == rows[name]["files"]
            reached = {s for s, cell in contract["reach"][name].items() if cell["transitive"]}
            assert set(service["systems"]) == reached


def test_every_nth_keeps_the_last_and_daily_the_last_of_each_day(repo):
    ids = git(repo, "rev-list", "--reverse", "HEAD").split()
    every = trend_json(repo, "--every", "3")
    assert [c["commit"] for c in every["commits"]] == [ids[0], ids[3]]
    daily = trend_json(repo, "--daily")
    assert [c["commit"] for c in daily["commits"]] == [ids[2], ids[3]]
    ranged = trend_json(repo, "--since", ids[1], "--until", ids[2])
    assert figures(ranged) == EXPECTED[1:3]


def test_a_bare_clone_gives_the_same_table(repo, tmp_path):
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    from_work_tree = run_cli("trend", str(repo), "--format", "csv").stdout
    from_bare = run_cli("trend", str(bare), "--format", "csv").stdout
    assert from_bare == from_work_tree and from_bare.count("\n") == 5
    text = run_cli("trend", str(bare)).stdout
    assert text.startswith("Contracts from .importlinter of ")


def test_the_work_tree_is_neither_read_nor_touched(repo):
    (repo / "app" / "uncommitted.py").write_text("import logging\n")
    before = git(repo, "status", "--porcelain")
    assert figures(trend_json(repo)) == EXPECTED
    assert git(repo, "status", "--porcelain") == before


def test_csv_and_text_hold_the_json_figures(repo):
    document = trend_json(repo)
    rows = list(csv.DictReader(io.StringIO(run_cli("trend", str(repo), "--format", "csv").stdout)))
    assert [r["commit"] for r in rows] == [c["commit"] for c in document["commits"]]
    assert [(int(r["violations"]), int(r["leaks"])) for r in rows] == EXPECTED
    assert [r["app systems"] for r in rows][3] == "loguru ssot"
    text = run_cli("trend", str(repo)).stdout
    assert "violations 1 → 1 (+0), leaks 1 → 0 (-1)." in text
    assert text.count("\n") == 2 + len(HISTORY) + 1


def test_the_chart_is_valid_svg_with_a_series_per_service(repo):
    svg = run_cli("trend", str(repo), "--format", "svg").stdout
    root = ElementTree.fromstring(svg.encode())
    namespace = {"svg": "http://www.w3.org/2000/svg"}
    series = {
        line.get("data-service"): line.get("points").split()
        for line in root.iterfind(".//svg:polyline", namespace)
    }
    assert sorted(series) == ["all services", "app", "shared"]
    assert all(len(points) == len(HISTORY) for points in series.values())
    heights = [float(point.split(",")[1]) for point in series["app"]]
    assert heights[1] < heights[0] < heights[3] or heights[1] < heights[2]  # 3 is the peak
    assert min(heights) == heights[1]
    commits = root.findall(".//svg:line[@class='commit']", namespace)
    assert len(commits) == len(HISTORY)
    assert not root.findall(".//svg:script", namespace)


def test_a_commit_that_cannot_be_judged_gets_an_error(tmp_path):
    # Today's contract names a gateway the first commit does not have yet.
    history = [
        (
            {"app/__init__.py": "", "shared/__init__.py": "", "app/a.py": "import logging\n"},
            "2025-09-10T08:00:00+00:00",
            "before the gateway",
        ),
        *HISTORY,
    ]
    repo = tmp_path / "repo"
    commit_history(repo, history)
    document = trend_json(repo)
    first = document["commits"][0]
    assert "'shared.log' matches no module" in first["error"]
    assert "ssot-arch-trend-" not in first["error"]  # no temporary path
    assert first["services"] == {} and first["violations"] == 0
    assert figures(document)[1:] == EXPECTED
    text = run_cli("trend", str(repo)).stdout
    assert "not judged: " in text.splitlines()[2]


def test_config_at_commit_reads_each_commits_own(repo):
    strict = CONFIG.replace(
        "    shared.log\nsystems", "    shared.log\nexclude =\n    app.d\nsystems"
    )
    (repo / ".importlinter").write_text(strict)  # today's (uncommitted) excludes app.d
    today = figures(trend_json(repo))
    own = figures(trend_json(repo, "--config-at-commit"))
    assert own == EXPECTED and today != EXPECTED
    assert today[1][0] == 2  # app.d's violation is excluded


def test_a_file_the_object_store_lacks_is_counted(repo):
    blob = git(repo, "rev-parse", "HEAD:app/b.py").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    document = trend_json(repo)
    assert [c["files_missing"] for c in document["commits"]] == [1, 1, 1, 1]
    assert figures(document) == [(1, 0), (3, 0), (2, 1), (1, 0)]  # app.b's leak is gone


def test_a_link_in_a_commit_is_not_followed_out_of_the_repository(repo, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("import logging\n")
    os.symlink(outside, repo / "app" / "linked.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link", date="2025-09-12T00:00:00+00:00")
    last = trend_json(repo)["commits"][-1]
    assert last["violations"] == EXPECTED[-1][0]  # the file outside is not read


def test_the_repositorys_git_configuration_runs_nothing(repo, tmp_path):
    marker = tmp_path / "ran"
    with open(repo / ".git" / "config", "a") as config:
        config.write(f"[core]\n\tfsmonitor = touch {marker}\n\tpager = touch {marker}\n")
    trend_json(repo)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--until", "nope"), "'nope' is not a revision of the repository"),
        (("--every", "2", "--daily"), "give --every or --daily, not both"),
    ],
)
def test_bad_revisions_and_options_are_usage_errors(repo, args, message):
    run = run_cli("trend", str(repo), *args)
    assert run.exit_code == 2 and message in run.stderr


def test_since_off_the_first_parent_line_is_an_error(repo):
    ids = git(repo, "rev-list", "--reverse", "HEAD").split()
    run = run_cli("trend", str(repo), "--since", ids[2], "--until", ids[1])
    assert run.exit_code == 2
    assert "is not on the first-parent history of" in run.stderr


def test_a_folder_outside_git_is_a_usage_error(tmp_path):
    run = run_cli("trend", str(make_repo(tmp_path / "plain", {"app/a.py": ""})))
    assert run.exit_code == 2 and "git" in run.stderr


ODD = 'import importlib\ntype Alias = int\nimportlib.import_module("os")\n'


def test_a_warning_about_the_same_file_is_said_once_for_all_commits(tmp_path):
    # A file grimp reads but this Python cannot parse (3.12 syntax) warns at each commit
    # it changes in: once is enough.
    history = [
        *HISTORY[:1],
        *[({"app/odd.py": f"{ODD}# {n}\n"}, d, s) for n, (_, d, s) in enumerate(HISTORY[1:])],
    ]
    repo = tmp_path / "repo"
    commit_history(repo, history)
    run = subprocess.run(
        [SSOT_ARCH, "trend", str(repo), "--format", "json"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert len(json.loads(run.stdout)["commits"]) == len(HISTORY)
    warnings = [line for line in run.stderr.splitlines() if "app/odd.py" in line]
    assert len(warnings) == len(set(warnings)) >= 1


def test_a_commit_that_changes_no_analysed_file_keeps_the_figures_before(repo):
    (repo / "NOTES.md").write_text("docs only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "docs", date="2025-09-12T00:00:00+00:00")
    commits = trend_json(repo)["commits"]
    last, before = commits[-1], commits[-2]
    assert last["subject"] == "docs" and last["commit"] != before["commit"]
    assert {k: v for k, v in last.items() if k not in ("commit", "date", "subject")} == {
        k: v for k, v in before.items() if k not in ("commit", "date", "subject")
    }
