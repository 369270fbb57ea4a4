"""Ask git which files changed since a revision, without touching the work tree."""

from __future__ import annotations

import os
import subprocess

from ssot_arch.domain.errors import ConfigError, ConfigProblem


def _git(repo: str, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", repo, *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError as error:
        raise ConfigError(
            ConfigProblem("git is not installed; --changed-since needs it", key="--changed-since")
        ) from error
    if completed.returncode != 0:
        message = completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else ""
        raise ConfigError(ConfigProblem(f"git {args[0]} failed: {message}", key="--changed-since"))
    return completed.stdout


def changed_files(repo_dir: str, revision: str) -> set[str]:
    """Files (relative to `repo_dir`, '/'-separated) that differ from `revision`: committed,
    staged or not, deleted, renamed (both names) and untracked ones."""
    repo_dir = os.path.abspath(repo_dir)
    top = _git(repo_dir, "rev-parse", "--show-toplevel").strip()
    try:
        _git(repo_dir, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except ConfigError as error:
        raise ConfigError(
            ConfigProblem(
                f"'{revision}' is not a revision of the repository at {top}; "
                "give a commit, branch or tag (fetch it first in a shallow clone)",
                key="--changed-since",
            )
        ) from error
    names = _git(repo_dir, "diff", "--name-only", "--no-renames", "-z", revision, "--")
    untracked = _git(repo_dir, "ls-files", "--others", "--exclude-standard", "-z", "--full-name")
    changed = set()
    for name in (names + untracked).split("\0"):
        if name:
            relative = os.path.relpath(os.path.join(top, name), repo_dir).replace(os.sep, "/")
            if not relative.startswith("../"):
                changed.add(relative)
    return changed
