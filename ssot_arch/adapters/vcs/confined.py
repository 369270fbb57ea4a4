"""Write and remove files at paths a repository names, inside a folder of ours and
never outside it.

The paths of a commit's tree are the repository's data, and hostile data: git stores
an entry named `..`, `.git` or nothing, and a link beside a folder of the same name,
which a checkout refuses but `git mktree`, a bare clone and a fetch accept. Joined to
a folder and opened, `app/../../../x.py` writes anywhere the user can, and a link
`app/sub.py -> /elsewhere` beside a folder `app/sub.py/` puts `x.py` in `/elsewhere`.

So a path is first checked against the rules `git fsck` applies to tree entries
(`path_problem`), then every folder on its way is opened relative to the one before
it, `openat`-style, without following a link (O_NOFOLLOW): a link, a file or a device
where a folder should be stops the walk (`UnsafePath`), whatever it points to and
whenever it was put there. Files are created the same way, and removal walks the same
way and never leaves the folder either, nor takes away a folder that holds files.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable

# Characters HFS+ ignores in names, which make `.g\u200cit` a `.git` on macOS (as git's
# is_hfs_dotgit): removed before names are compared with `.git`.
_HFS_IGNORED = dict.fromkeys(
    [*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)
# Deeper or longer paths are refused: no real source tree comes near, the walk holds
# one descriptor per level, a folder is emptied by recursion, and the scanner opens
# files by their whole path (the file system's limit is 4,096 bytes).
MAX_DEPTH = 128
MAX_BYTES = 2048

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class UnsafePath(Exception):
    """A path that is not written: the message says why, on one line."""


def _is_dotgit(name: str) -> bool:
    """Whether a file system may take `name` for `.git`: any case, HFS+'s ignored
    characters, NTFS's trailing dots and spaces and its short name `git~1`."""
    folded = name.translate(_HFS_IGNORED).casefold().rstrip(". ")
    return folded in (".git", "git~1")


def path_problem(path: str) -> str | None:
    """Why `path` ('/'-separated, relative) must not be written, or None: the rules
    `git fsck` applies to a tree's entry names."""
    if "\0" in path:
        return "a NUL character in the name"
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} folders"
    if len(os.fsencode(path)) > MAX_BYTES:
        return f"longer than {MAX_BYTES} bytes"
    for part in parts:
        if not part:
            return "an empty name (an absolute path, or '//')"
        if part in (".", ".."):
            return f"a '{part}' component"
        if _is_dotgit(part):
            return f"a component git reserves ({part!r} names .git)"
    return None


def _explain(error: OSError) -> UnsafePath:
    if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return UnsafePath("a part of its folder is a link or a file, not a folder")
    return UnsafePath(f"cannot be written ({error.strerror or error})")


class ConfinedFolder:
    """A folder that files are written into and removed from by repository paths."""

    def __init__(self, folder: str):
        self.folder = folder
        self._root = os.open(folder, _DIRECTORY)

    def close(self) -> None:
        os.close(self._root)

    def __enter__(self) -> ConfinedFolder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def case_insensitive(self) -> bool:
        """Whether the folder's file system takes `A` and `a` for one name."""
        probe = ".ssot-arch-case-probe"
        fd = os.open(probe, _NEW_FILE, 0o600, dir_fd=self._root)
        os.close(fd)
        try:
            os.stat(probe.upper(), dir_fd=self._root, follow_symlinks=False)
            return True
        except FileNotFoundError:
            return False
        finally:
            os.unlink(probe, dir_fd=self._root)

    def _parent(self, path: str, create: bool) -> tuple[int, str] | None:
        """A descriptor of `path`'s folder (to close) and its last name; None when
        `create` is false and a folder on the way does not exist. Raises UnsafePath."""
        problem = path_problem(path)
        if problem is not None:
            raise UnsafePath(problem)
        *folders, name = path.split("/")
        fd = os.dup(self._root)
        try:
            for part in folders:
                try:
                    child = os.open(part, _DIRECTORY, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    os.mkdir(part, 0o700, dir_fd=fd)
                    child = os.open(part, _DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = child
        except OSError as error:
            os.close(fd)
            raise _explain(error) from error
        return fd, name

    def write_file(self, path: str, data: bytes) -> None:
        """Create `path` holding `data`, replacing whatever is there. Raises UnsafePath."""

        def create(fd: int, name: str) -> None:
            with os.fdopen(os.open(name, _NEW_FILE, 0o600, dir_fd=fd), "wb") as out:
                out.write(data)

        self._replace(path, create)

    def write_link(self, path: str, target: str) -> None:
        """Make `path` a symbolic link to `target` (which is never followed here: the
        scanner does not follow one out of the folder). Raises UnsafePath."""
        self._replace(path, lambda fd, name: os.symlink(target, name, dir_fd=fd))

    def _replace(self, path: str, create: Callable[[int, str], None]) -> None:
        """Take away what `path` names, then `create(folder descriptor, name)` there."""
        parent = self._parent(path, create=True)
        assert parent is not None
        fd, name = parent
        try:
            _remove_entry(fd, name)
            create(fd, name)
        except OSError as error:
            raise _explain(error) from error
        finally:
            os.close(fd)

    def remove(self, path: str) -> None:
        """Remove the file or link `path` names (a folder only when it holds no file);
        nothing when it does not exist or its way leaves the folder."""
        try:
            parent = self._parent(path, create=False)
        except UnsafePath:
            return  # nothing was written there
        if parent is None:
            return
        fd, name = parent
        try:
            _remove_entry(fd, name)
        except (UnsafePath, OSError):
            pass  # a folder of other files keeps them; nothing else is in the way
        finally:
            os.close(fd)


def _remove_entry(parent: int, name: str, inside: bool = False) -> None:
    """Remove `name` in the folder `parent`: a file, or a link itself (never what it
    points to), or a folder holding no file. Raises UnsafePath for a folder that holds
    a file: it is another path of the tree, which a file of the same name must not take
    away."""
    try:
        mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        if inside:
            raise UnsafePath("a folder of the same name holds other files")
        os.unlink(name, dir_fd=parent)
        return
    fd = os.open(name, _DIRECTORY, dir_fd=parent)
    try:
        with os.scandir(fd) as listing:
            names = [entry.name for entry in listing]
        for child in names:
            _remove_entry(fd, child, inside=True)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent)
