"""Errors that map to the exit statuses of docs/spec.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ConfigProblem:
    """One thing wrong with the configuration, located as precisely as we can."""

    message: str
    file: str | None = None
    section: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                self.file,
                f"[{self.section}]" if self.section else None,
                f"{self.key}:" if self.key else None,
            )
            if part
        )
        if where and not where.endswith(":"):
            where += ":"
        return f"{where} {self.message}" if where else self.message


class ConfigError(Exception):
    """Bad configuration or usage: exit status 2. Carries every problem found, not just one."""

    def __init__(self, problems: list[ConfigProblem] | ConfigProblem | str) -> None:
        if isinstance(problems, str):
            problems = [ConfigProblem(problems)]
        elif isinstance(problems, ConfigProblem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InstallationError(Exception):
    """The installed tools are not what ssot-arch needs (a dependency whose private
    interface changed): exit 3 with what to install, no traceback (not a bug to report,
    nor the user's configuration)."""
