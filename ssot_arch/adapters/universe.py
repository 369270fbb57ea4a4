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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.model import FileKind, SkippedDir, SourceFile, Unanalyzed

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


@dataclass(frozen=True)
class Root:
    name: str
    path: str  # absolute path of the package folder, or of the module file
    is_file: bool = False


@dataclass
class Universe:
    root_dir: str
    roots: tuple[Root, ...]
    files: list[SourceFile] = field(default_factory=list)
    namespace_packages: set[str] = field(default_factory=set)
    skipped_dirs: list[SkippedDir] = field(default_factory=list)
    unreadable_dirs: list[Unanalyzed] = field(default_factory=list)


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


def discover_roots(
    source_roots: Sequence[str], skip_patterns: Sequence[str] = DEFAULT_SKIP_DIRS
) -> list[Root]:
    """Top-level packages, namespace folders and modules of the source roots."""
    roots: dict[str, Root] = {}
    other_source_roots = {os.path.abspath(s) for s in source_roots}
    for source_root in source_roots:
        try:
            entries = sorted(os.scandir(source_root), key=lambda e: e.name)
        except OSError as error:
            raise ConfigError(
                ConfigProblem(f"cannot list source root {source_root}: {error.strerror}")
            ) from error
        for entry in entries:
            if entry.name in roots or os.path.abspath(entry.path) in other_source_roots:
                continue
            if entry.is_dir():
                if not entry.name.isidentifier() or _skip_rule(
                    entry.name, entry.path, skip_patterns
                ):
                    continue
                if _holds_python(entry.path, skip_patterns):
                    roots[entry.name] = Root(entry.name, os.path.abspath(entry.path))
            elif entry.name.endswith(".py") and entry.name[:-3].isidentifier():
                roots[entry.name[:-3]] = Root(entry.name[:-3], os.path.abspath(entry.path), True)
    return [roots[name] for name in sorted(roots)]


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


def _module_kind(parts: list[str], filename: str, dir_names: set[str], dirpath: str) -> FileKind:
    if not all(p.isidentifier() for p in parts):
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


def collect_universe(
    root_dir: str, roots: Sequence[Root], skip_patterns: Sequence[str] = DEFAULT_SKIP_DIRS
) -> Universe:
    root_dir = os.path.abspath(root_dir)
    universe = Universe(root_dir=root_dir, roots=tuple(roots))
    taken: set[str] = set()

    prefix = os.path.join(root_dir, "")

    def relative(path: str) -> str:
        # Every walked path starts with the repository's: slicing is much cheaper than
        # os.path.relpath, which a large tree calls tens of thousands of times.
        if path.startswith(prefix):
            return path[len(prefix) :].replace(os.sep, "/")
        return os.path.relpath(path, root_dir).replace(os.sep, "/")

    def add(path: str, parts: list[str], kind: FileKind, root: str) -> None:
        name = _module_name(parts, kind)
        unique, n = name, 1
        while unique in taken:
            n += 1
            unique = f"{name}~{n}"
        taken.add(unique)
        universe.files.append(SourceFile(relative(path), unique, root, kind))

    for root in roots:
        if root.is_file:
            add(root.path, [root.name], FileKind.MODULE, root.name)
            continue

        def on_error(error: OSError) -> None:
            universe.unreadable_dirs.append(
                Unanalyzed(relative(error.filename), f"folder unreadable: {error.strerror}")
            )

        for dirpath, dirnames, filenames in os.walk(root.path, onerror=on_error):
            inner = dirpath[len(root.path) + 1 :]
            dir_parts = [root.name] + (inner.split(os.sep) if inner else [])
            kept_dirs = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                # Links are not followed (they may loop, or lead out of the repository).
                rule = (
                    "symbolic link" if os.path.islink(full) else _skip_rule(d, full, skip_patterns)
                )
                if rule is None:
                    kept_dirs.append(d)
                else:
                    count = sum(1 for _, _, fs in os.walk(full) for f in fs if f.endswith(".py"))
                    if count:  # a skipped __pycache__ hides no source: not worth a line
                        universe.skipped_dirs.append(SkippedDir(relative(full), rule, count))
            dirnames[:] = kept_dirs
            py_files = sorted(f for f in filenames if f.endswith(".py"))
            if not py_files:
                continue
            if "__init__.py" not in filenames:
                # A folder without __init__.py is a namespace package, and so is each
                # such folder above it: record the whole chain.
                for depth in range(1, len(dir_parts) + 1):
                    universe.namespace_packages.add(
                        _module_name(dir_parts[:depth], FileKind.MODULE)
                    )
            dir_set = set(dirnames)
            for filename in py_files:
                parts = dir_parts if filename == "__init__.py" else dir_parts + [filename[:-3]]
                kind = _module_kind(parts, filename, dir_set, dirpath)
                add(os.path.join(dirpath, filename), parts, kind, root.name)
    # A namespace chain may run through folders that do have __init__.py.
    packages = {f.module for f in universe.files if f.kind is FileKind.PACKAGE}
    universe.namespace_packages -= packages
    universe.files.sort(key=lambda f: f.path)
    universe.skipped_dirs.sort()
    universe.unreadable_dirs.sort()
    return universe
