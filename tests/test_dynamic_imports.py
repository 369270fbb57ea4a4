"""Dynamic imports (analysis/dynamic.py): calls that import a module named by a literal.

The unit tests pin each rule: the callees and how their names are bound, what counts as
a literal, how relative names resolve (against importlib's own resolve_name), what is not
guessed at, line numbers and call text, and the text pre-filter (NFKC, declared
encodings). The differential test generates modules mixing every form, literal or not,
bound or rebound, in every kind of scope, and compares the analysis with the ground
truth the generator knows.
"""

from __future__ import annotations

import ast
import importlib.util
import random
from dataclasses import dataclass, field

import pytest

from ssot_arch.analysis.dynamic import (
    find_dynamic_imports,
    may_import_dynamically,
)
from ssot_arch.analysis.source_text import MAX_QUOTE
from ssot_arch.domain.model import DynamicImport


def imported(text: str, module: str = "app.core.util", is_package: bool = False) -> list[str]:
    return [found.imported for found in find_dynamic_imports(text, module, is_package)]


# --- What counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "import importlib\nimportlib.import_module('logging')",
        "import importlib as il\nil.import_module('logging')",
        "import importlib.util\nimportlib.import_module('logging')",  # binds importlib
        "import os, importlib\nimportlib.import_module('logging')",
        "from importlib import import_module\nimport_module('logging')",
        "from importlib import import_module as im\nim('logging')",
        "from importlib import util, import_module\nimport_module('logging')",
        "__import__('logging')",
        "import builtins\nbuiltins.__import__('logging')",
        "import builtins as b\nb.__import__('logging')",
        "import importlib\nimportlib.__import__('logging')",
        "from builtins import __import__ as imp\nimp('logging')",
        "from importlib import __import__ as imp\nimp('logging')",
        "from builtins import __import__\n__import__('logging')",  # still the builtin
        "from importlib import __import__\n__import__('logging')",
        # Keyword arguments, as the functions bind them.
        "import importlib\nimportlib.import_module(name='logging')",
        "__import__(name='logging')",
        "__import__('logging', globals(), locals(), ['getLogger'], 0)",
        "__import__('logging', fromlist=('x',), level=0)",
        "__import__('logging', None, None, (), False)",  # a bool is an int to Python
        # An absolute name ignores the package, literal or not.
        "import importlib\nimportlib.import_module('logging', __package__)",
        "import importlib\nimportlib.import_module('logging', package=pkg)",
    ],
)
def test_each_callee_and_binding_counts(text: str) -> None:
    assert imported(text) == ["logging"]


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("'logging'", "logging"),
        ('"logging"', "logging"),
        ("'''logging'''", "logging"),
        ("r'logging'", "logging"),
        ("u'logging'", "logging"),
        ("'lo' 'gging'", "logging"),  # implicit concatenation is one constant
        ("('lo'\n 'gging')", "logging"),
        ("f'logging'", "logging"),  # an f-string without placeholders
        ("f'lo' 'gging'", "logging"),
        ("f'lo' f'gging'", "logging"),
        ("'logging.handlers'", "logging.handlers"),
        ("'ｌｏｇｇｉｎｇ'", "ｌｏｇｇｉｎｇ"),  # strings are not identifiers: not NFKC'd
        ("'logging.'", "logging."),  # imports logging, then fails: as written
    ],
)
def test_a_literal_name_counts_as_written(argument: str, expected: str) -> None:
    assert imported(f"from importlib import import_module\nimport_module({argument})") == [expected]
    assert imported(f"__import__({argument})") == [expected]


@pytest.mark.parametrize(
    "argument",
    [
        "name",
        "'lo' + 'gging'",  # an expression, not a literal: not evaluated
        "'logging'.strip()",
        "f'{name}'",
        "f'lo{\"\"}gging'",  # a placeholder, even of a constant
        "f'{\"logging\"}'",
        "str('logging')",
        "b'logging'",  # not a string: TypeError
        "''",  # ValueError: Empty module name
        "None",
        "*names",
        "**{'name': 'logging'}",
    ],
)
def test_a_name_that_is_not_a_literal_string_is_not_guessed_at(argument: str) -> None:
    assert imported(f"from importlib import import_module\nimport_module({argument})") == []
    assert imported(f"__import__({argument})") == []


@pytest.mark.parametrize(
    "text",
    [
        "import importlib\ngetattr(importlib, 'import_module')('logging')",
        "import importlib\nim = importlib.import_module\nim('logging')",  # a variable
        "exec('import logging')",
        "eval('__import__(\"logging\")')",
        "importlib.import_module('logging')",  # importlib not imported: NameError
        "import_module('logging')",
        "builtins.__import__('logging')",
        "import importlib.util as importlib\nimportlib.import_module('logging')",  # util
        "import importlib.util as u\nu.import_module('logging')",
        "import builtins as importlib\nimportlib.import_module('logging')",
        "from . import importlib\nimportlib.import_module('logging')",  # first-party
        "from .importlib import import_module\nimport_module('logging')",
        "from importlib.util import import_module\nimport_module('logging')",
        "from importlib import *\nimport_module('logging')",  # star imports bind nothing
        "import importlib\nimportlib.util.import_module('logging')",
        "import importlib\nimportlib.import_module.x('logging')",
        "import importlib\nx.importlib.import_module('logging')",
        "__import__.x('logging')",
        "import importlib\nimportlib.reload('logging')",
    ],
)
def test_other_callees_are_not_import_functions(text: str) -> None:
    assert imported(text) == []


@pytest.mark.parametrize(
    "call",
    [
        "import_module('logging', 'app', 'extra')",  # TypeError: too many arguments
        "import_module('logging', packages='app')",  # an unknown keyword
        "import_module('logging', name='logging')",  # name given twice
        "import_module('logging', *rest)",  # could hold anything
        "import_module('logging', **options)",
        "__import__('logging', None, None, (), 0, 'extra')",
        "__import__('logging', fromlist=(), level=0, globalz=None)",
        "__import__('logging', name='logging')",
        "__import__('logging', *rest)",
        "__import__('logging', **options)",
    ],
)
def test_a_call_that_would_raise_typeerror_or_unpacks_arguments_is_skipped(call: str) -> None:
    assert imported(f"from importlib import import_module\n{call}") == []


# --- Relative names -----------------------------------------------------------------


@pytest.mark.parametrize("name", [".", ".x", "..x", "...x", "..", ".x.y", "....x"])
@pytest.mark.parametrize("package", ["a", "a.b", "a.b.c", "app.core.util"])
def test_a_relative_name_resolves_against_a_literal_package_as_importlib_does(
    name: str, package: str
) -> None:
    try:
        expected = [importlib.util.resolve_name(name, package)]
    except ImportError:  # beyond the top-level package
        expected = []
    base = "from importlib import import_module\n"
    assert imported(f"{base}import_module({name!r}, {package!r})") == expected
    assert imported(f"{base}import_module({name!r}, package={package!r})") == expected
    assert imported(f"{base}import_module(package={package!r}, name={name!r})") == expected
    assert imported(f"{base}import_module({name!r}, package=f{package!r})") == expected


@pytest.mark.parametrize(
    "call",
    [
        "import_module('.x')",  # TypeError: a relative name needs a package
        "import_module('.x', None)",
        "import_module('.x', '')",
        "import_module('.x', __package__)",  # not a literal: not guessed at
        "import_module('.x', __name__)",
        "import_module('.x', package=pkg)",
        "import_module('.x', f'{pkg}')",
        "import_module('..x', 'top')",  # beyond the top-level package
    ],
)
def test_a_relative_name_without_a_literal_package_is_not_guessed_at(call: str) -> None:
    assert imported(f"from importlib import import_module\n{call}", "app.mod") == []


@pytest.mark.parametrize(
    ("module", "is_package", "name", "level", "expected"),
    [
        ("app.core.util", False, "x", 1, "app.core.x"),
        ("app.core.util", False, "x", 2, "app.x"),
        ("app.core.util", False, "x.y", 2, "app.x.y"),
        ("app.core.util", False, "", 1, "app.core"),  # `from . import name`
        ("app.core.util", False, "x", 3, None),  # beyond the top-level package
        ("app.core", True, "x", 1, "app.core.x"),  # a package is its own anchor
        ("app.core", True, "", 2, "app"),
        ("app", True, "x", 1, "app.x"),
        ("app", True, "x", 2, None),
        ("tool", False, "x", 1, None),  # no parent package
        ("app.core.util", False, "x", 0, "x"),
    ],
)
def test_dunder_import_resolves_a_level_against_the_files_own_package(
    module: str, is_package: bool, name: str, level: int, expected: str | None
) -> None:
    for call in (
        f"__import__({name!r}, globals(), None, (), {level})",
        f"__import__({name!r}, globals(), level={level})",
        f"__import__({name!r}, level={level}, globals=globals())",
        f"__import__(name={name!r}, globals=globals(), fromlist=['a'], level={level})",
    ):
        got = imported(call, module, is_package)
        assert got == ([] if expected is None else [expected]), call


@pytest.mark.parametrize(
    "call",
    [
        "__import__('x', level=1)",  # no globals: Python raises KeyError
        "__import__('x', None, None, (), 1)",
        "__import__('x', {}, None, (), 1)",  # some other globals
        "__import__('x', vars(), None, (), 1)",
        "__import__('x', g, None, (), 1)",
        "__import__('x', globals(1), None, (), 1)",
        "__import__('x', globals(), None, (), lvl)",  # not a literal
        "__import__('x', globals(), None, (), -1)",  # not a literal; ValueError anyway
        "__import__('x', globals(), None, (), 1.0)",
        "__import__('x', globals(), None, (), '1')",
        "__import__('.x')",  # a leading dot at level 0: ValueError
        "__import__('..x', level=0)",
    ],
)
def test_dunder_import_levels_that_are_not_known_are_not_guessed_at(call: str) -> None:
    assert imported(call, "app.core.util") == []


def test_globals_rebound_makes_a_relative_dunder_import_unknown() -> None:
    call = "__import__('x', globals(), None, (), 1)"
    assert imported(call) == ["app.core.x"]
    assert imported(f"globals = dict\n{call}") == []
    assert imported(f"from builtins import globals\n{call}") == ["app.core.x"]


# --- Scopes, lines, call text ----------------------------------------------------------


def test_calls_count_in_every_scope_with_their_lines() -> None:
    text = """\
from importlib import import_module
from typing import TYPE_CHECKING
import_module('a')
def f():
    import_module('b')
    def g():
        return import_module('c')
class C:
    x = import_module('d')
    def m(self, default=import_module('e')):
        pass
h = lambda: import_module('f')
if TYPE_CHECKING:
    import_module('g')
try:
    import_module('h')
except ImportError:
    import_module('i')
xs = [import_module('j') for _ in range(1)]
@import_module('k').decorator
def d():
    pass
print(import_module('l'))
async def a():
    async with import_module('m'):
        await import_module('n')
match import_module('o'):
    case _:
        pass
"""
    found = find_dynamic_imports(text, "app.mod", is_package=False)
    assert [(f.line, f.imported) for f in found] == [
        (3, "a"),
        (5, "b"),
        (7, "c"),
        (9, "d"),
        (10, "e"),
        (12, "f"),
        (14, "g"),
        (16, "h"),
        (18, "i"),
        (19, "j"),
        (20, "k"),
        (23, "l"),
        (25, "m"),
        (26, "n"),
        (27, "o"),
    ]


def test_a_call_inside_another_call_counts_alone() -> None:
    text = "import importlib\nimportlib.import_module(importlib.import_module('a').NAME)"
    assert imported(text) == ["a"]


def test_the_line_is_where_the_call_starts_and_the_text_is_collapsed() -> None:
    text = (
        "import importlib\nx = 1\nm = importlib.import_module(\n    'logging',\n\n    None ,\n)\n"
    )
    assert find_dynamic_imports(text, "app.mod", False) == [
        DynamicImport("app.mod", 3, "logging", "importlib.import_module( 'logging', None , )")
    ]
    text = "import importlib\n(importlib\n  .import_module('a'))"
    assert find_dynamic_imports(text, "app.mod", False) == [
        DynamicImport("app.mod", 2, "a", "importlib .import_module('a')")
    ]


def test_whitespace_inside_a_literal_is_collapsed_in_the_text_but_not_in_the_name() -> None:
    text = "__import__('''a\n\t  b''')"
    assert find_dynamic_imports(text, "app.mod", False) == [
        DynamicImport("app.mod", 1, "a\n\t  b", "__import__('''a b''')")
    ]


def test_a_long_call_text_is_cut_with_an_ellipsis() -> None:
    fromlist = ", ".join(f"'name{i}'" for i in range(60))
    text = f"__import__('logging', fromlist=[{fromlist}])"
    (found,) = find_dynamic_imports(text, "app.mod", False)
    assert found.imported == "logging"
    assert found.call == text[:MAX_QUOTE] + "…"
    exact = "__import__('" + "x" * (MAX_QUOTE - len("__import__('')")) + "')"
    assert len(exact) == MAX_QUOTE
    assert find_dynamic_imports(exact, "app.mod", False)[0].call == exact


def test_non_ascii_source_keeps_its_call_text() -> None:
    text = "ｘ = 'é'; __import__('logging', fromlist=['é'])  # ünïcode"
    (found,) = find_dynamic_imports(text, "app.mod", False)
    assert found.call == "__import__('logging', fromlist=['é'])"


def test_results_are_sorted_and_distinct() -> None:
    text = "__import__('b'); __import__('a'); __import__('a')\n__import__('a')"
    assert find_dynamic_imports(text, "app.mod", False) == [
        DynamicImport("app.mod", 1, "a", "__import__('a')"),
        DynamicImport("app.mod", 1, "b", "__import__('b')"),
        DynamicImport("app.mod", 2, "a", "__import__('a')"),
    ]


def test_identifiers_are_read_as_python_reads_them_nfkc() -> None:
    text = (
        "import ｉｍｐｏｒｔｌｉｂ\n"
        "ｉｍｐｏｒｔｌｉｂ.ｉｍｐｏｒｔ_module('logging')\n"
        "__ｉｍｐｏｒｔ__('loguru')"
    )
    assert imported(text) == ["logging", "loguru"]


# --- Rebound names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rebinding",
    [
        "__import__ = my_import",
        "def __import__(name): pass",
        "class __import__: pass",
        "import my_tools as __import__",
        "from my_tools import __import__",
        "def f(__import__): pass",
        "f = lambda *__import__: 0",
        "for __import__ in []: pass",
        "with open('x') as __import__: pass",
        "try:\n    pass\nexcept Exception as __import__:\n    pass",
        "(__import__ := 1)",
        "[0 for __import__ in []]",
        "del __import__",
        "__import__: int",
        "match x:\n    case {**__import__}: pass",
        "match x:\n    case [*__import__]: pass",
        "match x:\n    case str() as __import__: pass",
    ],
)
def test_a_rebound_dunder_import_is_not_the_builtin(rebinding: str) -> None:
    assert imported(f"{rebinding}\n__import__('logging')") == []
    assert imported(f"__import__('logging')\n{rebinding}") == []


@pytest.mark.parametrize(
    "text",
    [
        "import importlib\nimportlib = None\nimportlib.import_module('logging')",
        "import importlib\ndef f(importlib):\n    importlib.import_module('logging')",
        "import importlib\nimport mylib as importlib\nimportlib.import_module('logging')",
        "from importlib import import_module\ndef import_module(x): pass\nimport_module('x')",
        "from importlib import import_module as im\nfrom other import im\nim('logging')",
        "from importlib import import_module as im\nim = 1\nim('logging')",
        "import builtins\nbuiltins = 1\nbuiltins.__import__('logging')",
        # Bound by two different recognised imports: ambiguous, so nothing.
        "import importlib as x\nfrom importlib import import_module as x\nx('logging')",
    ],
)
def test_a_name_bound_to_anything_else_anywhere_in_the_file_counts_as_nothing(
    text: str,
) -> None:
    assert imported(text) == []


def test_the_same_recognised_import_twice_still_counts() -> None:
    text = "import importlib\ndef f():\n    import importlib\n    importlib.import_module('a')"
    assert imported(text) == ["a"]


def test_bindings_are_per_file_not_per_scope_or_statement() -> None:
    # Bindings are per file, not per scope or statement: the documented simplification.
    assert imported("__import__('a')\ndef f():\n    __import__ = 1") == []
    assert imported("def f():\n    import importlib\nimportlib.import_module('a')") == ["a"]


def test_every_ast_node_with_a_name_field_is_a_known_binding_form() -> None:
    # _bound_by counts every node with a `name` string as a binding of it (but aliases):
    # a new Python version's new node with a name must be looked at.
    with_name = {
        cls.__name__
        for cls in vars(ast).values()
        if isinstance(cls, type) and issubclass(cls, ast.AST) and "name" in cls._fields
    }
    assert with_name <= {
        "FunctionDef",
        "AsyncFunctionDef",
        "ClassDef",
        "ExceptHandler",
        "alias",
        "MatchAs",
        "MatchStar",
        "TypeVar",
        "ParamSpec",
        "TypeVarTuple",
        "TypeAlias",  # its name is a Name in Store context
    }


# --- Files that do not parse ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("__import__('logging'", (SyntaxError,)),
        ("def f(:\n    __import__('logging')", (SyntaxError,)),
        ("__import__('logging')\0", (SyntaxError, ValueError)),  # ValueError before 3.12
        ("x = " + "-" * 100_000 + "1", (RecursionError, MemoryError, SyntaxError)),
        ("x = " + "1 + " * 100_000 + "1", (RecursionError, MemoryError, SyntaxError)),
    ],
)
def test_a_file_that_does_not_parse_raises_for_the_caller(
    text: str, errors: tuple[type[BaseException], ...]
) -> None:
    with pytest.raises(errors):
        find_dynamic_imports(text, "app.mod", False)


def test_a_deep_but_parseable_file_is_analysed() -> None:
    text = "x = " + "(" * 150 + "__import__('a')" + ")" * 150
    assert imported(text) == ["a"]
    text = "import importlib\nx = " + "1 + " * 900 + "importlib.import_module('a')"
    assert imported(text) == ["a"]


# --- The text pre-filter --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"import importlib\nimportlib.import_module('logging')",
        b"__import__('logging')",
        b"# import_module is mentioned in a comment",  # an over-approximation
        "x = '__import__'  # ü".encode(),
        "ｉｍｐｏｒｔ_module('x')".encode(),  # fullwidth: NFKC reads `import_module`
        "__ｉｍｐｏｒｔ__('x')".encode(),
        "\ufeff__import__('x')".encode(),  # a BOM
        b"\xef\xbb\xbf# coding: utf-8\n__import__('x')",
        # UTF-7: ASCII bytes whose text spells `__import__` (`+AF8AXw-` is `__`).
        b"# coding: utf-7\n+AF8AXw-import+AF8AXw-('logging')",
        b"# -*- coding: latin-1 -*-\nimp\xbart_m\xbadule('logging')",  # U+00BA: NFKC `o`
        b"# coding: no-such-encoding\n",  # Python rejects it: the parse says why
        b"# coding: rot13\n",  # not a text encoding
        b"\xef\xbb\xbf# coding: latin-1\n",  # a BOM and another cookie
        b"x = '\xff'\n",  # not UTF-8 where a cookie could be: its encoding is unknown
    ],
)
def test_the_pre_filter_finds_every_spelling_python_reads(data: bytes) -> None:
    assert may_import_dynamically(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"import importlib\nimportlib.reload(x)",
        b"import logging",
        b"importmodule = __imp0rt__",
        "import_modul\u0435('x')".encode(),  # a Cyrillic e: another identifier
        "x = 'é'\nimportlib.reload(x)".encode(),
        "# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"),
        b"# coding: utf-7\nx = '+AGkAbQBw-'",  # UTF-7 for `imp`, nothing more
        # Undecodable after the first two lines: replaced (Python would not run it).
        b"\n\nx = 'imp\xffort_module'",
    ],
)
def test_the_pre_filter_clears_text_that_cannot_spell_an_import_function(data: bytes) -> None:
    assert not may_import_dynamically(data)


def test_a_declared_encoding_is_read_before_the_analysis_too() -> None:
    data = b"# -*- coding: latin-1 -*-\nfrom importlib import imp\xbart_m\xbadule\n"
    data += b"imp\xbart_m\xbadule('logging')\n"
    assert may_import_dynamically(data)
    assert imported(data.decode("latin-1")) == ["logging"]


# --- Differential test against generated modules ---------------------------------------

NONLITERAL = object()  # an argument whose value is not a literal
ABSENT = object()

MODULES = [
    ("app.core.util", False),
    ("app.core", True),
    ("app", True),
    ("tool", False),
    ("a.b.c.d", False),
]
ABSOLUTE = ["logging", "loguru", "structlog", "logging.handlers", "app.log", "ｌｏｇｇｉｎｇ"]
RELATIVE = [".", ".x", "..x", "...log", "..", ".sub.mod", "....x"]
PACKAGES = ["app", "app.core", "a.b.c", ""]
TAILS = ["", "x", "log", "sub.mod"]

TEMPLATES = [
    "x = CALL",
    "CALL",
    "def f():\n    return CALL",
    "def f():\n    def inner():\n        return CALL\n    return inner",
    "class C:\n    attr = CALL",
    "g = lambda: CALL",
    "if TYPE_CHECKING:\n    CALL",
    "try:\n    CALL\nexcept ImportError:\n    pass",
    "xs = [CALL for _ in range(1)]",
    "def h(m=CALL):\n    pass",
    "@CALL\ndef d():\n    pass",
    "print(CALL)",
    "async def a():\n    await CALL",
]


def fullwidth(identifier: str, rng: random.Random) -> str:
    """`identifier` with some letters in fullwidth forms (the same name after NFKC)."""
    return "".join(
        chr(ord(c) - 0x21 + 0xFF01) if c.isalpha() and rng.random() < 0.3 else c for c in identifier
    )


@dataclass(frozen=True)
class Binding:
    """An import statement the generated module may hold, and what its name is bound to."""

    name: str
    target: str  # the qualified name of the module or function bound
    statement: str


@dataclass
class Generated:
    """A generated module, and the dynamic imports it holds (the ground truth)."""

    text: str
    module: str
    is_package: bool
    expected: list[DynamicImport] = field(default_factory=list)


def string_argument(rng: random.Random, value: str) -> str:
    """A literal spelling of `value`."""
    form = rng.randrange(4)
    if form == 1:
        return "f" + repr(value)
    if form == 2 and len(value) > 1:
        cut = rng.randrange(1, len(value))
        return f"{value[:cut]!r} {'f' if rng.random() < 0.5 else ''}{value[cut:]!r}"
    return repr(value)


def name_argument(rng: random.Random, values: list[str]) -> tuple[str, object]:
    """A name argument's text and its literal value (NONLITERAL if it is none)."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(["name", "'lo' + 'gging'", "f'{name}'", "b'logging'", "None"]), NONLITERAL
    if roll < 0.2:
        return "''", ""
    value = rng.choice(values)
    return string_argument(rng, value), value


def generate_import_module(rng: random.Random) -> tuple[list[str], object, object, bool]:
    """Arguments of an import_module call: texts, name, package, whether Python binds them."""
    name_text, name = name_argument(rng, ABSOLUTE + RELATIVE)
    package: object = ABSENT
    package_text = None
    roll = rng.random()
    if roll < 0.5:
        package = rng.choice(PACKAGES)
        package_text = string_argument(rng, str(package)) if package else "''"
    elif roll < 0.65:
        package, package_text = NONLITERAL, rng.choice(["__package__", "pkg", "None"])
    arguments = []
    name_keyword = rng.random() < 0.2
    arguments.append(f"name={name_text}" if name_keyword else name_text)
    if package_text is not None:
        keyword = name_keyword or rng.random() < 0.5
        arguments.append(f"package={package_text}" if keyword else package_text)
        if name_keyword and rng.random() < 0.5:
            arguments.reverse()  # keywords in any order
    valid = rng.random() >= 0.08
    if not valid:  # an unknown keyword (TypeError), or unpacked arguments
        arguments.append(rng.choice(["bogus=1", "*rest", "**options"]))
    return arguments, name, package, valid


def expect_import_module(name: object, package: object) -> str | None:
    if name is NONLITERAL or name == "":
        return None
    assert isinstance(name, str)
    if not name.startswith("."):
        return name
    if not isinstance(package, str) or not package:
        return None
    try:
        return importlib.util.resolve_name(name, package)
    except ImportError:
        return None


def generate_dunder_import(rng: random.Random) -> tuple[list[str], object, object, str, bool]:
    """Arguments of an __import__ call: texts, name, level, globals text, validity."""
    level: object = ABSENT
    level_text = None
    roll = rng.random()
    if roll < 0.4:
        level = rng.choice([0, 1, 1, 2, 3, True])
        level_text = str(level)
    elif roll < 0.5:
        level, level_text = NONLITERAL, rng.choice(["lvl", "-1", "1 + 0"])
    relative = isinstance(level, int) and level > 0
    if relative:
        name_text, name = name_argument(rng, TAILS)
    else:
        name_text, name = name_argument(rng, ABSOLUTE + [".x", "..x"])
    globals_text = rng.choice(["globals()", "globals()", "None", "{}", "vars()", "g", None])
    if rng.random() < 0.5:  # positional
        arguments = [name_text]
        if globals_text is not None or level_text is not None:
            arguments.append(globals_text or "None")
        if level_text is not None:
            arguments += ["None", rng.choice(["()", "['x']"]), level_text]
    else:
        keywords = []
        if globals_text is not None:
            keywords.append(f"globals={globals_text}")
        if level_text is not None:
            keywords.append(f"level={level_text}")
        if rng.random() < 0.3:
            keywords.append("fromlist=('a',)")
        rng.shuffle(keywords)
        if rng.random() < 0.2:
            keywords.insert(rng.randrange(len(keywords) + 1), f"name={name_text}")
            arguments = keywords
        else:
            arguments = [name_text, *keywords]
    valid = rng.random() >= 0.08
    if not valid:  # an unknown keyword (TypeError), or unpacked arguments
        arguments.append(rng.choice(["bogus=1", "*rest", "**options"]))
    return arguments, name, level, globals_text or "None", valid


def expect_dunder_import(
    name: object, level: object, globals_text: str, globals_ok: bool, package: str
) -> str | None:
    if name is NONLITERAL or level is NONLITERAL:
        return None
    assert isinstance(name, str)
    assert level is ABSENT or isinstance(level, int)
    depth = level if isinstance(level, int) else 0
    if depth == 0:
        return name if name and not name.startswith(".") else None
    if globals_text != "globals()" or not globals_ok or not package:
        return None
    try:
        return importlib.util.resolve_name("." * depth + name, package)
    except ImportError:
        return None


# Each callee: its text, the name it starts with, and what that name must be bound to.
CALLEES = [
    ("importlib.import_module", "importlib", "importlib"),
    ("il.import_module", "il", "importlib"),
    ("import_module", "import_module", "importlib.import_module"),
    ("im", "im", "importlib.import_module"),
    ("__import__", "__import__", "builtins.__import__"),
    ("builtins.__import__", "builtins", "builtins"),
    ("b.__import__", "b", "builtins"),
    ("importlib.__import__", "importlib", "importlib"),
    ("il.__import__", "il", "importlib"),
    ("dimp", "dimp", "__import__"),  # either module's
]
REBINDABLE = ["importlib", "il", "b", "import_module", "im", "dimp", "__import__", "globals"]
NOISE = [
    "getattr(importlib, 'import_module')('logging')",
    "exec('import logging')",
    "ref = import_module",
    "import os",
]


def generate(seed: int) -> Generated:
    """A module of random dynamic imports, with the ones the analysis must find."""
    rng = random.Random(seed)
    module, is_package = rng.choice(MODULES)
    package = module if is_package else ".".join(module.split(".")[:-1])

    def spelt(identifier: str) -> str:
        return fullwidth(identifier, rng) if rng.random() < 0.2 else identifier

    candidates = [
        Binding("importlib", "importlib", f"import {spelt('importlib')}"),
        Binding("importlib", "importlib", f"import {spelt('importlib')}.util"),
        Binding("il", "importlib", f"import {spelt('importlib')} as il"),
        Binding("builtins", "builtins", "import builtins"),
        Binding("b", "builtins", "import builtins as b"),
        Binding("import_module", "importlib.import_module", "from importlib import import_module"),
        Binding(
            "im", "importlib.import_module", f"from importlib import {spelt('import_module')} as im"
        ),
        Binding(
            "dimp", "builtins.__import__", f"from builtins import {spelt('__import__')} as dimp"
        ),
        Binding("dimp", "importlib.__import__", "from importlib import __import__ as dimp"),
        Binding("__import__", "builtins.__import__", "from builtins import __import__"),
    ]
    bound = [binding for binding in candidates if rng.random() < 0.6]
    targets: dict[str, set[str]] = {}
    for binding in bound:
        targets.setdefault(binding.name, set()).add(binding.target)
    rebound = {name for name in REBINDABLE if rng.random() < 0.08}
    spoilers = [
        rng.choice(
            [
                f"{name} = None",
                f"def {name}():\n    pass",
                f"def z({name}):\n    pass",
                f"for {name} in ():\n    pass",
            ]
        )
        for name in sorted(rebound)
    ]

    def follows(name: str, wanted: str) -> bool:
        """Whether the analysis may take `name` for `wanted`: bound to nothing else."""
        if name in rebound:
            return False
        bound_to = targets.get(name, {"builtins.__import__"} if name == "__import__" else set())
        if wanted == "__import__":  # either module's, but only one of them
            return len(bound_to) == 1 and bound_to <= {
                "builtins.__import__",
                "importlib.__import__",
            }
        return bound_to == {wanted}

    # Each piece: a block of lines, and the line (in it) and record of its dynamic import.
    pieces: list[tuple[str, int, DynamicImport | None]] = []
    for _ in range(rng.randrange(1, 9)):
        callee, head, wanted = rng.choice(CALLEES)
        usable = follows(head, wanted)
        if callee.endswith("import_module") or callee == "im":
            arguments, name, package_value, valid = generate_import_module(rng)
            expected = expect_import_module(name, package_value)
        else:
            arguments, name, level, globals_text, valid = generate_dunder_import(rng)
            globals_ok = "globals" not in rebound
            expected = expect_dunder_import(name, level, globals_text, globals_ok, package)
        written = spelt(callee) if rng.random() < 0.5 else callee
        if rng.random() < 0.2 and arguments:  # over several lines
            call = written + "(\n    " + ",\n    ".join(arguments) + "\n)"
            call_text = f"{written}( {', '.join(arguments)} )"
        else:
            call = call_text = f"{written}({', '.join(arguments)})"
        template = rng.choice(TEMPLATES)
        offset = template[: template.index("CALL")].count("\n")
        record = None
        if usable and valid and expected is not None:
            record = DynamicImport(module, offset, expected, call_text)  # line made absolute below
        pieces.append((template.replace("CALL", call), offset, record))
    pieces += [(text, 0, None) for text in [*spoilers, *NOISE]]
    rng.shuffle(pieces)
    header = ["from typing import TYPE_CHECKING", *(binding.statement for binding in bound)]
    lines = list(header)
    generated = Generated("", module, is_package)
    for block, offset, record in pieces:
        if record is not None:
            line = len(lines) + 1 + offset
            generated.expected.append(DynamicImport(module, line, record.imported, record.call))
        lines += block.split("\n")
    generated.text = "\n".join(lines) + "\n"
    generated.expected.sort()
    return generated


@pytest.mark.parametrize("seed", range(300))
def test_the_analysis_matches_the_generated_ground_truth(seed: int) -> None:
    generated = generate(seed)
    found = find_dynamic_imports(generated.text, generated.module, generated.is_package)
    assert found == generated.expected, generated.text
    if found:
        assert may_import_dynamically(generated.text.encode()), generated.text


def test_the_generator_makes_every_kind_of_outcome() -> None:
    # The differential test is only as good as its mix: every seed range holds resolved
    # relative names, dunder levels, skipped calls and non-ASCII spellings.
    outcomes = [generate(seed) for seed in range(300)]
    found = [f for g in outcomes for f in g.expected]
    assert len(found) > 250
    assert any(f.call.startswith("__import__(") and f.imported.startswith("app.") for f in found)
    assert any("import_module" in f.call and f.imported in {"app.x", "a.b.x"} for f in found)
    assert any(not f.call.isascii() for f in found)
    assert any(not g.expected for g in outcomes)
