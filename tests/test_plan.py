"""`ssot-arch plan`: steps in --priority order, files by fix impact then name, each
violating file exactly once, and each step's exact `fix` command."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.helpers import make_repo, run_cli

LOGS = "import logging\n\n\ndef get_logger(name=None):\n    return logging.getLogger(name)\n"
AUTOMATIC = "import logging\n\nlogger = logging.getLogger(__name__)\n"
MANUAL = "import logging\n\nlogger = logging.getLogger(__name__)\nlogger.setLevel(logging.INFO)\n"
REPO = {
    "app/__init__.py": "",
    "app/logs.py": LOGS,
    "app/a.py": MANUAL,
    "app/z.py": AUTOMATIC,
    "app/api/__init__.py": "",
    "app/api/views.py": AUTOMATIC,
    "app/api/routes.py": "import app.api.views\n",  # a leak that only views causes
    "app/core/__init__.py": "",
    "app/core/cache.py": AUTOMATIC,
    "app/core/db.py": MANUAL,
    "app/core/models.py": "from app.core import db\n",  # a leak that only db causes
    "app/core/service.py": "from app.core import cache, db\n",  # a leak with two causes
}
CONTRACT = ("--restricted", "logging", "--gateway", "app.logs")
REPLACE = ("--replace", "logging.getLogger=app.logs:get_logger")
PRIORITIES = ("--priority", "app.core.*", "--priority", "app.api.*")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", REPO)


def plan_json(repo: Path, *args: str) -> dict:
    run = run_cli("plan", str(repo), *CONTRACT, *REPLACE, *args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    return run.json  # validated against plan-v1.json


def steps(document: dict) -> list[tuple[str, list[tuple[str, bool, int]]]]:
    return [
        (step["name"], [(f["file"], f["automatic"], f["fix_impact"]) for f in step["files"]])
        for step in document["steps"]
    ]


def test_steps_follow_the_priorities_then_fix_impact_then_name(repo):
    document = plan_json(repo, *PRIORITIES)
    assert steps(document) == [
        ("app.core.*", [("app/core/db.py", False, 1), ("app/core/cache.py", True, 0)]),
        ("app.api.*", [("app/api/views.py", True, 1)]),
        ("everything else", [("app/a.py", False, 0), ("app/z.py", True, 0)]),
    ]
    assert [step["patterns"] for step in document["steps"]] == [["app.core.*"], ["app.api.*"], []]
    assert document["totals"] == {"files": 5, "automatic": 3, "manual": 2, "unsafe": 0}
    assert [step["totals"] for step in document["steps"]] == [
        {"files": 2, "automatic": 1, "manual": 1, "unsafe": 0},
        {"files": 1, "automatic": 1, "manual": 0, "unsafe": 0},
        {"files": 2, "automatic": 1, "manual": 1, "unsafe": 0},
    ]


def test_manual_files_carry_fixs_reasons(repo):
    document = plan_json(repo, *PRIORITIES)
    db = document["steps"][0]["files"][0]
    fix = run_cli(
        "fix", str(repo), *CONTRACT, *REPLACE, "--only", "app.core.db", "--format", "json"
    )
    assert db["reasons"] == fix.json["files"][0]["reasons"] != []
    assert all(
        f["reasons"] == [] for step in document["steps"] for f in step["files"] if f["automatic"]
    )


def test_fix_impact_is_the_reports(repo):
    report = run_cli("report", str(repo), *CONTRACT, "--format", "json").json
    impacts = {c["module"]: c["fix_impact"] for c in report["contracts"][0]["leak_causes"]}
    document = plan_json(repo)
    (step,) = document["steps"]
    for f in step["files"]:
        assert f["fix_impact"] == impacts.get(f["module"], 0), f["module"]
    assert [f["module"] for f in step["files"]] == [
        "app.api.views",
        "app.core.db",
        "app.a",
        "app.core.cache",
        "app.z",
    ]


def test_each_violating_file_appears_exactly_once(repo):
    check = run_cli("check", str(repo), *CONTRACT, "--format", "json").json
    violating = sorted({v["file"] for v in check["contracts"][0]["violations"]})
    # Overlapping patterns: a file goes to the first step that matches it.
    document = plan_json(repo, "--priority", "app.*", "--priority", "app.core.*")
    listed = [f["file"] for step in document["steps"] for f in step["files"]]
    assert sorted(listed) == violating and len(listed) == len(set(listed))
    assert [len(step["files"]) for step in document["steps"]] == [5, 0, 0]


def test_each_step_has_the_exact_fix_command(repo):
    document = plan_json(repo, *PRIORITIES, "--exclude", "app.tests.*", "--no-cache")
    base = (
        f"ssot-arch fix {shlex.quote(str(repo))} --restricted logging --gateway app.logs "
        "--exclude 'app.tests.*' --replace logging.getLogger=app.logs:get_logger --no-cache"
    )
    assert [step["command"] for step in document["steps"]] == [
        f"{base} --only 'app.core.*' --write",
        f"{base} --only 'app.api.*' --write",
        f"{base} --write",
    ]


def test_the_commands_carry_the_configuration_file(tmp_path):
    config = tmp_path / "ssot.importlinter"
    config.write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:logs]\nname = logs\n"
        "type = ssot\nrestricted_modules = logging\ngateways = app.logs\n"
        "replacements = logging.getLogger = app.logs:get_logger\n",
        encoding="utf-8",
    )
    repo = make_repo(tmp_path / "repo", REPO)
    run = run_cli("plan", str(repo), "--config", str(config), "--format", "json")
    (step,) = run.json["steps"]
    assert step["command"] == shlex.join(
        ["ssot-arch", "fix", str(repo), "--config", str(config), "--write"]
    )
    assert run.json["totals"]["automatic"] == 3  # the replacements came from the file


def test_running_the_steps_in_order_leaves_exactly_the_manual_files(repo):
    document = plan_json(repo, *PRIORITIES)
    for step in document["steps"]:
        _, *args = shlex.split(step["command"])
        run = run_cli(*args)
        assert run.exit_code == (1 if step["totals"]["manual"] else 0), run.stderr
    check = run_cli("check", str(repo), *CONTRACT, "--format", "json").json
    left = {v["file"] for v in check["contracts"][0]["violations"]}
    manual = {f["file"] for step in document["steps"] for f in step["files"] if not f["automatic"]}
    assert left == manual == {"app/a.py", "app/core/db.py"}


def test_the_markdown_is_a_checklist_with_counts_and_commands(repo):
    run = run_cli("plan", str(repo), *CONTRACT, *REPLACE, *PRIORITIES)
    assert run.exit_code == 0, run.stderr
    text = run.stdout
    assert text.startswith("# Migration plan\n")
    assert "5 files: 3 automatic, 2 manual, in 3 steps." in text
    assert "## Step 1: `app.core.*`\n\n2 files: 1 automatic, 1 manual.\n" in text
    assert "## Step 3: everything else\n" in text
    assert "- [ ] `app/core/cache.py` — automatic\n" in text
    assert "- [ ] `app/api/views.py` — automatic (fix impact: 1 leak)\n" in text
    manual = next(line for line in text.splitlines() if line.startswith("- [ ] `app/a.py`"))
    assert manual.startswith("- [ ] `app/a.py` — manual: ")
    assert "(line 4: `logging.INFO`)" in manual
    first = text.index("## Step 1")
    command = shlex.join([*shlex.split(plan_json(repo, *PRIORITIES)["steps"][0]["command"])])
    assert f"```\n{command}\n```" in text[first:]
    assert "in one run after the steps above:" in text


def test_a_step_with_nothing_automatic_has_no_command_to_run(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": LOGS, "app/a.py": MANUAL})
    run = run_cli("plan", str(repo), *CONTRACT, *REPLACE, "--priority", "app.none.*")
    assert "## Step 1: `app.none.*`\n\nNo violating file.\n" in run.stdout
    assert "No automatic part: every file needs a person." in run.stdout
    assert "```" not in run.stdout


def test_the_plan_writes_nothing_and_exits_0(repo):
    before = {p: p.read_text(encoding="utf-8") for p in repo.rglob("*.py")}
    out = repo.parent / "plan.md"
    run = run_cli("plan", str(repo), *CONTRACT, *REPLACE, "-o", str(out))
    assert (run.exit_code, run.stdout) == (0, "")
    assert out.read_text(encoding="utf-8").startswith("# Migration plan")
    assert {p: p.read_text(encoding="utf-8") for p in repo.rglob("*.py")} == before


def test_without_replacements_every_file_is_manual(repo):
    run = run_cli("plan", str(repo), *CONTRACT, "--format", "json")
    assert run.json["totals"] == {"files": 5, "automatic": 0, "manual": 5, "unsafe": 0}


def test_every_option_that_says_what_to_analyse_reaches_the_fix_commands(tmp_path):
    """Issue 23: the options plan re-emits were a second list beside their declaration;
    add an option to one and plan printed commands that lost it. Now an option declared
    `ForFix` is carried over: every one given to plan comes back from its command."""
    from ssot_arch.cli import fix, plan
    from ssot_arch.cli_common import ForFix

    carried = [p for p in plan.params if isinstance(p, ForFix)]
    assert {p.name for p in carried} >= {"config_path", "restricted", "replacements"}
    assert {p.name for p in carried} <= {p.name for p in fix.params if isinstance(p, ForFix)}
    repo = make_repo(tmp_path / "repo", REPO)
    config = tmp_path / "extra.importlinter"
    config.write_text("[importlinter]\nroot_package = app\n", encoding="utf-8")
    given = {
        "config_path": str(config),
        "root_packages": ("app",),
        "source_roots": (".",),
        "restricted": ("logging",),
        "gateways": ("app.logs",),
        "systems": ("std=logging",),
        "ssot_systems": (),
        "exclude": ("app.tests.*",),
        "cache_dir": str(tmp_path / "cache"),
        "no_cache": True,
        "replacements": ("logging.getLogger=app.logs:get_logger",),
    }
    assert set(given) == {p.name for p in carried}  # a new option must be given here
    args = []
    for param in carried:
        value = given[param.name]
        if param.is_flag:
            args += [param.opts[-1]] if value else []
        else:
            for item in [value] if isinstance(value, str) else value:
                args += [param.opts[-1], item]
    run = run_cli("plan", str(repo), *args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    command = shlex.split(run.json["steps"][-1]["command"])
    assert command[:2] == ["ssot-arch", "fix"]
    parsed = fix.make_context("fix", command[2:]).params
    for name, value in given.items():
        assert parsed[name] == value, name
