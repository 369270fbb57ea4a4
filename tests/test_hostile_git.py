"""`check --changed-since` on a repository whose git configuration is hostile (issue 8, case 6).

Every command the configuration names creates a marker file: none may appear. The fixture's
commands do run under a plain `git status`, which proves the markers would tell.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ssot_arch.adapters.vcs import git as git_adapter
from ssot_arch.adapters.vcs.git import changed_files
from tests.helpers import make_repo, run_cli
from tests.test_changed_since import REPO, committed_repo, git, violations

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="shell-script markers, FIFOs and symbolic links"
)

MARKED_COMMANDS = ("fsmonitor", "clean", "smudge", "textconv", "external", "pager", "ssh")
MARKED_HOOKS = ("post-index-change", "reference-transaction", "pre-commit", "post-checkout")


def script(path, body):
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def hostile_repo(tmp_path):
    """The test repository, committed, then configured to run a marker command wherever
    git could run one; and the folder where the markers would appear."""
    markers = tmp_path / "markers"
    markers.mkdir()
    commands, hooks = tmp_path / "bin", tmp_path / "hooks"
    commands.mkdir()
    hooks.mkdir()
    for name in MARKED_COMMANDS:
        script(commands / name, f"touch '{markers / name}'\ncat")
    for name in MARKED_HOOKS:
        script(hooks / name, f"touch '{markers / ('hook-' + name)}'")
    repo = committed_repo(tmp_path / "work")
    (repo / ".gitattributes").write_text("*.py filter=evil diff=evil\n")
    settings = {
        "core.fsmonitor": commands / "fsmonitor",
        "filter.evil.clean": commands / "clean",
        "filter.evil.smudge": commands / "smudge",
        "filter.evil.required": "true",
        "diff.evil.textconv": commands / "textconv",
        "diff.external": commands / "external",
        "core.pager": commands / "pager",
        "pager.ls-tree": "true",
        "pager.rev-parse": "true",
        "core.sshCommand": commands / "ssh",
        "credential.helper": f"!{commands / 'ssh'}",
        "core.hooksPath": hooks,
        "core.untrackedCache": "true",
    }
    for key, value in settings.items():
        git(repo, "config", key, str(value))
    return repo, markers


def edit_every_way(repo):
    """A modified, an untracked, a deleted file, and one whose stat information alone is new."""
    (repo / "app" / "d.py").write_text("import structlog\n")
    (repo / "app" / "e.py").write_text("import logging\n")
    (repo / "app" / "c.py").unlink()
    stat = (repo / "app" / "a.py").stat()
    os.utime(repo / "app" / "a.py", (stat.st_atime + 3600, stat.st_mtime + 3600))


def test_a_plain_git_status_runs_the_fixtures_commands(tmp_path):
    repo, markers = hostile_repo(tmp_path)
    edit_every_way(repo)
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, check=True)
    subprocess.run(["git", "-C", str(repo), "diff", "HEAD"], capture_output=True, check=True)
    assert {"fsmonitor", "clean", "external", "hook-post-index-change"} <= {
        p.name for p in markers.iterdir()
    }


def test_a_hostile_configuration_runs_nothing_and_every_change_is_found(tmp_path):
    repo, markers = hostile_repo(tmp_path)
    edit_every_way(repo)
    index_before = (repo / ".git" / "index").read_bytes()
    run = run_cli("check", str(repo), "--format", "json", "--changed-since", "HEAD")
    assert (run.exit_code, violations(run)) == (1, [("app/d.py", 1), ("app/e.py", 1)])
    assert "Traceback" not in run.stderr
    text = run_cli("check", str(repo), "--changed-since", "HEAD").stdout
    assert "only files changed since HEAD (3 Python files) are reported" in text
    assert changed_files(str(repo), "HEAD") == {"app/c.py", "app/d.py", "app/e.py"}
    assert list(markers.iterdir()) == []
    assert (repo / ".git" / "index").read_bytes() == index_before


def test_equal_content_with_a_fresh_mtime_is_unchanged(tmp_path):
    repo = committed_repo(tmp_path)
    (repo / "app" / "b.py").write_text("import logging\n")  # the same bytes, written again
    os.utime(repo / "app" / "a.py", (1, 1))
    assert changed_files(str(repo), "HEAD") == set()
    run = run_cli("check", str(repo), "--changed-since", "HEAD")
    assert run.exit_code == 0
    assert "(0 Python files)" in run.stdout


def test_a_difference_in_line_ends_only_is_unchanged(tmp_path):
    repo = committed_repo(tmp_path)
    (repo / "app" / "a.py").write_bytes(b"import logging\r\n")  # a core.autocrlf checkout
    (repo / "app" / "b.py").write_bytes(b"import logging\r\nX = 1\r\n")
    assert changed_files(str(repo), "HEAD") == {"app/b.py"}


def test_git_ignored_python_files_count_as_changed(tmp_path):
    """The check analyses them, whatever git ignores (the former `ls-files --others
    --exclude-standard` left them out)."""
    repo = committed_repo(tmp_path)
    (repo / ".gitignore").write_text("generated.py\nnotes.txt\n")
    (repo / "app" / "generated.py").write_text("import logging\n")
    (repo / "app" / "notes.txt").write_text("not Python\n")
    assert changed_files(str(repo), "HEAD") == {"app/generated.py"}


def test_a_sha256_repository(tmp_path):
    repo = make_repo(tmp_path, REPO)
    if subprocess.run(
        ["git", "init", "-q", "--object-format=sha256", str(repo)], capture_output=True
    ).returncode:
        pytest.skip("this git cannot make sha256 repositories")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    os.utime(repo / "app" / "a.py", (1, 1))
    (repo / "app" / "d.py").write_text("import structlog\n")
    assert changed_files(str(repo), "HEAD") == {"app/d.py"}


def test_symbolic_links_are_compared_by_their_target_and_never_read_through(tmp_path):
    repo = committed_repo(tmp_path / "work")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "fifo")
    (repo / "app" / "kept.py").symlink_to("/nonexistent/secret.py")
    (repo / "app" / "moved.py").symlink_to("a.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    (repo / "app" / "moved.py").unlink()
    (repo / "app" / "moved.py").symlink_to("b.py")
    (repo / "app" / "fifo.py").symlink_to(outside / "fifo")  # reading it would block
    (repo / "app" / "folder.py").symlink_to(outside, target_is_directory=True)
    assert changed_files(str(repo), "HEAD") == {"app/moved.py", "app/fifo.py", "app/folder.py"}


def test_a_fifo_in_place_of_a_committed_file_is_changed_not_waited_for(tmp_path):
    repo = committed_repo(tmp_path)
    (repo / "app" / "d.py").unlink()
    os.mkfifo(repo / "app" / "d.py")
    assert changed_files(str(repo), "HEAD") == {"app/d.py"}


def test_a_revision_that_looks_like_an_option_is_not_one(tmp_path):
    repo = committed_repo(tmp_path / "work")
    written = tmp_path / "written"
    run = run_cli("check", str(repo), "--changed-since", f"--output={written}")
    assert run.exit_code == 2
    assert f"'--output={written}' is not a revision of the repository" in run.stderr
    assert not written.exists()


def test_an_include_that_blocks_git_ends_in_a_usage_error(tmp_path, monkeypatch):
    """No git option stops `include.path`; a FIFO would make git wait forever."""
    repo = committed_repo(tmp_path / "work")
    os.mkfifo(tmp_path / "fifo")
    git(repo, "config", "include.path", str(tmp_path / "fifo"))
    monkeypatch.setattr(git_adapter, "GIT_TIMEOUT_SECONDS", 1.0)
    run = run_cli("check", str(repo), "--changed-since", "HEAD")
    assert run.exit_code == 2
    assert "--changed-since: git rev-parse did not finish within 1 s" in run.stderr
    assert "include.path" in run.stderr


def test_git_messages_cannot_forge_output_lines(tmp_path):
    repo = committed_repo(tmp_path / "work")
    included = tmp_path / "x\n::error file=a.py::forged"
    included.write_text("not a configuration line\n")
    git(repo, "config", "include.path", str(included))
    run = run_cli("check", str(repo), "--changed-since", "HEAD")
    assert run.exit_code == 2
    assert "bad config line 1" in run.stderr
    assert not any(line.startswith("::") for line in run.stderr.splitlines())


def test_a_repository_of_another_user_is_refused_with_the_safe_directory_advice(tmp_path):
    repo = committed_repo(tmp_path)
    run = run_cli(
        "check", str(repo), "--changed-since", "HEAD", env={"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"}
    )
    assert run.exit_code == 2
    assert "--changed-since: git refuses the repository: fatal: detected dubious" in run.stderr
    assert "add its folder to safe.directory in your global git configuration" in run.stderr


def test_git_variables_of_a_calling_hook_do_not_redirect_git(tmp_path):
    repo = committed_repo(tmp_path / "work")
    other = committed_repo(tmp_path / "other")
    (other / "app" / "a.py").write_text("import logging\nX = 1\n")
    git(other, "commit", "-qam", "differ from the analysed repository")
    (repo / "app" / "d.py").write_text("import structlog\n")
    run = run_cli(
        "check",
        str(repo),
        "--format",
        "json",
        "--changed-since",
        "HEAD",
        env={"GIT_DIR": str(other / ".git"), "GIT_INDEX_FILE": str(other / ".git" / "index")},
    )
    assert violations(run) == [("app/d.py", 1)]


def test_a_work_tree_set_elsewhere_by_the_configuration_is_a_usage_error(tmp_path):
    repo = committed_repo(tmp_path / "work")
    (tmp_path / "elsewhere").mkdir()
    git(repo, "config", "core.worktree", str(tmp_path / "elsewhere"))
    run = run_cli("check", str(repo), "--changed-since", "HEAD")
    assert run.exit_code == 2
    assert "is outside the work tree of its git repository" in run.stderr


def test_git_missing_is_a_usage_error(tmp_path):
    repo = committed_repo(tmp_path)
    run = run_cli("check", str(repo), "--changed-since", "HEAD", env={"PATH": str(tmp_path)})
    assert run.exit_code == 2
    assert "--changed-since: git is not installed" in run.stderr
