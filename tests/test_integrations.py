"""The shipped pre-commit hook and GitHub Actions workflow say what the tool does."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from ssot_arch.cli import main

ROOT = Path(__file__).resolve().parent.parent


def options_of(command_name: str) -> set[str]:
    return {opt for p in main.commands[command_name].params for opt in p.opts}


def test_pre_commit_hook_runs_check_once_per_commit():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "ssot-arch"
    assert hook["entry"] == "ssot-arch check"
    assert hook["pass_filenames"] is False and hook["language"] == "python"


def test_github_workflow_uses_only_real_commands_and_options():
    workflow = yaml.safe_load((ROOT / "docs" / "examples" / "github-actions.yml").read_text())
    runs = [s["run"] for s in workflow["jobs"]["ssot-arch"]["steps"] if "run" in s]
    commands = [shlex.split(r.split("||")[0].split(">>")[0]) for r in runs]
    checks = [words for words in commands if words[0] == "ssot-arch"]
    assert len(checks) == 3
    formats = set()
    for words in checks:
        assert words[:2] == ["ssot-arch", "check"]
        for word in words[2:]:
            if word.startswith("-"):
                assert word in options_of("check"), word
        formats.add(words[words.index("--format") + 1])
    assert formats == {"github", "sarif", "markdown"}
    uploads = [
        s for s in workflow["jobs"]["ssot-arch"]["steps"] if "upload-sarif" in s.get("uses", "")
    ]
    assert uploads[0]["with"]["sarif_file"] == "ssot-arch.sarif"
