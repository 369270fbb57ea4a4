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
from collections.abc import Iterator


def import_time_lines(text: str) -> frozenset[int] | None:
    """The first lines of the import statements of `text` that run when the module is
    imported; None when the text does not parse here (every import then counts)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return frozenset(
        node.lineno
        for node, runs in statements(tree)
        if runs and isinstance(node, (ast.Import, ast.ImportFrom))
    )


def statements(tree: ast.Module) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement of the module, at any depth, with whether it runs when the module
    is imported: a function's body runs when called, `if TYPE_CHECKING:` never (its
    `else` does), class bodies and the blocks of if/try/with/loops/match as they are
    reached."""
    pending: list[tuple[list[ast.stmt], bool]] = [(tree.body, True)]
    while pending:
        body, runs = pending.pop()
        for node in body:
            yield node, runs
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                pending.append((node.body, False))
            elif isinstance(node, ast.If) and type_checking_test(node.test) is not None:
                checking = type_checking_test(node.test)
                pending.append((node.body, runs and not checking))
                pending.append((node.orelse, runs and bool(checking)))
            else:
                for name in ("body", "orelse", "finalbody"):
                    block = getattr(node, name, None)
                    if isinstance(block, list):
                        pending.append((block, runs))
                for part in [*getattr(node, "handlers", ()), *getattr(node, "cases", ())]:
                    pending.append((part.body, runs))


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
