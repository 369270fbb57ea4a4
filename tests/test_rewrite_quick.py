"""The quick engine of `ssot-arch fix` (ssot_arch/adapters/codemod/rewrite_quick.py) against its
oracle, the LibCST engine (`rewrite_with_libcst`).

Wherever the quick engine answers, it must answer exactly what LibCST answers: the same
new text byte for byte, or the same uses left for a person, with their lines and reasons.
Where a module is not plain it must not answer (None), and LibCST decides. Checked on the
fix corpus, on named shapes, and on generated modules whose layout varies (blank lines,
comments around the imports and after blocks, decorators, CRLF, no last line end,
non-ASCII text before a call).
"""

from __future__ import annotations

import random

import pytest

from ssot_arch.adapters.codemod.rewrite import rewrite_module, rewrite_with_libcst
from ssot_arch.adapters.codemod.rewrite_quick import quick_rewrite
from ssot_arch.domain.remediation import Replacement, Rewrite
from tests.test_rewrite import CASES, REPLACEMENTS, RESTRICTED, STATEMENTS, source


def quick(text: str) -> Rewrite | None:
    return quick_rewrite(text, RESTRICTED, REPLACEMENTS)


def libcst(text: str) -> Rewrite:
    return rewrite_with_libcst(text, RESTRICTED, REPLACEMENTS)


@pytest.mark.parametrize("case", CASES)
def test_on_the_corpus_the_quick_engine_answers_as_libcst_or_not_at_all(case):
    answer = quick(source(case))
    assert answer is None or answer == libcst(source(case))


# The corpus cases that are plain: the quick engine answers them itself (rewrites, uses
# left for a person, the root logger, an unused import, a module with none).
PLAIN = {
    "plain_getlogger",
    "alias_import",
    "from_getlogger",
    "from_getlogger_alias",
    "from_getlogger_not_called",
    "loguru_logger",
    "loguru_logger_alias",
    "loguru_first",
    "logging_and_loguru",
    "several_calls",
    "call_with_comments",
    "docstring_future_comments",
    "unused_import",
    "logging_info",
    "basic_config",
    "annotation_logger",
    "module_passed_around",
    "root_logger",
    "root_logger_from_import",
    "structlog_no_replacement",
    "no_restricted_import",
}


def test_the_plain_corpus_cases_are_answered_by_the_quick_engine():
    unanswered = sorted(case for case in PLAIN if quick(source(case)) is None)
    assert unanswered == []


# Shapes the quick engine leaves to LibCST: each needs scopes, or LibCST's own reading.
NOT_PLAIN = {
    "an import in a function": "def f():\n    import logging\n    return logging.getLogger('f')\n",
    "an import in a try block": "try:\n    import logging\nexcept ImportError:\n    pass\n",
    "an import sharing its line": "import os; import logging\nlog = logging.getLogger('x')\n",
    "an import sharing its statement": "import os, logging\nlog = logging.getLogger('x')\n",
    "a dotted import": "import logging.handlers\nh = logging.handlers.SysLogHandler()\n",
    "a star import": "from logging import *\nlog = getLogger('x')\n",
    "a name bound twice": "import logging\n\ndef f(logging):\n    return logging\n",
    "an assignment to the name": "from loguru import logger\n\ndef f():\n    logger = 1\n",
    "a del": "import logging\nlog = logging.getLogger('x')\ndel logging.x\n",
    "a use in an f-string": "import logging\nprint(f'{logging.getLogger(__name__)}')\n",
    "a use before the import": "def f():\n    pass\nf(logging)\nimport logging\n",
    "a string annotation": "import logging\n\ndef f(x: 'logging.Logger'):\n    pass\n",
    "a string type hint": (
        "import logging\nfrom typing import cast\ny = cast('logging.Logger', 0)\n"
    ),
    "an __all__ entry": "from loguru import logger\n__all__ = ['logger']\nlogger.info('x')\n",
    "a type comment": "import logging\nx = logging.getLogger('x')  # type: logging.Logger\n",
    "a type comment after a block": (
        "import logging\n\ndef f(x):\n    # type: (logging.Logger) -> None\n    pass\n"
    ),
    "the SSOT name used already": "import logging\nlog = logging.getLogger('x')\nget_logger = 1\n",
    "the SSOT name imported already": (
        "import logging\n"
        "from shared.logging.unified_logger_factory import get_logger\n"
        "log = logging.getLogger('x')\n"
    ),
    "a lone CR": "import logging\rlog = logging.getLogger('x')\r",
    "a BOM": "\ufeffimport logging\nlog = logging.getLogger('x')\n",
    "a call in parentheses": "import logging\nlog = (logging.getLogger)('x')\n",
    "a root call in parentheses": "import logging\nlog = (\n    logging.getLogger()\n)\n",
    "an indented comment after a block before the import": (
        "def f():\n    pass\n    # the end of f\nimport logging\nimport os\n"
    ),
    "does not parse": "import logging\nlog = logging.getLogger(\n",
}


@pytest.mark.parametrize("shape", sorted(NOT_PLAIN))
def test_a_module_that_is_not_plain_is_left_to_libcst(shape):
    text = NOT_PLAIN[shape]
    assert quick(text) is None
    assert rewrite_module(text, RESTRICTED, REPLACEMENTS) == libcst(text)


# --------------------------------------------------------------------------- generated

EXTRA = [
    't = ("é ✓", logging.getLogger("ü"))',
    "@staticmethod\ndef s():\n    return logging.getLogger('s')",
    "class D:\n    def m(self):\n        return logger.info('m')\n    # the end of D",
    "if True:\n    q = logging.getLogger('q')",
    "n = logging.getLogger(name=None)",
    "i = logging.getLogger('i')  # type: ignore[no-untyped-call]",
    "o = other()  # type: logging.Logger",
    "r = logging.getLogger('root')",
    "from loguru import logger  # the old one",
]
COMMENTS = ["# a section", "#: documented", "    # indented", "# ✓ non-ASCII"]


def layout_module(seed: int) -> str:
    """One of STATEMENTS' mixes, laid out at random."""
    rng = random.Random(seed)
    pool = STATEMENTS + EXTRA
    parts = []
    for _ in range(rng.randint(1, 8)):
        before = "".join(rng.choice(["\n", "", "", f"{rng.choice(COMMENTS)}\n"]) for _ in range(2))
        parts.append(before + rng.choice(pool))
    header = rng.choice(
        ['"""A generated module."""\n\n', "# a header\n\n", "#!/usr/bin/env python\n", ""]
    )
    text = header + "\n".join(parts) + rng.choice(["\n", "\n", "\n\n# the end\n", ""])
    if rng.random() < 0.2:
        text = text.replace("\n", "\r\n")
    return text


def test_generated_modules_get_the_same_answer_from_both_engines():
    answered = 0
    for seed in range(400):
        text = layout_module(seed)
        answer = quick(text)
        if answer is None:
            continue
        answered += 1
        assert answer == libcst(text), text
    assert answered >= 120  # the mix holds many plain modules: the quick engine is exercised


EXACT = (*REPLACEMENTS, Replacement("logging.getLogger()", "app.logs", "get_root_logger"))
EXACT_TEXTS = [
    "import logging\nroot = logging.getLogger()\nlog = logging.getLogger(__name__)\n",
    "from logging import getLogger\nroot = getLogger()\nlog = getLogger('x')\n",
    "from logging import getLogger\nroot = getLogger(None)\n",
    "import logging as log\nr = log.getLogger(name='')\ns = log.getLogger()\n",
    "import logging\nroot = logging.getLogger()\nget_root_logger = 1\n",
]


@pytest.mark.parametrize("text", EXACT_TEXTS)
def test_with_an_exact_form_both_engines_answer_the_same(text):
    answer = quick_rewrite(text, RESTRICTED, EXACT)
    assert answer is None or answer == rewrite_with_libcst(text, RESTRICTED, EXACT)


def test_the_exact_form_replaces_the_calls_without_arguments_only():
    text = EXACT_TEXTS[1]
    for engine in (quick_rewrite, rewrite_with_libcst):
        assert engine(text, RESTRICTED, EXACT) == Rewrite(
            "from app.logs import get_root_logger\n"
            "from shared.logging.unified_logger_factory import get_logger\n"
            "root = get_root_logger()\nlog = get_logger('x')\n"
        )
