"""The plain case of a rewrite, decided with Python's `ast` and done by editing text.

LibCST's scope analysis (`rewrite.py`) understands every shape of module but costs a few
hundred milliseconds on a large one; a thousand violating files took three minutes. Most
of them are plain: their restricted imports stand alone on their lines at module level,
the names those imports bind are bound nowhere else in the module, and the SSOT names the
rewrite would add are not used in it yet. In such a module every reference of a restricted
name is a reference of its import, so deciding needs no scopes (a walk of `ast`, a few
milliseconds), and the rewrite is a few edits of the text: the called names, the import
lines.

`quick_rewrite` answers for such a module exactly what the LibCST engine answers, byte
for byte (the new text, or every use left for a person with the same line and reason);
for any other module it answers None, and the LibCST engine decides. The two are compared
on the fix corpus, on generated modules (tests/test_rewrite_quick.py) and on a real tree
(`python -m benchmarks.fix_realdata engines TREE`). Whatever is not plain is left to
LibCST, never guessed: a second binding of a restricted name anywhere, an import in a
block or sharing its line, a use in an f-string or a `del`, a string that may be an
annotation, a type hint or an `__all__` entry naming it, a type comment naming it, an SSOT
name already used in the module, a file whose lines are not plain (a lone CR, a BOM,
indented comments or whitespace after a block, before a removed import).
"""

from __future__ import annotations

import ast
import builtins
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from ssot_arch.analysis.direct import is_within
from ssot_arch.domain.remediation import Remaining, Replacement, Rewrite

# The reasons, spelled as the LibCST engine spells them (rewrite.py imports this module,
# so the words live here and rewrite.py takes them from here).
USED_WITHOUT_CALL = "used without a call"
ROOT_LOGGER = (
    "the root logger: the replacement would give another logger (a module's): migrate by hand"
)
ROOT_LOGGER_CALL = "logging.getLogger"
TYPE_COMMENT_PATTERN = re.compile(r"#\s*type:")


def no_replacement(qualified: str) -> str:
    return f"no replacement for {qualified}"


class _NotPlain(Exception):
    """The module is not plain: the LibCST engine decides."""


_BUILTINS = frozenset(dir(builtins))
# A line, or the rest of one, that holds nothing but blanks and a comment.
_BLANK_OR_COMMENT = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?\r?\n")
# How an empty name or "root" may be spelled as one string literal (a concatenation is a
# different node for LibCST).
_ROOT_STRING = re.compile(r"""[rRuU]?('''|\"\"\"|'|")(?:root)?\1""")
_INSIGNIFICANT = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
)
# Calls whose string arguments LibCST reads as type hints.
_TYPING_CALLS = frozenset({"cast", "TypeVar", "NewType"})
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
    ast.Match,
)


def _restricted_aliases(
    node: ast.Import | ast.ImportFrom, restricted: Sequence[str]
) -> list[ast.alias] | None:
    """The names `node` imports from restricted modules; None for a star import of one.
    A relative import names a module of the project, never a restricted one."""
    if isinstance(node, ast.Import):
        return [a for a in node.names if is_within(a.name, restricted)]
    if node.level or not node.module:
        return []
    source = node.module
    if any(a.name == "*" for a in node.names):
        return None if is_within(source, restricted) else []
    return [
        a
        for a in node.names
        if is_within(source, restricted) or is_within(f"{source}.{a.name}", restricted)
    ]


@dataclass(frozen=True)
class _Binding:
    """A name a restricted import binds, what it stands for (`logging`, `loguru.logger`)
    and the statement."""

    local: str
    qualified: str
    statement: ast.Import | ast.ImportFrom


@dataclass(frozen=True, order=True)
class _NewName:
    module: str
    name: str
    alias: str | None

    @property
    def local(self) -> str:
        return self.alias or self.name

    def code(self) -> str:
        return f"{self.name} as {self.alias}" if self.alias else self.name


def quick_rewrite(
    text: str, restricted: Sequence[str], replacements: Sequence[Replacement]
) -> Rewrite | None:
    """What the LibCST engine answers for the plain module `text`; None when `text` is not
    plain (the LibCST engine then decides)."""
    if text.startswith("\ufeff"):
        return None
    if "\r" in text.replace("\r\n", ""):
        return None  # a lone CR: old Mac line ends, or a CR inside a line
    newline = _newline(text)
    # Like LibCST, a last line without its line end is given one, taken away at the end.
    ended = text.endswith("\n")
    try:
        tree = ast.parse(text)
        rewrite = _Module(text if ended else text + newline, tree, restricted, replacements)
        result = rewrite.rewrite()
    except (SyntaxError, ValueError, RecursionError, MemoryError, _NotPlain):
        return None
    if result.text and not ended:
        return Rewrite(result.text.removesuffix("\r\n" if result.text.endswith("\r\n") else "\n"))
    return result


class _Module:
    def __init__(
        self,
        text: str,
        tree: ast.Module,
        restricted: Sequence[str],
        replacements: Sequence[Replacement],
    ) -> None:
        self.text = text
        self.tree = tree
        self.restricted = restricted
        self.replacements = {r.old: r for r in replacements if not r.exact_call}
        self.exact = {r.qualified: r for r in replacements if r.exact_call}
        self.lines = [line + "\n" for line in text.split("\n")[:-1]]
        self.parents: dict[ast.AST, ast.AST] = {}

    # ----------------------------------------------------------------- the decision

    def rewrite(self) -> Rewrite:
        nodes = self._walk()
        bindings = self._restricted_bindings(nodes)
        if not bindings:
            return Rewrite(None)
        by_local = {b.local: b for b in bindings}
        if len(by_local) != len(bindings):
            raise _NotPlain  # two imports bind one name
        names, bound = _names(nodes)
        if any(bound[local] > 1 for local in by_local):
            raise _NotPlain  # bound otherwise too: scopes decide what each use means
        self._check_strings(nodes, by_local)
        uses = sorted(
            (n for n in nodes if isinstance(n, ast.Name) and n.id in by_local),
            key=_position,
        )
        for use in uses:
            self._check_use(use, by_local[use.id].statement)
        remaining: list[Remaining] = []
        calls: list[tuple[ast.Call, Replacement]] = []
        called: dict[str, list[ast.Name]] = {}
        for use in uses:
            self._decide(use, by_local[use.id], remaining, calls, called)
        new_names: list[tuple[ast.AST, _NewName]] = []
        renamed: list[tuple[ast.Call, Replacement]] = []
        for local, local_uses in called.items():
            replacement = self.replacements[by_local[local].qualified]
            if local != replacement.name and all(self._is_called(u) for u in local_uses):
                self._check_free(replacement.name, names, bound)
                exact = self.exact.get(replacement.old, replacement)
                calls.extend(
                    (self._call_of(u), exact if self._called_bare(u) else replacement)
                    for u in local_uses
                )
                continue
            if replacement.old == ROOT_LOGGER_CALL:
                for u in local_uses:
                    if self._is_called(u) and self._is_root(self._call_of(u)):
                        remaining.append(self._root(self._call_of(u)))
            alias = None if local == replacement.name else local
            new_names.append((local_uses[0], _NewName(replacement.module, replacement.name, alias)))
        for call, replacement in calls:
            if replacement.old == ROOT_LOGGER_CALL and self._is_root(call):
                remaining.append(self._root(call))
                continue
            self._check_free(replacement.name, names, bound)
            renamed.append((call, replacement))
            new_names.append((call, _NewName(replacement.module, replacement.name, None)))
        sources: dict[str, set[tuple[str, str]]] = {}
        for _, new in new_names:
            sources.setdefault(new.local, set()).add((new.module, new.name))
        if any(len(s) > 1 for s in sources.values()):
            raise _NotPlain  # one local name, two SSOT objects: the LibCST engine words it
        if remaining:
            return Rewrite(None, tuple(sorted(set(remaining))))
        new_text = self._edited(bindings, renamed, new_names)
        if not self._verified(new_text):
            raise _NotPlain
        return Rewrite(new_text)

    def _walk(self) -> list[ast.AST]:
        """Every node, each child's parent recorded."""
        nodes: list[ast.AST] = [self.tree]
        parents = self.parents
        index = 0
        while index < len(nodes):
            node = nodes[index]
            index += 1
            for child in ast.iter_child_nodes(node):
                parents[child] = node
                nodes.append(child)
        return nodes

    def _restricted_bindings(self, nodes: list[ast.AST]) -> list[_Binding]:
        found: list[_Binding] = []
        top = set(map(id, self.tree.body))
        for node in nodes:
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            aliases = _restricted_aliases(node, self.restricted)
            if aliases is None:
                raise _NotPlain  # a star import
            if not aliases:
                continue
            if id(node) not in top or len(aliases) != len(node.names):
                raise _NotPlain  # nested, or sharing its statement with other imports
            if node.col_offset:
                raise _NotPlain  # after a line continuation
            for alias in aliases:
                name = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
                if isinstance(node, ast.Import) and alias.asname is None and "." in name:
                    raise _NotPlain  # `import a.b` binds `a` and `a.b`
                found.append(_Binding(alias.asname or alias.name, name, node))
        return found

    def _check_strings(self, nodes: list[ast.AST], by_local: dict[str, _Binding]) -> None:
        """A string that may be an annotation, a type hint or an `__all__` entry naming a
        restricted name, or a type comment naming one: LibCST reads those, so it decides."""
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(by_local))) + r")\b")
        for comment in TYPE_COMMENT_PATTERN.finditer(self.text):
            if pattern.search(self.text, comment.end(), self.text.find("\n", comment.end())):
                raise _NotPlain
        for node in nodes:
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and pattern.search(node.value)
                and self._may_be_read(node)
            ):
                raise _NotPlain

    def _may_be_read(self, node: ast.AST) -> bool:
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Subscript) and child is parent.slice:
                return True
            if child is getattr(parent, "annotation", None) or child is getattr(
                parent, "returns", None
            ):
                return True
            if (
                isinstance(parent, ast.Call)
                and child is not parent.func
                and _last_name(parent.func) in _TYPING_CALLS
            ):
                return True
            if isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
            if isinstance(parent, ast.Expr) and isinstance(parent.value, ast.Call):
                func = parent.value.func
                return isinstance(func, ast.Attribute) and _last_name(func.value) == "__all__"
            if isinstance(parent, ast.stmt):
                return False
            child, parent = parent, self.parents.get(parent)
        return False

    def _check_use(self, use: ast.Name, statement: ast.stmt) -> None:
        if _position(use) < _position(statement):
            raise _NotPlain  # used before it is imported
        node = self.parents.get(use)
        while node is not None and not isinstance(node, ast.mod):
            if isinstance(node, (ast.JoinedStr, ast.Delete)):
                raise _NotPlain
            node = self.parents.get(node)

    def _decide(
        self,
        use: ast.Name,
        binding: _Binding,
        remaining: list[Remaining],
        calls: list[tuple[ast.Call, Replacement]],
        called: dict[str, list[ast.Name]],
    ) -> None:
        """One reference, as the LibCST engine's `_decide`: the dotted chain it starts is
        followed until a name with a replacement."""
        link: ast.expr = use
        qualified = binding.qualified
        level = 0
        while True:
            exact = self.exact.get(qualified)
            if exact is not None and level > 0 and self._called_bare(link):
                calls.append((self._call_of(link), exact))
                return
            replacement = self.replacements.get(qualified)
            if replacement is not None:
                if level == 0:
                    called.setdefault(use.id, []).append(use)
                elif self._is_called(link):
                    calls.append((self._call_of(link), replacement))
                else:
                    remaining.append(Remaining(link.lineno, _dotted(link), USED_WITHOUT_CALL))
                return
            parent = self.parents.get(link)
            if not (isinstance(parent, ast.Attribute) and parent.value is link):
                break
            link, qualified, level = parent, f"{qualified}.{parent.attr}", level + 1
        remaining.append(Remaining(link.lineno, _dotted(link), no_replacement(qualified)))

    def _is_called(self, node: ast.AST) -> bool:
        parent = self.parents.get(node)
        return isinstance(parent, ast.Call) and parent.func is node

    def _called_bare(self, node: ast.AST) -> bool:
        """Whether `node` is called without arguments (`OLD()`'s exact form)."""
        parent = self.parents.get(node)
        return (
            isinstance(parent, ast.Call)
            and parent.func is node
            and not parent.args
            and not parent.keywords
        )

    def _call_of(self, node: ast.AST) -> ast.Call:
        call = self.parents[node]
        assert isinstance(call, ast.Call)
        return call

    def _check_free(self, name: str, names: set[str], bound: dict[str, int]) -> None:
        """The SSOT name to bind is used or bound nowhere in the module, and no builtin:
        otherwise scopes decide whether binding it changes anything."""
        if name in names or name in bound or name in _BUILTINS:
            raise _NotPlain

    def _is_root(self, call: ast.Call) -> bool:
        """`logging.getLogger()` asked for the root logger, as the LibCST engine reads it."""
        arguments: list[ast.AST] = [*call.args, *call.keywords]
        if not arguments:
            return True
        first = min(arguments, key=_position)
        if isinstance(first, ast.Starred):
            return False
        if isinstance(first, ast.keyword):
            if first.arg != "name":
                return False
            first = first.value
        if not isinstance(first, ast.Constant):
            return False
        if first.value is None:
            return self._segment(first) == "None"
        if first.value in ("", "root"):
            if not _ROOT_STRING.fullmatch(self._segment(first)):
                raise _NotPlain  # a concatenation: another node for LibCST
            return True
        return False

    def _root(self, call: ast.Call) -> Remaining:
        if self._after_parenthesis(call):
            raise _NotPlain  # parentheses LibCST may count as the call's
        return Remaining(call.lineno, " ".join(self._segment(call).split()), ROOT_LOGGER)

    # ----------------------------------------------------------------- the text

    def _segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def _column(self, line: int, byte_column: int) -> int:
        return _char(self.lines[line - 1], byte_column)

    def _after_parenthesis(self, node: ast.expr) -> bool:
        """Whether the last token before `node` in its statement is an opening parenthesis."""
        statement = node
        while not isinstance(statement, ast.stmt):
            statement = self.parents[statement]  # type: ignore[assignment]
        lines = self.lines[statement.lineno - 1 : node.lineno]
        lines[-1] = lines[-1][: self._column(node.lineno, node.col_offset)]
        last = ""
        try:
            for token in tokenize.generate_tokens(iter(lines).__next__):
                if token.type not in _INSIGNIFICANT:
                    last = token.string
        except (tokenize.TokenError, StopIteration):
            pass
        return last == "("

    def _edited(
        self,
        bindings: list[_Binding],
        renamed: list[tuple[ast.Call, Replacement]],
        new_names: list[tuple[ast.AST, _NewName]],
    ) -> str:
        lines = list(self.lines)
        for call, replacement in sorted(renamed, key=lambda c: _position(c[0]), reverse=True):
            func = call.func
            if func.lineno != func.end_lineno or _position(call) != _position(func):
                raise _NotPlain  # a name over lines, or in parentheses
            number = func.lineno - 1
            start = self._column(func.lineno, func.col_offset)
            end = self._column(func.lineno, func.end_col_offset)  # type: ignore[arg-type]
            lines[number] = lines[number][:start] + replacement.name + lines[number][end:]
        imports: dict[str, list[_NewName]] = {}
        for _, new in sorted(new_names, key=lambda item: _position(item[0])):
            names = imports.setdefault(new.module, [])
            if new not in names:
                names.append(new)
        code = [
            f"from {module} import {', '.join(n.code() for n in names)}"
            for module, names in imports.items()
        ]
        return _Layout(self.tree, lines).rewritten(
            {id(b.statement) for b in bindings}, code, _newline(self.text)
        )

    def _verified(self, new_text: str) -> bool:
        """The rewrite's own check: it parses and imports nothing restricted."""
        try:
            tree = ast.parse(new_text)
        except (SyntaxError, ValueError):
            return False
        return not any(
            isinstance(node, (ast.Import, ast.ImportFrom))
            and _restricted_aliases(node, self.restricted) != []
            for node in ast.walk(tree)
        )


class _Layout:
    """The module's lines as LibCST owns them: a header, each top-level statement with the
    blank and comment lines before it, and a footer; removing statements and putting the
    new imports in the place of the first, as the LibCST engine's `_lines` does."""

    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.lines = lines
        # Groups: the top-level statements sharing lines (`a; b`), by their first and
        # last line (1-based), with whether the group ends in a block.
        self.groups: list[tuple[int, int, list[ast.stmt]]] = []
        for statement in tree.body:
            first = min(
                [statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))]
            )
            last = statement.end_lineno or statement.lineno
            if self.groups and first <= self.groups[-1][1]:
                start, _, members = self.groups[-1]
                self.groups[-1] = (start, max(last, self.groups[-1][1]), [*members, statement])
            else:
                self.groups.append((first, last, [statement]))

    def _leading(self, index: int) -> list[str]:
        """The lines between group `index` and the one before: blank or comments only (the
        header's for the first group); after a block, only unindented ones (LibCST gives
        indented ones to the block)."""
        if index == 0:
            return []
        _, after, members = self.groups[index - 1]
        between = self.lines[after : self.groups[index][0] - 1]
        block_before = isinstance(members[-1], _COMPOUND)
        for line in between:
            if not _BLANK_OR_COMMENT.fullmatch(line):
                raise _NotPlain
            if block_before and line[:1] in (" ", "\t", "\f"):
                raise _NotPlain
        return between

    def rewritten(self, removed: set[int], code: list[str], newline: str) -> str:
        """The text without the `removed` statements, `code` (the new imports) in the place
        of the first: where nothing is removed or added, the lines as they are."""
        groups = self.groups
        out = self.lines[: groups[0][0] - 1]  # the header
        placed = 0
        pending: list[str] | None = None
        anchored = False
        for index, (first, last, members) in enumerate(groups):
            gone = [id(m) in removed for m in members]
            if any(gone) and len(members) > 1:
                raise _NotPlain  # an import sharing its line
            if not any(gone) and pending is None:
                previous = groups[index - 1][1] if index else first - 1
                out.extend(self.lines[previous:last])
                placed += 1
                continue
            leading = self._leading(index)
            if any(gone) and (anchored or not code):
                pending = leading if pending is None else _merged(pending, leading)
                continue
            if any(gone):  # the first removed import: the new imports take its place
                anchored = True
                statement = members[0]
                end = self.lines[last - 1]
                tail = end[_char(end, statement.end_col_offset) :]  # type: ignore[arg-type]
                if not _BLANK_OR_COMMENT.fullmatch(tail):
                    raise _NotPlain
                body = [code[0] + tail, *(c + newline for c in code[1:])]
            else:
                body = self.lines[first - 1 : last]
            if pending is not None:
                leading = _merged(pending, leading)
                if not placed:
                    while leading and _is_blank(leading[0]):
                        leading.pop(0)
                pending = None
            out.extend(leading)
            out.extend(body)
            placed += 1
        header_end = groups[0][0] - 1
        footer = self.lines[groups[-1][1] :]
        if pending and any(not _is_blank(line) for line in pending):
            footer = [*pending, *footer]
        if not placed and not header_end and not footer:
            return ""
        return "".join([*out, *footer])


def _merged(removed: list[str], following: list[str]) -> list[str]:
    if not following:
        return list(removed)
    if any(not _is_blank(line) for line in removed):
        return [*removed, *following]
    return list(following)


def _is_blank(line: str) -> bool:
    return "#" not in line


def _char(line: str, byte_column: int) -> int:
    """The index in `line` of `ast`'s column (a UTF-8 byte offset)."""
    return byte_column if line.isascii() else len(line.encode()[:byte_column].decode())


def _newline(text: str) -> str:
    """LibCST's default line end: that of the first line (a line feed when there is none)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _position(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    assert isinstance(node, ast.Name)
    return node.id


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _names(nodes: list[ast.AST]) -> tuple[set[str], dict[str, int]]:
    """Every name used (`Name` nodes) and how often each name is bound otherwise than by
    a `Name` store: definitions, parameters, imports, `global`, `except ... as`, patterns."""
    used: set[str] = set()
    bound: dict[str, int] = {}

    def bind(name: str | None) -> None:
        if name:
            bound[name] = bound.get(name, 0) + 1

    for node in nodes:
        if isinstance(node, ast.Name):
            used.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                bind(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            bind(node.name)
        elif isinstance(node, ast.MatchMapping):
            bind(node.rest)
        elif type(node).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
            bind(getattr(node, "name", None))
    return used, bound
