"""`trend` on a hostile history: tree entries that git stores but a checkout refuses
(`..`, `.git`, a link beside a folder of the same name) must never make the tool write
or delete a file outside its temporary folder. Each history is built here with git's
plumbing (`mktree`, `commit-tree`), as an attacker would push it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from ssot_arch.adapters.vcs import git_history
from ssot_arch.adapters.vcs.confined import ConfinedFolder, UnsafePath, path_problem
from tests.helpers import SSOT_ARCH, run_cli, validate_json
from tests.test_trend import git

LEAF = b"import logging\n"
# A tree: name -> file content (bytes), ("link", target), or a sub-tree (dict). A list
# of pairs allows what a dict cannot: two entries of the same name.
Tree = dict[str, object] | list[tuple[str, object]]


def mktree(repo: Path, tree: Tree) -> str:
    lines = []
    for name, value in tree.items() if isinstance(tree, dict) else tree:
        if isinstance(value, bytes):
            mode, kind, object_id = "100644", "blob", hash_object(repo, value)
        elif isinstance(value, tuple):
            mode, kind, object_id = "120000", "blob", hash_object(repo, value[1].encode())
        else:
            mode, kind, object_id = "040000", "tree", mktree(repo, value)  # type: ignore[arg-type]
        lines.append(f"{mode} {kind} {object_id}\t{name}\n")
    return run_git(repo, "mktree", feed="".join(lines)).strip()


def hash_object(repo: Path, data: bytes) -> str:
    return run_git(repo, "hash-object", "-w", "--stdin", feed=data.decode()).strip()


def run_git(repo: Path, *args: str, feed: str = "") -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(repo), *args],
        input=feed,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
        check=False,
    )
    assert completed.returncode == 0, f"git {args[0]}: {completed.stderr}"
    return completed.stdout


def commit_trees(repo: Path, trees: list[Tree]) -> list[str]:
    """A first-parent history of `trees` on branch main; the commit ids, oldest first."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    ids: list[str] = []
    for number, tree in enumerate(trees):
        parents = ["-p", ids[-1]] if ids else []
        ids.append(
            run_git(repo, "commit-tree", mktree(repo, tree), *parents, "-m", f"c{number}").strip()
        )
    git(repo, "update-ref", "refs/heads/main", ids[-1])
    return ids


def base(**app: object) -> dict[str, object]:
    """A tree whose package `app` holds `app`'s entries besides a clean module."""
    return {"app": {"__init__.py": b"", "clean.py": b"x = 1\n", **app}}


def nested(path: list[str], leaf: object) -> object:
    """The sub-tree `path[0]/path[1]/.../leaf`."""
    for name in reversed(path):
        leaf = {name: leaf}
    return leaf


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below `folder`, with its content's hash or link target."""
    found = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root, name)
            if path.is_symlink():
                found[str(path)] = "-> " + os.readlink(path)
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[str(path)] = "folder"
    return found


def trend(repo: Path, tmp: Path) -> dict:
    """`trend --format json` in a process of its own, its temporary folder in `tmp`."""
    run = subprocess.run(
        [SSOT_ARCH, "trend", str(repo), "--root-package", "app", "--restricted", "logging"]
        + ["--no-cache", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    validate_json("trend-v1", document)
    document["stderr"] = run.stderr
    return document


def unsafe(document: dict) -> list[dict[str, str]]:
    return [entry for commit in document["commits"] for entry in commit["files_unsafe"]]


@pytest.fixture
def outside(tmp_path):
    """A folder the history names from outside the tool's temporary folder, holding a
    file that must be neither overwritten nor deleted."""
    (tmp_path / "tmp").mkdir()  # where trend makes its temporary folder
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.py").write_text("VICTIM = 1\n")
    return folder


def test_dot_dot_entries_write_nothing_outside(tmp_path, outside):
    # From <TMPDIR>/ssot-arch-trend-*/tree/app, four '..' reach tmp_path; a deep run of
    # them reaches the file system's root, and the absolute path follows.
    relative = nested(["..", "..", "..", "..", "outside"], {"pwned.py": LEAF})
    absolute = nested([".."] * 40 + list(outside.parts[1:]), {"victim.py": LEAF})
    repo = tmp_path / "repo"
    commit_trees(repo, [base(**relative), base()])
    # The second layout: a root-level '..' and an absolute path spelled with them.
    commit_trees(tmp_path / "repo2", [{"app": {"__init__.py": b"", "..": absolute[".."]}}])
    before = snapshot(tmp_path)

    document = trend(repo, tmp_path / "tmp")
    second = trend(tmp_path / "repo2", tmp_path / "tmp")

    assert snapshot(tmp_path) == before  # nothing created, changed or deleted
    assert not (outside / "pwned.py").exists()
    assert (outside / "victim.py").read_text() == "VICTIM = 1\n"
    assert unsafe(document) == [
        {"path": "app/../../../../outside/pwned.py", "reason": "a '..' component"}
    ]
    assert [c["files_unsafe"] for c in document["commits"]][1] == []  # gone in the next commit
    assert [entry["reason"] for entry in unsafe(second)] == ["a '..' component"]
    assert "app/../../../../outside/pwned.py: a path of the history" in document["stderr"]
    assert document["commits"][0]["violations"] == 0  # the file was not analysed either


def test_a_link_beside_a_folder_of_the_same_name_is_not_written_through(tmp_path, outside):
    # `app/sub.py` a link to the outside folder, and a folder `app/sub.py/` holding x.py:
    # written in order, x.py would land in the outside folder.
    entries = [("sub.py", ("link", str(outside))), ("sub.py", {"x.py": LEAF})]
    tree = {"app": [("__init__.py", b""), *entries]}
    repo = tmp_path / "repo"
    commit_trees(repo, [tree])
    before = snapshot(tmp_path)

    document = trend(repo, tmp_path / "tmp")

    assert snapshot(tmp_path) == before
    assert unsafe(document) == [
        {
            "path": "app/sub.py/x.py",
            "reason": "a part of its folder is a link or a file, not a folder",
        }
    ]


def test_a_link_replaced_by_a_folder_in_the_next_commit(tmp_path, outside):
    # The incremental writer: commit 1 holds the link (and the folder, refused); commit
    # 2 only the folder, now written inside; commit 3 a link again, over the folder
    # that holds a file of the tree; commit 4 deletes the folder's file.
    link = ("sub.py", ("link", str(outside)))
    folder = ("sub.py", {"victim.py": LEAF})
    history = [
        {"app": [("__init__.py", b""), link, folder]},
        {"app": [("__init__.py", b""), folder]},
        {"app": [("__init__.py", b""), link, folder]},
        {"app": [("__init__.py", b""), link]},
        {"app": [("__init__.py", b"")]},
    ]
    repo = tmp_path / "repo"
    commit_trees(repo, history)
    before = snapshot(tmp_path)

    document = trend(repo, tmp_path / "tmp")

    assert snapshot(tmp_path) == before
    assert (outside / "victim.py").read_text() == "VICTIM = 1\n"
    per_commit = [[e["path"] for e in c["files_unsafe"]] for c in document["commits"]]
    # Commit 3: the folder of commit 2 holds a file of the tree: the link is refused
    # rather than take its place (the folder's file stays analysed).
    assert per_commit == [["app/sub.py/victim.py"], [], ["app/sub.py"], [], []]


def test_deleting_a_path_that_leads_outside_deletes_nothing(tmp_path, outside):
    escape = nested(["..", "..", "..", "..", "outside"], {"victim.py": LEAF})
    link = ("sub.py", ("link", str(outside)))
    history = [
        {
            "app": [
                ("__init__.py", b""),
                ("..", escape[".."]),
                link,
                ("sub.py", {"victim.py": LEAF}),
            ]
        },
        base(),
    ]
    repo = tmp_path / "repo"
    commit_trees(repo, history)
    before = snapshot(tmp_path)

    trend(repo, tmp_path / "tmp")

    assert snapshot(tmp_path) == before


def test_dot_git_entries_are_not_written(tmp_path, outside):
    repo = tmp_path / "repo"
    hooks = {"hooks": {"post-checkout.py": LEAF}}
    commit_trees(repo, [base(**{".git": hooks, ".GIT": hooks, ".g\u200cit": hooks})])
    document = trend(repo, tmp_path / "tmp")
    assert sorted(e["path"] for e in unsafe(document)) == sorted(
        f"app/{name}/hooks/post-checkout.py" for name in (".git", ".GIT", ".g\u200cit")
    )


@pytest.mark.parametrize(
    "path, problem",
    [
        ("app/../x.py", "a '..' component"),
        ("../x.py", "a '..' component"),
        ("app/./x.py", "a '.' component"),
        ("/etc/x.py", "an empty name (an absolute path, or '//')"),
        ("app//x.py", "an empty name (an absolute path, or '//')"),
        ("app/.git/x.py", "a component git reserves ('.git' names .git)"),
        ("app/.Git/x.py", "a component git reserves ('.Git' names .git)"),
        ("app/.git. /x.py", "a component git reserves ('.git. ' names .git)"),
        ("app/GIT~1/x.py", "a component git reserves ('GIT~1' names .git)"),
        ("app/x\0.py", "a NUL character in the name"),
        ("/".join(["a"] * 129) + ".py", "nested deeper than 128 folders"),
        ("app/" + "x" * 2100 + ".py", "longer than 2048 bytes"),
    ],
)
def test_paths_git_fsck_refuses_are_refused(path, problem):
    assert path_problem(path) == problem


@pytest.mark.parametrize("path", ["app/a.py", "app/.github/x.py", "app/..a.py", "...", "é/x.py"])
def test_ordinary_paths_are_accepted(path):
    assert path_problem(path) is None


def test_a_link_planted_in_the_folder_is_not_followed(tmp_path, outside):
    # Whoever put it there: the walk opens each folder without following a link.
    folder = tmp_path / "tree"
    folder.mkdir()
    os.symlink(outside, folder / "app")
    with ConfinedFolder(str(folder)) as confined:
        with pytest.raises(UnsafePath, match="link"):
            confined.write_file("app/pwned.py", LEAF)
        confined.remove("app/victim.py")
        confined.write_link("link.py", str(outside / "victim.py"))
        confined.write_file("link.py", b"replaced\n")  # the link itself is replaced
    assert not (outside / "pwned.py").exists()
    assert (outside / "victim.py").read_text() == "VICTIM = 1\n"
    assert (folder / "link.py").read_bytes() == b"replaced\n"


def test_paths_one_name_apart_by_case_are_refused_where_case_is_ignored(tmp_path, monkeypatch):
    # Linux's file systems keep case: the probe is told the answer of macOS's and
    # Windows's default ones.
    monkeypatch.setattr(ConfinedFolder, "case_insensitive", lambda self: True)
    repo = tmp_path / "repo"
    commit_trees(repo, [base(**{"A.py": b"", "a.py": LEAF, "B.py": b"", "b.py": {"x.py": LEAF}})])
    tree = tmp_path / "tree"
    tree.mkdir()
    with git_history.TreeFolder(git_history.open_repository(str(repo)), str(tree), False) as f:
        shown = f.show("HEAD")
    # A file named as another's folder is refused; the folder's file is written.
    assert sorted(shown.unsafe) == ["app/A.py", "app/B.py", "app/a.py"]
    assert sorted(os.listdir(tree / "app")) == ["__init__.py", "b.py", "clean.py"]


def test_the_text_table_and_the_csv_say_what_was_not_written(tmp_path, outside, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # four '..' from tmp_path
    escape = nested(["..", "..", "..", "..", "outside"], {"pwned.py": LEAF})
    repo = tmp_path / "repo"
    commit_trees(repo, [base(**escape), base()])
    args = ("trend", str(repo), "--root-package", "app", "--restricted", "logging", "--no-cache")
    text = run_cli(*args)
    assert text.exit_code == 0, text.stderr
    assert text.stdout.splitlines()[-2:] == [
        "Not analysed: 1 unsafe path of the history, not written (see docs/security.md):",
        f"  app/../../../../outside/pwned.py (from {git(repo, 'rev-parse', 'HEAD~')[:10]}): "
        "a '..' component",
    ]
    rows = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert [row["files_unsafe"] for row in rows] == ["1", "0"]
    assert not (outside / "pwned.py").exists()
