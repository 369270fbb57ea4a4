"""What the commands of cli.py share: their common options, each declared once (for
parsing, help and, when `ForFix`, the `fix` commands `plan` prints), which reach a
command as one `Invocation`; how a command runs (its diagnostics, where its output goes,
the exit statuses of docs/spec.md); and the progress lines on a terminal.

Nothing here imports a heavy module, so `--help` and `--version` stay fast.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ssot_arch.application.options import CommandLineContract
    from ssot_arch.application.settings import RunSettings

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3

Command = Callable[..., None]


TRACED_COMMAND = "ssot_arch.traced_command"


class CommandAfterDashes(click.Command):
    """A command that takes everything after the first `--` as the command it runs,
    whole (in the context's `meta[TRACED_COMMAND]`), options of its own included."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            ctx.meta[TRACED_COMMAND] = args[cut + 1 :]
            args = args[:cut]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "-- COMMAND [ARG...]"]


class ForFix(click.Option):
    """An option that says what to analyse: `plan` carries it, as given, into each
    step's `fix` command. Declared once, where the option is."""


@dataclass(frozen=True)
class Invocation:
    """The options every command shares, parsed: the repository at `path`, what to
    analyse there, how much to say, and where the output goes."""

    path: str
    config_path: str | None
    flags: CommandLineContract  # the contract given on the command line, and its run
    verbose: int
    output: str | None = None  # `-o FILE`, else standard output
    output_format: str = ""  # `--format`, for the commands that have it

    def settings(self) -> RunSettings:
        """What to analyse: the configuration read with the command line's flags."""
        from ssot_arch.application.settings import load_settings

        return load_settings(self.path, self.config_path, self.flags)

    def color(self, colored: str) -> bool:
        """Whether to write in colour: in the format `colored`, to a terminal."""
        return self.output is None and self.output_format == colored and sys.stdout.isatty()

    def emit(self, text: str) -> None:
        """`text` to the `-o` file (atomically), else to standard output; a failure is a
        WriteError (exit 2) saying where and what to do."""
        from ssot_arch.application.output import deliver

        deliver(text, self.output, _to_stdout)

    def serve(self, action: Callable[[], int], once: bool = False) -> None:
        """Run a command's `action`, its diagnostics on stderr (each only `once`, see
        logs.configure), and exit with its status, or with the one docs/spec.md gives
        its error."""
        from ssot_arch import logs
        from ssot_arch.domain.errors import ConfigError, InstallationError

        # A run builds hundreds of thousands of small objects that all live until it
        # ends; the default collector thresholds spend a quarter of a large run
        # re-scanning them.
        gc.set_threshold(100_000, 50, 50)

        try:
            logs.configure(self.verbose, once)
            status = action()
        except ConfigError as error:
            from ssot_arch.domain.printable import printable

            for problem in error.problems:
                # Keys and values may come from the analysed tree's own configuration.
                click.echo(f"ssot-arch: error: {printable(str(problem))}", err=True)
            sys.exit(EXIT_CONFIG)
        except InstallationError as error:
            click.echo(f"ssot-arch: error: {error}", err=True)
            sys.exit(EXIT_INTERNAL)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as error:  # anything else is our bug, not the user's
            click.echo(
                f"ssot-arch: internal error: {type(error).__name__}: {error}\n"
                "Please report it with the traceback below.",
                err=True,
            )
            # Through click, like the lines above (one stream, whatever replaced
            # sys.stderr).
            click.echo(traceback.format_exc(), err=True, nl=False)
            sys.exit(EXIT_INTERNAL)
        sys.exit(status)


def hard_exit(main: Callable[[], Any]) -> None:
    """Run the command line `main`, then exit hard once the output is flushed.

    A large run ends holding millions of small objects; freeing them one by one takes
    seconds (1.5 s of a 100,000-module report) and serves nothing, as the process ends.
    So, like mypy's `hard_exit`, the process leaves with `os._exit` after flushing its
    streams. Everything that must reach the disk (outputs, caches, temporary folders) is
    written or removed before `main` returns.
    """
    try:
        main()
        code: int = 0
    except SystemExit as leaving:
        if leaving.code is None or isinstance(leaving.code, int):
            code = leaving.code or 0
        else:
            print(leaving.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:  # a full disk, a closed pipe: not a pass
        reason = getattr(error, "strerror", None) or error
        print(f"ssot-arch: error: cannot write to standard output: {reason}", file=sys.stderr)
        code = max(code, EXIT_CONFIG)
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        code = max(code, EXIT_CONFIG)
    os._exit(code)


def _to_stdout(text: str) -> None:
    click.echo(text, nl=False)
    sys.stdout.flush()


def contract_options(function: Command) -> Command:
    """The options that say what to analyse, and `-v`. The command receives them, with
    its PATH and its `-o` and `--format` when it has them, as one `call: Invocation`
    (`--group`'s `groups`, `--entry`'s `entries` and `--replace`'s `replacements`, when
    it has them, in its `flags`)."""

    @functools.wraps(function)
    def command(
        *,
        path: str,
        config_path: str | None,
        verbose: int,
        output: str | None = None,
        output_format: str = "",
        root_packages: Sequence[str],
        source_roots: Sequence[str],
        restricted: Sequence[str],
        gateways: Sequence[str],
        systems: Sequence[str],
        ssot_systems: Sequence[str],
        exclude: Sequence[str],
        cache_dir: str | None,
        no_cache: bool,
        jobs: int | None,
        groups: Sequence[str] = (),
        entries: Sequence[str] = (),
        replacements: Sequence[str] = (),
        **others: Any,
    ) -> None:
        from ssot_arch.application.options import CommandLineContract

        flags = CommandLineContract(
            root_packages=root_packages,
            source_roots=source_roots,
            restricted=restricted,
            gateways=gateways,
            # `--system NAME=MOD` is the configuration's `NAME = MOD`, in its messages too.
            systems=tuple(s.replace("=", " = ", 1) for s in systems),
            ssot_systems=ssot_systems,
            exclude=exclude,
            groups=groups,
            entries=entries,
            replacements=replacements,
            cache_dir=cache_dir,
            no_cache=no_cache,
            jobs=jobs,
        )
        call = Invocation(path, config_path, flags, verbose, output, output_format)
        function(call=call, **others)

    options = [
        click.option(
            "--config",
            "config_path",
            cls=ForFix,
            type=click.Path(dir_okay=False),
            help="Configuration file (default: PATH's .importlinter, setup.cfg or pyproject.toml).",
        ),
        click.option(
            "--root-package",
            "root_packages",
            cls=ForFix,
            multiple=True,
            metavar="NAME",
            help="A top-level package to analyse (repeatable; default: discover).",
        ),
        click.option(
            "--source-root",
            "source_roots",
            cls=ForFix,
            multiple=True,
            metavar="DIR",
            help="A folder holding root packages, relative to PATH (repeatable; "
            "default: PATH/src and PATH).",
        ),
        click.option(
            "--restricted",
            multiple=True,
            cls=ForFix,
            metavar="MOD",
            help="A module only gateways may import (repeatable; default: logging, "
            "loguru, structlog). Replaces the configured contracts.",
        ),
        click.option(
            "--gateway",
            "gateways",
            cls=ForFix,
            multiple=True,
            metavar="MOD",
            help="An SSOT module (or package) allowed to import them (repeatable).",
        ),
        click.option(
            "--system",
            "systems",
            cls=ForFix,
            multiple=True,
            metavar="NAME=MOD[,MOD...]",
            help="A logging system and its entry modules (repeatable).",
        ),
        click.option(
            "--ssot-system",
            "ssot_systems",
            cls=ForFix,
            multiple=True,
            metavar="NAME",
            help="A --system that is the SSOT (repeatable; default: the systems that "
            "hold a gateway).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            cls=ForFix,
            metavar="PATTERN",
            help="Glob over module names never checked (repeatable).",
        ),
        click.option(
            "--no-cache",
            cls=ForFix,
            is_flag=True,
            help="Scan every file again, and leave the cache alone.",
        ),
        click.option(
            "--cache-dir",
            metavar="DIR",
            cls=ForFix,
            help="Where the content-keyed cache lives, relative to PATH (default: "
            "$SSOT_ARCH_CACHE_DIR or ~/.cache/ssot-arch, one folder per repository; "
            "[ssot-arch] cache_dir outside CI).",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            metavar="N",
            help="Worker processes that scan (and rewrite, for fix and plan) "
            "(default: one per core).",
        ),
        click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv: debug)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def output_options(formats: tuple[str, ...]) -> Callable[[Command], Command]:
    """`--format` (the first of `formats` by default) and `-o FILE`."""

    def decorate(function: Command) -> Command:
        function = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            help="Write the output to this file (atomically) instead of stdout.",
        )(function)
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(list(formats)),
            default=formats[0],
            show_default=True,
            help="Output format.",
        )(function)

    return decorate


def replace_option(function: Command) -> Command:
    """`--replace`, for the commands that rewrite or plan the rewrite (`fix`, `plan`)."""
    return click.option(
        "--replace",
        "replacements",
        cls=ForFix,
        multiple=True,
        metavar="OLD=MODULE:NAME",
        help="What a restricted name becomes, e.g. "
        "logging.getLogger=shared.logging:get_logger (repeatable; over and beside the "
        "contracts' `replacements`).",
    )(function)


def fix_command(context: click.Context) -> list[str]:
    """`ssot-arch fix PATH` with the options of this command line that say what to
    analyse (those declared `ForFix`), as given: flags last."""
    args = ["ssot-arch", "fix", context.params["path"]]
    flags = []
    for param in context.command.params:
        if not isinstance(param, ForFix):
            continue
        value = context.params.get(param.name or "")
        flag = param.opts[-1]
        if param.is_flag:
            flags += [flag] if value else []
            continue
        for item in [value] if isinstance(value, str) else value or ():
            args += [flag, item]
    return args + flags


def progress_line(what: str = "scanning imports") -> Callable[[int, int], None] | None:
    """A count of `what` on stderr, when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\r{what}: {done}/{total} files", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return report


def commit_progress_line() -> Callable[[int, int, Any], None] | None:
    """A count of the commits done on stderr, when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int, commit: Any) -> None:
        click.echo(
            f"\rtrend: {done}/{total} commits ({commit.id[:10]} {commit.date[:10]})",
            err=True,
            nl=done >= total,
        )

    return report
