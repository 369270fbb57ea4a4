"""Which import statements of a module run when the module is imported.

An import in the module body or a class body runs on import, at any depth of `if`,
`try`, `with` and loops; one in a function body runs when the function is called, and
one under `if TYPE_CHECKING:` never runs. `fix` needs the difference: a new module-level
import of the SSOT is safe only if the SSOT does not reach the module back through
imports that run on import (a cycle that raises "partially initialized module"), and
the monorepos it serves break many cycles with function-level imports, which must not
count. Read with the standard library's `ast`: nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

# Statements whose blocks run when they are reached at import time.
_BLOCK_FIELDS = ("body", "orelse", "finalbody")


def import_time_lines(text: str) -> frozenset[int] | None:
    """The first lines of the import statements of `text` that run when the module is
    imported; None when the text does not parse here (every import then counts)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines: set[int] = set()
    pending: list[Iterable[ast.stmt]] = [tree.body]
    while pending:
        for node in pending.pop():
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.add(node.lineno)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue  # runs when called
            elif isinstance(node, ast.ClassDef):
                pending.append(node.body)
            elif isinstance(node, ast.If) and type_checking_test(node.test) is not None:
                # `if TYPE_CHECKING:` runs its else; `if not TYPE_CHECKING:` its body.
                pending.append(node.orelse if type_checking_test(node.test) else node.body)
            else:
                for name in _BLOCK_FIELDS:
                    block = getattr(node, name, None)
                    if isinstance(block, list):
                        pending.append(block)
                for handler in getattr(node, "handlers", ()):
                    pending.append(handler.body)
                for case in getattr(node, "cases", ()):
                    pending.append(case.body)
    return frozenset(lines)


def type_checking_test(test: ast.expr) -> bool | None:
    """True for `TYPE_CHECKING` (or `typing.TYPE_CHECKING`), False for its negation,
    None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = type_checking_test(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return True
    if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
        return True
    return None
