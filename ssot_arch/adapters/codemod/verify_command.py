"""Run the user's `fix --verify` command: the one place besides `trace` where ssot-arch
runs code of the analysed repository, and only a command the user typed (never one
found in the repository's configuration: `plan` prints a configured one, it does not
run it).

The command runs through the shell in the repository's folder, its output captured so
that its last lines can be shown when it fails. A command killed by a signal fails too.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

TAIL_LINES = 30


@dataclass(frozen=True)
class CommandRun:
    command: str
    status: int  # the exit status; minus the signal's number when a signal ended it
    tail: str  # the last lines of its output (stdout and stderr, interleaved)


def run_command(command: str, folder: str) -> CommandRun:
    """Run `command` with the shell in `folder` and wait for it."""
    try:
        done = subprocess.run(
            command,
            shell=True,  # the user's own command line: pipes and && are theirs to use
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
    except OSError as error:  # no shell, a folder gone
        return CommandRun(command, 127, str(error))
    except KeyboardInterrupt:  # the user gave up on it: it did not pass
        return CommandRun(command, -2, "interrupted")
    output = done.stdout.decode("utf-8", "replace")
    tail = "\n".join(output.rstrip("\n").splitlines()[-TAIL_LINES:])
    return CommandRun(command, done.returncode, tail)
