"""ssot-arch's own single source of truth for logging: every other module calls this one.

The project's `.importlinter` holds an SSOT contract that lets only this module
import `logging` (dogfooding).
"""

from __future__ import annotations

import logging

from ssot_arch.domain.printable import printable

_FORMAT = "ssot-arch: %(message)s"


class _PrintableFormatter(logging.Formatter):
    """Messages may quote file names of the analysed tree: escape their control characters."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


class _Once(logging.Filter):
    """Lets each message through once: a run over many commits meets the same file, and
    the same warning about it, at each of them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


def configure(verbose: int, once: bool = False) -> None:
    """Send ssot-arch's diagnostics to stderr: warnings by default, more with -v/-vv;
    with `once`, each message only the first time."""
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter(_FORMAT))
    if once:
        handler.addFilter(_Once())
    root = logging.getLogger("ssot_arch")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
