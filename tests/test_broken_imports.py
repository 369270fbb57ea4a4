"""Broken imports (analysis/broken.py): statements naming a first-party module that is none.

The unit tests pin each rule: what a statement needs (absolute, `from` with an attribute
or a missing module, relative at every level, aliases, several names), its line and
text, which `try` and `with suppress(...)` guard it and which do not, the `lines`
filter, and parse failures. The differential test generates module trees over two
roots and files of random import statements in random contexts, and compares the
analysis with the ground truth the generator knows.
"""

from __future__ import annotations

import ast
import random
import re
import sys
from dataclasses import dataclass, field

import pytest

from ssot_arch.analysis.broken import (
    find_broken_imports,
    nearest_existing,
)
from ssot_arch.analysis.source_text import MAX_QUOTE
from ssot_arch.domain.model import BrokenImport

ROOTS = ("app", "lib", "solo")
EXISTING = frozenset(
    {
        "app",
        "app.core",
        "app.core.db",
        "app.core.db.connection",
        "app.util",
        "lib",
        "lib.tools",
        "solo",  # a top-level module
    }
)
IMPORTER = "app.core.db.connection"  # a module: its package is app.core.db


def found(
    text: str,
    importer: str = IMPORTER,
    is_package: bool = False,
    lines: list[int] | None = None,
) -> list[tuple[int, str, str | None, bool]]:
    return [
        (b.line, b.name, b.ancestor, b.guarded)
        for b in find_broken_imports(text, importer, is_package, ROOTS, EXISTING, lines)
    ]


def names(text: str, importer: str = IMPORTER, is_package: bool = False) -> list[str]:
    return [name for _, name, _, _ in found(text, importer, is_package)]


def guarded(text: str) -> list[bool]:
    """Whether each broken import of `text` (all of them `app.gone`) is guarded."""
    result = found(text)
    assert result and all(name == "app.gone" for _, name, _, _ in result)
    return [g for _, _, _, g in result]


# --- What a statement needs -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Absolute imports need the whole name; the ancestor is the deepest that exists.
        ("import app.core.db.clickhouse", [(1, "app.core.db.clickhouse", "app.core.db", False)]),
        ("import app.nope.deeper.x", [(1, "app.nope.deeper.x", "app", False)]),
        ("import app.core.db.connection.x", [(1, "app.core.db.connection.x", IMPORTER, False)]),
        ("import app.gone as g", [(1, "app.gone", "app", False)]),
        ("import app.core.gone as g", [(1, "app.core.gone", "app.core", False)]),
        # `from X import y` needs X; y may be an attribute of X.
        (
            "from app.core.db.clickhouse import X",
            [(1, "app.core.db.clickhouse", "app.core.db", False)],
        ),
        ("from app.gone.deeper import X as Y", [(1, "app.gone.deeper", "app", False)]),
        ("from lib.missing import a, b", [(1, "lib.missing", "lib", False)]),
        # Several names: each broken one.
        (
            "import app.a1, os, app.core, lib.b2 as b, solo.x",
            [
                (1, "app.a1", "app", False),
                (1, "lib.b2", "lib", False),
                (1, "solo.x", "solo", False),
            ],
        ),
    ],
)
def test_absolute_needs(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "import app",
        "import app.core.db.connection",
        "import app.core.db as db, lib.tools",
        "from app.core.db import clickhouse_manager",  # an attribute of app/core/db/__init__
        "from app import anything",
        "from app.core.db.connection import X",
        "from solo import thing",
        # External: not a root.
        "import os.path.nope",
        "from requests.gone import y",
        "import application.gone",  # a prefix of a root's name is another name
        "from __future__ import annotations",
        # Not imports.
        "x = 'import app.gone'\n# import app.gone\n",
    ],
)
def test_not_broken(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "importer", "is_package", "expected"),
    [
        # A module's package is its parent.
        ("from .missing import y", IMPORTER, False, ["app.core.db.missing"]),
        ("from .connection.gone import y", IMPORTER, False, ["app.core.db.connection.gone"]),
        ("from ..missing import y", IMPORTER, False, ["app.core.missing"]),
        ("from ...gone.x import y", IMPORTER, False, ["app.gone.x"]),
        ("from . import anything", IMPORTER, False, []),
        ("from .. import anything", IMPORTER, False, []),
        ("from ... import anything", IMPORTER, False, []),
        ("from ..db import connection, other", IMPORTER, False, []),
        ("from ...util import x", IMPORTER, False, []),
        ("from .... import x", IMPORTER, False, []),  # above the root: not this analysis's
        ("from ....gone import x", IMPORTER, False, []),
        # A package's package is itself.
        ("from .missing import y", "app.core", True, ["app.core.missing"]),
        ("from .db.gone import y", "app.core", True, ["app.core.db.gone"]),
        ("from ..gone import y", "app.core", True, ["app.gone"]),
        ("from . import y", "app.core", True, []),
        ("from .. import y", "app.core", True, []),
        ("from ... import y", "app.core", True, []),
        ("from .gone import y", "app", True, ["app.gone"]),
        ("from ..gone import y", "app", True, []),
        # A top-level module has no package: no relative import resolves.
        ("from . import y", "solo", False, []),
        ("from .gone import y", "solo", False, []),
    ],
)
def test_relative_needs(text, importer, is_package, expected):
    assert names(text, importer, is_package) == expected


def test_names_are_read_as_python_reads_them():
    # Identifiers are NFKC-normalised: this is `import app.gone`.
    assert names("import \uff41\uff50\uff50.\uff47one") == ["app.gone"]
    assert names("from \uff41pp.core import x") == []


def test_relative_ancestor():
    assert found("from ..missing.deeper import y") == [
        (1, "app.core.missing.deeper", "app.core", False)
    ]


def test_roots_and_existence_are_the_callers():
    # An importer whose root is not analysed: its relative imports are external too.
    assert find_broken_imports("from .gone import x", "other.m", False, ROOTS, EXISTING) == []
    # `exists` may be a predicate.
    result = find_broken_imports("import app.a, app.b", "app", True, ROOTS, "app.a".__eq__)
    assert [(b.name, b.ancestor) for b in result] == [("app.b", None)]
    # The ancestor is None when not even the root exists (total, if absurd).
    assert found("import app.x", "lib", True)[0][2] == "app"
    nothing = find_broken_imports("import app.x", "lib", True, ROOTS, set())
    assert [(b.name, b.ancestor) for b in nothing] == [("app.x", None)]


# --- Lines and text ---------------------------------------------------------------


def test_multi_line_statement_is_at_its_first_line():
    text = "import os\nfrom app.gone import (\n    x,  # a comment\n    y,\n)\n"
    (broken,) = find_broken_imports(text, IMPORTER, False, ROOTS, EXISTING)
    assert broken == BrokenImport(
        IMPORTER, 2, "from app.gone import ( x, y, )", "app.gone", "app", False
    )


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("import app.core, \\\n    app.gone", "import app.core, app.gone"),
        ("from \\\n  app.gone \\\n  import x", "from app.gone import x"),
        ("import \\\r\n app.gone", "import app.gone"),
        ("x = 1; import app.gone", "import app.gone"),
        ("if x: import app.gone  # why", "import app.gone"),
        ("from\tapp.gone\timport\x0cx", "from app.gone import x"),
    ],
)
def test_line_and_text(text, statement):
    (broken,) = find_broken_imports(text, IMPORTER, False, ROOTS, EXISTING)
    assert (broken.line, broken.statement) == (1, statement)


@pytest.mark.parametrize(
    "text",
    [
        "x = 'é'; from app.gone import ñame, 日本 as \\\n  ü",
        "if x:\r    import os\r    from app.gone import (\r        a,\r  b)\r",
        "\x0cimport app.gone\r\nimport app.also_gone, \\\r\n app.core",
        'class C:\n    x = """\n\x0c"""; from app.gone import (a,  # ü\n b)',
    ],
)
def test_text_is_the_source_segment(text):
    """The statement text is `ast.get_source_segment`'s, comments, continuations and
    whitespace runs aside (the columns `ast` gives count UTF-8 bytes)."""
    noise = r"#[^\r\n]*|\\(\r\n|\r|\n)"
    statements = {
        node.lineno: " ".join(re.sub(noise, " ", ast.get_source_segment(text, node)).split())
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    result = find_broken_imports(text, IMPORTER, False, ROOTS, EXISTING)
    assert result
    for broken in result:
        assert broken.statement == statements[broken.line]
        assert "\\" not in broken.statement and "#" not in broken.statement


def test_long_statement_is_cut():
    text = "from app.gone import " + ", ".join(f"name_{i}" for i in range(100))
    (broken,) = find_broken_imports(text, IMPORTER, False, ROOTS, EXISTING)
    assert broken.statement == text[:MAX_QUOTE] + "…"


def test_sorted_and_distinct():
    text = "import lib.z\nimport app.gone, app.gone\nimport app.a\nimport app.gone\n"
    assert found(text) == [
        (1, "lib.z", "lib", False),
        (2, "app.gone", "app", False),
        (3, "app.a", "app", False),
        (4, "app.gone", "app", False),
    ]


def test_imports_at_any_scope():
    text = """\
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import app.g1
def f():
    import app.g2
    class C:
        def m(self):
            from app.g3 import x
async def g():
    import app.g4
for _ in range(3):
    import app.g5
while False:
    import app.g6
else:
    import app.g7
match x:
    case 1:
        import app.g8
class D:
    import app.g9
"""
    assert names(text) == [f"app.g{i}" for i in range(1, 10)]


def test_lines_filter():
    text = "import app.g1\nfrom app.g2 import (\n    x,\n)\nimport app.g3\n"
    assert names(text) == ["app.g1", "app.g2", "app.g3"]
    assert [name for _, name, _, _ in found(text, lines=[2, 5])] == ["app.g2", "app.g3"]
    assert found(text, lines=[3, 4]) == []  # inside the statement, not its start
    assert found(text, lines=[]) == []


@pytest.mark.parametrize("text", ["import (app.gone)", "from app import", "def f(:\n  pass", "x\0"])
def test_unparsable_text_raises(text):
    with pytest.raises((SyntaxError, ValueError)):
        find_broken_imports(text, IMPORTER, False, ROOTS, EXISTING)


# --- Guards -----------------------------------------------------------------------

CATCHING_HANDLERS = [
    "except ImportError:",
    "except ModuleNotFoundError:",
    "except Exception:",
    "except BaseException:",
    "except:",
    "except ImportError as error:",
    "except (ValueError, ImportError):",
    "except (ModuleNotFoundError,) as e:",
    "except (KeyError, Exception, OSError):",
    "except builtins.ImportError:",
    "except (builtins.ModuleNotFoundError, X):",
    "except (*others, ImportError):",
]

NOT_CATCHING_HANDLERS = [
    "except ValueError:",
    "except (KeyError, OSError):",
    "except ImportWarning:",
    "except other.ImportError:",
    "except ((ImportError,),):",  # Python: TypeError, a tuple in the tuple
    "except errors[0]:",
    "except get_import_error():",
]


@pytest.mark.parametrize("handler", CATCHING_HANDLERS)
def test_guarding_handlers(handler):
    assert guarded(f"try:\n    import app.gone\n{handler}\n    pass\n") == [True]


@pytest.mark.parametrize("handler", NOT_CATCHING_HANDLERS)
def test_not_guarding_handlers(handler):
    assert guarded(f"try:\n    import app.gone\n{handler}\n    pass\n") == [False]


def test_any_handler_of_several():
    text = (
        "try:\n    import app.gone\nexcept ValueError:\n    pass\nexcept ImportError:\n    pass\n"
    )
    assert guarded(text) == [True]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="except* is Python 3.11+")
def test_except_star():
    assert guarded("try:\n    import app.gone\nexcept* ImportError:\n    pass\n") == [True]
    assert guarded("try:\n    import app.gone\nexcept* ValueError:\n    pass\n") == [False]
    text = "try:\n    pass\nexcept* ImportError:\n    import app.gone\n"
    assert guarded(text) == [False]


def test_only_the_try_body_is_guarded():
    text = """\
try:
    import app.gone
except ImportError:
    import app.gone
else:
    import app.gone
finally:
    import app.gone
"""
    assert guarded(text) == [True, False, False, False]


def test_nested_try():
    text = """\
try:
    try:
        import app.gone
    except ValueError:
        import app.gone
    else:
        import app.gone
    finally:
        import app.gone
except ImportError:
    pass
try:
    try:
        import app.gone
    except ImportError:
        pass
except ValueError:
    import app.gone
"""
    assert guarded(text) == [True, True, True, True, True, False]


def test_guard_at_any_depth_but_not_across_a_def():
    text = """\
try:
    if TYPE_CHECKING:
        for x in y:
            import app.gone
    class C:
        import app.gone
        def m(self):
            import app.gone
    def f():
        import app.gone
        try:
            import app.gone
        except ImportError:
            pass
    async def g():
        import app.gone
    with open(p):
        import app.gone
    match x:
        case _:
            import app.gone
except ImportError:
    pass
def outer():
    try:
        def inner():
            import app.gone
        import app.gone
    except ImportError:
        pass
"""
    assert guarded(text) == [
        True,  # if, for
        True,  # class body: runs where it stands
        False,  # method body
        False,  # function body
        True,  # a try inside the function
        False,  # async function body
        True,  # with
        True,  # match
        False,  # nested def inside outer's try
        True,  # outer's try body
    ]


@pytest.mark.parametrize(
    "header",
    [
        "from contextlib import suppress\nwith suppress(ImportError):",
        "import contextlib\nwith contextlib.suppress(ModuleNotFoundError, KeyError):",
        "from contextlib import suppress\nwith suppress(ValueError, Exception):",
        "from contextlib import suppress\nwith suppress((ValueError, (ImportError,))):",
        "from contextlib import suppress\nwith suppress(builtins.BaseException):",
        "import contextlib as cl\nwith cl.suppress(ImportError):",
        "from contextlib import suppress as quiet\nwith quiet(ImportError):",
        "from contextlib import suppress\nwith open(p) as f, suppress(ImportError) as s:",
    ],
)
def test_suppress_guards(header):
    assert guarded(f"{header}\n    import app.gone\n") == [True]


@pytest.mark.parametrize(
    "header",
    [
        "from contextlib import suppress\nwith suppress(ValueError):",
        "from contextlib import suppress\nwith suppress():",
        "from contextlib import suppress\nwith suppress(*errors):",
        "with nullcontext():",
        "with open(p):",
        "with other.suppress(ImportError):",
        "with ImportError:",
        "from contextlib import suppress\nasync def f():\n  async with suppress(ImportError):",
    ],
)
def test_suppress_not_guarding(header):
    assert guarded(f"{header}\n    import app.gone\n") == [False]


def test_suppress_guards_only_its_body():
    text = (
        "from contextlib import suppress\nwith suppress(ImportError):\n    pass\nimport app.gone\n"
    )
    assert guarded(text) == [False]


# --- nearest_existing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app", "app"),
        ("app.core.db.connection", "app.core.db.connection"),
        ("app.core.db.gone.x", "app.core.db"),
        ("app.gone", "app"),
        ("nothing.at.all", None),
        ("", None),
    ],
)
def test_nearest_existing(name, expected):
    assert nearest_existing(name, EXISTING) == expected
    assert nearest_existing(name, EXISTING.__contains__) == expected


def brute_nearest(name: str, existing: set[str]) -> str | None:
    parts = name.split(".")
    prefixes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return next((prefix for prefix in prefixes if prefix in existing), None)


@pytest.mark.parametrize("seed", range(50))
def test_nearest_existing_is_the_longest_existing_prefix(seed):
    rng = random.Random(seed)
    alphabet = ["a", "b", "ab", "a_b"]

    def name() -> str:
        return ".".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))

    # Any set, not only one closed under ancestors.
    existing = {name() for _ in range(rng.randint(0, 30))}
    for _ in range(100):
        probe = name()
        assert nearest_existing(probe, existing) == brute_nearest(probe, existing)


# --- Differential test ------------------------------------------------------------

GEN_ROOTS = ("ra", "rb")
EXTERNAL = ("os", "ext", "rab")  # `rab` spells a root as a prefix
COMPONENTS = ("p", "q", "s")


@dataclass
class Tree:
    """Existing modules, which are packages, and each module's parent."""

    modules: set[str] = field(default_factory=set)
    packages: set[str] = field(default_factory=set)
    parent: dict[str, str | None] = field(default_factory=dict)

    def grow(self, rng: random.Random, name: str, parent: str | None, depth: int) -> None:
        self.modules.add(name)
        self.parent[name] = parent
        if depth < 3 and rng.random() < (0.8 if depth == 0 else 0.5):
            self.packages.add(name)
            for component in COMPONENTS:
                if rng.random() < 0.6:
                    self.grow(rng, f"{name}.{component}", name, depth + 1)


@dataclass(frozen=True)
class Statement:
    line: int
    needs: tuple[str, ...]  # absolute names, external ones included; none if unresolved
    guarded: bool


class Generator:
    """Writes a file of import statements in nested contexts, and what each needs."""

    def __init__(self, rng: random.Random, tree: Tree, importer: str) -> None:
        self.rng, self.tree, self.importer = rng, tree, importer
        self.lines: list[str] = ["import contextlib", "from contextlib import suppress as quiet"]
        self.statements: list[Statement] = []

    def absolute(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            top = rng.choice(EXTERNAL)
        elif rng.random() < 0.5:  # an existing module, to extend or not
            return rng.choice(sorted(self.tree.modules)) + "".join(
                f".{rng.choice(COMPONENTS)}" for _ in range(rng.choice((0, 0, 1, 2)))
            )
        else:
            top = rng.choice(GEN_ROOTS)
        return top + "".join(f".{rng.choice(COMPONENTS)}" for _ in range(rng.randint(0, 3)))

    def relative(self) -> tuple[str, str | None]:
        """A relative module as written, and its absolute name (None: unresolved)."""
        rng = self.rng
        level = rng.randint(1, 3)
        tail = ".".join(rng.choice(COMPONENTS) for _ in range(rng.choice((0, 1, 1, 2))))
        tree = self.tree
        base: str | None = (
            self.importer if self.importer in tree.packages else tree.parent[self.importer]
        )
        for _ in range(level - 1):
            base = None if base is None else tree.parent[base]
        resolved = None if base is None else f"{base}.{tail}" if tail else base
        return "." * level + tail, resolved

    def statement(self, indent: str, guard: bool) -> None:
        rng = self.rng
        form = rng.randrange(8)
        start = len(self.lines) + 1
        if form == 0:
            name = self.absolute()
            alias = " as alias" if rng.random() < 0.3 else ""
            self.lines.append(f"{indent}import {name}{alias}")
            needs: tuple[str, ...] = (name,)
        elif form == 1:
            needs = tuple(self.absolute() for _ in range(rng.randint(2, 3)))
            self.lines.append(f"{indent}import {', '.join(needs)}")
        elif form == 2:
            first, second = self.absolute(), self.absolute()
            self.lines += [f"{indent}import {first}, \\", f"{indent}    {second} as alias"]
            needs = (first, second)
        elif form == 3:
            name = self.absolute()
            self.lines.append(f"{indent}from {name} import {rng.choice(COMPONENTS)} as alias")
            needs = (name,)
        elif form == 4:
            name = self.absolute()
            self.lines += [
                f"{indent}from {name} import (  # comment",
                f"{indent}    p,",
                f"{indent}    q as alias,",
                f"{indent})",
            ]
            needs = (name,)
        elif form == 5:
            written, resolved = self.relative()
            self.lines.append(f"{indent}from {written} import {rng.choice(COMPONENTS)}")
            needs = () if resolved is None else (resolved,)
        elif form == 6:
            written, resolved = self.relative()
            self.lines += [f"{indent}from {written} \\", f"{indent}  import (p, q)"]
            needs = () if resolved is None else (resolved,)
        else:
            name = self.absolute()
            self.lines.append(f"{indent}x = 1; import {name}")
            needs = (name,)
        self.statements.append(Statement(start, needs, guard))

    def block(self, indent: str, guard: bool, depth: int) -> None:
        """At least one statement at `indent`, each in a random context."""
        for _ in range(self.rng.randint(1, 3)):
            self.context(indent, guard, depth)

    def context(self, indent: str, guard: bool, depth: int) -> None:
        rng = self.rng
        kind = rng.randrange(12) if depth < 4 else 0
        inner = indent + "    "
        add = self.lines.append
        if kind <= 3:
            self.statement(indent, guard)
        elif kind == 4:  # try ... except: the body guarded by a catching handler
            catching = rng.random() < 0.5
            add(f"{indent}try:")
            self.block(inner, guard or catching, depth + 1)
            handlers = CATCHING_HANDLERS if catching else NOT_CATCHING_HANDLERS
            add(f"{indent}{rng.choice(handlers)}")
            self.block(inner, guard, depth + 1)
            if rng.random() < 0.5:
                add(f"{indent}else:")
                self.block(inner, guard, depth + 1)
            if rng.random() < 0.5:
                add(f"{indent}finally:")
                self.block(inner, guard, depth + 1)
        elif kind == 5:
            add(f"{indent}{rng.choice(['def', 'async def'])} f():")
            self.block(inner, False, depth + 1)
        elif kind == 6:
            add(f"{indent}class C:")
            self.block(inner, guard, depth + 1)
        elif kind == 7:
            add(f"{indent}if TYPE_CHECKING:")
            self.block(inner, guard, depth + 1)
        elif kind == 8:
            header = rng.choice(["for x in y:", "while z:", "with open(p):"])
            add(f"{indent}{header}")
            self.block(inner, guard, depth + 1)
        elif kind == 9:
            suppressing = rng.random() < 0.5
            if suppressing:
                call = rng.choice(
                    [
                        "contextlib.suppress(ImportError)",
                        "quiet(KeyError, ModuleNotFoundError)",
                        "contextlib.suppress((ValueError, Exception))",
                    ]
                )
            else:
                call = rng.choice(["contextlib.suppress(KeyError)", "quiet()", "nullcontext()"])
            add(f"{indent}with {call}:")
            self.block(inner, guard or suppressing, depth + 1)
        elif kind == 10:
            add(f"{indent}match v:")
            add(f"{inner}case 1:")
            self.block(inner + "    ", guard, depth + 1)
        else:
            add(f"{indent}try:")
            add(f"{inner}pass")
            add(f"{indent}except ImportError:")  # a handler's body: not guarded by it
            self.block(inner, guard, depth + 1)


def expected_broken(
    statements: list[Statement], existing: set[str], lines: set[int] | None
) -> set[tuple[int, str, str | None, bool]]:
    expected = set()
    for statement in statements:
        if lines is not None and statement.line not in lines:
            continue
        for name in statement.needs:
            if name.split(".")[0] not in GEN_ROOTS or name in existing:
                continue
            parent = name.rpartition(".")[0]
            ancestor = brute_nearest(parent, existing) if parent else None
            expected.add((statement.line, name, ancestor, statement.guarded))
    return expected


@pytest.mark.parametrize("seed", range(300))
def test_differential(seed):
    rng = random.Random(seed)
    tree = Tree()
    for root in GEN_ROOTS:
        tree.grow(rng, root, None, 0)
    importer = rng.choice(sorted(tree.modules))
    is_package = importer in tree.packages
    generator = Generator(rng, tree, importer)
    generator.block("", False, 0)
    text = "\n".join(generator.lines) + "\n"
    exists = tree.modules if rng.random() < 0.5 else tree.modules.__contains__

    lines_filter = None
    if rng.random() < 0.3:
        lines_filter = {n for n in range(1, len(generator.lines) + 1) if rng.random() < 0.4}
    result = find_broken_imports(text, importer, is_package, GEN_ROOTS, exists, lines_filter)

    got = {(b.line, b.name, b.ancestor, b.guarded) for b in result}
    assert len(got) == len(result), text  # one import statement per line
    assert got == expected_broken(generator.statements, tree.modules, lines_filter), text
    assert result == sorted(result)
    for broken in result:
        assert broken.importer == importer
        assert broken.statement.startswith(("import ", "from "))
        assert "\n" not in broken.statement and "#" not in broken.statement
        assert "\\" not in broken.statement


HEAD_CASES = {
    # A later handler of a top-level `try` is no top-level statement: not cut before it.
    "try:\n    import app.gone\nexcept ValueError:\n    pass\nexcept ImportError:\n"
    "    pass\nx = 1\n": True,
    # A line of a string at column 0 is no boundary: the cut there does not parse.
    'import app.gone\nX = """\nfoo\n"""\nY = 1\n': False,
    "def f():\n    try:\n        import app.gone\n    except ImportError:\n        pass\n"
    "def g():\n    pass\n": True,
}


@pytest.mark.parametrize("text", HEAD_CASES)
def test_reading_the_head_of_a_file_gives_what_the_whole_file_gives(text):
    line = next(n for n, t in enumerate(text.split("\n"), 1) if "app.gone" in t)
    head = find_broken_imports(text, "app.mod", False, ["app"], {"app"}, [line])
    whole = find_broken_imports(text, "app.mod", False, ["app"], {"app"})
    assert head == whole
    assert [b.guarded for b in head] == [HEAD_CASES[text]]
