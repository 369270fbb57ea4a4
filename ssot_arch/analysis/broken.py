"""Broken imports: import statements naming a first-party module that does not exist.

grimp's scanner, as ssot-arch drives it, records an import of a first-party module that
does not exist (`from app.db.gone import x`, `from .missing import y`) as an import of
the importer's root (`app`): the same record as a legitimate `from app import name`,
where `name` is defined in `app/__init__.py`. Only the statement itself tells them
apart, so this module reads it from the file's text, with `ast` (the text is parsed,
never imported or run).

Rules
-----
* An *existing module* is one the caller says exists: a `.py` file, a package or
  namespace folder, a compiled extension or its sources and stubs. The set is taken to
  hold every ancestor of what it holds (a module's folders are packages or namespace
  packages), as the caller's module universe does.
* A statement is *first-party* when the top-level name of the module it names is one of
  the roots; any other (`os`, `__future__`) is external and never broken.
* The module a statement *needs* is, for `import a.b.c` (or `import a.b.c as x`), the
  whole name `a.b.c`; each name of `import a, b.c` is a need of its own. For `from a.b
  import c` it is `a.b`, the module before `import`: when it exists, `c` may be an
  attribute defined in `a/b/__init__.py`, which only running it could tell, so the
  statement is not broken even if `a.b.c` is no module.
* A relative import resolves as Python resolves it, against the importer's package (the
  importer itself when it is a package, else its parent): `from ..x import y` in
  `a.b.c` (a module) needs `a.x`; `from . import y` needs the importer's own package,
  which exists. A relative import climbing above its root (or any relative import in a
  top-level module) names no module: it is skipped, as the caller lists those as
  unresolved imports.
* A statement is *broken* when a module it needs does not exist. It is reported with
  `name`, the module it needs (the whole written name, resolved when relative), and
  `ancestor`, the nearest existing ancestor of that name: the deepest module Python
  imports (running its `__init__.py`) before it raises `ModuleNotFoundError`, and
  the one whose missing child is the first missing name (`ancestor` plus the next
  component of `name`). `ancestor` is None when not even the top-level name exists
  (which cannot happen for a root, but the function is total).
* A statement's line is the one it starts on, as the scanner records it: the line of
  `from a import (` for a parenthesised one, or of `x = 1; import a`. Its text drops
  comments and backslash continuations and makes whitespace runs one space.

Guards
------
A broken import is reported even when guarded, with `guarded` set. A statement is
*guarded* when Python would catch the `ModuleNotFoundError` it raises where it stands:

* It sits in the body of a `try` (or `try`/`except*`) statement one of whose handlers
  catches it: a bare `except:`, or a handler whose type is `ImportError`,
  `ModuleNotFoundError`, `Exception` or `BaseException`, spelt as a name or as an
  attribute of `builtins` (`builtins.ImportError`), or a tuple holding one of those
  (Python rejects nested tuples in `except`, so they are not looked into). Only the
  `try` body is guarded: not the handlers, the `else:` or the `finally:` clauses.
* Or it sits in the body of a `with` statement one of whose items is a call of
  `contextlib.suppress` with one of those exception types among its positional
  arguments (tuples, which `suppress` accepts, are looked into). The callee is spelt
  `suppress` or `contextlib.suppress`, or an alias an import of the file binds (`from
  contextlib import suppress as s`, `import contextlib as cl`). Not `async with`:
  `suppress` is no asynchronous context manager (TypeError before the body runs).
* The guard may enclose the statement at any depth (an `if`, a loop, another `try`, a
  class body, which runs where it stands), but not across a function definition: the
  body of a nested `def` runs later, outside the `try` around the definition.

Names are taken as Python's own: a file rebinding `ImportError` or `suppress` is not
followed, and a handler's body is not read (`except ImportError: raise` guards).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias, cast

from ssot_arch.analysis.source_text import one_line, segment, source_lines
from ssot_arch.domain.model import BrokenImport, ImportRecord

# The exception types whose handlers catch the ModuleNotFoundError of a broken import.
_CATCHING = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})

# `try` statements: `except*` (Python 3.11+) catches a broken import as `except` does.
_TRY_TYPES: tuple[type[ast.stmt], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))
_FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
# The nodes whose children can be statements (import statements are never expressions).
_STATEMENT_HOLDERS = (ast.stmt, ast.excepthandler, ast.match_case)

# What the statement text drops before its whitespace is collapsed: comments (inside
# parentheses) and backslash continuations. An import statement holds no string.
_NOISE = re.compile(r"#[^\r\n]*|\\(?:\r\n|\r|\n)")


Exists: TypeAlias = Callable[[str], bool] | Collection[str]


def nearest_existing(name: str, exists: Exists) -> str | None:
    """`name` itself if it exists, else its nearest existing ancestor; None when not even
    its top-level name exists."""
    lookup = _lookup(exists)
    candidate = name
    while candidate:
        if lookup(candidate):
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


def find_broken_imports(
    text: str,
    importer: str,
    is_package: bool,
    roots: Collection[str],
    exists: Exists,
    lines: Collection[int] | None = None,
) -> list[BrokenImport]:
    """The broken imports in `text`, the source of `importer` (a package's `__init__`
    when `is_package`), sorted; one per distinct statement line, text and name.

    `exists` says which first-party modules exist (a predicate or a collection of
    dotted names). With `lines`, only the statements starting on one of those lines
    are considered (the caller's suspicious records), else every import statement of
    the file, at any scope.

    Raises what `ast.parse` raises for a file Python cannot compile, for the caller to
    decide: SyntaxError (ValueError, before Python 3.12, for a NUL byte), and
    RecursionError or MemoryError for code nested too deep.
    """
    # Only the top-level statements up to the last wanted line matter (see `_head`).
    tree = _head(text, max(lines)) if lines and "suppress" not in text else ast.parse(text)
    lookup = _lookup(exists)
    first_party = frozenset(roots) - {"__future__"}  # never a module of the tree
    wanted = None if lines is None else frozenset(lines)
    package = importer if is_package else importer.rpartition(".")[0]
    # No `with` can call `suppress` in a text that never spells it, not even an alias's.
    suppressors = _Suppressors.of(tree) if "suppress" in text else None
    found: set[BrokenImport] = set()
    text_lines: list[str] | None = None  # split when first needed
    for node, guarded in _statements(tree, suppressors, None if wanted is None else sorted(wanted)):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if wanted is not None and node.lineno not in wanted:
            continue
        statement: str | None = None
        for name in _needed(node, package):
            if name.partition(".")[0] not in first_party or lookup(name):
                continue
            if text_lines is None:
                text_lines = source_lines(text)
            statement = statement or _statement_text(text_lines, node)
            parent = name.rpartition(".")[0]
            ancestor = nearest_existing(parent, lookup) if parent else None
            found.add(BrokenImport(importer, node.lineno, statement, name, ancestor, guarded))
    return sorted(found)


# A line that starts a top-level statement: at column 0, and no clause of the one before.
_TOP_LEVEL = re.compile(r"(?!(?:except|else|elif|finally)\b)[^\s#]")


def _head(text: str, last: int) -> ast.Module:
    """The tree of `text` up to the end of the top-level statement holding line `last`:
    imports sit near the top, and parsing a large file whole costs most of the search.

    The text is cut before the next line that starts a top-level statement (column 0,
    neither a comment nor an `except`/`else`/`elif`/`finally` clause, which would
    continue a statement): the statements up to there are whole, and read as in the
    whole file. A cut that is no such boundary after all (a line of a string at column
    0) does not parse; the next one is tried, and in the end the whole text.
    """
    lines = source_lines(text)
    tries = 3  # then the whole text: a file of many string lines at column 0
    for end in range(last, len(lines)):
        if tries and _TOP_LEVEL.match(lines[end]):
            try:
                return ast.parse("\n".join(lines[:end]))
            except SyntaxError:
                tries -= 1
    return ast.parse(text)


def _lookup(exists: Exists) -> Callable[[str], bool]:
    if callable(exists):
        return exists
    return exists.__contains__


def _needed(node: ast.Import | ast.ImportFrom, package: str) -> Iterator[str]:
    """The absolute names of the modules `node` needs; none for a relative import that
    names no module (beyond the top, or without a parent package)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if node.level == 0:
        if node.module:  # always, for `ast.parse`: `from import x` is no syntax
            yield node.module
        return
    resolved = _resolve(node.module or "", package, node.level)
    if resolved is not None:
        yield resolved


def _resolve(name: str, package: str, level: int) -> str | None:
    """The absolute name of `name` imported relatively at `level` from `package`, as
    importlib resolves it (`importlib._bootstrap._resolve_name`); None beyond the top
    or without a package (ImportError)."""
    if not package:
        return None  # ImportError: attempted relative import with no known parent package
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None  # ImportError: attempted relative import beyond top-level package
    return f"{bits[0]}.{name}" if name else bits[0]


def _statement_text(lines: list[str], node: ast.stmt) -> str:
    """The statement's source text on one line, without its comments and continuations."""
    return one_line(_NOISE.sub(" ", segment(lines, node)))


@dataclass(frozen=True)
class _Suppressors:
    """The names by which the file can call `contextlib.suppress`."""

    functions: frozenset[str]  # `suppress`, and aliases of `from contextlib import suppress`
    modules: frozenset[str]  # `contextlib`, and aliases of `import contextlib`

    @classmethod
    def of(cls, tree: ast.Module) -> _Suppressors:
        functions, modules = {"suppress"}, {"contextlib"}
        for node, _ in _statements(tree, None):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                if node.module == "contextlib":
                    functions.update(a.asname or a.name for a in node.names if a.name == "suppress")
            elif isinstance(node, ast.Import):
                modules.update(a.asname for a in node.names if a.name == "contextlib" and a.asname)
        return cls(frozenset(functions), frozenset(modules))

    def suppresses(self, item: ast.withitem) -> bool:
        """Whether the `with` item is a `suppress(...)` call that catches a broken import."""
        call = item.context_expr
        if not isinstance(call, ast.Call):
            return False
        func = call.func
        is_suppress = (isinstance(func, ast.Name) and func.id in self.functions) or (
            isinstance(func, ast.Attribute)
            and func.attr == "suppress"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.modules
        )
        return is_suppress and any(_catching(arg, nested=True) for arg in call.args)


def _catching(expr: ast.expr, nested: bool) -> bool:
    """Whether the exception type `expr` catches a ModuleNotFoundError: one of _CATCHING,
    as a name or an attribute of `builtins`, or a tuple holding one (tuples within
    tuples too when `nested`: `suppress` accepts them, `except` does not)."""
    if isinstance(expr, ast.Name):
        return expr.id in _CATCHING
    if isinstance(expr, ast.Attribute):
        return (
            expr.attr in _CATCHING
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "builtins"
        )
    if isinstance(expr, ast.Tuple):
        elts = [elt for elt in expr.elts if nested or not isinstance(elt, ast.Tuple)]
        return any(_catching(elt, nested) for elt in elts)
    return False


def _handles(handler: ast.excepthandler) -> bool:
    """Whether the `except` clause catches a broken import's ModuleNotFoundError."""
    assert isinstance(handler, ast.ExceptHandler)  # the only kind of excepthandler
    return handler.type is None or _catching(handler.type, nested=False)


def _statements(
    tree: ast.Module, suppressors: _Suppressors | None, lines: Sequence[int] | None = None
) -> Iterator[tuple[ast.AST, bool]]:
    """Every statement of the file (and every `except` clause and `case`), each with
    whether it is guarded (by a `with` only when `suppressors` are given); iteratively,
    so that deep nesting cannot exhaust the stack. Expressions are not entered: no
    import statement is in one. With `lines` (sorted), only the statements whose lines
    hold one of them (and what encloses those)."""
    stack: list[tuple[ast.AST, bool]] = [(child, False) for child in reversed(tree.body)]
    while stack:
        node, guarded = stack.pop()
        if lines is not None and not _spans_one_of(node, lines):
            continue
        yield node, guarded
        children: list[tuple[ast.AST, bool]] = []
        if isinstance(node, _FUNCTION_TYPES):
            children = [(child, False) for child in node.body]  # runs later, unguarded
        elif isinstance(node, _TRY_TYPES):
            node = cast(ast.Try, node)  # TryStar has the same fields
            in_body = guarded or any(_handles(h) for h in node.handlers)
            children = [(child, in_body) for child in node.body]
            children += [(h, guarded) for h in node.handlers]
            children += [(child, guarded) for child in (*node.orelse, *node.finalbody)]
        elif isinstance(node, ast.With):  # `suppress` has no `async with`: TypeError
            in_body = guarded or (
                suppressors is not None and any(map(suppressors.suppresses, node.items))
            )
            children = [(child, in_body) for child in node.body]
        else:
            children = [
                (child, guarded)
                for child in ast.iter_child_nodes(node)
                if isinstance(child, _STATEMENT_HOLDERS)
            ]
        stack.extend(reversed(children))


def _spans_one_of(node: ast.AST, lines: Sequence[int]) -> bool:
    """Whether one of `lines` (sorted) lies within the node's lines."""
    first = getattr(node, "lineno", None)
    if first is None:
        return True  # (every statement has a position)
    last = getattr(node, "end_lineno", None) or first
    index = bisect.bisect_left(lines, first)
    return index < len(lines) and lines[index] <= last


# The scanner's records of broken imports look like others (see the module docstring),
# so each record's line is read first as text: `from .x import` and `import a.b as c, d`
# on a line of their own. What these cannot read is read with `ast`.
_FROM = re.compile(r"from[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import\b")
_IMPORT = re.compile(r"import[ \t]+([\w. \t,]+?)[ \t]*(?:#.*)?")
_ALIAS = re.compile(r"([A-Za-z_][\w.]*)(?:[ \t]+as[ \t]+\w+)?")


def may_be_broken(
    line_contents: str, importer: str, is_package: bool, roots: Collection[str], exists: Exists
) -> bool:
    """Whether the statement starting on this line (as the scanner quotes it) might need
    a first-party module that does not exist: False only when its text plainly names
    modules that all exist or are not first-party. `find_broken_imports` decides."""
    text = line_contents.strip()
    if not text.isascii():
        return True  # identifiers are read after NFKC: leave it to `ast`
    lookup = _lookup(exists)
    first_party = frozenset(roots) - {"__future__"}
    found = _FROM.match(text)
    if found is not None:
        dots, name = found.group(1), found.group(2) or ""
        if dots:
            package = importer if is_package else importer.rpartition(".")[0]
            resolved = _resolve(name, package, len(dots))
            return resolved is not None and not lookup(resolved)
        return name.partition(".")[0] in first_party and not lookup(name)
    found = _IMPORT.fullmatch(text)
    if found is None:
        return True
    for part in found.group(1).split(","):
        alias = _ALIAS.fullmatch(part.strip())
        if alias is None:
            return True
        name = alias.group(1)
        if name.partition(".")[0] in first_party and not lookup(name):
            return True
    return False


def reroute(records: Iterable[ImportRecord], broken: Iterable[BrokenImport]) -> list[ImportRecord]:
    """The import records with each broken import's made an import of its nearest
    existing ancestor, which Python runs before it raises (docs/spec.md: "Broken
    import"): the scanner records the importer's root, or an ancestor, for it."""
    at: dict[tuple[str, int], list[tuple[str, str]]] = {}  # -> (name, ancestor)
    for b in broken:
        if b.ancestor is not None:
            at.setdefault((b.importer, b.line), []).append((b.name, b.ancestor))
    if not at:
        return list(records)
    rerouted: dict[ImportRecord, None] = {}  # in order, once each
    for record in records:
        for name, ancestor in at.get((record.importer, record.line), ()):
            if name.startswith(record.imported + ".") and ancestor != record.imported:
                record = record._replace(imported=ancestor)
                break
        rerouted[record] = None
    return list(rerouted)
