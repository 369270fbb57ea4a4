"""A forged, corrupt or misplaced cache or baseline, and files that cannot be written
(issue 8, cases 8, 9, 11 and 13): never a wrong verdict, never a crash."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from ssot_arch.adapters.storage.signed_store import FORMAT, cache_dir_for
from ssot_arch.application.check import run_check
from ssot_arch.application.gate import GateOptions, apply_gate
from ssot_arch.application.options import CommandLineContract
from ssot_arch.application.settings import load_settings
from tests.helpers import check_json, make_repo, read_baseline_json, run_cli

REPO = {
    "app/__init__.py": "",
    "app/a.py": "import logging\n",
    "app/b.py": "X = 1\n",
}
VIOLATIONS = [("app/a.py", 1, "logging")]
IN_TREE = ".ssot_arch_cache"


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory, monkeypatch) -> Path:
    """The victim's user cache folder, outside every test repository."""
    root = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("SSOT_ARCH_CACHE_DIR", str(root))
    return root


def signed(key: bytes, kind: str, body: bytes) -> bytes:
    """A cache file in the real format: a header with the HMAC, then the JSON body."""
    mac = hmac.new(key, kind.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return f"ssot-arch-cache {FORMAT} {kind} {mac}\n".encode() + body


def body(data: bytes) -> bytes:
    return data.split(b"\n", 1)[1]


def assert_correct(run) -> None:
    assert run.exit_code == 1, run.stderr
    assert run.violations() == VIOLATIONS
    assert "Traceback" not in run.stderr


def ignored(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "ignoring the cache file" in line]


# Case 8: a forged cache never decides the verdict.


def forged(folder: Path, key: bytes) -> dict[str, bytes]:
    """The tree's cache rewritten to say "no imports" and "no violations", signed with `key`."""
    imports = json.loads(body((folder / "imports.json").read_bytes()))
    imports["entries"] = {k: [] for k in imports["entries"]}
    check = json.loads(body((folder / "check.json").read_bytes()))
    check["entries"]["contracts"] = {c: [] for c in check["entries"]["contracts"]}
    return {
        "imports.json": signed(key, "imports", json.dumps(imports).encode()),
        "check.json": signed(key, "check", json.dumps(check).encode()),
    }


@pytest.mark.parametrize("where", ["default", "configured", "command line"])
def test_a_committed_forged_cache_cannot_pass_the_gate(tmp_path, where):
    config = {"setup.cfg": f"[ssot-arch]\ncache_dir = {IN_TREE}\n"} if where == "configured" else {}
    repo = make_repo(tmp_path / "repo", {**REPO, **config})
    args = ("--cache-dir", IN_TREE) if where == "command line" else ()
    folder = repo / IN_TREE
    # The attacker builds a genuine cache in the tree under a key of their own...
    attacker = {"SSOT_ARCH_CACHE_DIR": str(tmp_path / "attacker")}
    run_cli("check", str(repo), "--cache-dir", IN_TREE, env=attacker)
    genuine = {name: (folder / name).read_bytes() for name in ("imports.json", "check.json")}
    key = (tmp_path / "attacker" / "key").read_bytes()
    lies = forged(folder, key)
    # ...whose forgery works under that key: only the key stops it.
    for name, data in lies.items():
        (folder / name).write_bytes(data)
    fooled = run_cli("check", str(repo), "--cache-dir", IN_TREE, "--format", "json", env=attacker)
    assert fooled.exit_code == 0 and fooled.violations() == []

    wrong_mac = {n: genuine[n].split(b"\n", 1)[0] + b"\n" + body(lies[n]) for n in genuine}
    variants = {
        "forged, signed with another key": lies,
        "forged, with the genuine file's MAC": wrong_mac,
        "an exact copy of a genuine cache made with another key": genuine,
        "forged imports only": {"imports.json": lies["imports.json"], "check.json": None},
    }
    for variant, files in variants.items():
        for name, data in files.items():
            if data is None:
                (folder / name).unlink(missing_ok=True)
            else:
                (folder / name).write_bytes(data)
        run = check_json(repo, *args)
        assert_correct(run)
        if where == "default":
            assert ignored(run) == [], variant  # the tree's folder is not even read
        else:
            assert len(ignored(run)) == sum(d is not None for d in files.values()), variant
            assert all("signature does not match" in line for line in ignored(run)), variant


# Case 9: whatever the cache holds, one warning and the right verdict.

IMPORTS_SHAPES = {
    "a number": lambda generation, keys: 5,
    "another object": lambda generation, keys: {"x": 1},
    "entries as a list": lambda generation, keys: {
        "generation": generation,
        "entries": [["os", 1]],
    },
    "an entry of the wrong length": lambda generation, keys: {
        "generation": generation,
        "entries": {k: [["os", 1]] for k in keys},
    },
    "an entry of the wrong types": lambda generation, keys: {
        "generation": generation,
        "entries": {k: [[1, "1", None, True]] for k in keys},
    },
    "an unanalysed entry of the wrong shape": lambda generation, keys: {
        "generation": generation,
        "entries": {k: {"unanalyzed": 1} for k in keys},
    },
}

CHECK_SHAPES = {
    "a number": lambda tree, result: 5,
    "another object": lambda tree, result: {"x": 1},
    "a result of the wrong type": lambda tree, result: {"generation": tree, "entries": [1]},
    "analysed modules that are no names": lambda tree, result: {
        "generation": tree,
        "entries": {**result, "analyzed": [1]},
    },
    "violations of the wrong length": lambda tree, result: {
        "generation": tree,
        "entries": {
            **result,
            "contracts": {c: [["app.a", "logging"]] for c in result["contracts"]},
        },
    },
    "a line that is no number": lambda tree, result: {
        "generation": tree,
        "entries": {
            **result,
            "contracts": {c: [["app.a", "logging", "1", "x"]] for c in result["contracts"]},
        },
    },
}


def warm_cache(repo: Path, user_cache: Path) -> tuple[Path, bytes]:
    run_cli("check", str(repo))
    return Path(cache_dir_for(str(repo), None, None)), (user_cache / "key").read_bytes()


@pytest.mark.parametrize("shape", [*IMPORTS_SHAPES, "deep JSON"])
def test_a_malformed_import_cache_is_ignored_once_and_rebuilt(tmp_path, user_cache, shape):
    repo = make_repo(tmp_path, REPO)
    folder, key = warm_cache(repo, user_cache)
    (folder / "check.json").unlink()  # or the whole check is reused
    genuine = json.loads(body((folder / "imports.json").read_bytes()))
    if shape == "deep JSON":
        data = b"[" * 100_000
    else:
        document = IMPORTS_SHAPES[shape](genuine["generation"], list(genuine["entries"]))
        data = json.dumps(document).encode()
    (folder / "imports.json").write_bytes(signed(key, "imports", data))
    run = check_json(repo)
    assert_correct(run)
    assert len(ignored(run)) == 1 and str(folder / "imports.json") in ignored(run)[0]
    (folder / "check.json").unlink()
    again = check_json(repo)
    assert_correct(again)
    assert ignored(again) == []  # rebuilt


@pytest.mark.parametrize("shape", [*CHECK_SHAPES, "deep JSON"])
def test_a_malformed_result_cache_is_ignored_once_and_rebuilt(tmp_path, user_cache, shape):
    repo = make_repo(tmp_path, REPO)
    folder, key = warm_cache(repo, user_cache)
    genuine = json.loads(body((folder / "check.json").read_bytes()))
    if shape == "deep JSON":
        data = b"[" * 100_000
    else:
        data = json.dumps(CHECK_SHAPES[shape](genuine["generation"], genuine["entries"])).encode()
    (folder / "check.json").write_bytes(signed(key, "check", data))
    run = check_json(repo)
    assert_correct(run)
    assert len(ignored(run)) == 1 and str(folder / "check.json") in ignored(run)[0]
    again = check_json(repo, "-v")
    assert_correct(again)
    assert ignored(again) == []
    assert "the last check's findings stand" in again.stderr  # rebuilt


def test_an_unsigned_or_unreadable_cache_file_gets_one_warning(tmp_path, user_cache):
    repo = make_repo(tmp_path, REPO)
    folder, _ = warm_cache(repo, user_cache)
    for data in (b"", b"\x00\xff" * 10, b"[" * 100_000, b'{"generation": "x", "entries": {}}'):
        (folder / "check.json").unlink(missing_ok=True)
        (folder / "imports.json").write_bytes(data)
        run = check_json(repo)
        assert_correct(run)
        assert len(ignored(run)) == 1
    (folder / "check.json").unlink()
    (folder / "imports.json").unlink()
    os.mkfifo(folder / "imports.json")  # never waited on
    run = check_json(repo)
    assert_correct(run)
    assert "not a regular file" in ignored(run)[0]


def test_a_cache_file_of_mode_000_is_replaced_with_mode_0600(tmp_path, user_cache):
    repo = make_repo(tmp_path, REPO)
    folder, _ = warm_cache(repo, user_cache)
    for name in ("imports.json", "check.json"):
        (folder / name).chmod(0)
    (repo / "app" / "a.py").write_text("import logging\nX = 2\n")  # both are written again
    assert_correct(check_json(repo))
    for name in ("imports.json", "check.json"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    assert (user_cache / "key").stat().st_mode & 0o777 == 0o600


def test_a_rewritten_output_keeps_its_mode_plus_owner_read_and_write(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    output = tmp_path / "out.json"
    output.write_text("old")
    output.chmod(0o040)
    assert run_cli("check", str(repo), "--format", "json", "-o", str(output)).exit_code == 1
    assert output.stat().st_mode & 0o777 == 0o640


# Case 8: the cache is never written through a link, nor where the tree points it.


def without_cache(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "running without cache" in line]


@pytest.mark.parametrize(
    ("cache_dir", "reason"),
    [
        ("linked", "linked is a symbolic link"),
        ("build/cache", "lies below"),
        ("../elsewhere", "lies outside the repository"),
        ("{outside}", "lies outside the repository"),
    ],
)
def test_a_configured_cache_dir_that_leads_out_is_refused(tmp_path, cache_dir, reason):
    outside = tmp_path / "outside"
    outside.mkdir()
    cache_dir = cache_dir.format(outside=outside)
    repo = make_repo(
        tmp_path / "repo", {**REPO, "setup.cfg": f"[ssot-arch]\ncache_dir = {cache_dir}\n"}
    )
    (repo / "linked").symlink_to(outside)
    (repo / "build").symlink_to(outside)
    run = check_json(repo)
    assert_correct(run)
    assert len(without_cache(run)) == 1 and reason in without_cache(run)[0]
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "elsewhere").exists()


def test_the_command_line_cache_dir_may_be_anywhere_but_not_a_link(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    outside = tmp_path / "outside"
    assert_correct(check_json(repo, "--cache-dir", str(outside)))
    assert (outside / "imports.json").is_file()
    (tmp_path / "link").symlink_to(outside)
    run = check_json(repo, "--cache-dir", str(tmp_path / "link"))
    assert_correct(run)
    assert "link is a symbolic link, and no cache is written through one" in without_cache(run)[0]


def test_a_cache_key_inside_the_repository_is_refused(tmp_path):
    repo = make_repo(tmp_path, REPO)
    run = run_cli(
        "check",
        str(repo),
        "--format",
        "json",
        env={"SSOT_ARCH_CACHE_DIR": str(repo / ".keys")},
    )
    assert_correct(run)
    assert "would lie inside the analysed repository" in without_cache(run)[0]
    assert not (repo / ".keys").exists()


# Baselines: deep JSON, links, and files that cannot be written (cases 9 and 13).

ARGS = ("--gateway", "app.logs")


def test_a_deeply_nested_baseline_is_a_usage_error_and_left_alone(tmp_path):
    repo = make_repo(tmp_path, REPO)
    path = repo / "ssot-arch-baseline.json"
    path.write_text("[" * 100_000)
    for run in (
        run_cli("check", str(repo), "--baseline", str(path)),
        run_cli("baseline", str(repo), "--update"),
        run_cli("baseline", str(repo), "--update", "--force"),
    ):
        assert run.exit_code == 2, run.stderr
        assert f"{path}: is not a baseline: its JSON is nested too deeply" in run.stderr
        assert "Traceback" not in run.stderr
    assert path.read_text() == "[" * 100_000


@pytest.mark.parametrize(
    ("command", "where", "hint"),
    [
        ("baseline", "missing/b.json", "its folder does not exist: create it first"),
        ("baseline", "file.txt/b.json", "a part of its folder is a file, not a folder"),
        ("report", "missing/r.md", "its folder does not exist: create it first"),
        ("check", "file.txt/out.txt", "a part of its folder is a file, not a folder"),
    ],
)
def test_an_output_that_cannot_be_written_is_a_usage_error(tmp_path, command, where, hint):
    repo = make_repo(tmp_path / "repo", REPO)
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / where
    run = run_cli(command, str(repo), "-o", str(target))
    assert run.exit_code == 2, run.stderr
    assert run.stderr.startswith(f"ssot-arch: error: {target}: cannot write it (")
    assert hint in run.stderr
    assert "Traceback" not in run.stderr


def test_update_through_a_symbolic_link_keeps_the_link(tmp_path):
    repo = make_repo(tmp_path / "repo", {**REPO, "app/c.py": "import logging\n"})
    (repo / "quality").mkdir()
    real = repo / "quality" / "b.json"
    assert run_cli("baseline", str(repo), "-o", str(real)).exit_code == 0
    link = repo / "ssot-arch-baseline.json"
    link.symlink_to("quality/b.json")
    (repo / "app" / "c.py").write_text("X = 1\n")
    updated = run_cli("baseline", str(repo), "--update")
    assert updated.exit_code == 0, updated.stderr
    assert link.is_symlink() and os.readlink(link) == "quality/b.json"
    assert [e["file"] for e in read_baseline_json(real)["contracts"]["cli"]["entries"]] == [
        "app/a.py"
    ]
    assert not list((repo / "quality").glob("*.tmp")) and not list(repo.glob("*.tmp"))
    # Outside the repository, a link given on the command line is the user's choice.
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes(real.read_bytes())
    (tmp_path / "link.json").symlink_to(outside)
    again = run_cli("baseline", str(repo), "--update", "-o", str(tmp_path / "link.json"))
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "link.json").is_symlink()


def test_a_baseline_link_from_the_repository_to_outside_is_neither_read_nor_written(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    outside = tmp_path / "secret.json"
    assert run_cli("baseline", str(repo), "-o", str(outside)).exit_code == 0
    before = outside.read_bytes()
    link = repo / "ssot-arch-baseline.json"
    link.symlink_to(outside)
    config = (
        "[importlinter]\nroot_packages = app\n"
        "[importlinter:contract:cli]\nname = Logs\ntype = ssot\n"
        "baseline = ssot-arch-baseline.json\n"
    )
    for run in (
        run_cli("check", str(repo), "--baseline", str(link)),
        run_cli("baseline", str(repo), "--update"),
        run_cli("baseline", str(repo), "--update", "--force", "-o", str(link)),
    ):
        assert run.exit_code == 2, run.stderr
        assert "leads out of the repository, and such a baseline is neither read nor" in run.stderr
    make_repo(repo, {".importlinter": config})
    run = run_cli("check", str(repo))
    assert run.exit_code == 2 and "leads out of the repository" in run.stderr
    assert outside.read_bytes() == before and link.is_symlink()


def test_a_configured_baseline_outside_the_repository_is_refused(tmp_path):
    repo = make_repo(tmp_path / "repo", REPO)
    outside = tmp_path / "outside.json"
    assert run_cli("baseline", str(repo), "-o", str(outside)).exit_code == 0
    config = (
        "[importlinter]\nroot_packages = app\n"
        "[importlinter:contract:cli]\nname = Logs\ntype = ssot\nbaseline = ../outside.json\n"
    )
    make_repo(repo, {".importlinter": config})
    for run in (run_cli("check", str(repo)), run_cli("baseline", str(repo), "--update")):
        assert run.exit_code == 2, run.stderr
        assert "lies outside the repository, and the repository's configuration" in run.stderr
    assert run_cli("check", str(repo), "--baseline", str(outside)).exit_code == 0


# Smaller defects: temporary files left by a killed writer.


def test_stale_temporary_files_are_removed_by_the_next_write(tmp_path):
    repo = make_repo(tmp_path, REPO)
    dead = subprocess.Popen(["true"])
    dead.wait()
    now = time.time()
    stale = repo / f".ssot-arch-{dead.pid}-x.tmp"  # its writer is gone
    live = repo / f".ssot-arch-{os.getpid()}-y.tmp"  # a write under way
    old = repo / f".ssot-arch-{os.getpid()}-z.tmp"  # a day old: its pid was reused
    for path, age in ((stale, 120), (live, 120), (old, 2 * 86400)):
        path.write_text("half")
        os.utime(path, (now - age, now - age))
    assert run_cli("baseline", str(repo)).exit_code == 0
    assert sorted(p.name for p in repo.glob(".ssot-arch-*")) == [live.name]


# Case 11: a baseline whose sections match no checked contract says so.


def test_baseline_sections_that_match_no_contract_are_named(tmp_path):
    repo = make_repo(tmp_path, REPO)
    assert run_cli("baseline", str(repo)).exit_code == 0  # section "cli"
    config = (
        "[importlinter]\nroot_packages = app\n[importlinter:contract:logs]\nname = L\ntype = ssot\n"
    )
    make_repo(repo, {".importlinter": config})
    path = repo / "ssot-arch-baseline.json"
    outcome = apply_gate(run_check(load_settings(str(repo))), GateOptions(baseline=str(path)))
    assert outcome.warnings == (
        "baseline ssot-arch-baseline.json: section 'cli' matches no checked contract "
        "(checked: 'logs'), so its entries accept no violation; rename each section to "
        "its contract's id, or write the baseline again with `ssot-arch baseline --force`",
    )
    assert [v.status for v in outcome.contracts[0].violations] == ["new"]
    flags = CommandLineContract(restricted=("logging", "loguru", "structlog"))
    matching = apply_gate(run_check(load_settings(str(repo), cli=flags)), GateOptions(str(path)))
    assert matching.warnings == ()
    assert [v.status for v in matching.contracts[0].violations] == ["known"]


SOURCES_REPO = {
    "app/__init__.py": "",
    "app/a.py": "import importlib\nimportlib.import_module('logging')\nfrom app.gone import x\n",
}
SOURCES_SHAPES = {
    "a number": lambda generation, keys: 5,
    "entries as a list": lambda generation, keys: {"generation": generation, "entries": []},
    "a dynamic import of the wrong shape": lambda generation, keys: {
        "generation": generation,
        "entries": {"dynamic": {k: [[1, "logging"]] for k in keys}, "broken": {}},
    },
    "a broken import of the wrong types": lambda generation, keys: {
        "generation": generation,
        "entries": {"dynamic": {}, "broken": {k: [["3", "x", "app.gone", 1, 0]] for k in keys}},
    },
}


@pytest.mark.parametrize("shape", SOURCES_SHAPES)
def test_a_malformed_sources_cache_is_ignored_once_and_rebuilt(tmp_path, user_cache, shape):
    repo = make_repo(tmp_path, SOURCES_REPO)
    expected = run_cli("report", str(repo), "--no-cache", "--format", "json").stdout
    run_cli("report", str(repo))
    folder, key = Path(cache_dir_for(str(repo), None, None)), (user_cache / "key").read_bytes()
    genuine = json.loads(body((folder / "sources.json").read_bytes()))
    keys = list(genuine["entries"]["dynamic"])
    document = SOURCES_SHAPES[shape](genuine["generation"], keys)
    (folder / "sources.json").write_bytes(signed(key, "sources", json.dumps(document).encode()))
    run = run_cli("report", str(repo), "--format", "json")
    assert run.stdout == expected
    assert len(ignored(run)) == 1
    assert "Traceback" not in run.stderr
    again = run_cli("report", str(repo), "--format", "json")
    assert again.stdout == expected and ignored(again) == []
