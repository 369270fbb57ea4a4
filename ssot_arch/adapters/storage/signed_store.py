"""The signed store under every cache: one JSON document per file, signed, verified
before it is parsed, replaced atomically, and valid for one *generation*.

grimp's own cache is keyed on modification times, which every fresh CI checkout
changes. Here an entry is keyed on the module's name, whether it is a package, and a
hash of the file's bytes; the whole cache is one *generation*, valid for one tool
version, grimp version, scan option and set of modules. Resolving an import depends
on which modules exist (`from . import x` names the module `x` only if it exists),
so adding, removing or renaming any module starts a new generation: correct first,
fast in the common case of an unchanged tree or edited files.

Each cache file is JSON behind a signed header, replaced atomically: two concurrent
runs never see half a file (the last one to finish wins). Its document is
`{"generation": ..., "entries": ...}`: a file of another generation (another tool
version, set of modules, tree) is simply not used, and entries of the wrong shape
are dropped with a warning. The records on top say what a generation and an entry
are: scanning/scan_cache.py (imports, a check's result, the source passes' findings)
and codemod/rewrite_cache.py (the rewrite's verdicts).

Threat model. The analysed tree is untrusted: a pull request may commit any file,
including a cache folder and the configuration that names one. Nothing in it can
change a verdict:

- The cache lives outside the checkout by default: `$SSOT_ARCH_CACHE_DIR`, else
  `$XDG_CACHE_HOME/ssot-arch` or `~/.cache/ssot-arch`, one folder per repository (named
  by a hash of its real path).
- Every cache file is signed: an HMAC-SHA256 of its bytes under a random key made once
  in that user cache folder (`key`, mode 0600), never taken from inside the analysed
  repository (then the run goes without cache). A file whose signature does not verify
  is not parsed: it is ignored with a warning, and rebuilt. So a cache folder inside
  the tree (`--cache-dir`, or the configuration's `cache_dir`) cannot be forged either.
- A verified file is still checked entry by entry before use: a cache of another
  version, or a bug, costs a rebuild, never a crash. Unreadable, unsigned, malformed or
  deeply nested files all get one warning and are rebuilt, with mode 0600.
- No cache is written through a symbolic link, nor to a configured `cache_dir` outside
  the repository: the tool warns once and runs without cache instead.

Trusted: the user's account. Whoever can read the key can forge cache files, and
whoever can write the user cache folder can replace the key. In CI, a cache restored
from a store that pull-request code can read or write too (an `actions/cache` entry
shared with jobs that run that code) is only as trustworthy as that store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from collections.abc import Callable
from typing import Any

from ssot_arch.adapters.filesystem.writing import WriteError, create_once, is_within, write_atomic
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

# Raised whenever what a cache file means changes. 5: every file holds a generation and
# its entries (a check's result was keyed "tree").
FORMAT = 5
KEY_FILE = "key"
KEY_BYTES = 32

_MAGIC = b"ssot-arch-cache"
_HEADER_MAX = 256
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class CacheUnavailable(Exception):
    """Why no cache can be used safely in this run."""


def user_cache_root() -> str | None:
    """ssot-arch's folder in the user's cache, or None when the user has no home."""
    explicit = os.environ.get("SSOT_ARCH_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG specification ignores a relative one
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "ssot-arch")


def _read_key(path: str) -> bytes:
    with open(path, "rb") as handle:
        key = handle.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise CacheUnavailable(
            f"the cache key {path} is damaged; delete it (a new one is made on the next run)"
        )
    return key


def signing_key(repository: str | None = None) -> bytes:
    """The user's cache key, made on first use; never one inside `repository`."""
    root = user_cache_root()
    if root is None:
        raise CacheUnavailable(
            "there is no home folder to keep the cache in; set SSOT_ARCH_CACHE_DIR"
        )
    path = os.path.join(root, KEY_FILE)
    if repository and is_within(os.path.realpath(path), os.path.realpath(repository)):
        raise CacheUnavailable(
            f"the cache key {path} would lie inside the analysed repository, where the "
            "repository's authors could know it; set SSOT_ARCH_CACHE_DIR to a folder outside it"
        )
    try:
        try:
            return _read_key(path)
        except FileNotFoundError:
            os.makedirs(root, mode=0o700, exist_ok=True)
            create_once(path, os.urandom(KEY_BYTES), 0o600)
            return _read_key(path)
    except OSError as error:
        raise CacheUnavailable(
            f"cannot create or read the cache key {path} ({error.strerror or error}); "
            "set SSOT_ARCH_CACHE_DIR to a folder you can write to"
        ) from error


def _refuse_links(directory: str, repository: str) -> None:
    """No cache is written through a symbolic link: not the folder itself, nor, inside
    the repository (whose links its authors choose), any folder on the way to it."""
    paths = [directory]
    if is_within(directory, repository):
        parts = os.path.relpath(directory, repository).split(os.sep)
        paths = [os.path.join(repository, *parts[: n + 1]) for n in range(len(parts))]
    for path in paths:
        if os.path.islink(path):
            where = "is" if path == directory else f"lies below {path},"
            raise CacheUnavailable(
                f"the cache folder {directory} {where} a symbolic link, and no cache is "
                "written through one; name a real folder"
            )


def cache_dir_for(root_dir: str, given: str | None, configured: str | None) -> str | None:
    """Where the cache of the repository at `root_dir` lives, or None (after one warning)
    when no cache can be used safely. `given` (the command line's, the user's choice)
    and `configured` (the repository's own configuration: untrusted, so it must stay
    inside the repository) are relative to `root_dir`."""
    repository = os.path.abspath(root_dir)
    if configured and not given and os.environ.get("CI"):
        # A gate's cache is the CI's to place: a tree could commit a cache signed with a
        # key its code read out of an earlier job, and name it here.
        logger.warning(
            "ignoring cache_dir %r from the repository's configuration because CI is set; "
            "pass --cache-dir or set SSOT_ARCH_CACHE_DIR to choose the cache folder",
            configured,
        )
        configured = None
    try:
        signing_key(repository)
        if given or configured:
            directory = os.path.normpath(os.path.join(repository, given or configured or ""))
            if not given and not is_within(directory, repository):
                raise CacheUnavailable(
                    f"the configured cache_dir {configured!r} lies outside the repository; "
                    "name a folder inside it, or pass --cache-dir"
                )
        else:
            folder = hashlib.sha256(os.path.realpath(repository).encode()).hexdigest()[:32]
            directory = os.path.join(user_cache_root() or "", folder)
        _refuse_links(directory, repository)
    except CacheUnavailable as reason:
        logger.warning("running without cache: %s", reason)
        return None
    return directory


def _key_or_none() -> bytes | None:
    try:
        return signing_key()
    except CacheUnavailable as reason:
        logger.warning("running without cache: %s", reason)
        return None


def _mac(key: bytes, kind: str, body: bytes = b"") -> Any:
    """The signature of a cache file of `kind`: which file it is, then its body."""
    return hmac.new(key, kind.encode() + b"\n" + body, hashlib.sha256)


def _ignore(path: str, reason: str) -> None:
    logger.warning("ignoring the cache file %s (%s); rebuilding it", path, reason)


def _read_signed(path: str, kind: str, key: bytes) -> Any:
    """The JSON document in the cache file `path` if `key` signed it; else None, with a
    warning unless the file is missing. Nothing unsigned is parsed."""
    try:
        fd = os.open(path, _OPEN_FLAGS)  # no link followed, no FIFO waited on
    except FileNotFoundError:
        return None
    except OSError as error:
        return _ignore(path, f"cannot read it: {error.strerror or error}")
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return _ignore(path, "not a regular file")
            fields = handle.readline(_HEADER_MAX).split()
            if len(fields) == 4 and fields[0] == _MAGIC and fields[2] == kind.encode():
                if fields[1] != str(FORMAT).encode():  # an earlier version's: expected
                    logger.info("cache %s has another format; rebuilding it", path)
                    return None
            else:
                return _ignore(path, "not an ssot-arch cache file")
            start = handle.tell()
            mac = _mac(key, kind)
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                mac.update(chunk)
            if not hmac.compare_digest(mac.hexdigest().encode(), fields[3]):
                return _ignore(
                    path,
                    "its signature does not match this account's cache key: ssot-arch did "
                    "not write it for you, or it was changed since",
                )
            handle.seek(start)
            body = handle.read()
        except OSError as error:
            return _ignore(path, f"cannot read it: {error.strerror or error}")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        return _ignore(path, f"not valid JSON: {error}")


def _write_signed(directory: str, path: str, kind: str, key: bytes, document: Any) -> None:
    body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    signature = _mac(key, kind, body).hexdigest().encode()
    header = b"%s %d %s %s\n" % (_MAGIC, FORMAT, kind.encode(), signature)
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.exists(ignore):
            write_atomic(ignore, "# Created by ssot-arch.\n*\n")
        write_atomic(path, header + body, mode=0o600)
    except OSError as error:
        logger.warning(
            "could not create the cache folder %s (%s); going on without cache",
            directory,
            error.strerror or error,
        )
    except WriteError as error:
        logger.warning("could not write the cache: %s; going on without it", error)


# The shapes of what the cache files hold, checked before use (exact JSON types: a
# boolean is no int).
_STR, _INT, _NAME = (str,), (int,), (str, type(None))


class SignedStore:
    """One cache file of `kind` in `directory`: its entries for one generation.

    Without a usable key (no home folder, a key inside the repository) the store holds
    nothing and saves nothing: the run goes without cache, after one warning."""

    def __init__(self, directory: str, file_name: str, kind: str):
        self.directory = directory
        self.path = os.path.join(directory, file_name)
        self.kind = kind
        self.key = _key_or_none()

    def load(self, generation: str, valid: Callable[[Any], bool], what: str) -> Any:
        """The entries stored for `generation`, if `valid` accepts them; else None:
        silently for a missing file or another generation, with a warning (saying the
        entries are not `what`) for anything else."""
        data = _read_signed(self.path, self.kind, self.key) if self.key else None
        if data is None:
            return None
        if not (type(data) is dict and set(data) == {"generation", "entries"}):
            return _ignore(self.path, "not a generation and its entries")
        if data["generation"] != generation:
            logger.info("cache %s is of another generation; rebuilding it", self.path)
            return None
        if not valid(data["entries"]):
            return _ignore(self.path, f"the entries are not {what}")
        return data["entries"]

    def save(self, generation: str, entries: Any) -> None:
        """Replace the file with `entries` of `generation`."""
        if self.key:
            document = {"generation": generation, "entries": entries}
            _write_signed(self.directory, self.path, self.kind, self.key, document)


# The shapes of what the cache files hold, checked before use (exact JSON types: a
# boolean is no int).
STR, INT, NAME = (str,), (int,), (str, type(None))


def rows_of_shape(value: Any, *shape: tuple[type, ...]) -> bool:
    return type(value) is list and all(
        type(row) is list
        and len(row) == len(shape)
        and all(type(item) in kinds for item, kinds in zip(row, shape, strict=True))
        for row in value
    )


def strings(value: Any) -> bool:
    """Whether `value` is a list of strings."""
    return type(value) is list and all(type(item) is str for item in value)
