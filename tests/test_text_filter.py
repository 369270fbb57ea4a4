"""`check` parses only the files whose text could import a restricted module: exactly.

The unit tests pin the rules of analysis/text_filter.py (import position, relative
imports of first-party modules, NFKC, declared encodings). The differential tests
generate repositories full of the forms that could fool a text search and compare
`check` (which clears files by text) with `report` (which parses every file): the
same violations, and no cleared file holds an import of a restricted module.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ssot_arch.adapters.scanning.scanner import could_import
from ssot_arch.analysis.text_filter import (
    ImportNeedles,
    may_import,
    needles_for,
    normalised,
    utf8_searchable,
)
from tests.helpers import check_json, make_repo, run_cli

STDLIB = needles_for(["logging", "loguru"], first_party={"app"})


@pytest.mark.parametrize(
    "text",
    [
        "import logging",
        "import logging.handlers as h",
        "from logging import getLogger",
        "from loguru import logger",
        "import os, logging",
        "import os as o,logging",
        "import os, \\\n    logging",
        "from \\\r\n logging import x",
        "import\tlogging",
        "import\x0clogging",
        "x = 1; import logging",
        "if True: import logging",
        "def f():\n    import logging\n",
        "import logging_extras",  # a different module, but a candidate: the parse decides
        "# import logging",  # a comment: parsed, finds nothing
        "call(a, logging)",  # a comma before the name is enough
    ],
)
def test_a_possible_import_of_a_restricted_module_is_a_candidate(text: str) -> None:
    assert may_import(text, STDLIB)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "import os",
        "from shared.logging import get_logger",  # another module, ending in `logging`
        "from .logging import get_logger",
        "logger = logging.getLogger(__name__)",  # uses, never imports
        "reimport logging",
        "important logging",
        "import os\nlogging",  # a new line ends the statement
        "print('loguru')",
    ],
)
def test_text_that_cannot_import_a_restricted_module_is_cleared(text: str) -> None:
    assert not may_import(text, STDLIB)


def test_first_party_modules_are_found_by_their_last_component_anywhere() -> None:
    needles = needles_for(["app.core.log", "logging"], first_party={"app"})
    assert needles == ImportNeedles(in_import=frozenset({"logging"}), anywhere=frozenset({"log"}))
    for text in ("from . import log", "from .log import x", "from ..core import (\n  log)"):
        assert may_import(text, needles)
    assert not may_import("from . import other", needles)
    # A first-party top-level package cannot be imported relatively from outside it.
    assert needles_for(["app"], first_party={"app"}).in_import == {"app"}


def test_identifiers_are_compared_as_python_normalises_them() -> None:
    fullwidth = "import ｌｏｇｇｉｎｇ"  # Python imports `logging`
    assert not may_import(fullwidth, STDLIB)
    assert may_import(normalised(fullwidth), STDLIB)
    assert normalised("print('✓ done')") == "print('✓ done')"  # NFKC already: unchanged
    assert normalised("import ﬁle") == "import file"  # a ligature: Python reads `file`
    # Composing an ASCII letter with a mark never makes ASCII: searched as it is.
    assert normalised("e\u0301") == "e\u0301"


@pytest.mark.parametrize(
    "data",
    [
        "import ｌｏｇｇｉｎｇ\n".encode(),
        b"# coding: utf-7\nimport +AGw-ogging\n",  # ASCII bytes, `logging` once decoded
        b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nimport logging  # caf\xe9\n",
        b"\xef\xbb\xbfimport logging\n",  # a BOM
        b"x = '\xff'\nimport logging\n",  # undecodable: the scan says why
    ],
)
def test_bytes_are_searched_as_python_decodes_them(data: bytes) -> None:
    assert could_import(data, STDLIB)


def test_plain_files_without_the_names_are_cleared_from_their_bytes() -> None:
    assert not could_import(b"import os\nprint('hello')\n", STDLIB)
    assert not could_import("print('héllo ✓')\n".encode(), STDLIB)


# Statements that a text search could get wrong, each with whether it imports a
# restricted module when the repository's first-party restricted module is `svc_b.log`.
STATEMENTS = [
    "import logging",
    "import os, \\\n    logging",
    "from\\\nlogging import getLogger",
    "import\x0cloguru",
    "x = 1; import logging",
    "if True: import logging",
    "from logging.handlers import RotatingFileHandler",
    "import logging_extras",
    "x = 'import logging'",
    "# import loguru",
    '"""\nimport logging\n"""',
    "from svc_a.logging import get_logger",
    "from shared import logging",
    "logger = logging.getLogger(__name__)",
    "import ｌｏｇｕｒｕ",
    "print('✓ café')",
    "from svc_b import log",
    "from svc_b.log import sink",
    "import svc_b.log",
    "import os",
    "from collections import OrderedDict",
    "def helper():\n    import structlog\n    return structlog",
]
RELATIVE = ["from . import log", "from .log import sink", "from .. import log"]


CONTRACTS = {
    "stdlib": "restricted_modules =\n    logging\n    loguru\n    structlog\n"
    "gateways =\n    shared.logging\n",
    "first-party": "restricted_modules =\n    svc_b.log\ngateways =\n    svc_a.logging\n",
}


def write_contracts(root: Path, contracts: tuple[str, ...]) -> None:
    """The contracts named, each alone or together: needles of one must not hide the
    other's mistakes (`log` occurs in every `logging`)."""
    text = "[importlinter]\nroot_packages =\n    svc_a\n    svc_b\n    shared\n"
    for name in contracts:
        text += f"\n[importlinter:contract:{name}]\nname = {name}\ntype = ssot\n{CONTRACTS[name]}"
    (root / "setup.cfg").write_text(text)


def generate_repo(root: Path, seed: int, contracts: tuple[str, ...] = tuple(CONTRACTS)) -> None:
    rng = random.Random(seed)
    files: dict[str, str | bytes] = {
        "svc_a/__init__.py": "",
        "svc_a/logging.py": "",
        "svc_b/__init__.py": "",
        "svc_b/log.py": "import logging\nsink = logging.getLogger()\n",
        "svc_b/api/__init__.py": "",
        "shared/__init__.py": "",
        "shared/logging.py": "",
    }
    for i in range(rng.randint(15, 30)):
        service = rng.choice(["svc_a", "svc_b", "svc_b/api", "shared"])
        pool = STATEMENTS + (RELATIVE if service.startswith("svc_b") else [])
        text = "\n".join(rng.choice(pool) for _ in range(rng.randint(0, 5))) + "\n"
        kind = rng.random()
        data: str | bytes = text
        if kind < 0.1:
            data = b"# coding: utf-7\n" + text.encode("utf-7")
        elif kind < 0.2:
            data = b"# -*- coding: latin-1 -*-\n" + text.encode("latin-1", "replace")
        elif kind < 0.25:
            data = text + "def broken(:\n"  # a syntax error
        files[f"{service}/m{i}.py"] = data
    make_repo(root, files)
    write_contracts(root, contracts)


def violations(document: dict) -> dict[str, list]:
    return {
        c["id"]: sorted((v["file"], v["line"], v["imported"]) for v in c["violations"])
        for c in document["contracts"]
    }


@pytest.mark.parametrize("contracts", [("stdlib",), ("first-party",), tuple(CONTRACTS)])
@pytest.mark.parametrize("seed", range(4))
def test_check_finds_what_parsing_every_file_finds(
    tmp_path: Path, seed: int, contracts: tuple[str, ...]
) -> None:
    generate_repo(tmp_path, seed, contracts)
    check = check_json(tmp_path).json
    report = run_cli("report", str(tmp_path), "--format", "json").json
    assert violations(check) == violations(report)
    coverage, full = check["coverage"], report["coverage"]
    cleared = coverage.get("files_cleared_by_text", 0)
    assert coverage["files_total"] == full["files_total"]
    assert coverage["files_analyzed"] + len(coverage["unanalyzed"]) == full["files_total"]
    assert cleared <= coverage["files_analyzed"]
    # Only a file that could hold a violation is listed as unanalysed.
    assert {u["file"] for u in coverage["unanalyzed"]} <= {u["file"] for u in full["unanalyzed"]}


def test_a_cleared_file_is_cleared_whatever_the_cache_holds(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/log.py": "import logging\n",
            "app/quiet.py": "import os\n",
            "app/broken.py": "def broken(:\n",  # cannot import logging: cleared
        },
    )
    cache = ["--cache-dir", str(tmp_path / ".cache"), "--gateway", "app.log"]
    cold = check_json(tmp_path, "--no-cache", "--gateway", "app.log")
    run_cli("report", str(tmp_path), "--format", "json", *cache)  # parses every file
    warm = check_json(tmp_path, *cache)
    assert warm.stdout == cold.stdout
    assert cold.json["coverage"]["files_cleared_by_text"] == 3
    assert cold.json["coverage"]["unanalyzed"] == []
    assert "4/4 files analysed (3 by their text alone)" in run_cli("check", str(tmp_path)).stdout


@pytest.mark.parametrize("contract", CONTRACTS)
def test_each_form_alone_in_its_file(tmp_path: Path, contract: str) -> None:
    generate_repo(tmp_path, seed=0, contracts=(contract,))
    for i, statement in enumerate(STATEMENTS + RELATIVE):
        make_repo(tmp_path, {f"svc_b/api/alone{i}.py": statement + "\n"})
        make_repo(
            tmp_path, {f"svc_b/api/utf7_{i}.py": b"# coding: utf-7\n" + statement.encode("utf-7")}
        )
    check = check_json(tmp_path).json
    report = run_cli("report", str(tmp_path), "--format", "json").json
    assert violations(check) == violations(report)
    found = {Path(v[0]).name for v in violations(check)[contract]}
    expected = {"stdlib": "alone1.py", "first-party": f"alone{len(STATEMENTS) + 2}.py"}
    assert expected[contract] in found  # the comma form; `from .. import log`


def test_utf8_bytes_are_searched_like_their_decoded_text() -> None:
    """The cheap view of UTF-8 bytes (one character per byte) finds what the decoded,
    normalised text finds; text that NFKC changes is not given that view."""
    rng = random.Random(7)
    pieces = [*STATEMENTS, *RELATIVE, "é", "✓", "日本", "\u0301", ", ", "\\\n", " ", "\n"]
    needles = needles_for(["logging", "loguru", "svc_b.log"], first_party={"svc_b"})
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        view = utf8_searchable(text.encode())
        if view is None:
            assert normalised(text) != text or not text.isascii()
            continue
        assert may_import(view, needles) == may_import(normalised(text), needles), text
    assert utf8_searchable("import ｌｏｇｇｉｎｇ".encode()) is None  # NFKC changes it
    assert utf8_searchable(b"x = '\xff'") is None  # not UTF-8


def test_the_parallel_screen_says_what_the_serial_one_does(tmp_path):
    """A cold scan screens and decodes every file in forked processes
    (scanner._screened): the same answers as in this process, unreadable files included."""
    import os
    import threading

    from ssot_arch.adapters.processes.pool import fork_is_default_safe
    from ssot_arch.adapters.scanning import scanner
    from ssot_arch.adapters.scanning.universe import collect_universe
    from ssot_arch.analysis.text_filter import needles_for

    if not fork_is_default_safe():
        pytest.skip("forks only on Linux")
    assert threading.active_count() == 1  # else fork_map would map here, not in forks
    rng = random.Random(7)
    bodies = [
        "import logging\n",
        "x = 1\n",
        "importlib.import_module('logging')\n",
        "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n",
        "from app import logs\n",
        "__import__('os')\n",
    ]
    files = {"app/__init__.py": ""}
    files |= {f"app/m{n}.py": rng.choice(bodies) for n in range(120)}
    repo = make_repo(tmp_path, {k: v.encode("latin-1") for k, v in files.items()})
    os.mkfifo(repo / "app" / "fifo.py")
    universe = collect_universe(str(repo), _roots(repo), (), 10_000_000)
    needles = needles_for(["logging"], {"app"}, dynamic=False)
    for wanted in (needles, None):
        serial = scanner._screened(universe, wanted, True, 3, 1)
        parallel = scanner._screened(universe, wanted, True, 3, 2)
        assert parallel == serial
        assert {screen.flags for screen in serial.values()} > {0}
        assert any(screen.decoded is not None for screen in serial.values())


def _roots(repo: Path):
    from ssot_arch.adapters.scanning.universe import discover_layout

    return discover_layout(str(repo), [str(repo)], ()).roots
