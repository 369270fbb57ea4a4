"""The content-keyed cache: same answers as without it, invalidated by every change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ssot_arch.adapters.scanning.scan_cache import ImportCache, ScanFailure, ScannedImport
from ssot_arch.adapters.storage.signed_store import cache_dir_for
from tests.helpers import SSOT_ARCH, check_json, make_repo, run_cli

# Every file could import a restricted module, so that `check` parses (and caches) each
# (test_text_filter.py: the others are cleared by text, whatever the cache holds).
REPO = {
    "app/__init__.py": "import logging\n",
    "app/a.py": "import logging\nfrom . import b\n",
    "app/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import loguru\n",
    "app/broken.py": "import logging\ndef f(:\n",
}


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch):
    """The user cache folder, outside every test repository (never the real ~/.cache)."""
    root = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("SSOT_ARCH_CACHE_DIR", str(root))
    return root


def cache_of(repo) -> Path:
    return Path(cache_dir_for(str(repo), None, None))


def hits(run) -> str:
    return next(line for line in run.stderr.splitlines() if "cache:" in line)


UNCHANGED = "ssot-arch: cache: no file changed; the last check's findings stand"


def report_hits(repo) -> str:
    """The import cache's hits, seen by `report` (which does not reuse a whole check)."""
    return hits(run_cli("report", str(repo), "-v"))


def test_warm_run_equals_cold_run_and_hits_every_file(tmp_path):
    repo = make_repo(tmp_path, REPO)
    cold = check_json(repo, "--no-cache")
    assert not cache_of(repo).exists()
    first = check_json(repo, "-v")
    assert hits(first) == "ssot-arch: cache: 0 of 4 files unchanged"
    warm = check_json(repo, "-v")
    assert hits(warm) == UNCHANGED
    assert warm.stdout == first.stdout == cold.stdout
    assert report_hits(repo) == "ssot-arch: cache: 4 of 4 files unchanged"
    # The cache lives outside the checkout, in one folder per repository.
    assert sorted(p.name for p in cache_of(repo).iterdir()) == [
        ".gitignore",
        "check.json",
        "imports.json",
        "sources.json",  # the report's
    ]
    assert sorted(p.name for p in repo.iterdir()) == ["app"]


def test_a_fresh_checkout_hits_the_cache(tmp_path):
    """CI checks out afresh at the same path (new modification times): the cache, outside
    the checkout, still holds; a checkout elsewhere shares it through --cache-dir."""
    repo = make_repo(tmp_path / "one", REPO)
    expected = check_json(repo, "--no-cache").stdout
    shared = str(tmp_path / "shared")
    check_json(repo)
    check_json(repo, "--cache-dir", shared)
    shutil.rmtree(repo)
    make_repo(repo, REPO)
    clone = tmp_path / "two"
    shutil.copytree(repo, clone)
    for path in [*repo.rglob("*.py"), *clone.rglob("*.py")]:
        os.utime(path, (1, 1))
    run = check_json(repo, "-v")
    assert hits(run) == UNCHANGED
    assert run.stdout == expected
    assert report_hits(repo) == "ssot-arch: cache: 4 of 4 files unchanged"
    run = check_json(clone, "-v", "--cache-dir", shared)
    assert hits(run) == UNCHANGED
    assert run.stdout == expected.replace(str(repo), str(clone))


def test_a_changed_file_is_scanned_again(tmp_path):
    repo = make_repo(tmp_path, REPO)
    check_json(repo)
    (repo / "app" / "b.py").write_text("import structlog\n")
    run = check_json(repo, "-v")
    assert hits(run) == "ssot-arch: cache: 3 of 4 files unchanged"
    assert ("app/b.py", 1, "structlog") in run.violations()


def test_added_removed_and_renamed_modules_start_a_new_generation(tmp_path):
    repo = make_repo(tmp_path, REPO)
    check_json(repo)
    (repo / "app" / "c.py").write_text("import logging\n")
    run = check_json(repo, "-v")
    assert hits(run) == "ssot-arch: cache: 0 of 5 files unchanged"
    assert ("app/c.py", 1, "logging") in run.violations()
    (repo / "app" / "c.py").rename(repo / "app" / "d.py")
    run = check_json(repo)
    assert ("app/d.py", 1, "logging") in run.violations()
    assert all(f != "app/c.py" for f, _, _ in run.violations())
    (repo / "app" / "d.py").unlink()
    assert check_json(repo).stdout == check_json(repo, "--no-cache").stdout


def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path):
    repo = make_repo(tmp_path, REPO)
    expected = check_json(repo, "--no-cache").stdout
    cache = cache_of(repo) / "imports.json"
    cache.parent.mkdir()
    cache.write_text('{"generation": "x", "entries": [')
    run = check_json(repo)
    assert run.stdout == expected
    assert f"ignoring the cache file {cache} (not an ssot-arch cache file" in run.stderr
    assert report_hits(repo) == "ssot-arch: cache: 4 of 4 files unchanged"
    (cache.parent / "check.json").write_text("{not json")
    assert check_json(repo).stdout == expected


def test_cache_dir_is_configurable(tmp_path):
    repo = make_repo(tmp_path, {**REPO, "setup.cfg": "[ssot-arch]\ncache_dir = build/cache\n"})
    check_json(repo)
    assert (repo / "build" / "cache" / "imports.json").is_file()
    check_json(repo, "--cache-dir", "elsewhere")
    assert (repo / "elsewhere" / "imports.json").is_file()


def test_two_concurrent_runs_share_the_cache_safely(tmp_path):
    files = {
        f"app/m{i}.py": f"import logging\nfrom . import m{(i + 1) % 300}\n" for i in range(300)
    }
    repo = make_repo(tmp_path, {"app/__init__.py": "import logging\n", **files})
    expected = run_cli("check", str(repo), "--no-cache", "--format", "json").stdout
    command = [
        SSOT_ARCH,
        "check",
        str(repo),
        "--format",
        "json",
    ]
    for _ in range(3):
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate()[0] for p in runs]
        assert outputs == [expected, expected]
    assert not [p for p in cache_of(repo).iterdir() if p.suffix == ".tmp"]
    assert hits(check_json(repo, "-v")) == UNCHANGED
    assert report_hits(repo) == "ssot-arch: cache: 301 of 301 files unchanged"


def test_the_whole_check_is_reused_only_when_nothing_changed(tmp_path):
    repo = make_repo(tmp_path, REPO)
    check_json(repo)
    assert hits(check_json(repo, "-v")) == UNCHANGED
    # Another contract is another result, though no file changed.
    other = check_json(repo, "-v", "--gateway", "app.a")
    assert hits(other) == "ssot-arch: cache: 4 of 4 files unchanged"
    assert ("app/a.py", 1, "logging") not in other.violations()
    (repo / "app" / "broken.py").write_text("import loguru\n")  # the broken file is fixed
    run = check_json(repo, "-v")
    assert hits(run) == "ssot-arch: cache: 3 of 4 files unchanged"
    assert ("app/broken.py", 1, "loguru") in run.violations()
    assert run.json["coverage"]["unanalyzed"] == []


def test_entries_are_typed_in_memory_and_plain_json_on_disk(tmp_path):
    """An entry is a list of `ScannedImport` or a `ScanFailure`; the file keeps the JSON
    shape of earlier versions, so that their caches still hit."""
    folder = tmp_path / "cache"
    entries = {
        "app.a:0:1": [
            ScannedImport("logging", 1, "import logging", False),
            ScannedImport(None, 2, "from ... import x", False),
            ScannedImport("loguru", 4, "import loguru", True),
        ],
        "app.broken:0:2": ScanFailure("SyntaxError (line 1)"),
    }
    ImportCache(str(folder), "generation").save(entries)
    stored = json.loads((folder / "imports.json").read_bytes().split(b"\n", 1)[1])
    assert stored == {
        "generation": "generation",
        "entries": {
            "app.a:0:1": [
                ["logging", 1, "import logging", 0],
                [None, 2, "from ... import x", 0],
                ["loguru", 4, "import loguru", 1],
            ],
            "app.broken:0:2": {"unanalyzed": "SyntaxError (line 1)"},
        },
    }
    assert ImportCache(str(folder), "generation").entries == entries
    assert ImportCache(str(folder), "another generation").entries == {}


def test_a_cache_of_an_earlier_format_is_rebuilt_without_a_warning(tmp_path):
    """Upgrading ssot-arch changes the cache format: expected, so not worth a warning."""
    from ssot_arch.adapters.storage import signed_store as cache_module

    repo = make_repo(tmp_path, REPO)
    expected = check_json(repo, "--no-cache").stdout
    folder = cache_of(repo)
    folder.mkdir(parents=True)
    for name, kind in (("imports.json", "imports"), ("check.json", "check")):
        header = f"ssot-arch-cache {cache_module.FORMAT - 1} {kind} {'0' * 64}\n"
        (folder / name).write_text(header + "{}")
    run = check_json(repo)
    assert run.stdout == expected
    assert run.stderr == ""
    assert hits(check_json(repo, "-v")) == UNCHANGED


def test_a_relative_import_of_a_module_not_scanned_again_still_resolves(tmp_path):
    # Only changed files are scanned: a relative import of an unchanged (cached) or
    # cleared module must resolve to it, not to the importer's root. Here that import is
    # the only violation of a first-party restricted module.
    repo = make_repo(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/log.py": "import logging\n",
            "svc/core/__init__.py": "",
            "svc/core/a.py": "from ..log import x\n",
            "svc/core/b.py": "from . import a\n",
        },
    )
    args = ("--restricted", "svc.log", "--cache-dir", str(tmp_path / "cache"), "--format", "json")
    cold = run_cli("check", str(repo), "--no-cache", *args[:2], "--format", "json")
    assert [v["file"] for v in cold.json["contracts"][0]["violations"]] == ["svc/core/a.py"]
    run_cli("check", str(repo), *args)
    (repo / "svc/core/a.py").write_text("# changed\nfrom ..log import x\n")
    warm = run_cli("check", str(repo), *args)
    assert [(v["file"], v["line"]) for v in warm.json["contracts"][0]["violations"]] == [
        ("svc/core/a.py", 2)
    ]
    # And a report after a check (which clears svc.core.b by its text) reads b's import.
    report = run_cli("report", str(repo), *args)
    cold_report = run_cli("report", str(repo), "--no-cache", *args[:2], "--format", "json")
    assert report.json["contracts"][0]["leaks"] == cold_report.json["contracts"][0]["leaks"]
    assert [leak["module"] for leak in report.json["contracts"][0]["leaks"]] == ["svc.core.b"]


def test_a_check_keeps_what_the_report_cached_of_the_passes_it_does_not_run(tmp_path):
    # check with a first-party restricted module looks for broken imports only: the
    # report's dynamic-import findings stay cached for the next report.
    repo = make_repo(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/log.py": "import logging\n",
            "svc/a.py": (
                "import importlib\nimportlib.import_module('svc.log')\nfrom svc.gone import x\n"
            ),
        },
    )
    cache = ("--cache-dir", str(tmp_path / "cache"))
    run_cli("report", str(repo), *cache)
    before = json.loads((tmp_path / "cache" / "sources.json").read_bytes().split(b"\n", 1)[1])
    run_cli("check", str(repo), "--restricted", "svc.log", *cache)
    after = json.loads((tmp_path / "cache" / "sources.json").read_bytes().split(b"\n", 1)[1])
    assert after["entries"]["dynamic"] == before["entries"]["dynamic"] != {}


def test_the_signed_store_keeps_one_generation_and_checks_its_entries(
    tmp_path, caplog, monkeypatch
):
    """Every cache is a record on one store (adapters/storage/signed_store.py): entries of
    another generation are not used and not warned about; entries of the wrong shape are
    dropped with one warning; a changed byte breaks the signature."""
    import logging

    from ssot_arch.adapters.storage.signed_store import SignedStore

    # A command run earlier in this process may have configured ssot-arch's logger to
    # write to stderr only (logs.configure); caplog listens on the root logger.
    monkeypatch.setattr(logging.getLogger("ssot_arch"), "propagate", True)
    caplog.set_level(logging.INFO, logger="ssot_arch")

    store = SignedStore(str(tmp_path), "things.json", "things")
    assert store.load("g1", lambda _: True, "things") is None  # nothing yet, no warning
    store.save("g1", {"a": [1, 2]})
    assert store.load("g1", lambda e: type(e) is dict, "things") == {"a": [1, 2]}
    assert store.load("g2", lambda e: True, "things") is None
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert store.load("g1", lambda e: False, "a dict of lists") is None
    assert "the entries are not a dict of lists" in caplog.text
    path = tmp_path / "things.json"
    path.write_bytes(path.read_bytes().replace(b"[1,2]", b"[1,3]"))
    assert store.load("g1", lambda e: True, "things") is None
    assert "its signature does not match" in caplog.text
    # Another kind of file under the same name is not this store's.
    assert SignedStore(str(tmp_path), "things.json", "other").load("g1", bool, "x") is None
