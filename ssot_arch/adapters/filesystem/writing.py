"""Writing files: atomically, so a crash or a full disk never leaves half a file.

A file is written to a temporary file beside it, `.ssot-arch-<pid>-<random>.tmp`, then
renamed over it. A process killed in between (SIGKILL, power loss) leaves its temporary
file behind; the next write to the same folder removes it, once its process is gone.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time

from ssot_arch.domain.errors import ConfigError, ConfigProblem

_TEMPORARY = re.compile(r"\.ssot-arch-(\d+)-.*\.tmp")
# A temporary file is stale once its process is gone and it is a minute old (its pid
# may be another machine's or container's, sharing the folder), or after a day anyway
# (pids are reused).
_GRACE_SECONDS = 60
_STALE_SECONDS = 24 * 3600

_HINTS = {
    errno.ENOENT: "its folder does not exist: create it first, or choose another path",
    errno.ENOTDIR: "a part of its folder is a file, not a folder: choose another path",
    errno.EISDIR: "it is a folder: name a file",
    errno.EACCES: "you may not write there: choose a folder you can write to",
    errno.EPERM: "you may not write there: choose a folder you can write to",
    errno.EROFS: "the file system is read-only: choose a folder you can write to",
    errno.ENOSPC: "the disk is full: free some space, or choose another disk",
}


class WriteError(ConfigError):
    """A file the tool was asked to write could not be written: a usage error (exit 2)
    naming the file and what to do, wherever the write happens."""

    def __init__(self, path: str, error: OSError):
        hint = _HINTS.get(error.errno or 0, "check the path, or choose another one")
        super().__init__(
            ConfigProblem(f"cannot write it ({error.strerror or error}); {hint}", file=path)
        )


def is_within(path: str, folder: str) -> bool:
    """Whether absolute, normalised `path` is `folder` or lies below it."""
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive
        return False


def _mode_for(path: str) -> int:
    """An existing file's permissions, plus owner read and write (a file the tool cannot
    read back is replaced, not copied); a new file gets the usual ones (umask)."""
    try:
        return (os.stat(path).st_mode & 0o777) | 0o600
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def process_is_running(pid: int) -> bool:
    """Whether `pid` names a live process (another user's counts): what a temporary file
    or folder named after its writer's pid needs to know before it is removed."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # another user's process
        return True
    return True


def remove_stale_temporaries(directory: str) -> None:
    """Remove the temporary files that killed writers left in `directory`."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return  # the write itself will say what is wrong with the folder
    now = time.time()
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if not match:
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if age > _STALE_SECONDS or (
                age > _GRACE_SECONDS and not process_is_running(int(match.group(1)))
            ):
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


def _write_temporary(directory: str, data: bytes, mode: int) -> str:
    """A new temporary file in `directory`, holding `data` on disk, with `mode`."""
    remove_stale_temporaries(directory)
    fd, temporary = tempfile.mkstemp(
        prefix=f".ssot-arch-{os.getpid()}-", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def _is_special(path: str) -> bool:
    """Whether `path` exists and is no regular file or folder (a device, a pipe, a
    socket), following links."""
    try:
        kind = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(kind) or stat.S_ISDIR(kind))


def write_atomic(path: str, data: str | bytes, mode: int | None = None) -> None:
    """Replace `path` by `data` (text is written as UTF-8).

    The file gets `mode`, by default the existing file's permissions plus owner read
    and write. Raises WriteError when the file cannot be written.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        temporary = _write_temporary(
            os.path.dirname(os.path.abspath(path)), data, _mode_for(path) if mode is None else mode
        )
        try:
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise WriteError(path, error) from error


def write_output(path: str, text: str) -> None:
    """A command's output to the file the user named (`-o`): replaced atomically, but
    a device or named pipe (`-o /dev/null`, `-o /dev/stdout`) is written to, never
    replaced (a rename would put a regular file in the device's place). Raises
    WriteError. (Files the tool keeps, such as its cache, are always replaced: a pipe
    planted there must not block a run.)"""
    if not _is_special(path):
        write_atomic(path, text)
        return
    try:
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8"))
    except OSError as error:
        raise WriteError(path, error) from error


def create_once(path: str, data: bytes, mode: int) -> None:
    """Create `path` holding `data` unless it exists: a concurrent reader sees the whole
    file or none, and of two concurrent creators the first wins. Raises OSError."""
    temporary = _write_temporary(os.path.dirname(os.path.abspath(path)), data, mode)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another run made it first: theirs is used
    finally:
        os.unlink(temporary)
