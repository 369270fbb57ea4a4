"""`check --changed-since REV` against a real git repository made in the test."""

from __future__ import annotations

import subprocess

import pytest

from ssot_arch.adapters.vcs.git import GitError, changed_files
from ssot_arch.application.check import run_check
from ssot_arch.application.gate import only_changed
from ssot_arch.application.settings import load_settings
from ssot_arch.domain.errors import ConfigError
from tests.helpers import make_repo, run_cli

REPO = {
    "app/__init__.py": "",
    "app/a.py": "import logging\n",
    "app/b.py": "import logging\n",
    "app/c.py": "import loguru\n",
    "app/d.py": "X = 1\n",
}


def git(repo, *args):
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
    )


def committed_repo(tmp_path):
    repo = make_repo(tmp_path, REPO)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def violations(run):
    return sorted((v["file"], v["line"]) for v in run.json["contracts"][0]["violations"])


def test_only_files_changed_since_the_revision_are_reported(tmp_path):
    repo = committed_repo(tmp_path)
    (repo / "app" / "d.py").write_text("import structlog\n")  # unstaged change
    (repo / "app" / "e.py").write_text("import logging\n")  # untracked
    git(repo, "mv", "app/c.py", "app/c2.py")  # staged rename
    head_before = (repo / ".git" / "HEAD").read_bytes()
    status_before = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    run = run_cli("check", str(repo), "--format", "json", "--changed-since", "HEAD")
    assert run.exit_code == 1
    assert violations(run) == [("app/c2.py", 1), ("app/d.py", 1), ("app/e.py", 1)]
    assert run.json["changed_since"] == "HEAD"
    # The work tree and index are as they were.
    assert (repo / ".git" / "HEAD").read_bytes() == head_before
    assert (
        subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
        ).stdout
        == status_before
    )


def test_committed_changes_since_an_older_revision(tmp_path):
    repo = committed_repo(tmp_path)
    git(repo, "branch", "base")
    (repo / "app" / "b.py").write_text("X = 2\nimport logging\n")
    git(repo, "commit", "-qam", "edit b")
    run = run_cli("check", str(repo), "--format", "json", "--changed-since", "base")
    assert violations(run) == [("app/b.py", 2)]
    text = run_cli("check", str(repo), "--changed-since", "base").stdout
    assert "only files changed since base (1 Python file) are reported" in text
    clean = run_cli("check", str(repo), "--changed-since", "HEAD")
    assert clean.exit_code == 0


def test_a_subfolder_of_the_repository(tmp_path):
    outer = make_repo(tmp_path, {f"project/{k}": v for k, v in REPO.items()})
    git(outer, "init", "-q")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "start")
    (outer / "project" / "app" / "a.py").write_text("import logging\nimport loguru\n")
    run = run_cli("check", str(outer / "project"), "--format", "json", "--changed-since", "HEAD")
    assert violations(run) == [("app/a.py", 1), ("app/a.py", 2)]


def test_bad_revision_and_no_repository_are_usage_errors(tmp_path):
    repo = committed_repo(tmp_path / "git")
    run = run_cli("check", str(repo), "--changed-since", "nope")
    assert run.exit_code == 2
    assert "--changed-since: 'nope' is not a revision of the repository" in run.stderr
    plain = make_repo(tmp_path / "plain", REPO)
    run = run_cli("check", str(plain), "--changed-since", "HEAD")
    assert run.exit_code == 2
    assert "--changed-since: git rev-parse failed: fatal: not a git repository" in run.stderr


def test_the_git_adapter_raises_its_own_error_and_the_gate_names_the_option(tmp_path):
    """The adapter knows nothing of the command line: the gate says the value came from
    --changed-since."""
    repo = committed_repo(tmp_path)
    with pytest.raises(GitError) as raised:
        changed_files(str(repo), "nope")
    assert not isinstance(raised.value, ConfigError)
    assert str(raised.value).startswith("'nope' is not a revision of the repository at ")
    with pytest.raises(ConfigError) as configured:
        only_changed(run_check(load_settings(str(repo))), "nope")
    assert [p.key for p in configured.value.problems] == ["--changed-since"]
    assert configured.value.problems[0].message == str(raised.value)
