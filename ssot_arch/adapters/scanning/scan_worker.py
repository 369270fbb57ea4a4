"""A worker process that runs grimp's import scanner, so that a crash costs one process.

grimp's Rust scanner can die of a stack overflow on one very deeply nested expression
(SIGSEGV: no exception, no output) and panics on some inputs. The parent
(`scan_pool.py`) starts this module in a fresh interpreter, sends it the scan's layout
once, then chunks of modules to scan; it answers each with one JSON line on its own
copy of stdout. Whatever grimp prints goes to stderr, which the parent keeps in a file.

Requests come from the parent (trusted, pickled); answers are JSON, so that the parent
never unpickles anything a process reading untrusted files has written. Each import is
answered under the repository's name (`RealNames`) and in line order: the workers,
running in parallel, do that work rather than the parent after the scan.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import pickle
import sys
from collections.abc import Callable
from typing import Any, BinaryIO


class RealNames:
    """The repository's names for the names grimp answers (see grimp_scan.py's layout):
    `<prefix>.<marker>.rest` is `<root>.rest`; a level, or a name under the top that is
    no root's, climbed above the roots (None)."""

    def __init__(self, top: str, prefix: str, root_of: dict[str, str]):
        self.top = top
        self.prefix_dot = prefix + "."
        self.root_of = root_of
        # Per importer root, the names found so far (most imported names repeat), with
        # "" for None: see `imports`.
        self._known: dict[str, _Known] = {}

    def root(self, virtual: str) -> str:
        """The root of a scanned module, by its virtual name."""
        return self.root_of[virtual[len(self.prefix_dot) :].partition(".")[0]]

    def real(self, name: str, importer_root: str) -> str | None:
        """The repository's name for `name`, imported from a module of `importer_root`;
        None when it climbed above the roots."""
        if name.startswith(self.prefix_dot):
            marker, dot, rest = name[len(self.prefix_dot) :].partition(".")
            root = self.root_of.get(marker)
            return None if root is None else root + dot + rest
        if name == self.top:
            # grimp resolves a missing first-party module to the importer's top package.
            return importer_root
        if not name or name.startswith((".", self.top + ".")):
            return None
        return name

    def imports(self, scanned: Scanned) -> dict[str, Any]:
        """A scan's answer, by module (its virtual name): its imports in order of line,
        name and contents, as one flat list of real name, line, line contents, ...

        The strings are given once, in `names` and `texts` (an import holds their
        indexes): modules repeat their imports' names and statements, so the answer is
        half as long, and the parent keeps one copy of each. No real name is empty, so
        "" stands for None until the end: the rows sort as plain tuples.
        """
        names, texts = _Table(), _Table()
        found: dict[str, list[int]] = {}
        for module, direct_imports in scanned.items():
            root = self.root(module)
            known = self._known.get(root)
            if known is None:
                known = self._known[root] = _Known(functools.partial(self.real, importer_root=root))
            rows = sorted([(line, known[name], text) for name, line, text, _ in direct_imports])
            # name, line, contents, name, line, ...: the strings by their indexes
            flat: list[int] = []
            for line, name, text in rows:
                flat += names[name], line, texts[text]
            found[module] = flat
        return {"names": [name or None for name in names], "texts": list(texts), "imports": found}


class _Known(dict[str, str]):
    """Names and their real names (or "" for None), each found once by `real`."""

    def __init__(self, real: Callable[[str], str | None]):
        super().__init__()
        self.real = real

    def __missing__(self, name: str) -> str:
        found = self[name] = self.real(name) or ""
        return found


class _Table(dict[str, int]):
    """Strings and their indexes, in the order they were first asked for."""

    def __missing__(self, string: str) -> int:
        index = self[string] = len(self)
        return index


def _found_packages(layout: dict[str, Any], module_files: tuple) -> set:
    """The packages grimp is given for a chunk: one per tree its files are read from
    (see grimp_scan.py), each listing the chunk's files in it, whose folder it is; and
    every name of the scan, once, as namespace packages.

    grimp resolves an import by asking whether its name (or its parent's) is one of
    the found packages' modules or namespace packages, and reads a file through the
    package that lists it. So the chunk's own files must be module files, while the
    rest of the module set (virtual names, levels and real names alike) only needs to
    be there by name: as namespace packages, plain strings, which grimp converts far
    faster than module files on each call. (The packages are named alike, without a
    dot: an unresolved import is reduced to its first component, as with one package
    per root; see grimp's `_distill_external_module`.)
    """
    from grimp.application.ports.modulefinder import FoundPackage

    own = layout["own"]
    by_tree: dict[str, list] = {}
    for module_file in module_files:
        by_tree.setdefault("own" if module_file.module.name in own else "linked", []).append(
            module_file
        )
    return {
        FoundPackage(
            name=layout["top"],
            directory=layout["trees"][tree],
            module_files=frozenset(files),
            namespace_packages=layout["names"] if n == 0 else frozenset(),
        )
        for n, (tree, files) in enumerate(sorted(by_tree.items()))
    }


# A scan's answer: each module's imports (by virtual names) as (imported, line, line
# contents, lazy): the fields of grimp's DirectImport that tell them apart.
Scanned = dict[str, set[tuple[str, int, str, bool]]]


def _plain_import(
    importer: str, imported: str, line_number: int, line_contents: str, is_lazy: bool = False
) -> tuple[str, int, str, bool]:
    """A DirectImport as the worker keeps it (see `_scan`)."""
    return imported, line_number, line_contents, is_lazy


def _scan(call: Callable[[], dict], valueobjects: Any | None) -> Scanned:
    """grimp's answer to `call`, as plain values.

    grimp builds its answer in Python: a `Module` for each name and a `DirectImport`
    for each import, frozen dataclasses whose construction costs a fifth of a scan.
    Given grimp's `valueobjects` module, the worker lends it plain constructors for the
    call (`str` for a module, `_plain_import`); without, it converts grimp's own
    objects afterwards.
    """
    if valueobjects is None:
        return {
            module.name: {
                (d.imported.name, d.line_number, d.line_contents, d.is_lazy) for d in found
            }
            for module, found in call().items()
        }
    own = valueobjects.Module, valueobjects.DirectImport
    valueobjects.Module, valueobjects.DirectImport = str, _plain_import
    try:
        return call()
    finally:
        valueobjects.Module, valueobjects.DirectImport = own


def _scan_lending(
    call: Callable[[], dict],
    valueobjects: Any,
    lending: bool | None,
    syntax_error: type[BaseException],
) -> tuple[Scanned, bool | None]:
    """`_scan` lending grimp plain constructors unless that is known not to work, and
    what is known of it now (see `serve`)."""
    if lending is False:
        return _scan(call, None), False
    try:
        return _scan(call, valueobjects), True
    except BaseException as error:
        if lending or isinstance(error, (syntax_error, KeyboardInterrupt, SystemExit)):
            raise
    # The first scan with them failed: the files' fault (this fails too), or theirs.
    return _scan(call, None), False


def _answer(out: BinaryIO, message: Any) -> None:
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


# The grimp whose private scanner `serve` is written for and tested with. pyproject.toml
# admits later 3.x releases: one whose scanner changed shape is refused at start
# (`scanner_problem`), with this version named, rather than failing on the first file.
TESTED_GRIMP = "3.20"
_FIELDS = {
    "FoundPackage": {"name", "directory", "module_files", "namespace_packages"},
    "ModuleFile": {"module", "mtime"},
}
_PARAMETERS = {
    "module_files",
    "found_packages",
    "include_external_packages",
    "exclude_type_checking_imports",
    "file_system",
}


def scanner_problem() -> str | None:
    """What differs, in the installed grimp, from the private scanner `serve` drives:
    the module, its two functions, the fields of the values it is given, the parameters
    of `scan_for_imports`; None when all is as in grimp TESTED_GRIMP."""
    import dataclasses
    import inspect

    try:
        from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
        from grimp.application.ports import modulefinder
        from grimp.domain import valueobjects
        from grimp.exceptions import SourceSyntaxError  # noqa: F401
    except ImportError as error:
        return f"cannot import {error.name or error}"
    for name in ("scan_for_imports", "RealBasicFileSystem"):
        if not callable(getattr(rust, name, None)):
            return f"grimp._rustgrimp.{name} is gone"
    for name in ("Module", "DirectImport"):
        if not hasattr(valueobjects, name):
            return f"grimp.domain.valueobjects.{name} is gone"
    for name, fields in _FIELDS.items():
        found = getattr(modulefinder, name, None)
        have = (
            {f.name for f in dataclasses.fields(found)}
            if dataclasses.is_dataclass(found)
            else set()
        )
        if not fields <= have:
            return f"{name} has no {', '.join(sorted(fields - have))}"
    try:
        parameters = set(inspect.signature(rust.scan_for_imports).parameters)
    except (TypeError, ValueError):
        return "the parameters of grimp._rustgrimp.scan_for_imports cannot be read"
    if parameters != _PARAMETERS:
        return (
            "grimp._rustgrimp.scan_for_imports takes "
            + ", ".join(sorted(parameters))
            + ", not "
            + ", ".join(sorted(_PARAMETERS))
        )
    return None


def serve(requests: BinaryIO, out: BinaryIO) -> None:
    """Read the layout, then answer each chunk of `requests` on `out`, until the end;
    first, `{"incompatible": why}` instead of "ready" when grimp's scanner changed."""
    problem = scanner_problem()
    if problem is not None:
        import grimp

        _answer(
            out,
            {
                "incompatible": f"grimp {getattr(grimp, '__version__', '?')} changed the "
                f"private import scanner ssot-arch drives ({problem}); ssot-arch works with "
                f"grimp {TESTED_GRIMP}: pip install 'grimp=={TESTED_GRIMP}'"
            },
        )
        return
    import grimp.domain.valueobjects as valueobjects
    from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
    from grimp.application.ports.modulefinder import ModuleFile
    from grimp.domain.valueobjects import Module
    from grimp.exceptions import SourceSyntaxError

    layout = pickle.load(requests)
    layout["names"] = frozenset(layout["names"])
    layout["own"] = frozenset(layout["own"])
    names = RealNames(layout["top"], layout["prefix"], layout["root_of"])
    file_system = rust.RealBasicFileSystem()
    # Whether lending grimp plain constructors works (see `_scan`): unknown until a scan
    # with them succeeds. If one fails where a scan without them does not, grimp builds
    # its answer otherwise than this worker expects: it is left to its own objects.
    lending: bool | None = None
    _answer(out, "ready")
    while True:
        try:
            modules, exclude_type_checking = pickle.load(requests)
        except EOFError:
            return
        module_files = tuple(ModuleFile(module=Module(m), mtime=0.0) for m in modules)

        def call(module_files: tuple = module_files, tc: bool = exclude_type_checking) -> dict:
            scanned: dict = rust.scan_for_imports(
                module_files=module_files,
                found_packages=_found_packages(layout, module_files),
                include_external_packages=True,
                exclude_type_checking_imports=tc,
                file_system=file_system,
            )
            return scanned

        try:
            scanned, lending = _scan_lending(call, valueobjects, lending, SourceSyntaxError)
        except SourceSyntaxError as error:
            _answer(out, {"syntax_error": [error.filename, error.lineno, error.text]})
            continue
        except BaseException as error:  # grimp's panics derive from BaseException
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            _answer(out, {"error": f"{type(error).__name__}: {error}"})
            continue
        _answer(out, names.imports(scanned))


def main() -> None:
    """Serve the parent over stdin and stdout."""
    # Answers go to a private copy of stdout; anything else written to stdout (by grimp
    # or a library) lands on stderr instead of corrupting the answers.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    # What the worker allocates (grimp's answers, their JSON) forms no reference cycles,
    # and with the collector on, collections passing over the module set and the
    # answers cost a quarter of the scan on a large repository.
    gc.disable()
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
