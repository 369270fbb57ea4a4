"""docs/migration.md is the real session it describes, on a copy of the bundled example.

The guide's blocks run in order, in one copy of examples/monorepo:

    <!-- run: ssot-arch ARGS (exit N) -->     the block is `$ ssot-arch ARGS`, then the
    ```                                       command's stdout and stderr, exactly
    ...
    ```
    <!-- excerpt: ssot-arch ARGS (exit N) --> the block is a part of that output
    <!-- apply -->                            the ```diff block is applied with git apply

(A block that holds a fence of its own, such as a plan's, is fenced with four backticks.)

After a change of output, rewrite the `run` blocks with

    .venv/bin/python -m tests.test_migration_guide --update
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import regenerate, run_cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "migration.md"
EXAMPLE = ROOT / "examples" / "monorepo"

_BLOCK = re.compile(
    r"<!-- (?:(?P<kind>run|excerpt): (?P<command>[^\n]*?) \(exit (?P<exit>\d)\)|(?P<apply>apply))"
    r" -->\n(?P<open>(?P<fence>`{3,})[^\n]*\n)(?P<body>.*?)(?P<close>(?<=\n)(?P=fence)\n)",
    re.DOTALL,
)


@dataclass(frozen=True)
class Step:
    kind: str  # run, excerpt or apply
    command: str
    exit: int
    body: str
    line: int


def steps(text: str) -> list[Step]:
    return [
        Step(
            m["kind"] or "apply",
            m["command"] or "",
            int(m["exit"] or 0),
            m["body"],
            text.count("\n", 0, m.start()) + 1,
        )
        for m in _BLOCK.finditer(text)
    ]


def replay(text: str) -> list[str]:
    """Each step's actual text, in order: the output block for `run`, the output to find
    an `excerpt` in, the diff for `apply`. Fails on an unexpected exit status or a diff
    that does not apply."""
    actual = []
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder) / "monorepo"
        shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".ssot_arch_cache"))
        for step in steps(text):
            if step.kind == "apply":
                subprocess.run(
                    ["git", "apply", "-"], input=step.body, text=True, cwd=repo, check=True
                )
                actual.append(step.body)
                continue
            program, *args = shlex.split(step.command)
            assert program == "ssot-arch", step.command
            run = run_cli(*args, cwd=repo, env={"SSOT_ARCH_CACHE_DIR": f"{folder}/cache"})
            assert run.exit_code == step.exit, (
                f"docs/migration.md:{step.line}: `{step.command}` exited {run.exit_code}, "
                f"not {step.exit}\n{run.stderr}"
            )
            actual.append(f"$ {step.command}\n{run.stdout}{run.stderr}")
    return actual


def test_the_guide_replays_on_the_example():
    text = GUIDE.read_text(encoding="utf-8")
    assert [s.kind for s in steps(text)].count("run") >= 5
    assert text.count("<!-- run: ") + text.count("<!-- excerpt: ") + text.count(
        "<!-- apply -->"
    ) == len(steps(text)), "a marked block the pattern does not match"
    for step, actual in zip(steps(text), replay(text), strict=True):
        if step.kind == "excerpt":
            assert step.body in actual, f"docs/migration.md:{step.line}: not in:\n{actual}"
        else:
            assert step.body == actual, (
                f"docs/migration.md:{step.line}: `{step.command}` prints otherwise "
                f"(rewrite with: python -m tests.test_migration_guide --update):\n{actual}"
            )


def updated(text: str) -> str:
    outputs = iter(replay(text))

    def block(match: re.Match[str]) -> str:
        output = next(outputs)
        if match["kind"] != "run":
            return match.group(0)
        return match.group(0)[: match.start("body") - match.start()] + output + match["close"]

    return _BLOCK.sub(block, text)


if __name__ == "__main__":
    sys.exit(regenerate(GUIDE, updated, sys.argv[1:]))
