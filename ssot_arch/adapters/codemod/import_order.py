"""Keep a sorted import block sorted after a rewrite.

The rewrite puts the SSOT's import where the restricted one stood: `import logging`
among the standard library's imports becomes `from app.logs import get_logger` there,
and a file that `ruff check --select I` (isort) found sorted now is not. When the
module's first import block was sorted as isort sorts by default (ruff's rules: the
sections future, standard library, third party, first party — the analysed roots —,
local, one blank line apart; in each, `import x` lines before `from x import y`, by
module name without case; the names of a `from` import constants, classes, then the
rest; a `from` import that does not fit in 88 characters, or ends with a magic trailing
comma, one name a line in parentheses), the rewritten block is written sorted the same
way; any block this module cannot read as such (comments in it, a backslash
continuation, `import a, b`, a star import) keeps the new import where the old one
stood, as before.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)
MAX_LINE = 88  # isort's and ruff's default line length: a longer import gets wrapped
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class _Statement:
    section: int
    straight: bool  # `import x` (or `import x as y`), not `from x import ...`
    module: str
    names: tuple[tuple[str, str | None], ...]  # a `from` import's (name, alias)
    level: int
    vertical: bool = False  # a `from` import written with a magic trailing comma


def _section(module: str, level: int, first_party: Collection[str]) -> int:
    top = module.split(".")[0]
    if level:
        return LOCAL
    if module == "__future__":
        return FUTURE
    if top in first_party:
        return FIRST_PARTY
    if top in sys.stdlib_module_names:
        return STDLIB
    return THIRD_PARTY


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order, as isort's: `b2` before `b10`."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text))


def _member_key(name: str, alias: str | None) -> tuple[object, ...]:
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, _natural(name.lower()), _natural(name), alias or "")


def _text(statement: _Statement) -> str:
    def named(name: str, alias: str | None) -> str:
        return f"{name} as {alias}" if alias else name

    if statement.straight:
        ((name, alias),) = statement.names
        return f"import {named(name, alias)}"
    names = [named(n, a) for n, a in sorted(statement.names, key=lambda i: _member_key(*i))]
    source = "." * statement.level + statement.module
    line = f"from {source} import {', '.join(names)}"
    if not statement.vertical and len(line) <= MAX_LINE:
        return line
    # What does not fit, or keeps its magic trailing comma: one name a line.
    return "\n".join([f"from {source} import (", *(f"    {n}," for n in names), ")"])


def _key(statement: _Statement) -> tuple[object, ...]:
    first = statement.names[0] if statement.names else ("", None)
    return (
        statement.section,
        not statement.straight,
        -statement.level,
        _natural(statement.module.lower()),
        _natural(statement.module),
        _member_key(*first) if not statement.straight else (),
        first[1] or "",
    )


def _block(text: str, first_party: Collection[str]) -> tuple[int, int, list[_Statement]] | None:
    """The module's first import block, `(first line, last line, statements)`, when
    every statement in it is plain (no comment, no backslash continuation, no star,
    `import` of one module); None otherwise."""
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    start = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        start = 1  # the docstring
    statements: list[_Statement] = []
    first = last = 0
    lines = text.splitlines(keepends=True)
    for node in body[start:]:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        written = "".join(lines[node.lineno - 1 : node.end_lineno])  # its whole lines
        if "#" in written or "\\" in written:
            return None  # a comment or a continuation line inside the statement
        if isinstance(node, ast.Import):
            if len(node.names) != 1:
                return None
            alias = node.names[0]
            statement = _Statement(
                _section(alias.name, 0, first_party),
                True,
                alias.name,
                ((alias.name, alias.asname),),
                0,
            )
        else:
            if any(a.name == "*" for a in node.names):
                return None
            module = node.module or ""
            statement = _Statement(
                _section(module, node.level, first_party),
                False,
                module,
                tuple((a.name, a.asname) for a in node.names),
                node.level,
                vertical=re.search(r",\s*\)\s*;?\s*$", written) is not None,
            )
        statements.append(statement)
        first = first or node.lineno
        last = node.end_lineno or node.lineno
    merged = [(s.straight, s.level, s.module, s.names if s.straight else ()) for s in statements]
    if len(set(merged)) != len(merged):
        return None  # two imports isort would merge into one
    return (first, last, statements) if statements else None


def _canonical(statements: list[_Statement]) -> list[str]:
    lines: list[str] = []
    ordered = sorted(statements, key=_key)
    for n, statement in enumerate(ordered):
        if n and statement.section != ordered[n - 1].section:
            lines.append("")
        lines.extend(_text(statement).split("\n"))
    return lines


def sorted_as_before(before: str, after: str, first_party: Collection[str]) -> str:
    """`after` (the rewrite of `before`) with its first import block sorted, when
    `before`'s was; `after` unchanged otherwise."""
    old = _block(before, first_party)
    if old is None:
        return after
    first, last, statements = old
    old_lines = before.splitlines()[first - 1 : last]
    if old_lines != _canonical(statements):
        return after
    new = _block(after, first_party)
    if new is None:
        return after
    new_first, new_last, new_statements = new
    sorted_lines = _canonical(new_statements)
    if any(len(line) > MAX_LINE for line in sorted_lines):
        return after
    lines = after.splitlines(keepends=True)
    block = lines[new_first - 1 : new_last]
    if any(line.lstrip().startswith("#") for line in block) or any("#" in line for line in block):
        return after
    ending = "\r\n" if block[-1].endswith("\r\n") else "\n"
    replaced = "".join(line + ending if line else ending for line in sorted_lines)
    return "".join(lines[: new_first - 1]) + replaced + "".join(lines[new_last:])
