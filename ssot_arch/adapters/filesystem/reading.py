"""Read the analysed repository's files: only regular files, only inside it, bounded.

The repository is untrusted data (a CI gate reads pull requests from strangers), so a
read never blocks (a FIFO named `x.py`), never runs away (`zero.py -> /dev/zero`, a
huge generated file) and never leaves the repository through a symbolic link.
"""

from __future__ import annotations

import errno
import os
import stat

# Far above any hand-written module (the largest files of large monorepos are generated
# tables of a few megabytes); configurable with `[ssot-arch] max_file_size`.
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISDIR, "folder"),
)


class NotReadable(Exception):
    """Why a file of the repository is not read; the message is the reason shown."""


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, by its `st_mode`."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "special file"


def is_inside(path: str, directory: str) -> bool:
    """Whether the real `path` lies in the real `directory` (both already resolved)."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def read_source(path: str, limit: int = DEFAULT_MAX_FILE_SIZE, follow_link: bool = False) -> bytes:
    """The bytes of the regular file `path`, which must not be a symbolic link (unless
    `follow_link`: a file the user named).

    Raises NotReadable with the reason. The checks happen on the opened file, so a file
    swapped for something else after it was listed is still caught.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_link:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotReadable("symbolic link, not followed") from error
        if error.errno == errno.ENXIO:  # a socket cannot even be opened
            raise NotReadable("not a regular file: socket") from error
        raise NotReadable(f"unreadable: {error.strerror or error}") from error
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"not a regular file: {kind_of(info.st_mode)}")
        if info.st_size > limit:
            raise NotReadable(
                f"larger than the {limit:,}-byte limit ({info.st_size:,} bytes); "
                "raise [ssot-arch] max_file_size to analyse it"
            )
        # One read for the whole file: short of the size asked for, it is at its end.
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:  # growing while read: bounded all the same
            chunks = [data]
            remaining = limit + 1 - len(data)
            while remaining > 0:
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
    except OSError as error:
        raise NotReadable(f"unreadable: {error.strerror or error}") from error
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotReadable(f"larger than the {limit:,}-byte limit; raise [ssot-arch] max_file_size")
    return data
