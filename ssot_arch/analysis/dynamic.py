"""Dynamic imports: calls that import a module named by a literal string.

`importlib.import_module("logging")` imports `logging` as surely as `import logging`,
but grimp, import-linter and ruff see only import statements. This module finds such
calls in a file's text, with `ast` (the text is parsed, never imported or run). A call
counts when all of this holds:

* Its callee is one of the import functions, reached by a name an import statement of
  the file binds: `importlib.import_module` (`import importlib`, `import importlib as
  il`, `import importlib.util`; `from importlib import import_module [as x]`),
  `importlib.__import__`, `builtins.__import__` (`import builtins [as b]`; `from
  builtins import __import__ [as x]`), or the builtin `__import__` itself.
* The name is a literal string: a string constant (implicit concatenation, `"lo"
  "gging"`, is one constant) or an f-string without placeholders. It is taken as
  written: Python normalises identifiers to NFKC, not the strings naming a module.
* The call would import before it could fail, as the function binds and checks its
  arguments: no `*args` or `**kwargs` (they could hold anything), no unknown or extra
  argument (TypeError), no empty name (ValueError).
* A relative name resolves as the function resolves it. `import_module(".x", "a.b")`
  needs a literal package (positional or `package=`); `__import__("x", globals(), None,
  (), 1)` (or `level=1`) resolves against the file's own package (`module` itself for a
  package, else its parent), which Python reads from the globals it is given, so the
  globals argument must be the call `globals()`, and the level a literal integer.

Calls count anywhere: at module level, in functions, classes, lambdas, under `if
TYPE_CHECKING:`, in `try`. Nothing else is guessed at: a name that is not a literal
(`import_module(name)`, `"lo" + "gging"`, `f"{x}"`), a relative name without a literal
package, `getattr(importlib, "import_module")`, the text of `exec`/`eval`, a reference
to an import function stored in a variable (`im = importlib.import_module`). This is a
gate: it must not invent violations, and every one it reports names its call.

Names are bound per file, not per scope: a name counts as an import function (or
module) when every binding of it in the file, at any scope, is the same recognised
import; any other binding of it (an assignment, a parameter, a `def`, another import,
`del`) makes it count as nothing, everywhere in the file. So `__import__` is the builtin
only while the file binds that name to nothing else (or only to `__import__` by `from
builtins import` or `from importlib import`), and `globals` likewise. Missed by this
simplification: the calls of a file that also binds the name elsewhere, for other uses.
Counted by it but not by Python: a call in a scope that does not see the binding (an
import in one function, the call in another), which raises NameError. Star imports
(`from x import *`) are taken to bind none of these names.

`may_import_dynamically` is the cheap test of a file's bytes that says which files to
parse at all: every counted call spells `import_module` or `__import__`, in the call or
in the import that binds its callee, as identifiers, which are searched as Python reads
them (decoded by the declared encoding, NFKC).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ssot_arch.analysis.source_text import one_line, segment, source_lines
from ssot_arch.analysis.text_filter import normalised
from ssot_arch.domain.model import DynamicImport

# The identifiers every counted call spells (see may_import_dynamically).
_NEEDLES = ("import_module", "__import__")
_BYTE_NEEDLES = tuple(needle.encode() for needle in _NEEDLES)

# What a name means when the file binds it to nothing: the builtins the analysis uses.
_BUILTINS = {"__import__": "builtins.__import__", "globals": "builtins.globals"}
# The modules whose import binds a name the analysis follows.
_MODULES = frozenset({"importlib", "builtins"})

# The parameters of the import functions, in order, as Python binds a call's arguments.
_IMPORT_MODULE_PARAMETERS = ("name", "package")
_DUNDER_IMPORT_PARAMETERS = ("name", "globals", "locals", "fromlist", "level")


def find_dynamic_imports(text: str, module: str, is_package: bool) -> list[DynamicImport]:
    """The dynamic imports in `text`, the source of `module` (a package's `__init__` when
    `is_package`), sorted; one per distinct line, module and call text.

    Raises what `ast.parse` raises for a file Python cannot compile, for the caller to
    list it: SyntaxError (ValueError, before Python 3.12, for a NUL byte), and
    RecursionError or MemoryError for code nested too deep.
    """
    calls, bindings = _calls_and_bindings(ast.parse(text))
    file = _File(module if is_package else module.rpartition(".")[0], bindings)
    found: set[DynamicImport] = set()
    lines: list[str] = []  # split when first needed
    for node in calls:
        imports = _IMPORT_FUNCTIONS.get(_meaning(node.func, file.bindings) or "")
        if imports is None:
            continue
        imported = imports(node, file)
        if imported is not None:
            lines = lines or source_lines(text)
            found.add(DynamicImport(module, node.lineno, imported, _call_text(lines, node)))
    return sorted(found)


def may_import_dynamically(data: bytes) -> bool:
    """Whether a file with these bytes could hold a dynamic import: its text, as Python
    decodes it and reads its identifiers, spells `import_module` or `__import__`.

    The test over-approximates (a comment or a string spelling one counts). A file whose
    encoding cannot be told (a malformed, unknown or non-text coding cookie, or bytes
    that are not UTF-8 in the first two lines, where a cookie could be) could: its
    decoding says why. Other bytes the encoding cannot decode are replaced, which cannot
    make a needle (and Python would not run the file).
    """
    if any(needle in data for needle in _BYTE_NEEDLES):
        return True  # whatever the encoding: at worst one more file is parsed
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding == "utf-8" and data.isascii():
            return False  # the bytes are the text, searched above
        text = data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):  # the encoding cannot be told
        return True
    text = normalised(text)
    return any(needle in text for needle in _NEEDLES)


@dataclass(frozen=True)
class _File:
    """What resolving a call needs to know of the file it is in."""

    package: str  # the file's own package ("" for a top-level module)
    bindings: Mapping[str, str | None]  # see _bindings


def _calls_and_bindings(tree: ast.Module) -> tuple[list[ast.Call], dict[str, str | None]]:
    """The file's calls whose callee is a name or an attribute of one, and each name the
    file binds -> the qualified name of what every one of its bindings binds it to (`il`
    -> `importlib`, `im` -> `importlib.import_module`), or None when a binding is no
    import of one of those, or they disagree.

    One walk over the tree, children listed inline (`ast.walk`'s generators cost most of
    the analysis of a large file); a `Name` that is read, by far the commonest node,
    binds nothing and is passed over at once.
    """
    calls: list[ast.Call] = []
    targets: defaultdict[str, set[str | None]] = defaultdict(set)
    pending: list[ast.AST] = [tree]
    load, name_type, call_type, ast_type = ast.Load, ast.Name, ast.Call, ast.AST
    while pending:
        node = pending.pop()
        kind = type(node)
        if kind is name_type:
            if type(node.ctx) is not load:  # type: ignore[attr-defined]
                targets[node.id].add(None)  # type: ignore[attr-defined]
            continue
        if kind is call_type and isinstance(node.func, (ast.Name, ast.Attribute)):  # type: ignore[attr-defined]
            calls.append(node)  # type: ignore[arg-type]
        for name, target in _bound_by(node):
            targets[name].add(target)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, ast_type))
            elif isinstance(value, ast_type):
                pending.append(value)
    bindings = {
        name: next(iter(bound)) if len(bound) == 1 else None for name, bound in targets.items()
    }
    return calls, bindings


def _bound_by(node: ast.AST) -> Iterator[tuple[str, str | None]]:
    """The names `node` binds, each with the qualified name of the module or function
    bound when the analysis follows it, else None."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:  # `import a.b as x` binds x to a.b
                yield alias.asname, alias.name if alias.name in _MODULES else None
            else:  # `import a.b` binds a to a
                top = alias.name.partition(".")[0]
                yield top, top if top in _MODULES else None
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            if alias.name == "*":
                continue
            target = f"{node.module}.{alias.name}"
            followed = node.level == 0 and target in _FOLLOWED
            yield alias.asname or alias.name, target if followed else None
    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        yield node.id, None  # assignment targets of every kind, `del`
    elif isinstance(node, ast.arg):
        yield node.arg, None
    elif isinstance(node, ast.MatchMapping) and node.rest is not None:
        yield node.rest, None
    elif not isinstance(node, ast.alias):
        # `def`, `class`, `except ... as`, match captures, type parameters (3.12): every
        # other node with a `name` binds it (an import's alias is read above).
        name = getattr(node, "name", None)
        if isinstance(name, str):
            yield name, None


def _meaning(expr: ast.expr, bindings: Mapping[str, str | None]) -> str | None:
    """The qualified name `expr` refers to (`il.import_module` ->
    `importlib.import_module`), when it is a name or an attribute of one the analysis
    follows; else None."""
    if isinstance(expr, ast.Name):
        return bindings[expr.id] if expr.id in bindings else _BUILTINS.get(expr.id)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        base = _meaning(expr.value, bindings)
        return f"{base}.{expr.attr}" if base in _MODULES else None
    return None


def _arguments(call: ast.Call, parameters: tuple[str, ...]) -> dict[str, ast.expr] | None:
    """The call's arguments by parameter, bound as Python binds them; None when it
    unpacks arguments (`*a`, `**k`), which could hold anything, or would raise TypeError
    (too many, an unknown keyword, a parameter given twice)."""
    if len(call.args) > len(parameters) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    bound = dict(zip(parameters, call.args, strict=False))  # fewer arguments than parameters
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg not in parameters or keyword.arg in bound:
            return None
        bound[keyword.arg] = keyword.value
    return bound


def _literal_string(expr: ast.expr | None) -> str | None:
    """The value of a string constant or an f-string without placeholders; else None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        # The parts outside placeholders are string constants.
        constants = [str(value.value) for value in expr.values if isinstance(value, ast.Constant)]
        if len(constants) == len(expr.values):  # no placeholder
            return "".join(constants)
    return None


def _literal_int(expr: ast.expr) -> int | None:
    """The value of an integer constant (a bool too: Python takes it as one); else None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    return None


def _resolve(name: str, package: str, level: int) -> str | None:
    """The absolute name of `name` imported relatively at `level` from `package`, as
    importlib resolves it (`importlib._bootstrap._resolve_name`); None beyond the top."""
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None  # ImportError: attempted relative import beyond top-level package
    return f"{bits[0]}.{name}" if name else bits[0]


def _import_module(call: ast.Call, file: _File) -> str | None:
    """What `importlib.import_module(name, package=None)` imports.

    A relative name resolves against the `package` argument, which must be a literal;
    the file's own package does not matter.
    """
    arguments = _arguments(call, _IMPORT_MODULE_PARAMETERS)
    if arguments is None:
        return None
    name = _literal_string(arguments.get("name"))
    if not name:
        return None  # not a literal; or ValueError: Empty module name
    level = len(name) - len(name.lstrip("."))
    if level == 0:
        return name
    package = _literal_string(arguments.get("package"))
    if not package:
        return None  # not a literal; or TypeError: a relative name needs a package
    return _resolve(name[level:], package, level)


def _dunder_import(call: ast.Call, file: _File) -> str | None:
    """What `__import__(name, globals=None, locals=None, fromlist=(), level=0)` imports:
    `name` itself (`a.b` for `__import__("a.b")`, which returns `a`).

    At a level above 0 the name is relative to the package of `globals`, which must be
    the file's own: the call `globals()`.
    """
    arguments = _arguments(call, _DUNDER_IMPORT_PARAMETERS)
    if arguments is None:
        return None
    name = _literal_string(arguments.get("name"))
    level_argument = arguments.get("level")
    level = 0 if level_argument is None else _literal_int(level_argument)
    if name is None or level is None or level < 0:  # not literals; or ValueError
        return None
    if level == 0:
        # A leading dot makes an empty parent name, as does an empty name: ValueError.
        return name if name and not name.startswith(".") else None
    if not file.package or not _is_globals_call(arguments.get("globals"), file.bindings):
        return None  # no known parent package, or not the file's globals
    return _resolve(name, file.package, level)


def _is_globals_call(expr: ast.expr | None, bindings: Mapping[str, str | None]) -> bool:
    return (
        isinstance(expr, ast.Call)
        and not expr.args
        and not expr.keywords
        and _meaning(expr.func, bindings) == "builtins.globals"
    )


_ImportFunction = Callable[[ast.Call, _File], "str | None"]

# The import functions by qualified name: what a call of each imports, if it is known.
_IMPORT_FUNCTIONS: dict[str, _ImportFunction] = {
    "importlib.import_module": _import_module,
    "importlib.__import__": _dunder_import,
    "builtins.__import__": _dunder_import,
}
# The names `from M import name` binds that the analysis follows.
_FOLLOWED = frozenset(_IMPORT_FUNCTIONS) | {"builtins.globals"}


def _call_text(lines: list[str], call: ast.Call) -> str:
    """The call's source text on one line, cut at MAX_QUOTE characters."""
    return one_line(segment(lines, call))
