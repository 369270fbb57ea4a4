"""The rewrite engine of `ssot-arch fix` (ssot_arch/adapters/codemod/rewrite.py), on a corpus.

tests/fix_corpus/ holds one small realistic module per recipe and per unsafe case
(its README says how a case is written). Every case is checked for its exact result, for
idempotence, and every rewritten module against an independent checker: ruff's F821
(undefined name) and F401 (unused import) must find nothing in the output that they did
not find in the input, and Python's own `ast` must find no restricted import left in it.
"""

from __future__ import annotations

import ast
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ssot_arch.adapters.codemod.rewrite import rewrite_module
from ssot_arch.domain.remediation import Remaining, Replacement, Rewrite

CORPUS = Path(__file__).parent / "fix_corpus"
RESTRICTED = ("logging", "loguru", "structlog")
# The two replacements of the issue (the team's own edit, and the loguru SSOT).
REPLACEMENTS = (
    Replacement("logging.getLogger", "shared.logging.unified_logger_factory", "get_logger"),
    Replacement("loguru.logger", "app.logging_config", "central_logger"),
)
RUFF = str(Path(sys.executable).with_name("ruff"))

CASES = sorted(
    path.name.removesuffix(".py")
    for path in CORPUS.glob("*.py")
    if not path.name.endswith(".expected.py")
)
FIXED = [case for case in CASES if (CORPUS / f"{case}.expected.py").exists()]
MANUAL = [case for case in CASES if case not in FIXED]

# The recipes and unsafe cases the corpus must keep covering (the list).
REQUIRED = {
    "plain_getlogger",
    "alias_import",
    "from_getlogger",
    "from_getlogger_alias",
    "loguru_logger",
    "loguru_logger_alias",
    "unused_import",
    "import_os_logging",
    "semicolon_line",
    "docstring_future_comments",
    "several_calls",
    "call_with_comments",
    "ssot_import_present",
    "logging_info",
    "logging_config",
    "basic_config",
    "annotation_logger",
    "function_level_import",
    "try_import_fallback",
    "type_checking_import",
    "star_import",
    "all_reexport",
    "get_logger_defined",
    "get_logger_parameter",
    "import_logging_handlers",
    "from_logging_handlers",
    "structlog_no_replacement",
    "mixed_fixable_logging_unfixable_loguru",
}


def source(case: str) -> str:
    return (CORPUS / f"{case}.py").read_text(encoding="utf-8")


def rewrite(text: str) -> Rewrite:
    return rewrite_module(text, RESTRICTED, REPLACEMENTS)


def restricted_imports(text: str) -> list[str]:
    """The restricted modules `text` imports, as Python's own parser sees them."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [n for n in names if any(n == r or n.startswith(r + ".") for r in RESTRICTED)]
    return found


def ruff_findings(texts: dict[str, str], folder: Path) -> dict[str, Counter[tuple[str, str]]]:
    """ruff's undefined names, unused imports and syntax errors in each text, by its key
    (one ruff run for them all)."""
    for key, text in texts.items():
        (folder / f"{key}.py").write_text(text, encoding="utf-8")
    run = subprocess.run(
        [RUFF, "check", "--isolated", "--no-cache", "--select", "F821,F401"]
        + ["--output-format", "json", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    found: dict[str, Counter[tuple[str, str]]] = {key: Counter() for key in texts}
    for finding in json.loads(run.stdout):
        found[Path(finding["filename"]).stem][(finding["code"], finding["message"])] += 1
    return found


# --------------------------------------------------------------------------- the corpus


def test_the_corpus_covers_every_recipe_and_unsafe_case():
    assert not REQUIRED - set(CASES), sorted(REQUIRED - set(CASES))


def test_every_case_has_exactly_one_expectation():
    for case in CASES:
        has_output = (CORPUS / f"{case}.expected.py").exists()
        has_remaining = (CORPUS / f"{case}.remaining.json").exists()
        assert has_output != has_remaining, case
    expected = {p.name.removesuffix(".expected.py") for p in CORPUS.glob("*.expected.py")}
    remaining = {p.name.removesuffix(".remaining.json") for p in CORPUS.glob("*.remaining.json")}
    assert expected | remaining == set(CASES)  # no expectation without its input


@pytest.mark.parametrize("case", FIXED)
def test_a_migratable_module_becomes_exactly_its_expected_output(case):
    expected = (CORPUS / f"{case}.expected.py").read_text(encoding="utf-8")
    assert rewrite(source(case)) == Rewrite(expected)


@pytest.mark.parametrize("case", MANUAL)
def test_a_module_left_for_a_person_keeps_its_text_and_says_what_is_left(case):
    listed = json.loads((CORPUS / f"{case}.remaining.json").read_text(encoding="utf-8"))
    remaining = tuple(Remaining(r["line"], r["use"], r["why"]) for r in listed)
    assert rewrite(source(case)) == Rewrite(None, remaining)


@pytest.mark.parametrize("case", FIXED)
def test_rewriting_the_output_again_changes_nothing(case):
    expected = (CORPUS / f"{case}.expected.py").read_text(encoding="utf-8")
    assert rewrite(expected) == Rewrite(None)


@pytest.mark.parametrize("case", MANUAL)
def test_a_manual_verdict_is_the_same_every_time(case):
    assert rewrite(source(case)) == rewrite(source(case))


@pytest.mark.parametrize("case", CASES)
def test_a_rewritten_module_imports_no_restricted_module(case):
    assert restricted_imports(source(case)) or case == "no_restricted_import"
    result = rewrite(source(case))
    if result.text is not None:
        assert restricted_imports(result.text) == []


def test_no_rewrite_adds_an_undefined_name_or_an_unused_import(tmp_path):
    """The independent check: what ruff finds in each output, it found in the input."""
    texts = {}
    for case in FIXED:
        texts[f"{case}__in"] = source(case)
        texts[f"{case}__out"] = rewrite(source(case)).text or ""
    found = ruff_findings(texts, tmp_path)
    for case in FIXED:
        introduced = found[f"{case}__out"] - found[f"{case}__in"]
        assert not introduced, (case, introduced)


# --------------------------------------------------------------------------- generated modules

STATEMENTS = [
    "import logging",
    "import logging as log",
    "import os, logging",
    "import logging.handlers",
    "from logging import getLogger",
    "from logging import getLogger as gl",
    "from loguru import logger",
    "from loguru import logger as lg",
    "import structlog",
    "import os",
    "from shared.logging.unified_logger_factory import get_logger",
    "x = logging.getLogger(__name__)",
    "y = log.getLogger('y')",
    "z = getLogger()",
    "w = gl('w')",
    "logger.info('ready')",
    "lg.debug('ready')",
    "level = logging.INFO",
    "handler = logging.handlers.SysLogHandler()",
    "print(os.sep)",
    "def f(get_logger=None):\n    return logging.getLogger('f')",
    "def g():\n    return logging.getLogger('g')",
    "class C:\n    log = logging.getLogger('c')\n\n    def m(self):\n        return getLogger('m')",
    "def get_logger(name):\n    return name",
    "def h():\n    import logging\n    return logging",
    "try:\n    import loguru\nexcept ImportError:\n    loguru = None",
    "__all__ = ['logger']",
    "log = None",
    "structlog.get_logger()",
    "import os; import logging",
    "import logging; v2 = logging.getLogger('v2')",
    "from loguru import (\n    logger,\n)",
    "# the logging section\nimport logging  # noqa: TID251",
    "def d(log=logging.getLogger('d')):\n    return log",
    "v = logging.getLogger(  # the module's\n    __name__,\n)",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from loguru import Logger",
]


def generated_module(seed: int) -> str:
    rng = random.Random(seed)
    lines = [rng.choice(STATEMENTS) for _ in range(rng.randint(1, 8))]
    header = rng.choice(
        ['"""A generated module."""\n\n', "from __future__ import annotations\n", ""]
    )
    return header + "\n".join(lines) + "\n"


def test_generated_modules_are_migrated_completely_or_left_as_they_are(tmp_path):
    """Random mixes of every import form and use: each result either is None or parses,
    imports nothing restricted, is stable, and adds no undefined name nor unused import."""
    texts = {}
    for seed in range(300):
        text = generated_module(seed)
        result = rewrite(text)
        if result.text is None:
            assert result.remaining or not restricted_imports(text), text
            # The rewrite's own last checks (it would not parse, it would still import a
            # restricted module) are a safety net: valid input never reaches them.
            assert not any(r.why.startswith("the rewrite would") for r in result.remaining)
            continue
        assert result.remaining == ()
        assert restricted_imports(result.text) == [], text
        assert rewrite(result.text) == Rewrite(None), text
        texts[f"m{seed}__in"], texts[f"m{seed}__out"] = text, result.text
    assert len(texts) > 40  # the mix migrates a fair share of them
    found = ruff_findings(texts, tmp_path)
    for key in texts:
        if key.endswith("__out"):
            stem = key.removesuffix("__out")
            introduced = found[key] - found[f"{stem}__in"]
            assert not introduced, (texts[f"{stem}__in"], texts[key], introduced)


# --------------------------------------------------------------------------- the edges


def test_a_module_without_restricted_imports_is_unchanged():
    assert rewrite("import os\n\nprint(os.sep)\n") == Rewrite(None)
    # `__import__` and importlib are not imports.
    assert rewrite("import importlib\nm = importlib.import_module('logging')\n") == Rewrite(None)
    assert rewrite("log = __import__('logging')\n") == Rewrite(None)


def test_a_module_that_does_not_parse_is_reported_at_its_error():
    result = rewrite("import logging\n\ndef broken(:\n    return logging.getLogger()\n")
    assert result.text is None
    [remaining] = result.remaining
    assert (remaining.line, remaining.use) == (3, "")
    assert remaining.why.startswith("does not parse")


def test_everything_in_the_way_is_listed_in_the_order_of_the_code():
    text = (
        "import logging\n"
        "logging.basicConfig()\n"
        "class C:\n"
        "    from loguru import logger\n"
        "    log = logger\n"
        "LEVEL = logging.DEBUG\n"
    )
    assert rewrite(text) == Rewrite(
        None,
        (
            Remaining(2, "logging.basicConfig", "no replacement for logging.basicConfig"),
            Remaining(
                4,
                "from loguru import logger",
                "import inside a class: move it or migrate by hand",
            ),
            Remaining(6, "logging.DEBUG", "no replacement for logging.DEBUG"),
        ),
    )


def test_without_replacements_only_unused_imports_go():
    assert rewrite_module("import logging\nimport os\n", RESTRICTED, ()) == Rewrite("import os\n")
    result = rewrite_module("import logging\nlog = logging.getLogger()\n", RESTRICTED, ())
    assert result == Rewrite(
        None, (Remaining(2, "logging.getLogger", "no replacement for logging.getLogger"),)
    )


def test_a_restricted_name_covers_its_descendants_and_a_submodule_covers_only_itself():
    assert rewrite_module("import logging.handlers\n", ["logging"], ()) == Rewrite("")
    # Only `logging.handlers` is restricted: the rest of the statement stays.
    text = "from logging import handlers, getLogger\n\nlog = getLogger()\n"
    assert rewrite_module(text, ["logging.handlers"], ()) == Rewrite(
        "from logging import getLogger\n\nlog = getLogger()\n"
    )


def test_a_use_that_runs_before_the_import_is_left_for_a_person():
    # A class body runs when the module is imported, before the import below it.
    text = "class A:\n    log = logging.getLogger('a')\n\nimport logging\n"
    assert rewrite(text) == Rewrite(
        None,
        (Remaining(2, "logging.getLogger", "used before it is imported: migrate by hand"),),
    )
    # A function's body runs later: the use is migrated.
    text = "def f():\n    return logging.getLogger('f')\n\nimport logging\n"
    assert rewrite(text) == Rewrite(
        "def f():\n    return get_logger('f')\n\n"
        "from shared.logging.unified_logger_factory import get_logger\n"
    )


def test_a_new_import_comes_before_what_shares_its_line_and_uses_it():
    text = "# setup\nimport logging; logger = logging.getLogger(__name__)  # one line\n"
    assert rewrite(text) == Rewrite(
        "# setup\nfrom shared.logging.unified_logger_factory import get_logger\n"
        "logger = get_logger(__name__)  # one line\n"
    )


def test_line_endings_and_indentation_are_kept():
    text = "import logging\r\n\r\nclass A:\r\n\tlog = logging.getLogger('a')\r\n"
    assert rewrite(text) == Rewrite(
        "from shared.logging.unified_logger_factory import get_logger\r\n\r\n"
        "class A:\r\n\tlog = get_logger('a')\r\n"
    )


def test_the_rewrite_never_runs_the_module():
    text = "import logging\nraise SystemExit('ran')\nlog = logging.getLogger('x')\n"
    result = rewrite(text)
    assert result.text is not None and "get_logger('x')" in result.text


def test_a_name_that_shadows_a_builtin_is_not_imported():
    replacement = [Replacement("logging.getLogger", "shared.log", "open")]
    result = rewrite_module(
        "import logging\nlog = logging.getLogger('x')\n", RESTRICTED, replacement
    )
    assert result.text is None
    assert result.remaining[0].why == "open would shadow the builtin open: migrate by hand"


def test_a_called_from_import_whose_new_name_is_taken_keeps_its_local_name():
    text = "from logging import getLogger\n\n\ndef get_logger():\n    return getLogger('x')\n"
    assert rewrite(text) == Rewrite(
        "from shared.logging.unified_logger_factory import get_logger as getLogger\n\n\n"
        "def get_logger():\n    return getLogger('x')\n"
    )


def test_a_module_too_deep_for_libcst_is_left_for_a_person():
    deep = "x = " + "1 + " * 1000 + "1\n"
    # An import in a function: not plain, so LibCST decides, and it cannot go that deep.
    text = "def f():\n    import logging\n    return logging.getLogger('f')\n" + deep
    assert rewrite(text) == Rewrite(
        None, (Remaining(1, "", "nested too deeply for LibCST to rewrite: migrate by hand"),)
    )
    # A plain module: the quick engine walks `ast` without recursion.
    plain = "import logging\nlog = logging.getLogger('x')\n" + deep
    assert rewrite(plain) == Rewrite(
        "from shared.logging.unified_logger_factory import get_logger\n"
        "log = get_logger('x')\n" + deep
    )


def test_the_output_is_never_broken_text():
    # A replacement that is no Python name, or one that points into a restricted module:
    # the rewrite refuses rather than writing what would not parse or still import it.
    bad_name = [Replacement("logging.getLogger", "shared.log", "get-logger")]
    keyword = [Replacement("logging.getLogger", "shared.log", "class")]
    restricted = [Replacement("logging.getLogger", "loguru", "logger")]
    for replacements in (bad_name, keyword, restricted):
        result = rewrite_module(
            "import logging\nx = logging.getLogger()\n", RESTRICTED, replacements
        )
        assert result.text is None and len(result.remaining) == 1, replacements


def test_a_file_with_old_mac_line_ends_keeps_its_last_one():
    text = "import logging\rlogger = logging.getLogger(__name__)\r"
    assert rewrite(text).text == (
        "from shared.logging.unified_logger_factory import get_logger\r"
        "logger = get_logger(__name__)\r"
    )
