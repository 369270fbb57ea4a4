"""Rewrite one module's direct imports of restricted modules into imports of the SSOT.

A pure function over text (`rewrite_module`): the code is parsed with LibCST, which keeps
every space and comment, and is never executed or imported. Uses are resolved with LibCST's
metadata (ScopeProvider and the qualified names it gives, ParentNodeProvider,
PositionProvider), so aliases (`import logging as log`), from-imports and shadowing (a
parameter named like the new name) are understood.

**A module is either migrated completely or left exactly as it is.** When anything
restricted cannot be rewritten safely, nothing is rewritten: the module keeps its text and
every use in the way is reported (`Remaining`: line, the use as written, why). A half
migrated module would import both the old and the new logging, hide what is left among
what changed, and make the next run's verdict harder to trust; all-or-nothing keeps every
written file free of restricted imports and every manual file as its authors left it.

What is rewritten, for a replacement `OLD = MODULE:NAME`:

- a call of `OLD` through an attribute (`logging.getLogger(...)`, `log.getLogger(...)`)
  becomes `NAME(...)`, the arguments as written, and `from MODULE import NAME` is added;
- a name imported from a restricted module that is `OLD` itself (`from logging import
  getLogger`, `from loguru import logger as log`) becomes an import from the SSOT: when it
  is only ever called, its calls become `NAME(...)`; otherwise (an object such as loguru's
  `logger`, or a name passed around) the local name is kept,
  `from MODULE import NAME as local`, and no reference changes;
- with a replacement for the exact form `OLD()`, a call of `OLD` without arguments
  becomes a call of its `NAME` instead (the root logger's `logging.getLogger()`);
- a restricted import nothing refers to is removed;
- the new imports (one `from MODULE import ...` per SSOT module, in order of first use)
  take the place of the first removed import, keeping its leading comments and its
  trailing comment; when that import shared its line with others, only the restricted part
  is removed and the new imports follow on the next lines. An existing module-level
  `from MODULE import NAME` is reused. An import inside a function or an `if`, `try`,
  `with` or loop block is rewritten the same way where it stands, in its own block: the
  names its uses need take its place (a block left empty gets `pass`).

What is left for a person (the module is then not rewritten): any other use of a
restricted binding (`logging.INFO`, annotations, `logging.config`, `basicConfig(...)`, the
module passed around, a replaced name used without a call), an import in a class body,
under `if TYPE_CHECKING:` or in a one-line block (`try: import logging`), a star import,
a name re-exported in `__all__`, a restricted binding that is rebound, deleted or
declared `global`, a use in a string
annotation or a type comment, a use that runs before its import, and a `NAME` that is
already bound in the module or in the scope of a use (it would change what that name
means). `__import__` and `importlib` calls are not imports and are not looked at, nor are
`eval`, `globals()` and doctests.

The result is checked before it is returned: it parses again and imports nothing
restricted; otherwise the module is left for a person, never given broken text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    BuiltinAssignment,
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from ssot_arch.adapters.codemod.rewrite_quick import (
    ROOT_LOGGER,
    ROOT_LOGGER_CALL,
    TYPE_COMMENT_PATTERN,
    USED_WITHOUT_CALL,
    no_replacement,
    quick_rewrite,
)
from ssot_arch.analysis.direct import is_within
from ssot_arch.domain.remediation import Remaining, Replacement, Rewrite

# Why a use is left for a person. The words are stable (no line numbers, no local names
# where avoidable): the plan groups files by them.
STAR_IMPORT = "star import: import the names it uses or migrate by hand"
REEXPORTED = "re-exported in __all__: migrate by hand"
REBOUND = "rebinds the name of a restricted import: migrate by hand"
DELETED = "deleted with del: migrate by hand"
DECLARED_GLOBAL = "declared global: migrate by hand"
STRING_ANNOTATION = "used in a string annotation: migrate by hand"
TYPE_COMMENT = "used in a type comment: migrate by hand"
AMBIGUOUS = "refers to more than one binding: migrate by hand"
USED_BEFORE_IMPORT = "used before it is imported: migrate by hand"
TOO_DEEP = "nested too deeply for LibCST to rewrite: migrate by hand"

_IMPORT = (cst.Import, cst.ImportFrom)
# Blocks whose imports stay for a person: a class body binds in the class's namespace, and
# an `if TYPE_CHECKING:` import never runs (there is nothing to migrate, only to delete).
_KEPT_BLOCKS = ("a class", "an if TYPE_CHECKING block")
# What holds statements: the visits go through these and skip expressions, most of a tree.
_STATEMENTS = (
    cst.Module,
    cst.BaseStatement,
    cst.BaseSuite,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.MatchCase,
)


def nested_import(kind: str) -> str:
    return f"import inside {kind}: move it or migrate by hand"


def rewrite_module(
    text: str, restricted: Sequence[str], replacements: Sequence[Replacement]
) -> Rewrite:
    """Migrate the module `text` off the `restricted` modules (each covers its
    descendants) with `replacements`.

    `Rewrite(new_text)` when the module can be migrated completely (it then imports no
    restricted module anywhere), `Rewrite(None, remaining)` when it cannot (the module is
    to be left exactly as it is), `Rewrite(None)` when it imports no restricted module.

    A plain module is decided by `quick_rewrite` (milliseconds, the same answer); any
    other by LibCST (`rewrite_with_libcst`).
    """
    if _mentions(text, restricted):
        quick = quick_rewrite(text, restricted, replacements)
        if quick is not None:
            return quick
    return rewrite_with_libcst(text, restricted, replacements)


def rewrite_with_libcst(
    text: str, restricted: Sequence[str], replacements: Sequence[Replacement]
) -> Rewrite:
    """`rewrite_module` decided by LibCST's scope analysis, for a module of any shape."""
    try:
        module = cst.parse_module(text)
        if not _mentions(text, restricted):
            return Rewrite(None)  # no visit needed: an import names its top package
        return _rewrite(module, text, restricted, replacements)
    except cst.ParserSyntaxError as error:
        return Rewrite(None, (_unparsable(text, error),))
    except RecursionError:  # LibCST visits recursively: a very deeply nested expression
        return Rewrite(None, (Remaining(1, "", TOO_DEEP),))


def _rewrite(
    module: cst.Module, text: str, restricted: Sequence[str], replacements: Sequence[Replacement]
) -> Rewrite:
    imports = _restricted_imports(module, restricted)
    if not imports:
        return Rewrite(None)
    analysis = _Analysis(text, imports, replacements)
    try:
        MetadataWrapper(module, unsafe_skip_copy=True).visit(analysis)
    except RecursionError:
        raise
    except Exception as error:  # LibCST's analyses on odd code: one module, not the run
        return Rewrite(None, (Remaining(1, "", f"cannot be analysed: {error}"),))
    if analysis.remaining:
        return Rewrite(None, tuple(sorted(set(analysis.remaining))))
    try:
        new_text = module.visit(_Rewriter(analysis.edits)).code
    except cst.CSTValidationError as error:  # a replacement that is no Python name
        return Rewrite(None, (Remaining(1, "", f"the rewrite would not be valid: {error}"),))
    if text.endswith("\r") and not new_text.endswith("\r"):
        new_text += "\r"  # LibCST drops an old Mac file's last line end: every byte is kept
    return _verified(new_text, restricted)


def _mentions(text: str, restricted: Sequence[str]) -> bool:
    """Whether `text` may import a restricted module: an import names its top package."""
    tops = {name.split(".")[0] for name in restricted}
    return any(re.search(rf"\b{re.escape(top)}\b", text) for top in tops)


def _unparsable(text: str, error: cst.ParserSyntaxError) -> Remaining:
    """Where and why the module does not parse. Python's own parser (which only parses,
    never runs) points at the error more precisely than LibCST's error recovery does."""
    try:
        ast.parse(text)
    except SyntaxError as python_error:
        return Remaining(python_error.lineno or 1, "", f"does not parse: {python_error.msg}")
    except ValueError:  # null bytes
        pass
    return Remaining(error.raw_line, "", f"does not parse with LibCST: {error.message}")


def _verified(new_text: str, restricted: Sequence[str]) -> Rewrite:
    """The rewrite's own last check: the new text parses and imports nothing restricted."""
    try:
        new_module = cst.parse_module(new_text)
    except cst.ParserSyntaxError as error:
        why = f"the rewrite would not parse ({error.message}): migrate by hand"
        return Rewrite(None, (Remaining(1, "", why),))
    if _restricted_imports(new_module, restricted):
        why = "the rewrite would leave a restricted import: migrate by hand"
        return Rewrite(None, (Remaining(1, "", why),))
    return Rewrite(new_text)


# --------------------------------------------------------------------------- finding imports


@dataclass(frozen=True)
class _Import:
    """A statement importing restricted modules: which of its names, and where it is."""

    statement: cst.Import | cst.ImportFrom
    aliases: tuple[cst.ImportAlias, ...]  # the restricted ones (none for a star import)
    star: bool = False


def _restricted_imports(module: cst.Module, restricted: Sequence[str]) -> list[_Import]:
    """Every import statement, at any depth, that names a restricted module."""
    found: list[_Import] = []

    class Finder(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.Import):
                aliases = tuple(
                    a
                    for a in node.names
                    if is_within(get_full_name_for_node(a.name) or "", restricted)
                )
                if aliases:
                    found.append(_Import(node, aliases))
            elif isinstance(node, cst.ImportFrom) and not node.relative and node.module:
                source = get_full_name_for_node(node.module) or ""
                if isinstance(node.names, cst.ImportStar):
                    if is_within(source, restricted):
                        found.append(_Import(node, (), star=True))
                else:
                    aliases = tuple(
                        a
                        for a in node.names
                        if is_within(source, restricted)
                        or is_within(f"{source}.{get_full_name_for_node(a.name)}", restricted)
                    )
                    if aliases:
                        found.append(_Import(node, aliases))
            # A relative import names a module of the project, never a restricted one.
            return isinstance(node, _STATEMENTS)

    module.visit(Finder())
    return found


def _bound_names(statement: cst.Import | cst.ImportFrom, alias: cst.ImportAlias) -> set[str]:
    """The names `alias` binds as LibCST's scopes record them: `import a.b` binds `a` and
    `a.b`, `import a.b as c` binds `c`, `from a import b` binds `b`."""
    dotted = get_full_name_for_node(alias.name) or ""
    local = alias.evaluated_alias
    if local or isinstance(statement, cst.ImportFrom):
        return {local or dotted}
    parts = dotted.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True)
class _NewName:
    """A name the SSOT import must bind: `from module import name [as alias]`."""

    module: str
    name: str
    alias: str | None  # None: bound as `name`

    @property
    def local(self) -> str:
        return self.alias or self.name


# A new name to import, with the node whose use needs it and the restricted import
# statements whose place the new import may take.
_Placed = tuple[cst.CSTNode, _NewName, set[cst.CSTNode]]


@dataclass
class _Edits:
    """What the rewrite changes, by the original nodes."""

    removed: set[cst.ImportAlias] = field(default_factory=set)
    calls: dict[cst.Call, str] = field(default_factory=dict)  # call -> the SSOT name it calls
    # The nodes the rewriter must enter: the ancestors of the calls and of the lines with
    # a removed import inside a block.
    descend: set[cst.CSTNode] = field(default_factory=set)
    # The new imports, by the line they take the place of (by SSOT module, in order): the
    # first module-level line with a removed import for the module's, and each removed
    # import's own line inside a function or block for that import's.
    imports: dict[cst.SimpleStatementLine, dict[str, list[_NewName]]] = field(default_factory=dict)


class _Analysis(cst.CSTVisitor):
    """Decide, for the whole module, what each restricted binding becomes, or what stands
    in the way (`remaining`). Nothing is decided node by node: `_finish` looks at the
    module's bindings and their references once the syntactic checks have run."""

    METADATA_DEPENDENCIES = (ScopeProvider, ParentNodeProvider, PositionProvider)

    def __init__(
        self, text: str, imports: list[_Import], replacements: Sequence[Replacement]
    ) -> None:
        super().__init__()
        self.text = text
        self.imports = imports
        self.replacements = {r.old: r for r in replacements if not r.exact_call}
        self.exact = {r.qualified: r for r in replacements if r.exact_call}
        self.remaining: list[Remaining] = []
        self.edits = _Edits()
        self._statements = {imp.statement for imp in imports}
        self._top_level: list[_Import] = []  # the rewritable ones, at any depth
        self._nested: set[cst.CSTNode] = set()  # those of them inside a function or block
        # Each access of a restricted binding -> the import statements it may refer to.
        self._statements_of: dict[cst.CSTNode, set[cst.CSTNode]] = {}
        self._names: set[str] = set()  # the plain names the top-level restricted imports bind
        self._bindings: set[ImportAssignment] = set()  # the top-level restricted bindings
        self._unbound: dict[str, bool] = {}
        self._reusable: dict[_NewName, cst.ImportFrom | None] = {}

    # ----------------------------------------------------------------- helpers

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.get_metadata(ParentNodeProvider, node, None)

    def _written(self, node: cst.CSTNode) -> str:
        dotted = get_full_name_for_node(node)
        if dotted and not isinstance(node, cst.BaseString):
            return dotted
        return self._code(node)

    def _code(self, node: cst.CSTNode) -> str:
        return " ".join(self._module.code_for_node(node).split())

    def _left(self, node: cst.CSTNode, use: str, why: str) -> None:
        self.remaining.append(Remaining(self._line(node), use, why))

    def _is_called(self, node: cst.CSTNode) -> bool:
        parent = self._parent(node)
        return isinstance(parent, cst.Call) and parent.func is node

    def _called_bare(self, node: cst.CSTNode) -> bool:
        """Whether `node` is called without arguments (`OLD()`'s exact form)."""
        parent = self._parent(node)
        return isinstance(parent, cst.Call) and parent.func is node and not parent.args

    def _enclosing_block(self, statement: cst.CSTNode) -> str | None:
        """What the import is nested in (the nearest block), None at module level."""
        node = self._parent(statement)
        while node is not None and not isinstance(node, cst.Module):
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                return "a function"
            if isinstance(node, cst.ClassDef):
                return "a class"
            if isinstance(node, (cst.Try, cst.TryStar)):
                return "a try block"
            if isinstance(node, cst.If):
                test = get_full_name_for_node(node.test) or ""
                return (
                    "an if TYPE_CHECKING block" if test.endswith("TYPE_CHECKING") else "an if block"
                )
            if isinstance(node, cst.With):
                return "a with block"
            if isinstance(node, (cst.For, cst.While)):
                return "a loop"
            if isinstance(node, cst.Match):
                return "a match block"
            node = self._parent(node)
        return None

    def _qualified(self, node: cst.CSTNode) -> str | None:
        """What the dotted name `node` refers to (`log.getLogger` -> `logging.getLogger`),
        None when it may refer to more than one thing.

        QualifiedNameProvider's own question to the scope, asked for the uses only: the
        provider would ask it for every node of the module, a third of the time.
        """
        scope = self.get_metadata(ScopeProvider, node, None)
        names = {q.name for q in scope.get_qualified_names_for(node)} if scope else set()
        return names.pop() if len(names) == 1 else None

    # ----------------------------------------------------------------- the syntactic checks

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Module):
            self._start(node)
        elif isinstance(node, cst.Global):
            self._check_global(node)
        elif isinstance(node, cst.Assign):
            if any(_is_all(t.target) for t in node.targets):
                self._check_all(node.value)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
            if _is_all(node.target) and node.value is not None:
                self._check_all(node.value)
        elif isinstance(node, cst.Expr):
            call = node.value  # __all__.extend([...])
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and _is_all(call.func.value)
            ):
                for arg in call.args:
                    self._check_all(arg.value)
        return isinstance(node, _STATEMENTS)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.Module):
            self._finish(original_node)

    def _start(self, node: cst.Module) -> None:
        self._module = node
        self._scope = self.get_metadata(ScopeProvider, node)
        for imp in self.imports:
            written = self._written(imp.statement)
            block = self._enclosing_block(imp.statement)
            if imp.star:
                self._left(imp.statement, written, STAR_IMPORT)
            elif block is None:
                self._top_level.append(imp)
            elif block in _KEPT_BLOCKS or not isinstance(
                self._parent(imp.statement), cst.SimpleStatementLine
            ):
                self._left(imp.statement, written, nested_import(block))
            else:  # rewritten where it stands, in its function or block
                self._top_level.append(imp)
                self._nested.add(imp.statement)
        bound: set[tuple[cst.CSTNode, str]] = set()
        for imp in self._top_level:
            for alias in imp.aliases:
                for name in _bound_names(imp.statement, alias):
                    bound.add((imp.statement, name))
                    if "." not in name:
                        self._names.add(name)
        assert self._scope is not None
        scopes = {s for s in self.metadata[ScopeProvider].values() if isinstance(s, Scope)}
        for scope in [self._scope, *(s for s in scopes if s is not self._scope)]:
            for assignment in scope.assignments:
                key = (getattr(assignment, "node", None), assignment.name)
                if isinstance(assignment, ImportAssignment) and key in bound:
                    self._bindings.add(assignment)
        # A restricted name bound otherwise, in a scope that imports it restrictedly.
        holding = {b.scope for b in self._bindings} | {self._scope}
        for scope in holding:
            for assignment in scope.assignments:
                key = (getattr(assignment, "node", None), assignment.name)
                if key in bound or assignment.name.split(".")[0] not in self._names:
                    continue
                if not (
                    isinstance(assignment, ImportAssignment) and assignment.node in self._statements
                ):
                    self._left(getattr(assignment, "node", node), assignment.name, REBOUND)
        self._check_type_comments(self.text)

    def _check_global(self, node: cst.Global) -> None:
        for item in node.names:
            if item.name.value in self._names:
                self._left(node, f"global {item.name.value}", DECLARED_GLOBAL)

    def _check_type_comments(self, code: str) -> None:
        """Type comments, read from the text: a `#` in a string may be taken for one, which
        leaves a module for a person, never breaks one."""
        if not self._names:
            return
        names = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(self._names))) + r")\b")
        for number, line in enumerate(re.split(r"\r\n|\r|\n", code), start=1):
            found = TYPE_COMMENT_PATTERN.search(line)
            if found and names.search(line, found.end()):
                self.remaining.append(
                    Remaining(number, line[found.start() :].strip(), TYPE_COMMENT)
                )

    def _check_all(self, value: cst.CSTNode) -> None:
        exported: list[cst.SimpleString] = []

        class Strings(cst.CSTVisitor):
            def visit_SimpleString(self, node: cst.SimpleString) -> None:
                exported.append(node)

        value.visit(Strings())
        for string in exported:
            name = string.evaluated_value
            if isinstance(name, str) and name in self._names:
                self._left(string, name, REEXPORTED)

    # ----------------------------------------------------------------- the decisions

    def _finish(self, original_node: cst.Module) -> None:
        if not self._top_level:
            return
        # Decided even when something already stands in the way: the person who migrates
        # the module by hand gets the whole list.
        calls: list[tuple[cst.Call, cst.CSTNode, Replacement]] = []
        called_bindings: dict[str, list[cst.Name]] = {}  # plain name -> its accesses
        self._used_before_import()
        for node in self._accesses():
            self._decide(node, calls, called_bindings)
        new_names: list[_Placed] = []
        for name, uses in called_bindings.items():
            self._decide_binding(name, uses, new_names, calls)
        for call, use, replacement in calls:
            why = self._conflict(call, replacement.name, replacement.module)
            if replacement.old == ROOT_LOGGER_CALL and _is_root_logger_call(call):
                self._left(call, self._code(call), ROOT_LOGGER)
            elif why is not None:
                self._left(use, self._written(use), why)
            else:
                self.edits.calls[call] = replacement.name
                new = _NewName(replacement.module, replacement.name, None)
                new_names.append((call, new, self._statements_of.get(_head(use), set())))
        self._check_new_names(new_names)
        if self.remaining:
            return
        for imp in self._top_level:
            self.edits.removed.update(imp.aliases)
        anchor = self._anchor(original_node)
        lines = [self._parent(s) for s in self._nested]
        entered = [*self.edits.calls, *(line for line in lines if line is not None)]
        for node in entered:
            ancestor = self._parent(node) if node in self.edits.calls else node
            while ancestor is not None and ancestor not in self.edits.descend:
                self.edits.descend.add(ancestor)
                ancestor = self._parent(ancestor)
        for _, new, statements in sorted(new_names, key=lambda item: self._position(item[0])):
            if self._reusable_import(new) is not None and new.alias is None:
                continue  # `from MODULE import NAME` is there already
            for statement in statements:
                line = self._parent(statement) if statement in self._nested else anchor
                assert isinstance(line, cst.SimpleStatementLine)
                names = self.edits.imports.setdefault(line, {}).setdefault(new.module, [])
                if new not in names:
                    names.append(new)

    def _position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return (start.line, start.column)

    def _accesses(self) -> list[cst.CSTNode]:
        """The nodes that refer to a top-level restricted binding, in the order of the code,
        but for those that run before the import (what is left)."""
        first_import: dict[cst.CSTNode, tuple[int, int]] = {}
        for assignment in self._bindings:
            position = self._position(assignment.node)
            for access in assignment.references:
                first_import[access.node] = min(position, first_import.get(access.node, position))
                self._statements_of.setdefault(access.node, set()).add(assignment.node)
        nodes = []
        for node, imported in sorted(
            first_import.items(), key=lambda item: self._position(item[0])
        ):
            if self._position(node) < imported and self._runs_on_import(node):
                use = self._use(node)  # in a class body
                self._left(use, self._written(use), USED_BEFORE_IMPORT)
            else:
                nodes.append(node)
        return nodes

    def _used_before_import(self) -> None:
        """Module-level uses of a restricted name before its import: LibCST leaves them
        unresolved (removing the import would leave them as undefined as they are), but
        a rewrite around them is not one to trust."""
        scopes = {s for s in self.metadata[ScopeProvider].values() if isinstance(s, Scope)}
        for scope in scopes:
            for access in scope.accesses:
                dotted = get_full_name_for_node(access.node) or ""
                if not access.referents and dotted.split(".")[0] in self._names:
                    use = self._use(access.node)
                    self._left(use, self._written(use), USED_BEFORE_IMPORT)

    def _runs_on_import(self, node: cst.CSTNode) -> bool:
        """Whether `node` runs when the module is imported (not in a function's body)."""
        child, parent = node, self._parent(node)
        while parent is not None:
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)) and child is parent.body:
                return False
            child, parent = parent, self._parent(parent)
        return True

    def _chain(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The dotted chain that starts with `node`: logging -> logging.config -> ..."""
        chain = [node]
        parent = self._parent(node)
        while isinstance(parent, cst.Attribute) and parent.value is chain[-1]:
            chain.append(parent)
            parent = self._parent(parent)
        return chain

    def _use(self, node: cst.CSTNode) -> cst.CSTNode:
        """The whole use that `node` starts, for the report: `logging.config.dictConfig`."""
        return self._chain(node)[-1]

    def _decide(
        self,
        node: cst.CSTNode,
        calls: list[tuple[cst.Call, cst.CSTNode, Replacement]],
        called_bindings: dict[str, list[cst.Name]],
    ) -> None:
        """One reference to a restricted binding: a call to rewrite, a use of a binding the
        import itself may replace, or what is left."""
        ancestor: cst.CSTNode | None = node
        while ancestor is not None and not isinstance(ancestor, cst.BaseStatement):
            if isinstance(ancestor, cst.Del):
                self._left(node, self._written(node), DELETED)
                return
            ancestor = self._parent(ancestor)
        if not isinstance(node, (cst.Name, cst.Attribute)):
            self._left(node, self._written(node), STRING_ANNOTATION)
            return
        chain = self._chain(node)
        qualified = ""
        for level, link in enumerate(chain):
            name = self._qualified(link)
            if name is None:
                self._left(link, self._written(link), AMBIGUOUS)
                return
            qualified = name
            exact = self.exact.get(qualified)
            if exact is not None and level > 0 and self._called_bare(link):
                call = self._parent(link)
                assert isinstance(call, cst.Call)
                calls.append((call, link, exact))
                return
            replacement = self.replacements.get(qualified)
            if replacement is None:
                continue
            if level == 0 and isinstance(node, cst.Name):
                called_bindings.setdefault(node.value, []).append(node)
            elif self._is_called(link):
                call = self._parent(link)
                assert isinstance(call, cst.Call)
                calls.append((call, link, replacement))
            else:
                self._left(link, self._written(link), USED_WITHOUT_CALL)
            return
        self._left(chain[-1], self._written(chain[-1]), no_replacement(qualified))

    def _decide_binding(
        self,
        name: str,
        uses: list[cst.Name],
        new_names: list[_Placed],
        calls: list[tuple[cst.Call, cst.CSTNode, Replacement]],
    ) -> None:
        """A name imported as a replaced name itself (`from logging import getLogger`,
        `from loguru import logger`): called only, its calls become calls of the SSOT name
        (like `logging.getLogger(...)`); otherwise the import binds the SSOT name under the
        same local name, and no reference changes."""
        qualified = self._qualified(uses[0])
        assert qualified is not None
        replacement = self.replacements[qualified]
        if (
            name != replacement.name
            and all(self._is_called(use) for use in uses)
            and not any(self._conflict(use, replacement.name, replacement.module) for use in uses)
        ):
            exact = self.exact.get(qualified, replacement)
            for use in uses:
                call = self._parent(use)
                assert isinstance(call, cst.Call)
                calls.append((call, use, exact if self._called_bare(use) else replacement))
            return
        if replacement.old == ROOT_LOGGER_CALL:
            for use in uses:
                call = self._parent(use)
                if (
                    self._is_called(use)
                    and isinstance(call, cst.Call)
                    and _is_root_logger_call(call)
                ):
                    self._left(call, self._code(call), ROOT_LOGGER)
        alias = None if name == replacement.name else name
        statements = {s for use in uses for s in self._statements_of.get(use, set())}
        new_names.append(
            (uses[0], _NewName(replacement.module, replacement.name, alias), statements)
        )

    def _reusable_import(self, new: _NewName) -> cst.ImportFrom | None:
        """A module-level `from MODULE import NAME` already in the module."""
        if new not in self._reusable:
            self._reusable[new] = self._find_import(new)
        return self._reusable[new]

    def _find_import(self, new: _NewName) -> cst.ImportFrom | None:
        for line in self._module.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for statement in line.body:
                if (
                    isinstance(statement, cst.ImportFrom)
                    and not statement.relative
                    and statement.module is not None
                    and get_full_name_for_node(statement.module) == new.module
                    and not isinstance(statement.names, cst.ImportStar)
                    and any(
                        get_full_name_for_node(a.name) == new.name
                        and a.evaluated_alias in (None, new.name)
                        for a in statement.names
                    )
                ):
                    return statement
        return None

    def _conflict(self, site: cst.CSTNode, name: str, module: str) -> str | None:
        """Why binding `name` at module level would change the meaning of the code at `site`
        or elsewhere, None when it is safe."""
        scope = self.get_metadata(ScopeProvider, site, None)
        if scope is None:
            return None
        reusable = self._reusable_import(_NewName(module, name, None))
        for assignment in scope[name]:
            if assignment in self._bindings:
                continue  # a restricted import, removed
            if isinstance(assignment, BuiltinAssignment):
                return f"{name} would shadow the builtin {name}: migrate by hand"
            if not isinstance(assignment.scope, GlobalScope):
                return f"{name} is bound in the scope of this use: rename it or migrate by hand"
            if isinstance(assignment, ImportAssignment) and assignment.node is reusable:
                if self._position(reusable) > self._position(site):
                    return (
                        f"from {module} import {name} comes after this use: "
                        "move it up or migrate by hand"
                    )
                continue
            return f"{name} is already bound in the module: rename it or migrate by hand"
        if self._unbound_uses(name):
            return f"{name} is used in the module without an import: migrate by hand"
        return None

    def _unbound_uses(self, name: str) -> bool:
        """Whether the module uses `name` without binding it (a star import may provide it):
        importing `name` would change what those uses mean."""
        if name not in self._unbound:
            scopes = {s for s in self.metadata[ScopeProvider].values() if isinstance(s, Scope)}
            self._unbound[name] = any(
                not access.referents for scope in scopes for access in scope.accesses[name]
            )
        return self._unbound[name]

    def _check_new_names(self, new_names: list[_Placed]) -> None:
        """One local name, one SSOT object."""
        by_local: dict[str, set[tuple[str, str]]] = {}
        for _, new, _statements in new_names:
            by_local.setdefault(new.local, set()).add((new.module, new.name))
        for node, new, _statements in new_names:
            if len(by_local[new.local]) > 1:
                why = f"{new.local} would be imported from two places: migrate by hand"
                self._left(node, self._written(node), why)

    def _anchor(self, module: cst.Module) -> cst.SimpleStatementLine | None:
        for line in module.body:
            if isinstance(line, cst.SimpleStatementLine) and any(
                statement in self._statements for statement in line.body
            ):
                return line
        return None


def _head(node: cst.CSTNode) -> cst.CSTNode:
    """The name a dotted chain starts with: `logging` for `logging.getLogger`."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node


def _is_root_logger_call(call: cst.Call) -> bool:
    """Whether `logging.getLogger(...)` is asked for the root logger: no name, None, ""
    or "root" (what the standard library answers with the root logger)."""
    if not call.args:
        return True
    first = call.args[0]
    if first.star or (first.keyword is not None and first.keyword.value != "name"):
        return False
    value = first.value
    if isinstance(value, cst.Name):
        return value.value == "None"
    return isinstance(value, cst.SimpleString) and value.evaluated_value in ("", "root")


def _is_all(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "__all__"


# --------------------------------------------------------------------------- the rewrite


def _dotted(module: str) -> cst.Attribute | cst.Name:
    first, *rest = module.split(".")
    node: cst.Attribute | cst.Name = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _import_from(module: str, names: list[_NewName]) -> cst.ImportFrom:
    return cst.ImportFrom(
        module=_dotted(module),
        names=[
            cst.ImportAlias(
                name=cst.Name(new.name),
                asname=cst.AsName(name=cst.Name(new.alias)) if new.alias else None,
            )
            for new in names
        ],
    )


_Line = cst.SimpleStatementLine | cst.BaseCompoundStatement


class _Rewriter(cst.CSTTransformer):
    """Apply `_Edits`: calls renamed, restricted imports removed, the SSOT imports put in
    the place of the first one (in each function or block, of its own). Everything else
    is left node for node."""

    def __init__(self, edits: _Edits) -> None:
        super().__init__()
        self.edits = edits

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node in self.edits.descend  # the rest of the tree stays as it is

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = self.edits.calls.get(original_node)
        return updated_node if name is None else updated_node.with_changes(func=cst.Name(name))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, footer = self._lines(original_node.body, updated_node.body, updated_node.footer)
        if not body:  # every statement of the block was a removed import
            body = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated_node.with_changes(body=body, footer=footer)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, footer = self._lines(original_node.body, updated_node.body, updated_node.footer)
        empty = not body and not updated_node.header and not footer
        return updated_node.with_changes(
            body=body,
            footer=footer,
            has_trailing_newline=updated_node.has_trailing_newline and not empty,
        )

    def _lines(
        self,
        original: Sequence[cst.BaseStatement],
        updated: Sequence[cst.BaseStatement],
        footer: Sequence[cst.EmptyLine],
    ) -> tuple[list[_Line], list[cst.EmptyLine]]:
        """A body's statements with the removed imports gone and the new imports in the
        place of the line they take, and its footer (which keeps the comments of removed
        lines at its end)."""
        body: list[_Line] = []
        # The leading lines of removed lines, for the next line that stays.
        pending: list[cst.EmptyLine] | None = None

        def place(line: _Line) -> None:
            nonlocal pending
            if pending is not None:
                leading = _merged(pending, line.leading_lines)
                if not body:  # the body's first statement is gone: no blank lines on top
                    while leading and leading[0].comment is None:
                        leading.pop(0)
                line = line.with_changes(leading_lines=leading)
                pending = None
            body.append(line)

        def remove(line: cst.SimpleStatementLine) -> None:
            nonlocal pending
            pending = (
                list(line.leading_lines)
                if pending is None
                else _merged(pending, line.leading_lines)
            )

        for old, new in zip(original, updated, strict=True):
            if not isinstance(old, cst.SimpleStatementLine) or not isinstance(
                new, cst.SimpleStatementLine
            ):
                assert isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
                place(new)
                continue
            kept = self._kept(old, new)
            new_imports = [
                cst.SimpleStatementLine(body=[_import_from(module, names)])
                for module, names in self.edits.imports.get(old, {}).items()
            ]
            if new_imports:
                if kept and self._kept_after_removed(old):
                    # `import logging; log = logging.getLogger()`: the import goes first.
                    place(new_imports[0].with_changes(leading_lines=new.leading_lines))
                    body.extend(new_imports[1:])
                    body.append(new.with_changes(body=kept, leading_lines=()))
                elif kept:
                    place(new.with_changes(body=kept))
                    body.extend(new_imports)
                else:
                    place(new.with_changes(body=new_imports[0].body))
                    body.extend(new_imports[1:])
            elif kept:
                place(new.with_changes(body=kept))
            else:
                remove(new)
        if pending and any(line.comment is not None for line in pending):
            return body, [*pending, *footer]
        return body, list(footer)

    def _kept_after_removed(self, line: cst.SimpleStatementLine) -> bool:
        """Whether a statement that stays follows the first removed import on `line`."""
        gone = [
            isinstance(statement, _IMPORT)
            and not isinstance(statement.names, cst.ImportStar)
            and all(alias in self.edits.removed for alias in statement.names)
            for statement in line.body
        ]
        touched = [
            isinstance(statement, _IMPORT)
            and not isinstance(statement.names, cst.ImportStar)
            and any(alias in self.edits.removed for alias in statement.names)
            for statement in line.body
        ]
        first = touched.index(True)
        return not all(gone[first + 1 :])

    def _kept(
        self, old: cst.SimpleStatementLine, new: cst.SimpleStatementLine
    ) -> list[cst.BaseSmallStatement]:
        """The line's statements without the removed imports' restricted names."""
        kept: list[cst.BaseSmallStatement] = []
        for old_statement, new_statement in zip(old.body, new.body, strict=True):
            if (
                not isinstance(old_statement, _IMPORT)
                or not isinstance(new_statement, _IMPORT)
                or isinstance(old_statement.names, cst.ImportStar)
                or isinstance(new_statement.names, cst.ImportStar)
                or not any(alias in self.edits.removed for alias in old_statement.names)
            ):
                kept.append(new_statement)
                continue
            names = [
                new_alias
                for old_alias, new_alias in zip(
                    old_statement.names, new_statement.names, strict=True
                )
                if old_alias not in self.edits.removed
            ]
            if names:
                # The last name keeps the statement's ending (no comma, or the comma before
                # a closing parenthesis).
                names[-1] = names[-1].with_changes(comma=new_statement.names[-1].comma)
                kept.append(new_statement.with_changes(names=names))
        if kept and len(kept) != len(new.body):
            kept[-1] = kept[-1].with_changes(semicolon=new.body[-1].semicolon)
        return kept


def _merged(
    removed: Sequence[cst.EmptyLine], following: Sequence[cst.EmptyLine]
) -> list[cst.EmptyLine]:
    """The leading lines of the line that follows removed lines: it takes their place when
    nothing separated them (so a blank line after the docstring stays), and keeps its own
    otherwise, after the removed lines' comments if they had any (a section header)."""
    if not following:
        return list(removed)
    if any(line.comment is not None for line in removed):
        return [*removed, *following]
    return list(following)
