"""Broken imports in the report: every statement naming a first-party module that does
not exist, equal to a brute-force search on generated repositories; the nearest-ancestor
rule in the graph; compiled modules and stubs exist; git-ignored generated files."""

from __future__ import annotations

import random
import subprocess

import pytest

from tests.helpers import make_repo, run_cli

REPO = {
    "app/__init__.py": "",
    "app/db/__init__.py": "import logging\n",  # runs before `from app.db.gone import x` fails
    "app/db/conn.py": "",
    "app/fast.cpython-311-x86_64-linux-gnu.so": b"\x7fELF",
    "app/typed.pyi": "x: int\n",
    "app/cy/kernel.pyx": "def f(): pass\n",
    "app/user.py": (
        "from app.db.gone import x\n"
        "import app.fast, app.typed\n"
        "from app.cy import kernel\n"
        "try:\n"
        "    from .gen.pb2 import Message\n"
        "except ImportError:\n"
        "    Message = None\n"
        "from app.db import conn\n"
    ),
    "app/logs.py": "import logging\n",
}


def report(repo, *args):
    run = run_cli("report", str(repo), "--no-cache", "--gateway", "app.logs", *args)
    assert run.exit_code == 0, run.stderr
    return run


def test_broken_imports_are_listed_with_their_nearest_existing_ancestor(tmp_path):
    data = report(make_repo(tmp_path, REPO), "--format", "json").json
    assert data["broken_imports"] == [
        {
            "importer": "app.user",
            "file": "app/user.py",
            "line": 1,
            "statement": "from app.db.gone import x",
            "name": "app.db.gone",
            "ancestor": "app.db",
            "guarded": False,
            "reason": "no such module",
        },
        {
            "importer": "app.user",
            "file": "app/user.py",
            "line": 5,
            "statement": "from .gen.pb2 import Message",
            "name": "app.gen.pb2",
            "ancestor": "app",
            "guarded": True,
            "reason": "no such module",
        },
    ]
    # The nearest-ancestor rule: app.user reaches logging through app.db, as Python
    # runs app/db/__init__.py before it raises.
    leaks = {leak["module"]: leak for leak in data["contracts"][0]["leaks"]}
    assert leaks["app.user"]["via"] == "app.db"


def test_a_git_ignored_generated_module_is_said_to_be(tmp_path):
    repo = make_repo(tmp_path, {**REPO, ".gitignore": "*_pb2.py\napp/gen/\n"})
    try:
        subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    broken = report(repo, "--format", "json").json["broken_imports"]
    found = {b["name"]: b["reason"] for b in broken}
    assert found == {
        "app.db.gone": "no such module",
        "app.gen.pb2": "no such module: app/gen/pb2.py is ignored by git (generated?)",
    }


def test_the_markdown_groups_them_by_service_and_missing_module(tmp_path):
    markdown = report(make_repo(tmp_path, REPO)).stdout
    section = markdown[markdown.index("## Broken imports") : markdown.index("## Coverage")]
    assert "2 import statements in 1 modules name a first-party module" in section
    assert "(1 guarded by a `try`" in section
    assert "| app | 2 | 1 | 1 | 1 |" in section
    assert "| `app.db.gone` | 1 | `app.db` | no such module |" in section


# -- brute force on generated repositories --------------------------------------------

PACKAGES = ["a", "a.p", "a.p.q", "a.r", "b", "b.s"]


def _generated(seed: int) -> tuple[dict[str, str], set[tuple[str, int, str]]]:
    """A repository of random modules importing random names, some missing; and the
    (file, line, missing name) of every broken statement, from the generator's own
    knowledge of what exists."""
    rng = random.Random(seed)
    modules = {p + f".m{i}" for p in PACKAGES for i in range(3) if rng.random() < 0.6}
    existing = set(PACKAGES) | modules
    candidates = sorted(existing) + [p + ".gone" for p in PACKAGES] + ["a.p.gone.deep", "b.x"]
    files = {f"{p.replace('.', '/')}/__init__.py": "" for p in PACKAGES}
    expected = set()
    for module in sorted(modules):
        lines = []
        for number in range(1, rng.randint(1, 6) + 1):
            name = rng.choice(candidates)
            form = rng.randrange(3)
            if form == 0:
                lines.append(f"import {name}")
            elif form == 1:
                lines.append(f"from {name} import thing")
            else:
                lines.append(f"import os, {name} as alias")
            if name not in existing:
                expected.add((module.replace(".", "/") + ".py", number, name))
        files[module.replace(".", "/") + ".py"] = "\n".join(lines) + "\n"
    return files, expected


@pytest.mark.parametrize("seed", range(25))
def test_broken_imports_equal_brute_force_on_generated_repositories(tmp_path, seed):
    files, expected = _generated(seed)
    run = run_cli("report", str(make_repo(tmp_path, files)), "--no-cache", "--format", "json")
    assert run.exit_code == 0, run.stderr
    found = {(b["file"], b["line"], b["name"]) for b in run.json["broken_imports"]}
    assert found == expected
