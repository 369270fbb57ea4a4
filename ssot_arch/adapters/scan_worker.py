"""A worker process that runs grimp's import scanner, so that a crash costs one process.

grimp's Rust scanner can die of a stack overflow on one very deeply nested expression
(SIGSEGV: no exception, no output) and panics on some inputs. The parent
(`scan_pool.py`) starts this module in a fresh interpreter, sends it the scan's layout
once, then chunks of modules to scan; it answers each with one JSON line on its own
copy of stdout. Whatever grimp prints goes to stderr, which the parent keeps in a file.

Requests come from the parent (trusted, pickled); answers are JSON, so that the parent
never unpickles anything a process reading untrusted files has written.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import Any, BinaryIO


def _grimp_inputs(layout: dict[str, Any]) -> tuple[dict, dict]:
    from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
    from grimp.domain.valueobjects import Module

    def files(names):
        return {name: ModuleFile(module=Module(name), mtime=0.0) for name in names}

    real = {
        FoundPackage(
            name=top,
            directory=f"{layout['real_directory']}/{top}",
            module_files=frozenset(files(modules).values()),
            namespace_packages=frozenset(namespaces),
        )
        for top, (modules, namespaces) in layout["real"].items()
    }
    module_files = files(layout["modules"])
    virtual = frozenset(module_files.values())
    found_packages = {
        tree: real
        | {
            FoundPackage(
                name=layout["top"],
                directory=directory,
                module_files=virtual,
                namespace_packages=frozenset(layout["namespaces"]),
            )
        }
        for tree, directory in layout["trees"].items()
    }
    return module_files, found_packages


def _answer(out: BinaryIO, message: Any) -> None:
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def serve(requests: BinaryIO, out: BinaryIO) -> None:
    """Read the layout, then answer each chunk of `requests` on `out`, until the end."""
    from grimp import _rustgrimp as rust  # type: ignore[attr-defined]
    from grimp.exceptions import SourceSyntaxError

    module_files, found_packages = _grimp_inputs(pickle.load(requests))
    file_system = rust.RealBasicFileSystem()
    _answer(out, "ready")
    while True:
        try:
            tree, modules, exclude_type_checking = pickle.load(requests)
        except EOFError:
            return
        try:
            scanned = rust.scan_for_imports(
                module_files=tuple(module_files[m] for m in modules),
                found_packages=found_packages[tree],
                include_external_packages=True,
                exclude_type_checking_imports=exclude_type_checking,
                file_system=file_system,
            )
        except SourceSyntaxError as error:
            _answer(out, {"syntax_error": [error.filename, error.lineno, error.text]})
            continue
        except BaseException as error:  # grimp's panics derive from BaseException
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            _answer(out, {"error": f"{type(error).__name__}: {error}"})
            continue
        _answer(
            out,
            {
                "imports": {
                    module.name: [[d.imported.name, d.line_number, d.line_contents] for d in found]
                    for module, found in scanned.items()
                }
            },
        )


def main() -> None:
    """Serve the parent over stdin and stdout."""
    # Answers go to a private copy of stdout; anything else written to stdout (by grimp
    # or a library) lands on stderr instead of corrupting the answers.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
