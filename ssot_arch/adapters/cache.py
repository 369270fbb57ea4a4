"""A cache of each file's imports keyed on its content, so a fresh checkout is fast.

grimp's own cache is keyed on modification times, which every fresh CI checkout
changes. Here an entry is keyed on the module's name, whether it is a package, and a
hash of the file's bytes; the whole cache is one *generation*, valid for one tool
version, grimp version, scan option and set of modules. Resolving an import depends
on which modules exist (`from . import x` names the module `x` only if it exists),
so adding, removing or renaming any module starts a new generation: correct first,
fast in the common case of an unchanged tree or edited files.

The cache is one JSON file, replaced atomically: two concurrent runs never see half
a file (the last one to finish wins), and an unreadable or corrupt file is ignored
and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import grimp

from ssot_arch import __version__
from ssot_arch.adapters.files import write_atomic
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

FORMAT = 1
FILE_NAME = "imports.json"
DEFAULT_DIR = ".ssot_arch_cache"

# An entry: the imports of one file as [imported or None (beyond the top level),
# line, line_contents, type_checking], or {"unanalyzed": reason}.
Entry = Any


def content_key(module: str, is_package: bool, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:32]  # sha256 is hardware-accelerated
    return f"{module}:{int(is_package)}:{digest}"


def generation_key(modules: list[tuple[str, bool]], namespaces: list[str], options: str) -> str:
    signature = json.dumps(
        [FORMAT, __version__, grimp.__version__, options, sorted(modules), sorted(namespaces)]
    )
    return hashlib.sha256(signature.encode()).hexdigest()


class ImportCache:
    def __init__(self, directory: str, generation: str):
        self.directory = directory
        self.path = os.path.join(directory, FILE_NAME)
        self.generation = generation
        self.entries: dict[str, Entry] = self._load()
        self.hits = 0

    def _load(self) -> dict[str, Entry]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            logger.warning("ignoring the unreadable cache %s (%s); rebuilding it", self.path, error)
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
            logger.warning("ignoring the malformed cache %s; rebuilding it", self.path)
            return {}
        if data.get("generation") != self.generation:
            logger.info("cache %s is for another set of modules or version", self.path)
            return {}
        return data["entries"]

    def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    def save(self, entries: dict[str, Entry]) -> None:
        """Replace the cache with `entries` (those of this run: stale ones are dropped)."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                write_atomic(ignore, "# Created by ssot-arch.\n*\n")
            payload = {"generation": self.generation, "entries": entries}
            write_atomic(self.path, json.dumps(payload, separators=(",", ":"), sort_keys=True))
        except OSError as error:
            logger.warning(
                "could not write the cache %s (%s); continuing without", self.path, error
            )


class ResultCache:
    """The last check's findings for a whole tree, reused when nothing at all changed.

    Keyed on every file's cache key and on the settings, it lets an unchanged tree skip
    reading the import cache and building the graph: a warm check reads and hashes the
    files, and that is all.
    """

    FILE_NAME = "check.json"

    def __init__(self, directory: str, tree_key: str):
        self.directory = directory
        self.path = os.path.join(directory, self.FILE_NAME)
        self.tree_key = tree_key

    def get(self) -> dict | None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("tree") != self.tree_key:
            return None
        payload = data.get("result")
        return payload if isinstance(payload, dict) else None

    def save(self, payload: dict) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            document = {"tree": self.tree_key, "result": payload}
            write_atomic(self.path, json.dumps(document, separators=(",", ":")))
        except OSError as error:
            logger.warning("could not write the cache %s (%s); going on without", self.path, error)


def tree_key(keys: dict[str, str], problems: list[str], settings: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{grimp.__version__}\0{settings}".encode())
    for module in sorted(keys):
        digest.update(f"\0{keys[module]}".encode())
    for problem in sorted(problems):
        digest.update(f"\0!{problem}".encode())
    return digest.hexdigest()
