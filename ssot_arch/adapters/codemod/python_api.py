"""Read what a replacement offers from its source, and how a rewritten module uses it.

`fix` proves that a rewrite keeps working: every use of the new name must be supported
by the replacement (analysis/api_check.py). The replacement is read here with the
standard library's `ast`, never imported: a function's signature and return
annotation, an instance's class (`central_logger = UnifiedLogger()`), its methods, class
attributes and `self.x = ...` assignments, and its bases, followed through aliases
(`get_logger = get_central_logger`) and re-exports (`from .core import logger`) while
they lead to first-party modules or to the standard library (whose source is read the
same way: `logging.Logger`'s API is its source's). Anything else is *not known*, and a
rewrite that depends on it is unsafe, never safe.
"""

from __future__ import annotations

import ast
import bisect
import importlib.util
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ssot_arch.adapters.codemod.import_time import statements
from ssot_arch.adapters.filesystem.reading import NotReadable, read_source
from ssot_arch.domain.api import (
    ATTRIBUTE,
    CLASS,
    FUNCTION,
    INSTANCE,
    METHOD,
    CallShape,
    ClassApi,
    Member,
    NameUse,
    ReplacementApi,
    Signature,
)

# A module's source and whether it is a package, or None when it is not first-party.
SourceOf = Callable[[str], "tuple[str, bool] | None"]

# What the standard library's functions return, where their source does not say.
_STDLIB_RETURNS = {"logging.getLogger": "logging.Logger", "logging.getLoggerClass": None}
_LOGGER = "logging.Logger"
_NEUTRAL_BASES = {"object", "typing.Generic", "typing.Protocol", "abc.ABC"}
_MAX_DEPTH = 20  # aliases and bases followed; deeper is not known
_NEWLINE = re.compile(r"\r\n?|\n")


class NameMissing(Exception):
    """The replacement's NAME is not defined in its module (a misspelling, or the wrong
    module): the message says which."""


@dataclass
class _Module:
    name: str
    tree: ast.Module
    is_package: bool

    def bindings(self, name: str) -> list[ast.stmt]:
        """The statements of the module's body (at any depth of if/try/with) that bind
        `name`."""
        return [node for node in _top_level(self.tree.body) if name in _bound_by(node)]

    def open_names(self) -> bool:
        """Whether names may come from elsewhere: a star import, a `__getattr__`."""
        return any(
            (isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names))
            or (isinstance(node, ast.FunctionDef) and node.name == "__getattr__")
            for node in _top_level(self.tree.body)
        )

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        parts = self.name.split(".")
        base = parts if self.is_package else parts[:-1]
        base = base[: len(base) - node.level + 1]
        return ".".join([*base, *([node.module] if node.module else [])])


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run in a module body: its own, and those of its if, try and
    with blocks (not of its functions and classes)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith)):
            for block in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def _bound_by(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def signature_of(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> Signature:
    """The parameters of `function`, its first dropped for a method (self, cls)."""
    arguments = function.args
    positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    positional_only = len(arguments.posonlyargs)
    if method and positional:
        positional = positional[1:]
        positional_only = max(0, positional_only - 1)
    return Signature(
        positional=tuple(positional),
        positional_only=positional_only,
        defaults=min(len(arguments.defaults), len(positional)),
        keyword_only=tuple(a.arg for a in arguments.kwonlyargs),
        keyword_defaults=frozenset(
            a.arg
            for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
            if d is not None
        ),
        var_positional=arguments.vararg is not None,
        var_keyword=arguments.kwarg is not None,
    )


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    return [ast.unparse(d) for d in node.decorator_list]


class ApiReader:
    """Resolves replacements; each module is parsed once."""

    def __init__(self, first_party: SourceOf):
        self._first_party = first_party
        self._modules: dict[str, _Module | None] = {}
        self._classes: dict[str, ClassApi] = {}
        self._building: set[str] = set()  # classes being read (a base cycle ends there)

    # ------------------------------------------------------------------ modules

    def _module(self, name: str) -> _Module | None:
        if name not in self._modules:
            self._modules[name] = self._load(name)
        return self._modules[name]

    def _load(self, name: str) -> _Module | None:
        found = self._first_party(name)
        if found is None and name.split(".")[0] in sys.stdlib_module_names:
            found = _stdlib_source(name)
        if found is None:
            return None
        try:
            return _Module(name, ast.parse(found[0]), found[1])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    # ------------------------------------------------------------------ replacements

    def replacement(self, module: str, name: str) -> ReplacementApi:
        """What `module:name` is. Raises NameMissing when the module, read, does not
        define the name at all."""
        shown = f"{module}:{name}"
        found = self._module(module)
        if found is None:
            return ReplacementApi(shown, None, unknown=f"{module} is not read")
        if not found.bindings(name) and not found.open_names():
            raise NameMissing(f"{module} defines no {name!r}")
        return self._resolve(found, name, shown, 0)

    def _resolve(self, module: _Module, name: str, shown: str, depth: int) -> ReplacementApi:
        def unknown(why: str) -> ReplacementApi:
            return ReplacementApi(shown, None, unknown=why)

        if depth > _MAX_DEPTH:
            return unknown("too many aliases to follow")
        bindings = module.bindings(name)
        where = f"{module.name}.{name}"
        if len(bindings) != 1:
            return unknown(
                f"{where} is bound {len(bindings)} times (which one runs is not known)"
                if bindings
                else f"{where} may come from a star import or __getattr__"
            )
        (node,) = bindings
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if _decorators(node):
                return unknown(f"{where} is decorated ({', '.join(_decorators(node))})")
            return ReplacementApi(
                shown, FUNCTION, signature_of(node, False), returns=self._returns(module, node)
            )
        if isinstance(node, ast.ClassDef):
            api = self._class(module, node, depth)
            init = api.members.get("__init__")
            return ReplacementApi(
                shown, CLASS, init.signature if init else Signature(), returns=api
            )
        if isinstance(node, ast.ImportFrom):
            alias = next(a for a in node.names if (a.asname or a.name) == name)
            source = self._module(module.absolute(node))
            if source is None:
                origin = module.absolute(node)
                return ReplacementApi(
                    shown,
                    None,
                    unknown=f"{where} is imported from {origin}, not read",
                    same_as=f"{origin}.{alias.name}" if not node.level else None,
                )
            return self._resolve(source, alias.name, shown, depth + 1)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            value = node.value
            if isinstance(value, (ast.Name, ast.Attribute)):
                return self._resolve_expression(module, value, shown, depth + 1)
            if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
                called = self._resolve_expression(module, value.func, shown, depth + 1)
                if called.kind in (CLASS, FUNCTION) and called.returns is not None:
                    return ReplacementApi(shown, INSTANCE, instance=called.returns)
                why = called.unknown or f"what {ast.unparse(value.func)}() returns is not known"
                return unknown(why)
        return unknown(f"{where} is bound by `{ast.unparse(node)[:80]}`")

    def _resolve_expression(
        self, module: _Module, expression: ast.expr, shown: str, depth: int
    ) -> ReplacementApi:
        """What a name or dotted name of `module`'s namespace refers to."""
        if isinstance(expression, ast.Name):
            return self._resolve(module, expression.id, shown, depth)
        dotted = _dotted(expression)
        if dotted is None:
            return ReplacementApi(shown, None, unknown=f"{ast.unparse(expression)} is not read")
        head, *rest = dotted.split(".")
        target = self._imported_module(module, head)
        if target is None or not rest:
            return ReplacementApi(shown, None, unknown=f"{dotted} is not read")
        *inner, last = rest
        source = self._module(".".join([target, *inner]))
        if source is None:
            return ReplacementApi(shown, None, unknown=f"{dotted} is not read")
        return self._resolve(source, last, shown, depth)

    def _imported_module(self, module: _Module, name: str) -> str | None:
        """The module `import x` (or `import x as name`) binds `name` to in `module`."""
        for node in module.bindings(name):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname == name:
                        return alias.name
                    if alias.asname is None and alias.name.split(".")[0] == name:
                        return name
        return None

    # ------------------------------------------------------------------ classes

    def _returns(
        self, module: _Module, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> ClassApi | None:
        """The API of what `function` returns: its annotation's class, or the one of a
        call it returns in its only return statement (`return logging.getLogger(n)`)."""
        if function.returns is not None:
            return self._class_named(module, function.returns)
        returns = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
        if len(returns) == 1 and isinstance(returns[0].value, ast.Call):
            dotted = _dotted(returns[0].value.func)
            if dotted is not None:
                head, _, rest = dotted.partition(".")
                imported = self._imported_module(module, head)
                qualified = f"{imported}.{rest}" if imported and rest else None
                if qualified in _STDLIB_RETURNS and _STDLIB_RETURNS[qualified]:
                    return self._class_by_qualified_name(_STDLIB_RETURNS[qualified] or "")
        return None

    def _class_named(self, module: _Module, expression: ast.expr) -> ClassApi | None:
        """The class an annotation or base names in `module`'s namespace, or None."""
        if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
            try:
                expression = ast.parse(expression.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(expression, ast.Subscript):  # Generic[T], Optional[...]: not read
            return None
        resolved = self._resolve_expression(module, expression, "", 0)
        return resolved.returns if resolved.kind == CLASS else None

    def _class_by_qualified_name(self, qualified: str) -> ClassApi | None:
        module_name, _, name = qualified.rpartition(".")
        module = self._module(module_name)
        if module is None:
            return None
        resolved = self._resolve(module, name, qualified, 0)
        return resolved.returns if resolved.kind == CLASS else None

    def _class(self, module: _Module, node: ast.ClassDef, depth: int) -> ClassApi:
        qualified = f"{module.name}.{node.name}"
        if qualified in self._classes:
            return self._classes[qualified]
        if qualified in self._building:  # class A(B), class B(A): Python refuses it
            return ClassApi(qualified, open=f"{qualified} is its own base")
        self._building.add(qualified)
        try:
            return self._read_class(module, node, depth, qualified)
        finally:
            self._building.discard(qualified)

    def _read_class(
        self, module: _Module, node: ast.ClassDef, depth: int, qualified: str
    ) -> ClassApi:
        members: dict[str, Member] = {}
        open_why: str | None = None
        is_logger = qualified == _LOGGER
        if _decorators(node) and not all(d.endswith("dataclass") for d in _decorators(node)):
            open_why = f"{qualified} is decorated"
        if any(k.arg == "metaclass" for k in node.keywords):
            open_why = f"{qualified} has a metaclass"
        for base in node.bases:
            dotted = _dotted(base)
            if dotted == "object" or isinstance(base, ast.Subscript):
                continue  # Generic[T] and the like add no attribute a logger is used for
            api = self._class_named(module, base) if depth < _MAX_DEPTH else None
            if api is None:
                if _qualified_base(module, base) in _NEUTRAL_BASES:
                    continue
                open_why = open_why or f"its base {ast.unparse(base)} is not read"
                continue
            members.update(api.members)
            is_logger = is_logger or api.is_logger
            open_why = open_why or api.open
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                members[statement.name] = _method(statement)
                for target in _self_attributes(statement):
                    members.setdefault(target, Member(ATTRIBUTE))
            else:
                for name in _bound_by(statement):
                    members[name] = Member(ATTRIBUTE)
        if "__getattr__" in members or "__getattribute__" in members:
            open_why = open_why or f"{qualified} defines __getattr__"
        api = ClassApi(qualified, members, open_why, is_logger)
        self._classes[qualified] = api
        return api


def _qualified_base(module: _Module, base: ast.expr) -> str | None:
    """The qualified name a base class expression spells, through the module's imports."""
    dotted = _dotted(base)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    for node in module.bindings(head):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == head:
                    return f"{module.absolute(node)}.{alias.name}" + (f".{rest}" if rest else "")
        if isinstance(node, ast.Import):
            return dotted
    return dotted


def _method(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Member:
    decorators = _decorators(node)
    if not decorators:
        return Member(METHOD, signature_of(node, True))
    if decorators == ["staticmethod"]:
        return Member(METHOD, signature_of(node, False))
    if decorators == ["classmethod"]:
        return Member(METHOD, signature_of(node, True))
    if any(d == "property" or d.endswith((".setter", ".getter", ".deleter")) for d in decorators):
        return Member(ATTRIBUTE)
    return Member(METHOD)  # what the decorators make of it is not read


def _self_attributes(method: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The attributes a method assigns on its first parameter (`self.x = ...`)."""
    if not method.args.args:
        return set()
    self_name = method.args.args[0].arg
    found = set()
    for node in ast.walk(method):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == self_name
            ):
                found.add(target.attr)
    return found


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _stdlib_source(name: str) -> tuple[str, bool] | None:
    """The source of a standard library module of this Python, read, not imported."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    try:
        text = read_source(spec.origin, follow_link=True).decode("utf-8")
    except (NotReadable, UnicodeDecodeError):
        return None
    return text, spec.submodule_search_locations is not None


# --------------------------------------------------------------------------- uses


def call_shape(call: ast.Call) -> CallShape:
    unpacks = any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    )
    return CallShape(
        positional=sum(1 for a in call.args if not isinstance(a, ast.Starred)),
        keywords=tuple(k.arg for k in call.keywords if k.arg is not None),
        unpacks=unpacks,
    )


def uses_of(text: str, local: str) -> list[NameUse] | None:
    """Every use of the module-level name `local` in `text`, or None when the text does
    not parse here."""
    read = read_rewritten(text, frozenset(), {(None, local): local})
    return None if read is None else read.uses.get(local, [])


@dataclass(frozen=True)
class Rewritten:
    """What `fix`'s proof needs of a rewritten module, from one parse and one walk."""

    ssot_imports: dict[str, int]  # SSOT module -> first line importing it at import time
    names: dict[str, tuple[str, str]]  # local name -> (module, name) it is imported as
    uses: dict[str, list[NameUse]]  # local name -> its uses, by line


def read_rewritten(
    text: str, ssot_modules: frozenset[str], wanted: Mapping[tuple[str | None, str], str]
) -> Rewritten | None:
    """The import-time imports of `ssot_modules` in `text`, the local names it binds to
    `wanted` (`(module, name)` of a replacement; `(None, local)` asks for a local name
    whatever binds it), and every use of those names (any scope: a nested scope that
    binds the name again makes the proof stricter, never looser). None when the text
    does not parse here."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    ssot_imports: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for node, at_import_time in statements(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if at_import_time and node.module in ssot_modules:
                ssot_imports.setdefault(node.module, node.lineno)
            for alias in node.names:
                if (node.module, alias.name) in wanted:
                    names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import) and at_import_time:
            for alias in node.names:
                if alias.name in ssot_modules:
                    ssot_imports.setdefault(alias.name, node.lineno)
    locals_ = set(names) | {local for (module, local) in wanted if module is None}
    return Rewritten(ssot_imports, names, _uses(tree, text, locals_) if locals_ else {})


def read_rewritten_all(
    asked: Sequence[tuple[str, frozenset[str], Mapping[tuple[str | None, str], str]]],
) -> list[Rewritten | None]:
    """`read_rewritten` of each item: a batch for adapters/processes/pool.py."""
    return [read_rewritten(*item) for item in asked]


def _near(tree: ast.Module, lines: list[int]) -> Iterator[ast.AST]:
    """The nodes of `tree`, parents before children, leaving out every node whose lines
    hold none of `lines` (sorted): most of a module never names the logger."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        start = getattr(node, "lineno", None)
        if start is not None:
            at = bisect.bisect_left(lines, start)
            if at == len(lines) or lines[at] > (getattr(node, "end_lineno", None) or start):
                continue
        yield node
        pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _uses(tree: ast.Module, text: str, locals_: set[str]) -> dict[str, list[NameUse]]:
    """The uses of each of `locals_`, from one walk of the lines that name one of them:
    calls and attributes are seen before the names they hold, so each name knows what
    it is part of."""
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(locals_))) + r")\b")
    starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]  # as Python counts lines
    lines = sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(text)})
    called: dict[int, ast.Call] = {}  # id of a call's func -> the call
    attribute_of: dict[int, ast.Attribute] = {}  # id of a name -> the attribute on it
    discarded: set[int] = set()  # ids of calls that are whole expression statements
    found: dict[str, list[NameUse]] = {}
    for node in _near(tree, lines):
        if isinstance(node, ast.Call):
            called[id(node.func)] = node
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            discarded.add(id(node.value))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            attribute_of[id(node.value)] = node
        elif isinstance(node, ast.Name) and node.id in locals_ and isinstance(node.ctx, ast.Load):
            found.setdefault(node.id, []).append(_use(node, called, attribute_of, discarded))
    return {name: sorted(uses, key=lambda u: (u.line, u.text)) for name, uses in found.items()}


def _use(
    node: ast.Name,
    called: Mapping[int, ast.Call],
    attribute_of: Mapping[int, ast.Attribute],
    discarded: set[int],
) -> NameUse:
    attribute = attribute_of.get(id(node))
    if attribute is not None:
        call = called.get(id(attribute))
        shown = _shown(call if call is not None else attribute)
        return NameUse(
            node.lineno, shown, attribute.attr, call_shape(call) if call is not None else None
        )
    call = called.get(id(node))
    if call is not None:
        return NameUse(
            node.lineno,
            _shown(call),
            None,
            call_shape(call),
            result_used=id(call) not in discarded,
        )
    return NameUse(node.lineno, node.id)


def _shown(node: ast.AST) -> str:
    return " ".join(ast.unparse(node).split())[:120]
