"""The warm check trusts what git's index trusts (adapters/scanning/file_keys.py): a file
whose device, inode, size, modification and change times equal its record is not read
again; anything else is hashed, and the findings stay those of a cold run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from ssot_arch.adapters.scanning import file_keys as module
from ssot_arch.adapters.scanning.file_keys import RACY_NS, StatRecords, racy, trusts_stats
from tests.helpers import check_json, make_repo, run_cli

REPO = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\n",
    "app/b.py": "from app import logs\n",
}
GATEWAY = ("--gateway", "app.logs")
READ_NONE = "ssot-arch: unchanged by their records (not read): 4 files"


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("SSOT_ARCH_CACHE_DIR", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def a_minute_later(monkeypatch):
    """Every run happens a minute after the files were written: none is racy."""
    real = time.time_ns
    monkeypatch.setattr(module, "time", SimpleNamespace(time_ns=lambda: real() + 60 * 10**9))


def records_line(run) -> str | None:
    return next((line for line in run.stderr.splitlines() if "by their records" in line), None)


def check(repo: Path, *args: str, env: dict[str, str] | None = None):
    return run_cli("check", str(repo), "--format", "json", *GATEWAY, "-v", *args, env=env)


def test_an_unchanged_tree_is_not_read_again(tmp_path, a_minute_later):
    repo = make_repo(tmp_path, REPO)
    cold = check_json(repo, *GATEWAY, "--no-cache")
    first = check(repo)
    assert records_line(first) == "ssot-arch: unchanged by their records (not read): 0 files"
    warm = check(repo)
    assert records_line(warm) == READ_NONE
    assert warm.stdout == first.stdout == cold.stdout


def test_a_forged_size_and_modification_time_are_caught_by_the_change_time(
    tmp_path, a_minute_later
):
    repo = make_repo(tmp_path, REPO)
    check(repo)
    path = repo / "app" / "a.py"
    before = path.stat()
    path.write_text("import Logging\n")  # same size, no longer a violation
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    warm = check(repo)
    assert records_line(warm) == "ssot-arch: unchanged by their records (not read): 3 files"
    assert warm.stdout == check_json(repo, *GATEWAY, "--no-cache").stdout
    assert warm.json["contracts"][0]["violations"] == []


def test_files_changed_within_the_moment_of_the_run_are_not_recorded(tmp_path):
    """Without the minute: every file was just written, so each could still change
    within the same clock tick keeping all its fields (git's racy rule)."""
    repo = make_repo(tmp_path, REPO)
    check(repo)
    second = check(repo)
    assert records_line(second) == "ssot-arch: unchanged by their records (not read): 0 files"


def test_the_racy_rule_on_the_clock_tick(tmp_path):
    records = StatRecords(str(tmp_path), str(tmp_path))
    recent = SimpleNamespace(st_mtime_ns=records.started - 1_000_000, st_ctime_ns=0)
    old = SimpleNamespace(st_mtime_ns=0, st_ctime_ns=records.started - RACY_NS - 1)
    changed_now = SimpleNamespace(st_mtime_ns=0, st_ctime_ns=records.started)
    assert racy(recent, records.started)  # type: ignore[arg-type]
    assert racy(changed_now, records.started)  # type: ignore[arg-type]
    assert not racy(old, records.started)  # type: ignore[arg-type]


@pytest.mark.parametrize("where", ["CI", "cache inside the repository"])
def test_records_are_not_used_where_they_could_be_carried_or_forged(
    tmp_path, a_minute_later, where
):
    repo = make_repo(tmp_path, REPO)
    ci = {"CI": "true"} if where == "CI" else None
    args = ("--cache-dir", str(tmp_path / "ci-cache") if ci else ".ssot-cache")
    check(repo, *args, env=ci)
    warm = check(repo, *args, env=ci)
    assert records_line(warm) is None
    assert warm.stdout == check_json(repo, *GATEWAY, "--no-cache").stdout


def test_trust_needs_a_cache_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert trusts_stats(str(tmp_path / "cache"), str(tmp_path / "repo"))
    assert not trusts_stats(str(tmp_path / "repo" / ".cache"), str(tmp_path / "repo"))
    assert not trusts_stats(None, str(tmp_path / "repo"))
    monkeypatch.setenv("CI", "1")
    assert not trusts_stats(str(tmp_path / "cache"), str(tmp_path / "repo"))
