"""Where a command's output goes: the file named with `-o`, written atomically, or
standard output."""

from __future__ import annotations

from collections.abc import Callable

from ssot_arch.adapters.filesystem.writing import WriteError, write_output


def deliver(text: str, output: str | None, to_stdout: Callable[[str], None]) -> None:
    """`text` into the file `output`, else through `to_stdout`. Either failing is a
    WriteError saying which file (or standard output) and what to do: exit 2, as a full
    disk or a closed pipe must not pass for a run that succeeded."""
    if output:
        write_output(output, text)
        return
    try:
        to_stdout(text)
    except OSError as error:
        raise WriteError("<standard output>", error) from error
