"""Ask git which files changed since a revision, without letting git touch the work tree.

The analysed repository is data, possibly hostile: its `.git/config` can name commands
(`core.fsmonitor`, `diff.external`, clean filters, textconv drivers, a pager, hooks) that
git runs when it compares the work tree. So git is only asked for object data, which needs
no work tree and runs no filter: the top-level folder, the revision's commit and the blob
ids of its tree. The work tree is hashed here, the way git hashes a blob.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator, Sequence

from ssot_arch.adapters.filesystem.reading import NotReadable, read_source

# Command-line settings outrank the repository's own. The commands below run none of these;
# the overrides are defence in depth, should a git version start to.
GIT_SETTINGS = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "diff.external=",
    "core.pager=cat",
    "protocol.allow=never",  # nor the lazy fetch of a partial clone's missing objects
    "core.sshCommand=false",
    "credential.helper=",
    "core.askPass=",
    "core.excludesFile=",  # check-ignore: the repository's own rules, no file named elsewhere
)
# `safe.directory` keeps git's default on purpose: git then refuses a repository owned by
# another user, whose configuration that user may have planted, and only the user running
# the check can vouch for it, in their global configuration (git ignores the setting in a
# repository's own). System and global configurations are the user's, hence trusted.
GIT_ENVIRONMENT = {
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
}
# A git hook that runs the check exports these; the analysed folder alone must say which
# repository, index and objects git reads.
REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
# No option stops git from following an `include.path` of the repository's configuration,
# and one naming a FIFO blocks git forever: a run that long is a usage error.
GIT_TIMEOUT_SECONDS = 120.0
# Source files are far smaller; a larger file is reported as changed without being read.
LARGEST_COMPARED_FILE = 16 * 1024 * 1024
OBJECT_FORMATS = ("sha1", "sha256")


class GitError(Exception):
    """git could not say which files changed; the message says why, on one line."""


class GitMissing(GitError):
    """No `git` command to run."""

    def __init__(self) -> None:
        super().__init__("git is not installed")


class UnknownObjectFormat(GitError):
    """The repository hashes its objects in a way this module cannot reproduce."""

    def __init__(self, top: str, object_format: str) -> None:
        super().__init__(f"the repository at {top} uses object format '{object_format}'")
        self.top, self.object_format = top, object_format


def changed_files(repo_dir: str, revision: str) -> set[str]:
    """`.py` files (relative to `repo_dir`, '/'-separated) whose work-tree content is not the
    content they have in `revision`: edited (staged or not), added, deleted, and both names
    of a renamed file. Every `.py` file missing from `revision` counts as added, git-ignored
    ones included, since the check analyses them all.

    A file whose only difference is CRLF line ends (git's autocrlf checkouts) is unchanged;
    content git would convert otherwise (filters, `ident`) counts as changed: a change-scoped
    run may report too much, never too little. Raises GitError when git cannot tell.
    """
    repo_dir = os.path.realpath(repo_dir)
    object_format, top = _format_and_top_level(repo_dir)
    commit = commit_id(repo_dir, revision, top)
    inside = os.path.relpath(repo_dir, top).replace(os.sep, "/")
    if inside == ".." or inside.startswith("../"):
        raise GitError(f"{repo_dir} is outside the work tree of its git repository ({top})")
    committed = _committed_python_blobs(repo_dir, commit, "" if inside == "." else inside + "/")
    present = _python_files(repo_dir)
    changed = set(committed).symmetric_difference(present)
    for name in set(committed).intersection(present):
        if not _holds_blob(present[name], committed[name], object_format):
            changed.add(name)
    return changed


def ignored_paths(repo_dir: str, paths: Sequence[str]) -> set[str]:
    """Which of `paths` (relative to `repo_dir`, '/'-separated, a folder ending in '/';
    they need not exist) the repository's ignore rules match: its `.gitignore` files and
    `.git/info/exclude`. Raises GitError when git cannot tell (no git, no repository)."""
    given = b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths)
    # Exit status 1: none of them is ignored.
    output = run_git(repo_dir, "check-ignore", "--no-index", "--stdin", "-z", ok=(0, 1), feed=given)
    return {p for p in output.decode("utf-8", "surrogateescape").split("\0") if p}


def run_git(repo_dir: str, *args: str, ok: tuple[int, ...] = (0,), feed: bytes = b"") -> bytes:
    """Run one git command on the repository holding `repo_dir`, with `feed` on its
    standard input; its output, or GitError for an exit status not in `ok`."""
    environment = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
    try:
        completed = subprocess.run(
            ["git", *(o for s in GIT_SETTINGS for o in ("-c", s)), "-C", repo_dir, *args],
            input=feed,
            capture_output=True,
            env={**environment, **GIT_ENVIRONMENT},
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise GitMissing() from error
    except subprocess.TimeoutExpired as error:
        raise GitError(
            f"git {args[0]} did not finish within {GIT_TIMEOUT_SECONDS:.0f} s; check the "
            "repository's git configuration (an include.path naming a FIFO or device "
            "blocks git)"
        ) from error
    if completed.returncode not in ok:
        message = _printable(completed.stderr.decode(errors="replace"))
        if "safe.directory" in message:
            message = (
                f"git refuses the repository: {message}. If you trust the repository, add its "
                "folder to safe.directory in your global git configuration"
            )
        else:
            message = f"git {args[0]} failed: {message}"
        raise GitError(message)
    return completed.stdout


def _printable(stderr: str) -> str:
    """git's message on one line, its control characters escaped: it may quote file names
    and values from the repository's configuration, which must not forge output lines."""
    lines = (line.strip() for line in stderr.splitlines())
    text = " ".join(line for line in lines if line)
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _format_and_top_level(repo_dir: str) -> tuple[str, str]:
    # Format first: the top-level path is then the rest of the output, whatever it holds.
    output = run_git(repo_dir, "rev-parse", "--show-object-format", "--show-toplevel")
    object_format, _, top = os.fsdecode(output.removesuffix(b"\n")).partition("\n")
    if object_format not in OBJECT_FORMATS:
        raise UnknownObjectFormat(top, object_format)
    return object_format, os.path.realpath(top)


def commit_id(repo_dir: str, revision: str, top: str) -> str:
    """The commit id `revision` names in the repository at `top` (said in the error):
    every later command gets this id, never the text."""
    try:
        output = run_git(
            repo_dir,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{revision}^{{commit}}",
        )
    except GitError as error:
        raise GitError(
            f"'{revision}' is not a revision of the repository at {top}; "
            "give a commit, branch or tag (fetch it first in a shallow clone)"
        ) from error
    return output.decode("ascii").strip()


def tree_blobs(repo_dir: str, commit: str, prefix: str) -> Iterator[tuple[str, str, str]]:
    """Each blob below `prefix` in the commit's tree (`ls-tree -r`): its path below
    `prefix`, its mode and its id. A submodule is a commit, not a blob: not listed."""
    listing = run_git(repo_dir, "ls-tree", "-r", "-z", "--full-tree", commit)
    for record in listing.split(b"\0"):
        if not record:
            continue
        description, _, raw_path = record.partition(b"\t")
        mode, kind, object_id = description.decode("ascii").split(" ")
        path = os.fsdecode(raw_path)
        if kind == "blob" and path.startswith(prefix):
            yield path[len(prefix) :], mode, object_id


def _committed_python_blobs(repo_dir: str, commit: str, prefix: str) -> dict[str, str]:
    """Blob id of each `.py` path below `prefix` in the commit's tree, by path below it.
    A submodule is a commit, not a blob: the files in its folder count as added."""
    return {
        path: object_id
        for path, _mode, object_id in tree_blobs(repo_dir, commit, prefix)
        if path.endswith(".py")
    }


def _python_files(folder: str) -> dict[str, os.DirEntry[str]]:
    """Every entry named `*.py` below `folder` that is not a folder, by '/'-separated path.
    `.git` is skipped, and links to folders are not followed (they may loop or leave)."""
    found = {}
    pending = [("", folder)]
    while pending:
        prefix, path = pending.pop()
        try:
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:
            continue  # the check lists an unreadable folder; its files cannot be compared
        for entry in entries:
            if entry.name == ".git":
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((f"{prefix}{entry.name}/", entry.path))
            elif entry.name.endswith(".py"):
                found[prefix + entry.name] = entry
    return found


def _holds_blob(entry: os.DirEntry[str], blob_id: str, object_format: str) -> bool:
    """Whether the entry's content is the blob. A symbolic link's content is its target's
    name, as git stores a link: it is never read through."""
    content = _link_target(entry.path) if entry.is_symlink() else _regular_file_content(entry.path)
    if content is None:
        return False
    if _blob_id(content, object_format) == blob_id:
        return True
    return (
        b"\r\n" in content and _blob_id(content.replace(b"\r\n", b"\n"), object_format) == blob_id
    )


def _link_target(path: str) -> bytes | None:
    try:
        return os.fsencode(os.readlink(path))
    except OSError:  # gone since the folder was listed
        return None


def _regular_file_content(path: str) -> bytes | None:
    """The bytes of a regular file of at most LARGEST_COMPARED_FILE, else None (read as
    every file of the repository is: no link followed, no FIFO waited for)."""
    try:
        return read_source(path, LARGEST_COMPARED_FILE)
    except NotReadable:
        return None


def _blob_id(content: bytes, object_format: str) -> str:
    return hashlib.new(object_format, b"blob %d\0" % len(content) + content).hexdigest()
