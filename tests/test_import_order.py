"""A sorted import block stays sorted after `fix` (adapters/codemod/import_order.py), judged by
ruff's isort rule (I001) as the oracle: on the rewrite corpus, and on generated blocks."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from ssot_arch.adapters.codemod.import_order import _block, _canonical, sorted_as_before
from tests.helpers import FIX_CONTRACT, FIX_REPLACE, make_repo, run_cli
from tests.test_rewrite import RUFF

CORPUS = Path(__file__).parent / "fix_corpus"
FIRST_PARTY = ("app", "shared", "netra_backend")
RUFF_CONFIG = f"[lint.isort]\nknown-first-party = {list(FIRST_PARTY)!r}\n".replace("'", '"')


def unsorted(folder: Path, texts: dict[str, str]) -> set[str]:
    """The names of `texts` that ruff finds unsorted (I001), each written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruff.toml").write_text(RUFF_CONFIG)
    for name, text in texts.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [RUFF, "check", "--select", "I001", "--no-cache", "--output-format", "concise", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return {line.split(".py:")[0] for line in done.stdout.splitlines() if "I001" in line}


def test_on_the_corpus_a_sorted_file_stays_sorted_and_another_keeps_the_old_place(tmp_path):
    cases = {
        path.name.removesuffix(".expected.py"): (
            (CORPUS / path.name.replace(".expected.py", ".py")).read_text(encoding="utf-8"),
            path.read_text(encoding="utf-8"),
        )
        for path in CORPUS.glob("*.expected.py")
    }
    before = unsorted(tmp_path / "before", {name: text for name, (text, _) in cases.items()})
    placed = {
        name: sorted_as_before(text, expected, FIRST_PARTY)
        for name, (text, expected) in cases.items()
    }
    after = unsorted(tmp_path / "after", placed)
    # Not read by import_order yet: a block with comments keeps the new import where the
    # old one stood (its docstring says so), sorted or not.
    commented = {"alias_import", "docstring_future_comments"}
    assert after - before == commented, "sorted before, unsorted after the rewrite"
    for name in before:
        assert placed[name] == cases[name][1]  # not sorted: the new import where it stood
    moved = [name for name in cases if placed[name] != cases[name][1]]
    assert "plain_getlogger" in moved  # `import asyncio` then the first-party section


def test_generated_blocks_stay_sorted(tmp_path):
    rng = random.Random(7)
    modules = ["os", "sys", "json", "yaml", "requests", "app.core", "app.b2", "app.b10"]
    texts, placed = {}, {}
    for n in range(150):
        chosen = sorted(set(rng.sample(modules, rng.randint(1, 5))))
        lines = [f"import {m}" for m in chosen]
        where = rng.randint(0, len(lines))
        lines.insert(where, "import logging")
        before = "\n".join(lines) + "\n\nlogger = logging.getLogger(__name__)\n"
        after = before.replace("import logging", "from shared.log import get_logger").replace(
            "logging.getLogger", "get_logger"
        )
        texts[f"b{n}"] = before
        placed[f"a{n}"] = sorted_as_before(before, after, FIRST_PARTY)
    unsorted_before = unsorted(tmp_path / "before", texts)
    unsorted_after = unsorted(tmp_path / "after", placed)
    for n in range(150):
        if f"b{n}" not in unsorted_before:
            assert f"a{n}" not in unsorted_after, (texts[f"b{n}"], placed[f"a{n}"])
    assert len(unsorted_before) < 150  # some were sorted: the test sees both kinds


def test_fix_keeps_a_sorted_file_sorted(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/logs.py": "import logging\n\n\ndef get_logger(name=None) -> logging.Logger:\n"
            "    return logging.getLogger(name)\n",
            "app/a.py": "import logging\nimport os\n\nimport yaml\n\nfrom app import b\n\n"
            "logger = logging.getLogger(__name__)\n",
            "app/b.py": "",
        },
    )
    run = run_cli("fix", str(repo), "--root-package", "app", *FIX_CONTRACT, *FIX_REPLACE, "--write")
    assert run.exit_code == 0, run.stderr
    assert (repo / "app" / "a.py").read_text() == (
        "import os\n\nimport yaml\n\nfrom app import b\nfrom app.logs import get_logger\n\n"
        "logger = get_logger(__name__)\n"
    )


def test_every_block_written_sorted_is_one_ruff_accepts(tmp_path):
    # Generated blocks, one-line and parenthesised (with magic trailing commas and names
    # too long for one line): what this module writes as sorted, ruff finds sorted.
    rng = random.Random(3)
    modules = ["os", "sys", "os.path", "json", "yaml", "requests", "app", "app.b2", "app.b10"]
    names = ["x", "X", "Xy", "XY", "a", "B", "_c", "getLogger", "LOG", "a_long_name_for_a_wrap"]
    written = {}
    for n in range(200):
        statements = []
        for _ in range(rng.randint(1, 5)):
            module = rng.choice(modules)
            chosen = rng.sample(names, rng.randint(1, 6))
            if rng.random() < 0.3:
                statements.append(f"import {module}")
            elif rng.random() < 0.3:
                listed = "".join(f"    {name},\n" for name in chosen)
                statements.append(f"from {module} import (\n{listed})")
            else:
                statements.append(f"from {module} import {', '.join(chosen)}")
        block = _block("\n".join(statements) + "\n", FIRST_PARTY)
        if block is not None:
            written[f"m{n}"] = "\n".join(_canonical(block[2])) + "\n\nvalue = 1\n"
    assert len(written) >= 140  # the rest hold imports isort would merge
    assert not unsorted(tmp_path, written)
