"""The one way tests build fixture repositories and run the command line."""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from ssot_arch.cli import main

# The installed commands, for tests that need real processes (concurrency, hash seeds).
SSOT_ARCH = str(Path(sys.executable).with_name("ssot-arch"))
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
# The contract of the `fix` tests' fixtures: app.logs is the SSOT of `logging`, and
# `logging.getLogger` becomes its `get_logger`.
FIX_CONTRACT = ("--gateway", "app.logs", "--restricted", "logging")
FIX_REPLACE = ("--replace", "logging.getLogger=app.logs:get_logger")


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


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema `name` (`check-v1`, `report-v2` (and `report-v1`, of older
    reports), `baseline-v1`, `fix-v1`, `plan-v1`, `trend-v1`) as the installed package ships it
    (docs/spec.md)."""
    resource = importlib.resources.files("ssot_arch") / "schemas" / f"{name}.json"
    return json.loads(resource.read_text(encoding="utf-8"))


def closed(schema: Any) -> Any:
    """`schema` with every object that lists its keys closed to other keys.

    The shipped schemas leave objects open (keys may be added within a version); the
    suite validates with this closed copy, so that every key the tool writes is in them.
    """
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


@functools.cache
def schema_validator(name: str, strict: bool = True) -> jsonschema.Draft202012Validator:
    """A validator for the schema `name`; `strict`: closed to keys the schema lacks."""
    schema = load_schema(name)
    return jsonschema.Draft202012Validator(
        closed(schema) if strict else schema,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def validate_json(name: str, document: Any) -> None:
    """Fail the test, naming the key, when `document` does not match the schema `name`."""
    error = jsonschema.exceptions.best_match(schema_validator(name).iter_errors(document))
    if error is not None:
        raise AssertionError(
            f"output does not match ssot_arch/schemas/{name}.json at {error.json_path}: "
            f"{error.message}"
        )


def output_schema(args: tuple[str, ...]) -> str | None:
    """The schema of what `ssot-arch *args` prints: `check-v1` for `check --format
    json`, `report-v2`, `fix-v2`, `plan-v1`, `trend-v1`, `init-v1`, `graph-v1`, `trace-v1`
    likewise,
    else None."""
    commands = ("check", "report", "fix", "plan", "trend", "init", "graph", "trace")
    if not args or args[0] not in commands:
        return None
    output_format = None
    for n, arg in enumerate(args):
        if arg == "--format" and n + 1 < len(args):
            output_format = args[n + 1]
        elif arg.startswith("--format="):
            output_format = arg.partition("=")[2]
    version = 2 if args[0] in ("report", "fix") else 1
    return f"{args[0]}-v{version}" if output_format == "json" else None


def read_baseline_json(path: Path | str) -> dict[str, Any]:
    """The baseline file at `path`, parsed and validated against baseline-v1.json."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    validate_json("baseline-v1", data)
    return data


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    args: tuple[str, ...] = ()  # the command line (after `ssot-arch`)

    @property
    def json(self) -> dict:
        """stdout parsed; for `check`/`report`/`fix`/`plan --format json`, validated
        against its schema."""
        data = json.loads(self.stdout)
        schema = output_schema(self.args)
        if schema is not None:
            validate_json(schema, data)
        return data

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
    return Run(result.exit_code, result.stdout, result.stderr, tuple(args))


def check_json(repo: Path, *args: str) -> Run:
    return run_cli("check", str(repo), "--format", "json", *args)


def regenerate(document: Path, updated: Callable[[str], str], argv: list[str]) -> int:
    """`python -m tests.test_X --update`: rewrite `document`'s generated blocks in place."""
    if argv != ["--update"]:
        print(f"usage: python -m {updated.__module__} --update", file=sys.stderr)
        return 2
    text = document.read_text(encoding="utf-8")
    new = updated(text)
    if new != text:
        document.write_text(new, encoding="utf-8")
    print(f"{document.name}: {'rewritten' if new != text else 'unchanged'}")
    return 0


def html_report_data(page: str) -> dict[str, Any]:
    """The data an HTML report carries for its tables (its `ssot-data` script)."""
    start = page.index('<script type="application/json" id="ssot-data">')
    body = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def html_table(page: str, table_id: str) -> list[list[Any]]:
    """The rows of one of an HTML report's tables, module numbers read as names."""
    data = html_report_data(page)
    table = data["tables"][table_id]

    def cell(kind: str, value: Any) -> Any:
        if kind in ("module", "chain"):
            return data["modules"][value][0]
        if kind == "modules":
            return [data["modules"][v][0] for v in value]
        return value

    kinds = [column["type"] for column in table["columns"]]
    return [[cell(k, v) for k, v in zip(kinds, row, strict=True)] for row in table["rows"]]
