"""`fix`'s proof beyond the text: a new import of the SSOT must close no import-time
cycle (docs/spec.md, "Import-time import"). Judged by running the generated code: every
module that imported before `fix --write` must import after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ssot_arch.adapters.codemod.import_time import import_time_lines
from ssot_arch.analysis.import_cycles import CycleFinder
from ssot_arch.domain.findings import PACKAGE_FIRST
from tests.helpers import FIX_CONTRACT, FIX_REPLACE, make_repo, run_cli

LOGS = """\
import logging
{imports}

def get_logger(name=None):
    return logging.getLogger(name)
"""
VIOLATOR = """\
import logging

VALUE = 1
logger = logging.getLogger(__name__)
"""
FIX = ("--root-package", "app", *FIX_CONTRACT, *FIX_REPLACE, "--no-cache")


def fix_json(repo: Path, *args: str) -> dict[str, dict]:
    run = run_cli("fix", str(repo), *FIX, "--format", "json", *args)
    assert run.exit_code in (0, 1), run.stderr
    return {f["module"]: f for f in run.json["files"]}


def imports_cleanly(repo: Path, module: str) -> bool:
    """Whether `import module` succeeds in a fresh interpreter (the code is ours)."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=repo, capture_output=True, timeout=60
    )
    return done.returncode == 0


def modules_of(repo: Path) -> list[str]:
    return sorted(
        ".".join(p.relative_to(repo).with_suffix("").parts).removesuffix(".__init__")
        for p in repo.rglob("*.py")
    )


def assert_nothing_that_ran_breaks(repo: Path) -> None:
    before = {m for m in modules_of(repo) if imports_cleanly(repo, m)}
    run_cli("fix", str(repo), *FIX, "--write")
    after = {m for m in before if imports_cleanly(repo, m)}
    assert after == before, f"no longer import: {sorted(before - after)}"


# Each case: the SSOT's own imports, the files, the violators the proof must keep manual.
CASES = {
    "the SSOT imports the violator": (
        "from app.const import VALUE",
        {"app/const.py": VIOLATOR},
        {"app.const"},
    ),
    "through a package __init__": (
        "import app.util.helpers",
        {
            "app/util/__init__.py": "from app.util import config\n",
            "app/util/helpers.py": "",
            "app/util/config.py": VIOLATOR,
        },
        {"app.util.config"},
    ),
    "only through a function-level import": (
        "",
        {
            "app/late.py": VIOLATOR + "\n\ndef f():\n    from app import logs\n",
            "app/const.py": VIOLATOR,
        },
        set(),
    ),
    "the SSOT imports it in a function": (
        "\n\ndef configure():\n    from app.const import VALUE\n    return VALUE\n",
        {"app/const.py": VIOLATOR},
        set(),
    ),
    "a class-body import counts": (
        "\n\nclass Settings:\n    from app.const import VALUE\n",
        {"app/const.py": VIOLATOR},
        {"app.const"},
    ),
    "a TYPE_CHECKING import does not": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.const import VALUE\n",
        {"app/const.py": VIOLATOR},
        set(),
    ),
    "its else branch does": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    pass\n"
        "else:\n    from app.const import VALUE\n",
        {"app/const.py": VIOLATOR},
        {"app.const"},
    ),
    "a function-level import in a module the SSOT imports": (
        "from app.const import VALUE",
        {
            "app/const.py": "VALUE = 1\n\n\ndef log():\n    import logging\n\n"
            "    logging.getLogger('const').info('x')\n"
        },
        set(),
    ),
    "inside try and if blocks": (
        "try:\n    if True:\n        from app.const import VALUE\nexcept ImportError:\n    pass\n",
        {"app/const.py": VIOLATOR},
        {"app.const"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_new_import_closing_a_cycle_is_manual_and_nothing_that_ran_breaks(tmp_path, case):
    ssot_imports, files, cyclic = CASES[case]
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/logs.py": LOGS.format(imports=ssot_imports),
            "app/plain.py": VIOLATOR,
            **files,
        },
    )
    verdicts = fix_json(repo)
    manual = {m for m, f in verdicts.items() if f["status"] == "manual"}
    assert manual == cyclic
    assert verdicts["app.plain"]["status"] == "fixed"
    for module in cyclic:
        (reason,) = {r["why"] for r in verdicts[module]["reasons"]}
        assert reason.startswith("importing app.logs here would close an import-time cycle: ")
        assert "part of the SSOT's implementation" in reason
    assert_nothing_that_ran_breaks(repo)


def test_the_chain_names_each_hop_and_its_line(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/logs.py": LOGS.format(imports="from app import settings"),
            "app/settings.py": '"""Settings."""\n\nfrom app.core.config import VALUE\n',
            "app/core/__init__.py": "",
            "app/core/config.py": VIOLATOR,
        },
    )
    (reason,) = {r["why"] for r in fix_json(repo)["app.core.config"]["reasons"]}
    assert "app.logs (l.2) → app.settings (l.3) → app.core.config;" in reason, reason


def test_modules_rewritten_together_are_judged_as_rewritten(tmp_path):
    # Two SSOT modules. Before the rewrite neither closes a cycle; after it, a.x imports
    # app.log2, which imports a.y, which now imports app.logs, which imports a.x.
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/logs.py": LOGS.format(imports="from app import x"),
            "app/log2.py": LOGS.format(imports="from app import y"),
            "app/x.py": "import logging\n\nlogger = logging.getLogger('x')\n",
            "app/y.py": VIOLATOR,
        },
    )
    args = ("--gateway", "app.log2", "--replace", "logging.getLogger=app.logs:get_logger")
    run = run_cli(
        "fix",
        str(repo),
        "--root-package",
        "app",
        "--restricted",
        "logging",
        "--gateway",
        "app.logs",
        *args,
        "--no-cache",
        "--format",
        "json",
    )
    statuses = {f["module"]: f["status"] for f in run.json["files"]}
    assert statuses == {"app.x": "manual", "app.y": "fixed"}


# -- the pieces ------------------------------------------------------------------------


def test_import_time_lines():
    text = (
        "import a\n"  # 1
        "if x:\n"  # 2
        "    import b\n"  # 3
        "def f():\n"  # 4
        "    import c\n"  # 5
        "class C:\n"  # 6
        "    import d\n"  # 7
        "    def m(self):\n"  # 8
        "        import e\n"  # 9
        "if typing.TYPE_CHECKING:\n"  # 10
        "    import f\n"  # 11
        "if not TYPE_CHECKING:\n"  # 12
        "    import g\n"  # 13
        "try:\n"  # 14
        "    import h\n"  # 15
        "except ImportError:\n"  # 16
        "    import i\n"  # 17
        "finally:\n"  # 18
        "    import j\n"  # 19
        "with x:\n"  # 20
        "    for y in z:\n"  # 21
        "        from k import (\n"  # 22
        "            l)\n"  # 23
        "match v:\n"  # 24
        "    case 1:\n"  # 25
        "        import m\n"  # 26
        "lambda: __import__('n')\n"  # 27
    )
    assert import_time_lines(text) == {1, 3, 7, 13, 15, 17, 19, 22, 26}
    assert import_time_lines("def (:\n") is None


def test_the_packages_a_module_runs_first_are_in_its_closure():
    # app.logs runs its package app first: app importing app.logs closes a cycle
    # (importing app.logs first finds app half-initialised), app.m does not.
    graph = {
        "app": [],
        "app.logs": [("app", PACKAGE_FIRST), ("app.util", 2)],
        "app.util": [("app", PACKAGE_FIRST)],
        "app.m": [("app", PACKAGE_FIRST)],
    }
    finder = CycleFinder(lambda module: graph.get(module, []))
    assert finder.cycle("app.m", "app.logs") is None
    (hop,) = finder.cycle("app", "app.logs") or ()
    assert (hop.importer, hop.imported, hop.line) == ("app.logs", "app", PACKAGE_FIRST)
    assert finder.cycle("app.util", "app.logs") is not None


def test_the_oracle_catches_a_cycle_when_the_proof_is_switched_off(tmp_path, monkeypatch):
    # Without the proof, const.py imports app.logs, which imports const.py's VALUE.
    from ssot_arch.application import fix

    monkeypatch.setattr(
        fix, "without_import_cycles", lambda analysed, fixes, reads, left: list(fixes)
    )
    ssot_imports, files, _ = CASES["the SSOT imports the violator"]
    repo = make_repo(
        tmp_path / "repo",
        {"app/__init__.py": "", "app/logs.py": LOGS.format(imports=ssot_imports), **files},
    )
    with pytest.raises(AssertionError, match="no longer import: .*app.const"):
        assert_nothing_that_ran_breaks(repo)
