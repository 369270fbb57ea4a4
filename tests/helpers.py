"""The one way tests build fixture repositories and run the command line."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from ssot_arch.cli import main

# The installed commands, for tests that need real processes (concurrency, hash seeds).
SSOT_ARCH = str(Path(sys.executable).with_name("ssot-arch"))
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text, dedented, or raw bytes) below `root`."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    def violations(self, contract: int = 0) -> list[tuple[str, int, str]]:
        data = self.json["contracts"][contract]["violations"]
        return [(v["file"], v["line"], v["imported"]) for v in data]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> Run:
    # CI is unset unless a test sets it: the baseline command behaves differently in CI.
    runner = CliRunner(env={"CI": None, **(env or {})})
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return Run(result.exit_code, result.stdout, result.stderr)


def check_json(repo: Path, *args: str) -> Run:
    return run_cli("check", str(repo), "--format", "json", *args)
