"""Read a repository's history with git, for `ssot-arch trend`: which commits, and the
files of each one, written into a folder of ours. The work tree is never touched and
need not exist (a bare repository works).

git runs as in git.py: with the repository's own configuration neutralised, asked only
for object data (commits, trees, blobs), which runs no filter, hook or external command.
Every commit named on the command line is resolved to its id first; later commands get
ids, never the user's text.

A commit's tree is written into the folder incrementally: only the files whose blob
differs from the previous commit's are written, and the files gone are removed, so that
the content cache sees unchanged files unchanged. Python sources (and `.pyi` stubs) are
written whole; compiled extensions and Cython sources as empty files, for their module
names only. A symbolic link is written as a link with the same target (the scanner
never follows one out of the folder); a submodule has no files here. A blob the object
store lacks (a partial clone) is counted, not guessed at.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from ssot_arch.adapters.config.config_files import CANDIDATES
from ssot_arch.adapters.vcs.confined import ConfinedFolder, UnsafePath
from ssot_arch.adapters.vcs.git import GitError, commit_id, run_git, tree_blobs

SOURCE_SUFFIXES = (".py", ".pyi")
NAME_ONLY_SUFFIXES = (".so", ".pyd", ".pyx")  # modules that exist, whose text is not read
LINK_MODE = "120000"


@dataclass(frozen=True)
class Commit:
    """A commit of the history: its id, its committer date (ISO 8601) and subject."""

    id: str
    date: str
    subject: str


@dataclass(frozen=True)
class Repository:
    """Where git finds a repository, and the part of its tree that is analysed."""

    path: str  # the folder git is run in
    prefix: str  # the analysed folder inside the tree ('' for the top, else 'a/b/')
    bare: bool


def open_repository(path: str) -> Repository:
    """The repository holding `path` (a work-tree folder, or a bare repository).
    Raises GitError when there is none."""
    path = os.path.realpath(path)
    output = run_git(path, "rev-parse", "--is-bare-repository", "--show-prefix")
    bare_text, _, prefix = os.fsdecode(output).partition("\n")
    bare = bare_text.strip() == "true"
    return Repository(path, "" if bare else prefix.strip(), bare)


def resolve_commit(repository: Repository, revision: str) -> str:
    """The id of the commit `revision` names; GitError, saying so, when it names none."""
    return commit_id(repository.path, revision, repository.path)


def first_parent_history(repository: Repository, since: str | None, until: str) -> list[Commit]:
    """The commits from `since` to `until` (ids), both included, following first parents,
    oldest first; from the root commit when `since` is None. GitError when `since` is not
    on `until`'s first-parent line."""
    output = run_git(
        repository.path,
        "log",
        "--first-parent",
        "--no-show-signature",
        "--format=%H%x1f%cI%x1f%s%x1e",
        until,
        "--",
    )
    commits: list[Commit] = []
    for record in os.fsdecode(output).split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        identifier, date, subject = record.split("\x1f", 2)
        commits.append(Commit(identifier, date, subject))
        if identifier == since:
            break
    else:
        if since is not None:
            raise GitError(
                f"{since[:12]} is not on the first-parent history of {until[:12]}: give "
                "--since a commit that --until's history passes through"
            )
    return commits[::-1]


def every_nth(commits: list[Commit], step: int) -> list[Commit]:
    """Every `step`-th commit from the first, and always the last."""
    chosen = commits[::step]
    if commits and chosen[-1] != commits[-1]:
        chosen.append(commits[-1])
    return chosen


def last_of_each_day(commits: list[Commit]) -> list[Commit]:
    """The last commit of each day (by committer date, in its own time zone)."""
    by_day: dict[str, Commit] = {}
    for commit in commits:
        by_day[commit.date[:10]] = commit
    return [c for c in commits if by_day[c.date[:10]] is c]


@dataclass(frozen=True)
class _Entry:
    mode: str
    blob: str


def _listing(repository: Repository, commit: str) -> dict[str, _Entry]:
    """The tree's files of interest below the prefix, by path below it."""
    return {
        path: _Entry(mode, object_id)
        for path, mode, object_id in tree_blobs(repository.path, commit, repository.prefix)
        if path.endswith(SOURCE_SUFFIXES + NAME_ONLY_SUFFIXES) or path in CANDIDATES
    }


def _read_blobs(repository: Repository, blobs: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    """Each blob's content, None for one the object store lacks (`cat-file --batch`)."""
    wanted = sorted(set(blobs))
    if not wanted:
        return
    output = run_git(
        repository.path, "cat-file", "--batch", feed="".join(f"{b}\n" for b in wanted).encode()
    )
    position = 0
    for blob in wanted:
        end = output.index(b"\n", position)
        header = output[position:end].decode("ascii", "replace").split(" ")
        position = end + 1
        if len(header) < 3 or header[1] != "blob":  # `<id> missing`
            yield blob, None
            continue
        size = int(header[2])
        yield blob, output[position : position + size]
        position += size + 1


@dataclass(frozen=True)
class Shown:
    """What `TreeFolder.show` could not write of a commit's files: the paths whose blob
    the object store lacks, and the paths refused as unsafe, with the reason of each."""

    missing: frozenset[str]
    unsafe: Mapping[str, str]


@dataclass
class TreeFolder:
    """A folder holding one commit's files at a time (`show`), changed incrementally.
    Every path is written and removed through a ConfinedFolder: none leaves the folder."""

    repository: Repository
    folder: str
    with_config: bool  # also write the commit's configuration files
    current: dict[str, _Entry] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)  # paths whose blob the store lacks
    unsafe: dict[str, str] = field(default_factory=dict)  # paths not written, and why
    changed: bool = True  # whether the last `show` changed anything

    def __post_init__(self) -> None:
        self._confined = ConfinedFolder(self.folder)
        self._case_insensitive = self._confined.case_insensitive()

    def close(self) -> None:
        self._confined.close()

    def __enter__(self) -> TreeFolder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def show(self, commit: str) -> Shown:
        """Make the folder hold `commit`'s files. `changed` then says whether any file
        differs from the commit shown before."""
        listing = _listing(self.repository, commit)
        if not self.with_config:
            listing = {p: e for p, e in listing.items() if p not in CANDIDATES}
        self.changed = listing != self.current or not self.current
        for path in set(self.current) - set(listing):
            if path not in self.unsafe and path not in self.missing:  # never written
                self._confined.remove(path)
            self.unsafe.pop(path, None)
            self.missing.discard(path)
        # Retried until written: a link in the way may be gone in this commit.
        changed = {
            path: entry
            for path, entry in listing.items()
            if self.current.get(path) != entry or path in self.missing or path in self.unsafe
        }
        contents = dict(
            _read_blobs(
                self.repository,
                (
                    e.blob
                    for p, e in changed.items()
                    if not p.endswith(NAME_ONLY_SUFFIXES) or e.mode == LINK_MODE
                ),
            )
        )
        colliding = _case_collisions(listing) if self._case_insensitive else set()
        for path, entry in sorted(changed.items()):
            self.unsafe.pop(path, None)
            self.missing.discard(path)
            if path in colliding:
                self.unsafe[path] = (
                    "another path differs from it only by case, and this file system "
                    "takes them for one"
                )
                continue
            data = b"" if path.endswith(NAME_ONLY_SUFFIXES) and entry.mode != LINK_MODE else None
            data = contents.get(entry.blob) if data is None else data
            try:
                if data is None:
                    self._confined.remove(path)
                    self.missing.add(path)
                elif entry.mode == LINK_MODE:
                    self._confined.write_link(path, os.fsdecode(data))
                else:
                    self._confined.write_file(path, data)
            except UnsafePath as error:
                self.unsafe[path] = str(error)
        self.current = listing
        return Shown(frozenset(self.missing & set(listing)), dict(sorted(self.unsafe.items())))


def _case_collisions(listing: Mapping[str, _Entry]) -> set[str]:
    """The paths a case-insensitive file system takes for another path of `listing`,
    or for one of its folders: all of them, since none can be written faithfully."""
    by_name: dict[str, list[str]] = {}
    folders: set[str] = set()
    for path in listing:
        folded = path.casefold()
        by_name.setdefault(folded, []).append(path)
        parts = folded.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return {
        path
        for folded, paths in by_name.items()
        for path in paths
        if len(paths) > 1 or folded in folders
    }


def read_config_files(repository: Repository, commit: str, folder: str) -> None:
    """Write `commit`'s configuration files (CANDIDATES at the analysed folder) into
    `folder`: for a bare repository, where no work tree holds today's."""
    listing = {p: e for p, e in _listing(repository, commit).items() if p in CANDIDATES}
    contents = dict(_read_blobs(repository, (e.blob for e in listing.values())))
    with ConfinedFolder(folder) as confined:
        for path, entry in listing.items():
            data = contents.get(entry.blob)
            if data is not None and entry.mode != LINK_MODE:
                confined.write_file(path, data)
