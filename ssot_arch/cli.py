"""The command line: parse arguments, call a use case, print, exit with SPEC's status.

Heavy modules (grimp, import-linter, networkx) are imported inside the commands, so
`--help` and `--version` stay fast.
"""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from ssot_arch import __version__

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3


def _contract_options(function: Callable) -> Callable:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            help="Configuration file (default: PATH's .importlinter, setup.cfg or pyproject.toml).",
        ),
        click.option(
            "--root-package",
            "root_packages",
            multiple=True,
            metavar="NAME",
            help="A top-level package to analyse (repeatable; default: discover).",
        ),
        click.option(
            "--source-root",
            "source_roots",
            multiple=True,
            metavar="DIR",
            help="A folder holding root packages, relative to PATH (repeatable; "
            "default: PATH/src and PATH).",
        ),
        click.option(
            "--restricted",
            multiple=True,
            metavar="MOD",
            help="A module only gateways may import (repeatable; default: logging, "
            "loguru, structlog). Replaces the configured contracts.",
        ),
        click.option(
            "--gateway",
            "gateways",
            multiple=True,
            metavar="MOD",
            help="An SSOT module (or package) allowed to import them (repeatable).",
        ),
        click.option(
            "--system",
            "systems",
            multiple=True,
            metavar="NAME=MOD[,MOD...]",
            help="A logging system and its entry modules (repeatable).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="PATTERN",
            help="Glob over module names never checked (repeatable).",
        ),
        click.option(
            "--no-cache", is_flag=True, help="Scan every file again, and leave the cache alone."
        ),
        click.option(
            "--cache-dir",
            metavar="DIR",
            help="Where the content-keyed cache lives, relative to PATH "
            "(default: .ssot_arch_cache, or [ssot-arch] cache_dir).",
        ),
        click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv: debug)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _output_options(formats: tuple[str, ...]) -> Callable[[Callable], Callable]:
    """`--format` (the first of `formats` by default) and `-o FILE`."""

    def decorate(function: Callable) -> Callable:
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


def _load(path: str, config_path: str | None, kw: dict[str, Any]):
    from ssot_arch.application.settings import CommandLineContract, load_settings

    cli_contract = CommandLineContract(
        root_packages=kw["root_packages"],
        source_roots=kw["source_roots"],
        restricted=kw["restricted"],
        gateways=kw["gateways"],
        systems=tuple(s.replace("=", " = ", 1) for s in kw["systems"]),
        exclude=kw["exclude"],
        groups=kw.get("groups", ()),
        cache_dir=kw["cache_dir"],
        no_cache=kw["no_cache"],
    )
    return load_settings(path, config_path, cli_contract)


def _progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\rscanning imports: {done}/{total} files", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return report


def _emit(text: str, output: str | None) -> None:
    if output:
        from ssot_arch.adapters.files import write_atomic
        from ssot_arch.domain.errors import ConfigError, ConfigProblem

        try:
            write_atomic(output, text)
        except OSError as error:
            raise ConfigError(
                ConfigProblem(
                    f"cannot write it: {error.strerror or error}; check that its folder exists",
                    file=output,
                )
            ) from error
    else:
        click.echo(text, nl=False)


def _run(action: Callable[[], int]) -> None:
    """Run a command, turning errors into SPEC's exit statuses."""
    from ssot_arch.domain.errors import ConfigError

    # A run builds hundreds of thousands of small objects that all live until it ends;
    # the default collector thresholds spend a quarter of a large run re-scanning them.
    gc.set_threshold(100_000, 50, 50)

    try:
        status = action()
    except ConfigError as error:
        for problem in error.problems:
            click.echo(f"ssot-arch: error: {problem}", err=True)
        sys.exit(EXIT_CONFIG)
    except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
        raise
    except Exception as error:  # anything else is our bug, not the user's
        click.echo(
            f"ssot-arch: internal error: {type(error).__name__}: {error}\n"
            "Please report it with the traceback below.",
            err=True,
        )
        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ssot-arch")
def main() -> None:
    """Keep logging behind its single source of truth (SSOT).

    ssot-arch reads a repository's import graph with grimp (without importing or running
    any of its code) and reports every import of a restricted module (by default
    logging, loguru, structlog) outside the SSOT gateway modules.
    """


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("text", "json"))
def check(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    **kw: Any,
) -> None:
    """Check the SSOT contracts of the repository at PATH.

    Exit status: 0 every contract kept; 1 a contract broken or a file could not be
    analysed; 2 usage or configuration error; 3 internal error.
    """

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.check import run_check
        from ssot_arch.formats import get_renderer

        logs.configure(verbose)
        settings = _load(path, config_path, kw)
        outcome = run_check(settings, progress=_progress())
        color = output is None and output_format == "text" and sys.stdout.isatty()
        _emit(get_renderer("check", output_format)(outcome, color), output)
        return EXIT_OK if outcome.kept else EXIT_BROKEN

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("markdown", "json"))
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME=PKG[,PKG...]",
    help="A service for the reach and compliance tables (repeatable; "
    "default: each root, or [ssot-arch] groups).",
)
@click.option(
    "--group-depth",
    type=click.IntRange(min=1),
    metavar="N",
    help="Group by every package at depth N instead (1: the roots).",
)
def report(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    group_depth: int | None,
    **kw: Any,
) -> None:
    """Write the architecture report of the repository at PATH.

    Per contract: compliance per service, which logging systems each package reaches
    (directly and transitively), transitive leaks with their shortest chains, their
    causes and what to fix first, and laundered imports; then coverage.

    Exit status: 0 report written (whatever it found); 2 usage or configuration
    error; 3 internal error.
    """

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.report import run_report
        from ssot_arch.formats import get_renderer

        logs.configure(verbose)
        settings = _load(path, config_path, kw)
        outcome = run_report(settings, group_depth=group_depth, progress=_progress())
        _emit(get_renderer("report", output_format)(outcome, False), output)
        return EXIT_OK

    _run(action)
