"""Find the module universe: every `.py` file below every root, packages or not.

grimp only walks folders that hold an `__init__.py` and locates packages with
`importlib.util.find_spec`, which imports parent packages and prefers installed
modules over the repository's own. Here the tree is walked directly, so nothing is
imported and every folder counts as a package ("namespace" when it has no
`__init__.py`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ssot_arch.adapters.filesystem.reading import (
    DEFAULT_MAX_FILE_SIZE,
    NotReadable,
    is_inside,
    read_source,
)
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import (
    Coverage,
    FileKind,
    SkippedDir,
    SkippedFile,
    SourceFile,
    Unanalyzed,
    UnresolvedImport,
)

# Folders that hold no first-party code. A folder holding a `pyvenv.cfg` is always a
# virtualenv, whatever its name.
DEFAULT_SKIP_DIRS: tuple[str, ...] = (
    ".*",
    "__pycache__",
    "node_modules",
    "site-packages",
    "*.egg-info",
    "venv",
    "build",
    "dist",
)

_IMPORTABLE = (FileKind.MODULE, FileKind.PACKAGE)


@dataclass(frozen=True)
class Root:
    """A top-level package or module that is analysed, under its name."""

    name: str
    path: str  # absolute path of the package folder, or of the module file
    is_file: bool = False


@dataclass
class Universe:
    """Every `.py` file below the roots, and everything below them left out, with why."""

    root_dir: str
    roots: tuple[Root, ...]
    files: list[SourceFile] = field(default_factory=list)
    namespace_packages: set[str] = field(default_factory=set)
    skipped_dirs: list[SkippedDir] = field(default_factory=list)
    skipped_files: list[SkippedFile] = field(default_factory=list)
    unreadable: list[Unanalyzed] = field(default_factory=list)  # folders that could not be listed
    real_root: str = ""  # the repository's real path: nothing outside it is read
    # Files analysed under a link's name -> the real path of the checked target.
    linked: dict[str, str] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # Modules Python could import that are no `.py` file: compiled extensions, Cython
    # sources and stubs (`.so`, `.pyd`, `.pyx`, `.pyi`), and the folders holding them.
    other_modules: set[str] = field(default_factory=set)

    def existing_modules(self) -> set[str]:
        """Every module Python could import from the tree: the files, the namespace
        packages and the other modules (docs/spec.md, "Existing module")."""
        return {f.module for f in self.files} | self.namespace_packages | self.other_modules

    def real_path(self, source: SourceFile) -> str:
        """Where `source`'s bytes are read from (never a symbolic link)."""
        return self.linked.get(source.path) or os.path.join(self.root_dir, source.path)

    def read(self, source: SourceFile) -> bytes:
        """`source`'s bytes; NotReadable (with the reason) when they cannot be read."""
        return read_source(self.real_path(source), self.max_file_size)

    def read_or_why(self, source: SourceFile) -> bytes | Unanalyzed:
        """`source`'s bytes, or why they cannot be read (the file is then unanalysed)."""
        try:
            return self.read(source)
        except NotReadable as error:
            return Unanalyzed(source.path, str(error))

    def coverage(
        self,
        analyzed: Sequence[SourceFile],
        unanalyzed: Iterable[Unanalyzed],
        unresolved: Iterable[UnresolvedImport],
        cleared: Sequence[SourceFile] = (),
    ) -> Coverage:
        """How much of the universe a scan that parsed `analyzed` and cleared `cleared` by
        their text covers (both are analysed), and what it left out."""
        return Coverage(
            files_total=len(self.files),
            files_analyzed=len(analyzed) + len(cleared),
            cleared_by_text=tuple(sorted(f.path for f in cleared)),
            unanalyzed=tuple(unanalyzed),
            skipped_dirs=tuple(self.skipped_dirs),
            skipped_files=tuple(self.skipped_files),
            unresolved_imports=tuple(unresolved),
            not_importable=tuple(
                sorted(
                    (f for f in [*analyzed, *cleared] if f.kind not in _IMPORTABLE),
                    key=lambda f: f.path,
                )
            ),
        )


def default_source_roots(root_dir: str) -> list[str]:
    """`src/` (when it is a plain folder, not a package) and the repository root."""
    src = os.path.join(root_dir, "src")
    if os.path.isdir(src) and not os.path.exists(os.path.join(src, "__init__.py")):
        return [src, root_dir]
    return [root_dir]


def _skip_rule(name: str, path: str, skip_patterns: Sequence[str]) -> str | None:
    for pattern in skip_patterns:
        if fnmatch.fnmatchcase(name, pattern):
            return pattern
    if os.path.isfile(os.path.join(path, "pyvenv.cfg")):
        return "virtualenv (pyvenv.cfg)"
    return None


def _holds_python(path: str, skip_patterns: Sequence[str]) -> bool:
    for dirpath, dirnames, filenames in os.walk(path):
        if any(f.endswith(".py") for f in filenames):
            return True
        dirnames[:] = [
            d for d in dirnames if _skip_rule(d, os.path.join(dirpath, d), skip_patterns) is None
        ]
    return False


@dataclass
class Layout:
    """What root discovery found at the top of the source roots, and what it left out."""

    roots: list[Root] = field(default_factory=list)
    skipped_dirs: list[SkippedDir] = field(default_factory=list)
    skipped_files: list[SkippedFile] = field(default_factory=list)


def _root_name(entry_name: str) -> str:
    # Dots in a folder name would fake a hierarchy (`v1.2/` is labelled `v1_2`).
    return entry_name.replace(".", "_")


def discover_layout(
    root_dir: str, source_roots: Sequence[str], skip_patterns: Sequence[str] = DEFAULT_SKIP_DIRS
) -> Layout:
    """Top-level packages, namespace folders and modules of the source roots.

    Top-level entries get the treatment nested ones get: a folder or file whose name is
    no identifier (`my-service/`, `v1.2/`, `my-tool.py`) is a root of its own, checked
    under its label; a folder left out by the skip rules or a symbolic link is listed
    with its count of Python files, so that no `.py` file goes unmentioned.
    """
    layout = Layout()
    taken: dict[str, Root] = {}
    real_root = os.path.realpath(root_dir)
    other_source_roots = {os.path.abspath(s) for s in source_roots}
    prefix = os.path.join(os.path.abspath(root_dir), "")

    def relative(path: str) -> str:
        return _relative_to(os.path.abspath(path), prefix, root_dir)

    def claim(name: str, root: Root) -> None:
        unique, n = name, 1
        while unique in taken:
            n += 1
            unique = f"{name}~{n}"
        taken[unique] = Root(unique, root.path, root.is_file)

    for source_root in source_roots:
        try:
            entries = sorted(os.scandir(source_root), key=lambda e: e.name)
        except OSError as error:
            raise ConfigError(
                ConfigProblem(f"cannot list source root {source_root}: {error.strerror}")
            ) from error
        for entry in entries:
            if os.path.abspath(entry.path) in other_source_roots:
                continue
            is_python = entry.name.endswith(".py")
            if entry.is_symlink():
                rule, real = link_rule(entry.path, real_root, root_dir)
                if is_python and not os.path.isdir(entry.path):
                    layout.skipped_files.append(SkippedFile(relative(entry.path), rule))
                elif os.path.isdir(entry.path):
                    count = count_python_files(real) if real else 0
                    if count or real is None:
                        layout.skipped_dirs.append(SkippedDir(relative(entry.path), rule, count))
            elif entry.is_dir(follow_symlinks=False):
                skip = _skip_rule(entry.name, entry.path, skip_patterns)
                if skip is not None:
                    # git's own folder holds no source, and walking it is slow.
                    count = 0 if entry.name == ".git" else count_python_files(entry.path)
                    if count:
                        layout.skipped_dirs.append(SkippedDir(relative(entry.path), skip, count))
                elif _holds_python(entry.path, skip_patterns) or count_python_files(entry.path):
                    # (A folder whose Python files all sit in skipped folders is a root
                    # too, so that the walk lists those folders.)
                    claim(_root_name(entry.name), Root("", os.path.abspath(entry.path)))
            elif is_python:  # a regular file, or a FIFO or device that the reader will list
                claim(_root_name(entry.name[:-3]), Root("", os.path.abspath(entry.path), True))
    layout.roots = [taken[name] for name in sorted(taken)]
    layout.skipped_dirs.sort()
    layout.skipped_files.sort()
    return layout


def locate_roots(names: Iterable[str], source_roots: Sequence[str], key: str) -> list[Root]:
    """The given root packages, found in the source roots without importing anything."""
    roots, problems = [], []
    for name in names:
        if not name.isidentifier():
            problems.append(
                ConfigProblem(
                    f"'{name}' is not a top-level package name; give the top-level package "
                    "(sub-packages are analysed with it)",
                    key=key,
                )
            )
            continue
        for source_root in source_roots:
            candidate = os.path.join(source_root, name)
            if os.path.isdir(candidate):
                roots.append(Root(name, os.path.abspath(candidate)))
                break
            if os.path.isfile(candidate + ".py"):
                roots.append(Root(name, os.path.abspath(candidate + ".py"), True))
                break
        else:
            problems.append(
                ConfigProblem(
                    f"root package '{name}' was not found in the source roots "
                    f"({', '.join(source_roots)}); check the name or add its parent folder "
                    "with --source-root / source_roots",
                    key=key,
                )
            )
    if problems:
        raise ConfigError(problems)
    return roots


def _module_kind(
    parts: list[str],
    filename: str,
    dir_names: set[str],
    dirpath: str,
    dir_importable: bool | None = None,
) -> FileKind:
    """What the file `filename` of folder `dirpath` (module path `parts`) is. When the
    caller knows whether every folder part is an identifier, `dir_importable` says so."""
    if dir_importable is None:
        importable = all(p.isidentifier() for p in parts)
    else:
        importable = dir_importable and (filename == "__init__.py" or parts[-1].isidentifier())
    if not importable:
        return FileKind.NOT_IMPORTABLE
    if filename == "__init__.py":
        return FileKind.PACKAGE
    stem = filename[:-3]
    if stem in dir_names and os.path.isfile(os.path.join(dirpath, stem, "__init__.py")):
        return FileKind.SHADOWED
    return FileKind.MODULE


def _module_name(parts: list[str], kind: FileKind) -> str:
    # A name that cannot be imported is still a useful label; dots inside a path part
    # would fake a hierarchy, so they become underscores.
    name = ".".join(p.replace(".", "_") for p in parts)
    return name + "~shadowed" if kind is FileKind.SHADOWED else name


BAD_NAME = "its name is not valid UTF-8 (rename it: no tool chain reads it reliably)"


def _is_utf8(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (decoded as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _relative_to(path: str, prefix: str, root_dir: str) -> str:
    # Every walked path starts with the repository's: slicing is much cheaper than
    # os.path.relpath, which a large tree calls tens of thousands of times.
    if path.startswith(prefix):
        return path[len(prefix) :].replace(os.sep, "/")
    return os.path.relpath(path, root_dir).replace(os.sep, "/")


def count_python_files(path: str) -> int:
    """The `.py` files below a folder, without following links out of it."""
    return sum(1 for _, _, files in os.walk(path) for f in files if f.endswith(".py"))


def link_rule(full: str, real_root: str, root_dir: str) -> tuple[str, str | None]:
    """Why a symbolic link below the repository is not walked, and its real target when
    that lies inside the repository (None: outside, never to be read)."""
    real = os.path.realpath(full)
    if not is_inside(real, real_root):
        return "symbolic link to outside the repository", None
    target = os.path.relpath(real, real_root).replace(os.sep, "/")
    return f"symbolic link to {target}", real


def _walk(
    top: str, on_error: Callable[[OSError], None]
) -> Iterator[tuple[str, list[str], list[str], set[str]]]:
    """`os.walk(top)` (top-down, never into links) with each folder's symbolic links.

    os.walk learns from each folder's listing which entries are links, then forgets it;
    asking again costs one `lstat` per file (a tenth of a walk). Like os.walk, it yields
    the folder, its subfolders (links to folders among them; prune the list in place to
    skip some) and its other entries, and visits subfolders in the order left in the list.
    """
    pending = [top]
    while pending:
        dirpath = pending.pop()
        dirnames: list[str] = []
        filenames: list[str] = []
        links: set[str] = set()
        try:
            with os.scandir(dirpath) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                        if entry.is_symlink():
                            links.add(entry.name)
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError as error:
            on_error(error)
            continue
        yield dirpath, dirnames, filenames, links
        pending.extend(os.path.join(dirpath, d) for d in reversed(dirnames) if d not in links)


# What Python imports besides `.py` files: `x.so`, `x.cpython-311-x86_64-linux-gnu.so`,
# `x.cp311-win_amd64.pyd`; and what stands for them in a source tree: Cython sources
# (built into an extension) and stubs.
_OTHER_MODULE_SUFFIXES = (".so", ".pyd", ".pyx", ".pyi")


def _add_other_modules(found: set[str], dir_parts: list[str], filenames: list[str]) -> None:
    """The modules of a folder's compiled extensions, Cython sources and stubs, and the
    folder with the folders above it when there is one (the package they sit in)."""
    stems = {name.partition(".")[0] for name in filenames if name.endswith(_OTHER_MODULE_SUFFIXES)}
    if not stems:
        return
    found.update(
        _module_name(dir_parts[:depth], FileKind.MODULE) for depth in range(1, len(dir_parts) + 1)
    )
    folder = _module_name(dir_parts, FileKind.MODULE)
    found.update(f"{folder}.{s}" for s in stems if s.isidentifier() and s != "__init__")


def collect_universe(
    root_dir: str,
    roots: Sequence[Root],
    skip_patterns: Sequence[str] = DEFAULT_SKIP_DIRS,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> Universe:
    """Walk every root: each `.py` entry becomes a file of the universe, or is listed.

    Symbolic links are never walked into. A linked `.py` file whose target lies outside
    the repository is listed and never read; one whose target is a file of the universe
    is listed as its second name; any other (a target inside the repository but outside
    the roots) is analysed under the link's name, read from its checked target.
    """
    root_dir = os.path.abspath(root_dir)
    real_root = os.path.realpath(root_dir)
    universe = Universe(
        root_dir=root_dir, roots=tuple(roots), real_root=real_root, max_file_size=max_file_size
    )
    taken: set[str] = set()
    prefix = os.path.join(root_dir, "")
    linked_files: list[tuple[str, list[str], str, str, str]] = []

    def relative(path: str) -> str:
        return _relative_to(path, prefix, root_dir)

    def add_named(path: str, name: str, kind: FileKind, root: str) -> None:
        unique, n = name, 1
        while unique in taken:
            n += 1
            unique = f"{name}~{n}"
        taken.add(unique)
        universe.files.append(SourceFile(path, unique, root, kind))

    def add(path: str, parts: list[str], kind: FileKind, root: str) -> str:
        add_named(relative(path), _module_name(parts, kind), kind, root)
        return relative(path)

    for root in roots:
        if not is_inside(os.path.realpath(root.path), real_root):
            where, outside = relative(root.path), "symbolic link to outside the repository"
            if root.is_file:
                universe.skipped_files.append(SkippedFile(where, outside))
            else:
                universe.skipped_dirs.append(SkippedDir(where, outside, 0))
            continue
        if root.is_file:
            if not _is_utf8(root.path):
                universe.unreadable.append(Unanalyzed(relative(root.path), BAD_NAME))
                continue
            path = add(root.path, [root.name], _module_kind([root.name], "", set(), ""), root.name)
            if os.path.islink(root.path):
                universe.linked[path] = os.path.realpath(root.path)
            continue

        def on_error(error: OSError) -> None:
            universe.unreadable.append(
                Unanalyzed(relative(error.filename), f"folder unreadable: {error.strerror}")
            )

        for dirpath, dirnames, filenames, links in _walk(root.path, on_error):
            inner = dirpath[len(root.path) + 1 :]
            dir_parts = [root.name] + (inner.split(os.sep) if inner else [])
            kept_dirs: list[str] = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                real: str | None = full
                rule: str | None
                if d in links:
                    # Links are not followed: they may loop, or lead out of the repository.
                    rule, real = link_rule(full, real_root, root_dir)
                else:
                    rule = _skip_rule(d, full, skip_patterns)
                if rule is None:
                    kept_dirs.append(d)
                    continue
                count = count_python_files(real) if real else 0
                if count or real is None:  # a skipped __pycache__ hides no source
                    universe.skipped_dirs.append(SkippedDir(relative(full), rule, count))
            dirnames[:] = kept_dirs
            _add_other_modules(universe.other_modules, dir_parts, filenames)
            py_files = sorted(f for f in filenames if f.endswith(".py"))
            if not py_files:
                continue
            if not _is_utf8(inner):
                for filename in py_files:
                    universe.unreadable.append(
                        Unanalyzed(relative(dirpath + "/" + filename), BAD_NAME)
                    )
                continue
            named = [f for f in py_files if _is_utf8(f)]
            for filename in sorted(set(py_files) - set(named)):
                universe.unreadable.append(Unanalyzed(relative(dirpath + "/" + filename), BAD_NAME))
            py_files = named
            if "__init__.py" not in filenames:
                # A folder without __init__.py is a namespace package, and so is each
                # such folder above it: record the whole chain.
                for depth in range(1, len(dir_parts) + 1):
                    universe.namespace_packages.add(
                        _module_name(dir_parts[:depth], FileKind.MODULE)
                    )
            # What every file of the folder shares is worked out once per folder.
            dir_set = set(dirnames)
            dir_name = _module_name(dir_parts, FileKind.MODULE)
            dir_importable = all(p.isidentifier() for p in dir_parts)
            rel_dir = relative(dirpath) + "/"
            for filename in py_files:
                stem = filename[:-3]
                parts = dir_parts if filename == "__init__.py" else [*dir_parts, stem]
                kind = _module_kind(parts, filename, dir_set, dirpath, dir_importable)
                if filename in links:
                    full = os.path.join(dirpath, filename)
                    linked_files.append((full, parts, kind, root.name, filename))
                    continue
                name = dir_name if parts is dir_parts else f"{dir_name}.{stem.replace('.', '_')}"
                if kind is FileKind.SHADOWED:
                    name += "~shadowed"
                add_named(rel_dir + filename, name, kind, root.name)
    _add_linked_files(universe, linked_files, add)
    # A namespace chain may run through folders that do have __init__.py.
    packages = {f.module for f in universe.files if f.kind is FileKind.PACKAGE}
    universe.namespace_packages -= packages
    universe.files.sort(key=lambda f: f.path)
    universe.skipped_dirs.sort()
    universe.skipped_files.sort()
    universe.unreadable.sort()
    return universe


def _add_linked_files(universe: Universe, linked: list, add: Callable[..., str]) -> None:
    """Linked `.py` files: listed when they lead out or name a file already analysed,
    otherwise analysed under the link's name (rare: links are looked at one by one)."""
    if not linked:
        return
    by_name: dict[str, list[str]] = {}
    for f in universe.files:
        by_name.setdefault(f.path.rsplit("/", 1)[-1], []).append(f.path)
    for full, parts, kind, root, _ in linked:
        rule, real = link_rule(full, universe.real_root, universe.root_dir)
        path = _relative_to(full, os.path.join(universe.root_dir, ""), universe.root_dir)
        if real is None:
            universe.skipped_files.append(SkippedFile(path, rule))
            continue
        twin = next(
            (
                other
                for other in by_name.get(os.path.basename(real), ())
                if os.path.realpath(os.path.join(universe.root_dir, other)) == real
            ),
            None,
        )
        if twin is not None:
            universe.skipped_files.append(
                SkippedFile(path, f"symbolic link to {twin}, analysed under that name")
            )
        else:
            universe.linked[add(full, parts, kind, root)] = real
