"""Direct violations agree with an independent oracle: ruff's banned-api rule (TID251).

Each case generates a repository of random modules (packages, namespace folders,
every import form, imports inside functions and TYPE_CHECKING blocks, gateways as
modules and as packages) and compares the (file, line) sets exactly.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import check_json, make_repo

RESTRICTED = ("logging", "loguru", "structlog")

STATEMENTS = [
    "import logging",
    "import logging.handlers",
    "from logging import getLogger",
    "import logging as lg, os",
    "from loguru import (\n    logger,\n)",
    "import structlog",
    "from structlog import get_logger",
    "import os",
    "import json",
    "from collections import OrderedDict",
    "def helper():\n    import logging\n    return logging",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from loguru import Logger",
    "try:\n    import structlog\nexcept ImportError:\n    structlog = None",
]


def generate_repo(root: Path, seed: int) -> tuple[list[str], dict[str, str]]:
    rng = random.Random(seed)
    files: dict[str, str] = {}
    modules: list[tuple[str, str]] = []
    files["shared/core/factory.py"] = "import logging\nfrom loguru import logger\n"
    modules.append(("shared.core.factory", "shared/core/factory.py"))
    for service in ("svc_a", "svc_b", "shared"):
        files[f"{service}/__init__.py"] = ""
        for i in range(rng.randint(8, 20)):
            folder = rng.choice(["", "api/", "core/", "jobs/deep/"])
            path = f"{service}/{folder}m{i}.py"
            body = [rng.choice(STATEMENTS) for _ in range(rng.randint(0, 6))]
            files[path] = "\n".join(body) + "\n"
            modules.append((path[:-3].replace("/", "."), path))
        if rng.random() < 0.5:
            files[f"{service}/api/__init__.py"] = "import logging\n"
            modules.append((f"{service}.api", f"{service}/api/__init__.py"))
    gateways: list[str] = ["shared.core"]  # a package gateway (a namespace folder here)
    gateways += [rng.choice(modules)[0] for _ in range(2)]
    make_repo(root, files)
    return gateways, files


def gateway_globs(gateways: list[str], files: dict[str, str]) -> list[str]:
    globs = []
    for gateway in gateways:
        path = gateway.replace(".", "/")
        if any(f.startswith(path + "/") for f in files):
            globs.append(f"{path}/**/*.py")
        if f"{path}.py" in files:
            globs.append(f"{path}.py")
    return globs


def ruff_violations(root: Path, ignore_globs: list[str]) -> set[tuple[str, int]]:
    banned = "\n".join(f'"{m}".msg = "use the SSOT"' for m in RESTRICTED)
    ignores = "\n".join(f'"{g}" = ["TID251"]' for g in ignore_globs)
    (root / "ruff-oracle.toml").write_text(
        '[lint]\nselect = ["TID251"]\n'
        f"[lint.flake8-tidy-imports.banned-api]\n{banned}\n"
        f"[lint.per-file-ignores]\n{ignores}\n"
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--exit-zero",
            "--config",
            str(root / "ruff-oracle.toml"),
            "--output-format",
            "json",
            str(root),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return {
        (str(Path(d["filename"]).relative_to(root)), d["location"]["row"])
        for d in json.loads(completed.stdout)
        if d["code"] == "TID251"
    }


@pytest.mark.parametrize("seed", range(12))
def test_direct_violations_match_ruff_banned_api(tmp_path, seed):
    gateways, files = generate_repo(tmp_path, seed)
    args = [arg for g in gateways for arg in ("--gateway", g)]
    ours = {(f, line) for f, line, _ in check_json(tmp_path, *args).violations()}
    oracle = ruff_violations(tmp_path, gateway_globs(gateways, files))
    assert ours == oracle
    assert ours, "the generator should produce violations"
