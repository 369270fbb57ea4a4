"""Each file's cache key (its module and a hash of its bytes), hashing only what may
have changed: a file git's index rule says is unchanged keeps the key it had.

The rule (git's, for its index): a file whose (device, inode, size, modification time,
change time) equal those recorded with its key is unchanged, provided the record was
not *racy*: a file changed within the moment it was recorded (its times not clearly
older than the run that recorded it) could change again within the same clock tick,
keeping every field; so such a file is not recorded, and is hashed on the next run too.

Threat model (docs/security.md): the change time (ctime) cannot be set by a
repository's contents nor by `os.utime`: writing a file, or forging its modification
time, sets its ctime to now, so a pull request cannot make a changed file look
unchanged. The records are trusted only where they cannot be forged or carried
elsewhere: they are kept in the signed store (storage/signed_store.py) in the user's
cache outside the checkout, per machine and per repository folder, and never when `CI`
is set (a CI cache may be restored on another machine or by other jobs) or when the
cache folder lies inside the repository. A fresh checkout has new inodes and times:
everything is hashed, as without the records.
"""

from __future__ import annotations

import os
import socket
import stat
import time
from typing import Any

from ssot_arch.adapters.filesystem.writing import is_within
from ssot_arch.adapters.scanning.scan_cache import content_key
from ssot_arch.adapters.scanning.universe import Universe
from ssot_arch.adapters.storage.signed_store import INT, STR, SignedStore, rows_of_shape
from ssot_arch.domain.model import Unanalyzed
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

# A file whose modification or change time is not this much older than the moment its
# record is made is racy (two seconds: coarser than any file system's clock tick).
RACY_NS = 2_000_000_000

Record = list[Any]  # [device, inode, size, mtime_ns, ctime_ns, key]


def _fields(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def unchanged(record: Record, info: os.stat_result) -> bool:
    """Whether the file `info` describes is the one `record` was made of."""
    return stat.S_ISREG(info.st_mode) and record[:5] == _fields(info)


def racy(info: os.stat_result, started_ns: int) -> bool:
    """Whether a file stat'ed by a run started at `started_ns` changed too recently to be
    recorded: it could change again within the same clock tick, keeping every field."""
    return max(info.st_mtime_ns, info.st_ctime_ns) >= started_ns - RACY_NS


def _machine() -> str:
    """This machine's identity: its machine id where it has one, else its host name."""
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(path, encoding="ascii") as handle:
                return handle.read(64).strip()
        except (OSError, ValueError):
            continue
    return socket.gethostname()


def trusts_stats(cache_dir: str | None, root_dir: str) -> bool:
    """Whether the file records may be used: a cache outside the repository, not in CI."""
    if cache_dir is None or os.environ.get("CI"):
        return False
    return not is_within(os.path.realpath(cache_dir), os.path.realpath(root_dir))


class StatRecords:
    """The records of the files hashed by the last run on this machine and folder."""

    def __init__(self, directory: str, root_dir: str):
        self.store = SignedStore(directory, "stats.json", "stats")
        self.generation = f"{_machine()}:{os.path.realpath(root_dir)}"
        self.started = time.time_ns()
        stored = self.store.load(self.generation, _valid, "file records")
        self.records: dict[str, Record] = stored or {}
        self.fresh: dict[str, Record] = {}
        self.reused = 0

    def key(self, path: str, info: os.stat_result) -> str | None:
        """The key of the file at `path` (relative to the repository) if it is unchanged."""
        record = self.records.get(path)
        if record is None or not unchanged(record, info):
            return None
        self.fresh[path] = record
        self.reused += 1
        return str(record[5])

    def put(self, path: str, info: os.stat_result, key: str) -> None:
        """Record the file `info` describes, with its key, unless it is racy."""
        if not racy(info, self.started):
            self.fresh[path] = [*_fields(info), key]

    def save(self) -> None:
        """Keep this run's records (those of files gone are dropped)."""
        if self.fresh != self.records:
            self.store.save(self.generation, self.fresh)


def _valid(records: Any) -> bool:
    return type(records) is dict and rows_of_shape(
        list(records.values()), INT, INT, INT, INT, INT, STR
    )


def file_keys(
    universe: Universe, cache_dir: str | None = None
) -> tuple[dict[str, str], list[Unanalyzed]]:
    """Each readable file's cache key, and the files that could not be read. With a
    `cache_dir` that `trusts_stats`, a file unchanged since the last run (the module
    docstring) is not read again."""
    records = None
    if cache_dir is not None and trusts_stats(cache_dir, universe.root_dir):
        records = StatRecords(cache_dir, universe.root_dir)
    keys: dict[str, str] = {}
    unreadable: list[Unanalyzed] = []
    for source in universe.files:
        info = None
        if records is not None:
            try:
                info = os.lstat(universe.real_path(source))
            except OSError:
                info = None
            if info is not None and info.st_size <= universe.max_file_size:
                known = records.key(source.path, info)
                if known is not None:
                    keys[source.module] = known
                    continue
        data = universe.read_or_why(source)
        if isinstance(data, Unanalyzed):
            unreadable.append(data)
            continue
        key = keys[source.module] = content_key(source.module, source.is_package, data)
        if records is not None and info is not None and len(data) == info.st_size:
            records.put(source.path, info, key)
    if records is not None:
        logger.info("unchanged by their records (not read): %d files", records.reused)
        records.save()
    return keys, unreadable
