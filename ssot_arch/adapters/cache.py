"""A cache of each file's imports keyed on its content, so a fresh checkout is fast.

grimp's own cache is keyed on modification times, which every fresh CI checkout
changes. Here an entry is keyed on the module's name, whether it is a package, and a
hash of the file's bytes; the whole cache is one *generation*, valid for one tool
version, grimp version, scan option and set of modules. Resolving an import depends
on which modules exist (`from . import x` names the module `x` only if it exists),
so adding, removing or renaming any module starts a new generation: correct first,
fast in the common case of an unchanged tree or edited files.

Each cache file is JSON behind a signed header, replaced atomically: two concurrent
runs never see half a file (the last one to finish wins).

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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeGuard

import grimp

from ssot_arch import __version__
from ssot_arch.adapters.files import WriteError, create_once, is_within, write_atomic
from ssot_arch.adapters.universe import Universe
from ssot_arch.domain.model import (
    BrokenImport,
    CheckOutcome,
    ContractResult,
    ContractSpec,
    DynamicImport,
    Unanalyzed,
    UnresolvedImport,
    Violation,
)
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

# Raised whenever what an entry means changes. 4: entries scanned before a relative
# import of a module not scanned in the same run resolved to it may name the root.
FORMAT = 4
FILE_NAME = "imports.json"
KEY_FILE = "key"
KEY_BYTES = 32

_MAGIC = b"ssot-arch-cache"
_HEADER_MAX = 256
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class ScannedImport(NamedTuple):
    """One import of a scanned file, as the import cache keeps it.

    On disk: `[imported, line, line_contents, type_checking]`, the last as 0 or 1.
    """

    imported: str | None  # None: a relative import beyond the top-level package
    line: int
    line_contents: str
    type_checking: bool  # under `if TYPE_CHECKING:` (only marked when a contract asks)


@dataclass(frozen=True)
class ScanFailure:
    """A file that could not be scanned, and why. On disk: `{"unanalyzed": reason}`."""

    reason: str


# The import cache's entry for one file: its imports in line order, or why it has none.
Entry = list[ScannedImport] | ScanFailure


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


def _rows(value: Any, *shape: tuple[type, ...]) -> bool:
    return type(value) is list and all(
        type(row) is list
        and len(row) == len(shape)
        and all(type(item) in kinds for item, kinds in zip(row, shape, strict=True))
        for row in value
    )


def _entry_from(raw: Any) -> Entry | None:
    """The entry a cache file holds, or None when it is not one."""
    if type(raw) is dict:
        reason = raw.get("unanalyzed")
        return ScanFailure(reason) if len(raw) == 1 and type(reason) is str else None
    if not _rows(raw, _NAME, _INT, _STR, _INT):
        return None
    return [ScannedImport(name, line, text, bool(tc)) for name, line, text, tc in raw]


def _entry_to(entry: Entry) -> Any:
    if isinstance(entry, ScanFailure):
        return {"unanalyzed": entry.reason}
    return [[name, line, text, int(tc)] for name, line, text, tc in entry]


def content_key(module: str, is_package: bool, data: bytes) -> str:
    """An import cache entry's key: the module, whether it is a package, its bytes."""
    digest = hashlib.sha256(data).hexdigest()[:32]  # sha256 is hardware-accelerated
    return f"{module}:{int(is_package)}:{digest}"


def generation_key(modules: list[tuple[str, bool]], namespaces: list[str], options: str) -> str:
    """The import cache's generation: every module, namespace package and scan option."""
    signature = json.dumps(
        [FORMAT, __version__, grimp.__version__, options, sorted(modules), sorted(namespaces)]
    )
    return hashlib.sha256(signature.encode()).hexdigest()


class ImportCache:
    """Each file's imports from the last run of this generation, keyed on its content."""

    def __init__(self, directory: str, generation: str):
        self.directory = directory
        self.path = os.path.join(directory, FILE_NAME)
        self.generation = generation
        self.key = _key_or_none()
        self.entries: dict[str, Entry] = self._load()
        self.hits = 0

    def _load(self) -> dict[str, Entry]:
        data = _read_signed(self.path, "imports", self.key) if self.key else None
        if data is None:
            return {}
        if not (
            type(data) is dict
            and type(data.get("generation")) is str
            and type(data.get("entries")) is dict
        ):
            _ignore(self.path, "not a generation and its entries")
            return {}
        if data["generation"] != self.generation:
            logger.info("cache %s is for another set of modules or version", self.path)
            return {}
        entries = {key: _entry_from(raw) for key, raw in data["entries"].items()}
        valid = {key: entry for key, entry in entries.items() if entry is not None}
        if len(valid) != len(entries):
            _ignore(self.path, "an entry is not a list of imports")
            return {}
        return valid

    def get(self, key: str) -> Entry | None:
        """The entry of the file with this content key, if the cache has it."""
        entry = self.entries.get(key)
        if entry is not None:
            self.hits += 1
        return entry

    def save(self, entries: dict[str, Entry]) -> None:
        """Replace the cache with `entries` (those of this run: stale ones are dropped)."""
        if self.key:
            stored = {key: _entry_to(entry) for key, entry in entries.items()}
            document = {"generation": self.generation, "entries": stored}
            _write_signed(self.directory, self.path, "imports", self.key, document)


class ResultCache:
    """The last check's outcome for a whole tree, reused when nothing at all changed.

    Keyed on every file's cache key and on the settings, it lets an unchanged tree skip
    reading the import cache and building the graph: a warm check reads and hashes the
    files, and that is all. Only the findings are stored (see `_outcome_to`); the rest
    of an outcome comes from the run that reads them.
    """

    FILE_NAME = "check.json"

    def __init__(self, directory: str, tree_key: str):
        self.directory = directory
        self.path = os.path.join(directory, self.FILE_NAME)
        self.tree_key = tree_key
        self.key = _key_or_none()

    def get(
        self, universe: Universe, contracts: Sequence[ContractSpec], other_contracts: Sequence[str]
    ) -> CheckOutcome | None:
        """The stored outcome of checking `contracts` over `universe`; None when this
        tree has none, or one that does not fit them."""
        stored = self._load()
        if stored is None:
            return None
        try:
            return _outcome_from(stored, universe, contracts, other_contracts)
        except (KeyError, TypeError, ValueError):
            return None  # a result from an incompatible run: check again

    def save(self, outcome: CheckOutcome) -> None:
        """Store `outcome` as this tree's, replacing any other."""
        if self.key:
            document = {"tree": self.tree_key, "result": _outcome_to(outcome)}
            _write_signed(self.directory, self.path, "check", self.key, document)

    def _load(self) -> dict[str, Any] | None:
        data = _read_signed(self.path, "check", self.key) if self.key else None
        if data is None:
            return None
        if not (type(data) is dict and type(data.get("tree")) is str):
            _ignore(self.path, "not a tree key and its result")
            return None
        if data["tree"] != self.tree_key:
            return None
        result = data.get("result")
        if not _valid_result(result):
            _ignore(self.path, "the result is not a check's findings")
            return None
        return result


def _outcome_to(outcome: CheckOutcome) -> dict[str, Any]:
    """The findings of `outcome` as stored: what the files' contents decide."""
    coverage = outcome.coverage
    unanalyzed = {u.file for u in coverage.unanalyzed}
    cleared = set(coverage.cleared_by_text)
    return {
        "analyzed": sorted(
            f.module
            for f in outcome.files.values()
            if f.path not in unanalyzed and f.path not in cleared
        ),
        "cleared": sorted(f.module for f in outcome.files.values() if f.path in cleared),
        "unanalyzed": [[u.file, u.reason] for u in coverage.unanalyzed],
        "unresolved": [
            [u.file, u.line, u.line_contents, u.reason] for u in coverage.unresolved_imports
        ],
        "contracts": {
            r.spec.id: [[v.importer, v.imported, v.line, v.line_contents] for v in r.violations]
            for r in outcome.contracts
        },
        "warnings": {r.spec.id: list(r.warnings) for r in outcome.contracts},
    }


def _outcome_from(
    stored: dict[str, Any],
    universe: Universe,
    contracts: Sequence[ContractSpec],
    other_contracts: Sequence[str],
) -> CheckOutcome:
    files = {f.module: f for f in universe.files}
    analyzed = [files[m] for m in stored["analyzed"]]
    coverage = universe.coverage(
        analyzed,
        [Unanalyzed(*u) for u in stored["unanalyzed"]],
        [UnresolvedImport(*u) for u in stored["unresolved"]],
        [files[m] for m in stored["cleared"]],
    )
    results = tuple(
        ContractResult(
            spec=spec,
            violations=tuple(
                Violation(importer, imported, line, contents, files[importer].path)
                for importer, imported, line, contents in stored["contracts"][spec.id]
            ),
            warnings=tuple(str(w) for w in stored["warnings"][spec.id]),
        )
        for spec in contracts
    )
    return CheckOutcome(
        root_dir=universe.root_dir,
        roots=tuple(r.name for r in universe.roots),
        coverage=coverage,
        contracts=results,
        files=files,
        other_contracts=tuple(other_contracts),
    )


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _valid_result(result: Any) -> TypeGuard[dict[str, Any]]:
    warnings = result.get("warnings", {}) if type(result) is dict else None  # per contract
    return (
        type(result) is dict
        and _strings(result.get("analyzed"))
        and _strings(result.get("cleared"))
        and _rows(result.get("unanalyzed"), _STR, _STR)
        and _rows(result.get("unresolved"), _STR, _INT, _STR, _STR)
        and type(result.get("contracts")) is dict
        and all(_rows(rows, _STR, _STR, _INT, _STR) for rows in result["contracts"].values())
        and type(warnings) is dict
        and all(_strings(texts) for texts in warnings.values())
    )


def tree_key(keys: dict[str, str], unreadable: Iterable[Unanalyzed], settings: str) -> str:
    """The result cache's key: every file's content key, every file that could not be
    read, and `settings` (everything else the findings depend on)."""
    # ascii(): a file name that is not UTF-8 still makes a key.
    problems = [ascii(f"{u.file}: {u.reason}") for u in unreadable]
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{grimp.__version__}\0{settings}".encode())
    for module in sorted(keys):
        digest.update(f"\0{keys[module]}".encode())
    for problem in sorted(problems):
        digest.update(f"\0!{problem}".encode())
    return digest.hexdigest()


class RewriteCache:
    """`fix`'s verdict on each module text it rewrote, so that `plan`, a dry run and then
    `--write` analyse each module once. Keyed on a hash of the text and of what the
    rewrite was asked (restricted modules, replacements); one generation per ssot-arch
    and LibCST version. Signed like every cache file: a verdict is text to be written
    into the repository, so only this account's own may be reused."""

    FILE_NAME = "rewrites.json"
    KEEP = 50_000  # beyond this many verdicts, only the last run's are kept

    def __init__(self, directory: str):
        self.directory = directory
        self.path = os.path.join(directory, self.FILE_NAME)
        self.generation = f"{FORMAT}:{__version__}:{_libcst_version()}"
        self.key = _key_or_none()
        self.entries: dict[str, Any] = self._load()
        self.fresh: dict[str, Any] = {}

    def _load(self) -> dict[str, Any]:
        data = _read_signed(self.path, "rewrites", self.key) if self.key else None
        if data is None:
            return {}
        if not (type(data) is dict and type(data.get("entries")) is dict):
            _ignore(self.path, "not a generation and its verdicts")
            return {}
        if data.get("generation") != self.generation:
            return {}
        entries = data["entries"]
        if not all(_valid_verdict(v) for v in entries.values()):
            _ignore(self.path, "a verdict is not a text and its remaining uses")
            return {}
        return entries

    @staticmethod
    def key_of(
        text: str,
        restricted: Sequence[str],
        replacements: Sequence[Any],
        first_party: Iterable[str] = (),
    ) -> str:
        asked = json.dumps(
            [sorted(restricted), sorted(str(r) for r in replacements), sorted(first_party)]
        )
        digest = hashlib.sha256(asked.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> tuple[str | None, list[tuple[int, str, str]]] | None:
        raw = self.entries.get(key)
        if raw is None:
            return None
        self.fresh[key] = raw
        return raw[0], [tuple(r) for r in raw[1]]

    def put(self, key: str, text: str | None, remaining: Iterable[tuple[int, str, str]]) -> None:
        self.fresh[key] = [text, [list(r) for r in remaining]]

    def save(self) -> None:
        """Keep this run's verdicts and, up to KEEP, the earlier ones."""
        if not self.key or not self.fresh or self.fresh.keys() == self.entries.keys():
            return
        merged = {**self.entries, **self.fresh}
        entries = merged if len(merged) <= self.KEEP else self.fresh
        document = {"generation": self.generation, "entries": entries}
        _write_signed(self.directory, self.path, "rewrites", self.key, document)


def _libcst_version() -> str:
    from importlib.metadata import version

    return version("libcst")


def _valid_verdict(raw: Any) -> bool:
    return (
        type(raw) is list
        and len(raw) == 2
        and (raw[0] is None or type(raw[0]) is str)
        and _rows(raw[1], _INT, _STR, _STR)
    )


class SourceFactsCache:
    """What the report's source passes found in each file, keyed on its content key:
    its dynamic imports, and its broken imports among the lines the scan's records make
    suspect. Both depend only on the file's content and, for broken imports, on which
    modules exist, so the generation is the import cache's with the other modules
    (compiled extensions, stubs) added. A warm report then parses no file again."""

    FILE_NAME = "sources.json"

    def __init__(self, directory: str, generation: str, other_modules: Iterable[str]):
        self.directory = directory
        self.path = os.path.join(directory, self.FILE_NAME)
        others = hashlib.sha256("\n".join(sorted(other_modules)).encode()).hexdigest()
        self.generation = f"{generation}:{others}"
        self.key = _key_or_none()
        self.entries: dict[str, dict[str, Any]] = self._load()
        self.fresh: dict[str, dict[str, Any]] = {"dynamic": {}, "broken": {}}

    def _load(self) -> dict[str, dict[str, Any]]:
        empty: dict[str, dict[str, Any]] = {"dynamic": {}, "broken": {}}
        data = _read_signed(self.path, "sources", self.key) if self.key else None
        if data is None:
            return empty
        if type(data) is not dict or type(data.get("generation")) is not str:
            _ignore(self.path, "not a generation and its files' findings")
            return empty
        if data["generation"] != self.generation:
            return empty  # another set of modules: a cache of another tree, or a rename
        entries = data.get("entries")
        if not (
            type(entries) is dict
            and set(entries) == set(empty)
            and all(type(found) is dict for found in entries.values())
            and all(_rows(rows, _INT, _STR, _STR) for rows in entries["dynamic"].values())
            and all(_rows(rows, *_BROKEN_ROW) for rows in entries["broken"].values())
        ):
            _ignore(self.path, "not a generation and its files' findings")
            return empty
        return entries

    def dynamic(self, key: str, module: str) -> list[DynamicImport] | None:
        rows = self.entries["dynamic"].get(key)
        if rows is None:
            return None
        self.fresh["dynamic"][key] = rows
        return [DynamicImport(module, line, imported, call) for line, imported, call in rows]

    def put_dynamic(self, key: str, found: Iterable[DynamicImport]) -> None:
        self.fresh["dynamic"][key] = [[d.line, d.imported, d.call] for d in found]

    def broken(self, key: str, module: str) -> list[BrokenImport] | None:
        rows = self.entries["broken"].get(key)
        if rows is None:
            return None
        self.fresh["broken"][key] = rows
        return [
            BrokenImport(module, line, statement, name, ancestor, bool(guarded))
            for line, statement, name, ancestor, guarded in rows
        ]

    def put_broken(self, key: str, found: Iterable[BrokenImport]) -> None:
        self.fresh["broken"][key] = [
            [b.line, b.statement, b.name, b.ancestor, int(b.guarded)] for b in found
        ]

    def save(self, kinds: Collection[str]) -> None:
        """Keep this run's findings of the `kinds` it looked for ("dynamic", "broken";
        those of files gone or changed are dropped), and the last run's of the others."""
        entries = {
            kind: self.fresh[kind] if kind in kinds else self.entries[kind] for kind in self.fresh
        }
        if not self.key or entries == self.entries:
            return
        document = {"generation": self.generation, "entries": entries}
        _write_signed(self.directory, self.path, "sources", self.key, document)


_BROKEN_ROW = (_INT, _STR, _STR, _NAME, _INT)
