"""Writing output files: atomically, so a crash or a full disk never leaves half a file."""

from __future__ import annotations

import os
import tempfile


def _mode_for(path: str) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    mode = _mode_for(path)
    fd, temporary = tempfile.mkstemp(prefix=".ssot-arch-", suffix=".tmp", dir=directory)
    try:
        os.chmod(temporary, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
