"""The analysed files' sources, for the laundering analysis: text, lines and bindings.

Each is read at most once per file, and only when asked for: the analysis parses few
files whole. A file that cannot be read or decoded reads as empty (the scan has
already listed it as unanalysed).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from ssot_arch.adapters.filesystem.decoding import decode_source
from ssot_arch.adapters.filesystem.reading import NotReadable
from ssot_arch.adapters.scanning.bindings import alias_bindings, read_bindings, statement_bindings
from ssot_arch.analysis.laundering import continues_on_next_line
from ssot_arch.domain.adoption import DEFINED
from ssot_arch.domain.model import Binding, SourceFile


class RepositorySources:
    """The `ModuleSources` of analysis/laundering.py, read with `read` from `files`."""

    def __init__(
        self, read: Callable[[SourceFile], bytes], files: Mapping[str, SourceFile]
    ) -> None:
        self._read, self._files = read, files
        self._text: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        self._bindings: dict[str, list[Binding]] = {}

    def __contains__(self, module: object) -> bool:
        return module in self._files

    def text(self, module: str) -> str:
        if module not in self._text:
            try:
                self._text[module] = decode_source(self._read(self._files[module]))[0]
            except (NotReadable, SyntaxError, UnicodeDecodeError):
                self._text[module] = ""
        return self._text[module]

    def lines(self, module: str) -> list[str]:
        if module not in self._lines:
            self._lines[module] = self.text(module).splitlines()
        return self._lines[module]

    def bindings(self, module: str) -> list[Binding]:
        if module not in self._bindings:
            self._bindings[module] = read_bindings(
                self.text(module).encode("utf-8"), module, self._files[module].is_package
            )
        return self._bindings[module]

    def statement_bindings(self, module: str, line: int, first_line: str) -> list[Binding]:
        # A statement on one line needs no more than that line; one that goes on needs
        # the file's lines.
        if continues_on_next_line(first_line):
            lines = self.lines(module)
        else:
            lines = [""] * (line - 1) + [first_line]
        return statement_bindings(lines, line, module, self._files[module].is_package)

    def alias_bindings(self, module: str) -> list[Binding]:
        return alias_bindings(self.text(module))

    def offered(self, module: str) -> dict[str, str]:
        """What each top-level name of `module` is: `DEFINED` for a function defined
        there, else the dotted name it is imported or aliased from (`loguru.logger`,
        `shared.logging.factory.get_logger`). Read, never imported."""
        found: dict[str, str] = {}
        for binding in [*self.bindings(module), *self.alias_bindings(module)]:
            source = binding.module or binding.alias_of
            if source and binding.name != "*":
                dotted = f"{source}.{binding.attribute}" if binding.attribute else source
                found.setdefault(binding.name, dotted)
        try:
            tree = ast.parse(self.text(module))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return found
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[node.name] = DEFINED
        return found
