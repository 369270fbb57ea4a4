"""The baseline ratchet: every transition of a violation and of a baseline entry."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import SSOT_ARCH, make_repo, read_baseline_json, run_cli

REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\nfrom loguru import logger\n",
    "app/b.py": "import logging\n\ndef later():\n    import logging\n",
    "svc/__init__.py": "",
    "svc/main.py": "import structlog\n",
}
ARGS = ("--gateway", "app.logs")


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch):
    """Keep the cache out of the real ~/.cache."""
    monkeypatch.setenv("SSOT_ARCH_CACHE_DIR", str(tmp_path_factory.mktemp("user-cache")))


def baseline(repo: Path, *args: str, env: dict | None = None):
    return run_cli("baseline", str(repo), *ARGS, *args, env=env)


def check(repo: Path, *args: str):
    return run_cli(
        "check",
        str(repo),
        *ARGS,
        "--format",
        "json",
        "--baseline",
        str(repo / "ssot-arch-baseline.json"),
        *args,
    )


def statuses(run) -> list[tuple[str, int, str]]:
    return [(v["file"], v["line"], v["status"]) for v in run.json["contracts"][0]["violations"]]


def entries(repo: Path) -> list[dict]:
    data = read_baseline_json(repo / "ssot-arch-baseline.json")
    return data["contracts"]["cli"]["entries"]


def test_created_baseline_accepts_every_current_violation(tmp_path):
    repo = make_repo(tmp_path, REPO)
    created = baseline(repo)
    assert created.exit_code == 0, created.stderr
    shown = str(repo.joinpath("ssot-arch-baseline.json")).replace(str(Path.cwd()) + "/", "")
    assert created.stdout == (
        f"created {shown}\n  [cli] 5 accepted violations\n"
        # Issue 22: how to use the file, when no contract names it yet.
        f"apply it: ssot-arch check --baseline {shown}, or `baseline = "
        "ssot-arch-baseline.json` in the contract's section of the configuration (then "
        "plain `ssot-arch check` uses it)\n"
    )
    assert [(e["file"], e["import"], e.get("occurrence", 1)) for e in entries(repo)] == [
        ("app/a.py", "import logging", 1),
        ("app/a.py", "from loguru import logger", 1),
        ("app/b.py", "import logging", 1),
        ("app/b.py", "import logging", 2),
        ("svc/main.py", "import structlog", 1),
    ]
    run = check(repo)
    assert run.exit_code == 0
    assert {s for _, _, s in statuses(run)} == {"known"}


def test_a_new_violation_fails_and_a_duplicate_in_the_same_file_is_new(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    (repo / "app" / "b.py").write_text(
        "import logging\n\ndef later():\n    import logging\n\ndef again():\n    import logging\n"
    )
    (repo / "svc" / "extra.py").write_text("import loguru\n")
    run = check(repo)
    assert run.exit_code == 1
    assert [s for s in statuses(run) if s[2] == "new"] == [
        ("app/b.py", 7, "new"),
        ("svc/extra.py", 1, "new"),
    ]


def test_moved_lines_keep_their_identity_and_the_file_does_not_churn(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    before = (repo / "ssot-arch-baseline.json").read_bytes()
    (repo / "app" / "a.py").write_text(
        '"""Docs."""\n\nX = 1\n\nfrom loguru import logger\nimport logging\n'
    )
    run = check(repo)
    assert run.exit_code == 0
    assert ("app/a.py", 5, "known") in statuses(run)
    assert baseline(repo, "--update").exit_code == 0
    assert (repo / "ssot-arch-baseline.json").read_bytes() == before


def test_fixed_violations_are_stale_and_update_only_removes(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    (repo / "app" / "a.py").write_text("from loguru import logger\n")  # logging fixed
    (repo / "svc" / "new.py").write_text("import logging\n")  # and a new one
    run = check(repo)
    stale = run.json["contracts"][0]["baseline"]["stale"]
    assert [(e["file"], e["import"]) for e in stale] == [("app/a.py", "import logging")]
    assert run.exit_code == 1  # the new one
    (repo / "svc" / "new.py").unlink()
    assert check(repo).exit_code == 0  # stale alone passes...
    assert check(repo, "--fail-on-stale").exit_code == 1  # ...unless asked
    (repo / "svc" / "new.py").write_text("import logging\n")
    updated = baseline(repo, "--update")
    assert "4 kept, 1 fixed removed; 1 new not added" in updated.stdout
    assert len(entries(repo)) == 4
    assert check(repo).exit_code == 1  # the new one is still new
    grown = baseline(repo, "--update", "--allow-growth")
    assert "1 new added" in grown.stdout
    assert check(repo).exit_code == 0


def test_a_renamed_file_keeps_its_entries(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    (repo / "app" / "sub").mkdir()
    (repo / "app" / "a.py").rename(repo / "app" / "sub" / "a.py")
    run = check(repo)
    assert run.exit_code == 0
    assert ("app/sub/a.py", 1, "known") in statuses(run)
    assert run.json["contracts"][0]["baseline"]["stale"] == []
    baseline(repo, "--update")
    assert {e["file"] for e in entries(repo)} == {"app/sub/a.py", "app/b.py", "svc/main.py"}


def test_reason_owner_and_expiry_survive_updates_and_expired_entries_fail(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    path = repo / "ssot-arch-baseline.json"
    data = read_baseline_json(path)
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    past = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    rows = data["contracts"]["cli"]["entries"]
    rows[0].update(reason="vendored shim", owner="@ana", expires=future)
    rows[4].update(owner="@bo", expires=past)  # svc/main.py
    path.write_text(json.dumps(data))
    run = check(repo)
    assert run.exit_code == 1
    assert ("svc/main.py", 1, "expired") in statuses(run)
    assert [e["file"] for e in run.json["contracts"][0]["baseline"]["expired"]] == ["svc/main.py"]
    (repo / "app" / "b.py").write_text("import logging\n")  # one of two fixed
    baseline(repo, "--update")
    kept = {(e["file"], e["import"]): e for e in entries(repo)}
    assert kept["app/a.py", "import logging"]["reason"] == "vendored shim"
    assert kept["app/a.py", "import logging"]["expires"] == future
    main = kept["svc/main.py", "import structlog"]
    assert main["expires"] == past and main["owner"] == "@bo"


def test_creating_or_growing_is_refused_in_ci(tmp_path):
    repo = make_repo(tmp_path, REPO)
    refused = baseline(repo, env={"CI": "true"})
    assert refused.exit_code == 2
    assert "refusing to create or grow a baseline in CI" in refused.stderr
    assert not (repo / "ssot-arch-baseline.json").exists()
    assert baseline(repo, "--force", env={"CI": "true"}).exit_code == 0
    assert baseline(repo, "--update", env={"CI": "true"}).exit_code == 0  # shrinking is fine
    grown = baseline(repo, "--update", "--allow-growth", env={"CI": "true"})
    assert grown.exit_code == 2


def test_an_existing_baseline_is_not_replaced_by_accident(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    again = baseline(repo)
    assert again.exit_code == 2
    assert "exists already; `--update` removes the fixed entries" in again.stderr
    missing = run_cli("baseline", str(repo), "--update", "-o", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "no baseline to update" in missing.stderr


def test_a_corrupt_baseline_is_reported_and_never_overwritten(tmp_path):
    repo = make_repo(tmp_path, REPO)
    path = repo / "ssot-arch-baseline.json"
    path.write_text('{"ssot_arch_baseline": 1, "contracts": {"cli": {"entries": [\n')
    for run in (check(repo), baseline(repo, "--update"), baseline(repo, "--update", "--force")):
        assert run.exit_code == 2
        assert "is not valid JSON (line 2, column 1" in run.stderr
        assert "it was left as it is" in run.stderr
    path.write_text(
        '{"ssot_arch_baseline": 1, "contracts": {"cli": {"entries": '
        '[{"file": "a.py", "imported": "logging", "import": "import logging", '
        '"expires": "soon", "color": 1}]}}}'
    )
    before = path.read_bytes()
    run = baseline(repo, "--update")
    assert run.exit_code == 2
    assert f"{path} contracts.cli.entries[0].color: unknown key" in run.stderr
    assert f"{path} contracts.cli.entries[0].expires: 'soon' is not a date" in run.stderr
    assert path.read_bytes() == before


def test_an_entry_listed_twice_once_with_an_expiry_date_is_no_internal_error(tmp_path):
    """Both copies are stale once the violation is fixed; sorting them failed (exit 3)."""
    repo = make_repo(tmp_path, REPO)
    assert baseline(repo).exit_code == 0
    data = read_baseline_json(repo / "ssot-arch-baseline.json")
    first = data["contracts"]["cli"]["entries"][0]
    data["contracts"]["cli"]["entries"].append({**first, "expires": "2999-12-31"})
    (repo / "ssot-arch-baseline.json").write_text(json.dumps(data))
    (repo / first["file"]).write_text("X = 1\n")
    run = check(repo)
    assert run.exit_code == 0, run.stderr
    stale = run.json["contracts"][0]["baseline"]["stale"]
    assert [e["expires"] for e in stale if e["import"] == first["import"]] == [None, "2999-12-31"]
    assert baseline(repo, "--update").exit_code == 0
    assert first["file"] not in {e["file"] for e in entries(repo)}


def test_budgets_are_a_coarse_ratchet(tmp_path):
    repo = make_repo(tmp_path, REPO)
    created = baseline(repo, "--budgets")
    assert "[cli] budgets app 4, svc 1" in created.stdout
    assert check(repo).exit_code == 0
    (repo / "svc" / "more.py").write_text("import logging\n")
    run = check(repo)
    assert run.exit_code == 1
    assert run.json["contracts"][0]["baseline"]["budgets"] == [
        {"group": "app", "violations": 4, "budget": 4},
        {"group": "svc", "violations": 2, "budget": 1},
    ]
    (repo / "svc" / "more.py").unlink()
    (repo / "app" / "b.py").write_text("X = 1\n")
    assert "budgets app 2, svc 1" in baseline(repo, "--update").stdout  # only down
    (repo / "app" / "b.py").write_text("import logging\n")
    assert check(repo).exit_code == 1
    assert "budgets app 3, svc 1" in baseline(repo, "--update", "--allow-growth").stdout


def test_the_contracts_baseline_option(tmp_path):
    config = (
        "[importlinter]\nroot_packages =\n    app\n    svc\n"
        "[importlinter:contract:logs]\nname = Logs\ntype = ssot\ngateways = app.logs\n"
        "baseline = quality/logging-baseline.json\nfail_on_stale = True\n"
    )
    repo = make_repo(tmp_path, {**REPO, ".importlinter": config, "quality/README": "x"})
    created = run_cli("baseline", str(repo))
    assert created.exit_code == 0, created.stderr
    assert (repo / "quality" / "logging-baseline.json").is_file()
    assert "apply it" not in created.stdout  # the configuration applies it already
    assert run_cli("check", str(repo)).exit_code == 0
    (repo / "svc" / "main.py").write_text("X = 1\n")
    run = run_cli("check", str(repo))
    assert run.exit_code == 1  # fail_on_stale
    assert "svc/main.py: fixed: 'import structlog' is gone" in run.stdout


def test_concurrent_updates_leave_a_valid_baseline(tmp_path):
    repo = make_repo(tmp_path, REPO)
    baseline(repo)
    (repo / "app" / "a.py").write_text("X = 1\n")
    command = [
        SSOT_ARCH,
        "baseline",
        str(repo),
        *ARGS,
        "--update",
        "--no-cache",
    ]
    env = {"PATH": "/usr/bin:/bin"}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, env=env) for _ in range(3)]
    assert [p.wait() for p in runs] == [0, 0, 0]
    assert [e["file"] for e in entries(repo)] == ["app/b.py", "app/b.py", "svc/main.py"]
    assert not list(repo.glob(".ssot-arch-*.tmp"))


def test_a_refused_baseline_path_says_which_options_give_another(tmp_path):
    """The adapter says why a path is refused; the message names --baseline / -o."""
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / ".importlinter").write_text(
        "[importlinter]\nroot_packages = app\ninclude_external_packages = True\n"
        "[importlinter:contract:c]\nname = c\ntype = ssot\nbaseline = ../out.json\n"
    )
    outside = tmp_path / "out.json"
    for run in (run_cli("baseline", str(repo)), run_cli("check", str(repo))):
        assert run.exit_code == 2
        assert run.stderr == (
            f"ssot-arch: error: {outside}: lies outside the repository, and the repository's "
            "configuration may only name a baseline inside it; move the file in, or pass it "
            "with --baseline / -o\n"
        )
    (repo / ".importlinter").unlink()
    (repo / "linked.json").symlink_to(outside)
    run = run_cli("check", str(repo), "--baseline", str(repo / "linked.json"))
    assert run.exit_code == 2
    assert run.stderr == (
        f"ssot-arch: error: {repo / 'linked.json'}: is a symbolic link (or lies in a linked "
        "folder) that leads out of the repository, and such a baseline is neither read nor "
        "written; replace the link by the file, or pass the file's own path with "
        "--baseline / -o\n"
    )
