"""The README's example blocks are the real output of the commands they name.

A block is marked in README.md like this, and holds the command's standard output::

    <!-- example: ssot-arch check examples/monorepo -->
    ```
    ...
    ```
    <!-- /example -->

The command runs in-process from the repository root, with a cache folder of its own
and `--no-cache`. After a change of output, rewrite the blocks with

    .venv/bin/python -m tests.test_readme --update
"""

from __future__ import annotations

import difflib
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import regenerate, run_cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

_BLOCK = re.compile(
    r"(?P<open><!-- example: (?P<command>[^\n]*?) -->\n```[^\n]*\n)"
    r"(?P<body>.*?)"
    r"(?P<close>```\n<!-- /example -->)",
    re.DOTALL,
)
# The subcommands that read a cache: the examples never touch the user's.
_CACHED = {"check", "report", "baseline"}


@dataclass(frozen=True)
class Example:
    command: str
    body: str
    line: int


def examples(text: str) -> list[Example]:
    return [
        Example(m["command"], m["body"], text.count("\n", 0, m.start()) + 1)
        for m in _BLOCK.finditer(text)
    ]


def output_of(command: str) -> str:
    """The standard output of `command` (`ssot-arch ...`), run in-process from ROOT."""
    program, *args = shlex.split(command)
    assert program == "ssot-arch", f"an example runs ssot-arch, not {program!r}"
    if args and args[0] in _CACHED:
        args.append("--no-cache")
    with tempfile.TemporaryDirectory() as cache:
        run = run_cli(*args, cwd=ROOT, env={"SSOT_ARCH_CACHE_DIR": cache})
    assert run.exit_code in (0, 1), f"{command}: exit {run.exit_code}\n{run.stderr}"
    assert run.stdout.endswith("\n"), f"{command}: the output does not end with a new line"
    return run.stdout


def updated(text: str) -> str:
    """`text` with every example block holding its command's current output."""
    return _BLOCK.sub(lambda m: m["open"] + output_of(m["command"]) + m["close"], text)


def test_readme_marks_its_examples_completely():
    text = README.read_text(encoding="utf-8")
    assert examples(text), "README.md has no <!-- example: ... --> block"
    assert text.count("<!-- example: ") == len(examples(text))
    assert text.count("<!-- /example -->") == len(examples(text))


@pytest.mark.parametrize(
    "example", examples(README.read_text(encoding="utf-8")), ids=lambda example: example.command
)
def test_readme_example_is_the_real_output(example):
    actual = output_of(example.command)
    if actual != example.body:
        diff = "".join(
            difflib.unified_diff(
                example.body.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"README.md:{example.line}",
                example.command,
            )
        )
        pytest.fail(
            f"README.md's example of `{example.command}` differs from its output "
            f"(rewrite it with: python -m tests.test_readme --update):\n{diff}"
        )


def test_readme_keeps_the_fresh_machine_commands():
    # CI and newcomers copy these two lines as they are.
    # Trying the tool installs the tool only; the tests add the development tools, and
    # CI runs that very line.
    text = README.read_text(encoding="utf-8")
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -e . "
        "&& .venv/bin/ssot-arch check examples/monorepo\n"
    ) in text
    tests = ".venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest -q\n"
    assert f"\n{tests}" in text
    assert f"\n{tests}" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_links_resolve_to_files_of_the_repository():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:", t)]
    assert relative
    missing = [t for t in relative if t and not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"
    assert "SPEC.md" not in text


if __name__ == "__main__":
    sys.exit(regenerate(README, updated, sys.argv[1:]))
