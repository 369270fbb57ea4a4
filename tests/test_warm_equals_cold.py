"""A warm run equals a cold one after any edit: generated repositories with relative and
absolute imports of a first-party restricted module, one file edited between runs.

Only the files that changed are scanned again (and `check` parses only the files that
could import a restricted module): whatever a run leaves to the cache, its findings must
be those of a run that reads everything.
"""

from __future__ import annotations

import random
import time
from types import SimpleNamespace

import pytest

from ssot_arch.adapters.scanning import file_keys
from tests.helpers import make_repo, run_cli

PACKAGES = ["svc", "svc.core", "svc.core.deep", "svc.api"]


def _statement(rng: random.Random, package: str, modules: list[str]) -> str:
    """An import of a random module, absolute or relative to `package`."""
    target = rng.choice(modules)
    if rng.random() < 0.5:
        return f"import {target}" if rng.random() < 0.5 else f"from {target} import x"
    here, there = package.split("."), target.split(".")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    dots = "." * (len(here) - common + 1)
    rest = ".".join(there[common:])
    return f"from {dots}{rest} import x"


def _files(rng: random.Random, modules: list[str]) -> dict[str, str]:
    files = {f"{p.replace('.', '/')}/__init__.py": "" for p in PACKAGES}
    for module in modules:
        package = module.rpartition(".")[0]
        lines = [_statement(rng, package, modules) for _ in range(rng.randint(0, 3))]
        if module == "svc.log":
            lines = ["import logging"]
        files[module.replace(".", "/") + ".py"] = "".join(f"{line}\n" for line in lines)
    return files


def _findings(run) -> list:
    data = run.json
    contract = data["contracts"][0]
    keys = ("violations", "leaks", "hops", "broken_imports")
    return [contract.get(k, data.get(k)) for k in keys]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("command", ["check", "report"])
@pytest.mark.parametrize("later", [False, True], ids=["now", "a minute later"])
def test_a_warm_run_after_an_edit_equals_a_cold_one(tmp_path, monkeypatch, seed, command, later):
    """A minute later, no file is racy: the unchanged ones are taken by their records
    (adapters/scanning/file_keys.py), not read, and the edited one must still be seen."""
    if later:
        real = time.time_ns
        monkeypatch.setattr(file_keys, "time", SimpleNamespace(time_ns=lambda: real() + 6 * 10**10))
    rng = random.Random(seed)
    modules = ["svc.log"] + [f"{p}.m{i}" for p in PACKAGES for i in range(3)]
    repo = make_repo(tmp_path / "repo", _files(rng, modules))
    args = (command, str(repo), "--restricted", "svc.log", "--format", "json")
    cache = ("--cache-dir", str(tmp_path / "cache"))
    run_cli(*args, *cache)  # prime
    for _ in range(3):
        edited = rng.choice(modules[1:])
        package = edited.rpartition(".")[0]
        path = repo / (edited.replace(".", "/") + ".py")
        path.write_text(f"# edit\n{_statement(rng, package, modules)}\n" + path.read_text())
        warm = run_cli(*args, *cache)
        cold = run_cli(*args, "--no-cache")
        assert warm.exit_code == cold.exit_code
        assert _findings(warm) == _findings(cold), edited
