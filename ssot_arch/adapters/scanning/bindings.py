"""Read the names a module binds at its top level, with tree-sitter.

tree-sitter's Python grammar reads code newer than the interpreter running the tool
(3.12 f-strings, `type` statements), and a file with errors still yields the
statements around them. Only what the laundering analysis needs is extracted:
imports and plain aliases (`log = loguru.logger`) at module level, including inside
module-level `if`/`try`/`with` blocks; function and class bodies bind no module names.
"""

from __future__ import annotations

import functools
import re
import textwrap

import tree_sitter_python
from tree_sitter import Language, Node, Parser

from ssot_arch.domain.model import Binding

_DESCEND = frozenset(
    {
        "if_statement",
        "elif_clause",
        "else_clause",
        "try_statement",
        "except_clause",
        "finally_clause",
        "with_statement",
        "block",
        "for_statement",
        "while_statement",
    }
)


@functools.cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_python.language()))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _resolve_relative(prefix_dots: int, name: str, module: str, is_package: bool) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if prefix_dots > 1:
        base = base[: len(base) - (prefix_dots - 1)] if prefix_dots - 1 <= len(base) else []
    return ".".join(part for part in [*base, name] if part)


def _from_module(node: Node, module: str, is_package: bool) -> str:
    source = node.child_by_field_name("module_name")
    if source is None:
        return ""
    if source.type == "relative_import":
        dots = 0
        name = ""
        for child in source.children:
            if child.type == "import_prefix":
                dots = len(_text(child))
            elif child.type == "dotted_name":
                name = _text(child)
        return _resolve_relative(dots, name, module, is_package)
    return _text(source)


def _bindings_of(node: Node, module: str, is_package: bool) -> list[Binding]:
    line = node.start_point[0] + 1
    found = []
    if node.type == "import_statement":
        for child in node.named_children:
            if child.type == "dotted_name":
                dotted = _text(child)
                found.append(Binding(dotted.split(".")[0], line, module=dotted.split(".")[0]))
            elif child.type == "aliased_import":
                name = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    found.append(Binding(_text(alias), line, module=_text(name)))
    elif node.type == "import_from_statement":
        source = _from_module(node, module, is_package)
        if any(c.type == "wildcard_import" for c in node.children):
            return [Binding("*", line, module=source)]
        for child in node.children_by_field_name("name"):
            if child.type == "dotted_name":
                found.append(Binding(_text(child), line, module=source, attribute=_text(child)))
            elif child.type == "aliased_import":
                name = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    found.append(Binding(_text(alias), line, module=source, attribute=_text(name)))
    elif node.type == "expression_statement" and node.named_children:
        assignment = node.named_children[0]
        if assignment.type == "assignment":
            left = assignment.child_by_field_name("left")
            right = assignment.child_by_field_name("right")
            if (
                left is not None
                and right is not None
                and left.type == "identifier"
                and right.type in ("identifier", "attribute")
            ):
                head, _, rest = _text(right).partition(".")
                found.append(Binding(_text(left), line, alias_of=head, attribute=rest or None))
    return found


def read_bindings(source: bytes, module: str, is_package: bool) -> list[Binding]:
    """The module-level bindings of `source`, in the order they run."""
    tree = _parser().parse(source)
    bindings: list[Binding] = []
    pending = list(reversed(tree.root_node.children))
    while pending:
        node = pending.pop()
        if node.type in _DESCEND:
            pending.extend(reversed(node.children))
        else:
            bindings.extend(_bindings_of(node, module, is_package))
    return bindings


def statement_at(lines: list[str], line: int) -> str:
    """The statement starting at `line` (1-based), continued over brackets and
    backslashes, dedented so that it parses on its own."""
    parts = []
    depth = 0
    for text in lines[line - 1 :]:
        parts.append(text)
        depth += text.count("(") - text.count(")")
        if depth <= 0 and not text.rstrip().endswith("\\"):
            break
    return textwrap.dedent("\n".join(parts))


def statement_bindings(lines: list[str], line: int, module: str, is_package: bool) -> list[Binding]:
    """What the one statement at `line` binds, read without parsing the whole file.

    A cheap over-approximation: it does not know whether the statement sits in a
    function, so it serves to decide which files deserve a full `read_bindings`.
    """
    snippet = statement_at(lines, line).encode("utf-8")
    return [
        Binding(b.name, line, b.module, b.attribute, b.alias_of)
        for b in read_bindings(snippet, module, is_package)
    ]


_ALIAS = re.compile(
    r"^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:#.*)?$", re.M
)


def alias_bindings(text: str) -> list[Binding]:
    """Module-level `name = other.attr` lines (at column 0), found with a regular expression."""
    found = []
    for match in _ALIAS.finditer(text):
        head, _, rest = match.group(2).partition(".")
        line = text.count("\n", 0, match.start()) + 1
        found.append(Binding(match.group(1), line, alias_of=head, attribute=rest or None))
    return found
