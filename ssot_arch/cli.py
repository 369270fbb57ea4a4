"""The command line: parse arguments, call a use case, print, exit with the status of
docs/spec.md.

Heavy modules (grimp, import-linter, networkx) are imported inside the commands, so
`--help` and `--version` stay fast.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from ssot_arch import __version__

if TYPE_CHECKING:
    from ssot_arch.application.settings import CommandLineContract, RunSettings

EXIT_OK, EXIT_BROKEN, EXIT_CONFIG, EXIT_INTERNAL = 0, 1, 2, 3

Command = Callable[..., None]


class ForFix(click.Option):
    """An option that says what to analyse: `plan` carries it, as given, into each
    step's `fix` command. Declared once, where the option is."""


def _contract_options(function: Command) -> Command:
    """The options that say what to analyse. The command receives `config_path`,
    `verbose`, and the rest as one `flags: CommandLineContract` (with `--group`'s
    `groups` and `--replace`'s `replacements` when the command has that option)."""

    @functools.wraps(function)
    def command(
        *,
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
        from ssot_arch.application.settings import CommandLineContract

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
        function(flags=flags, **others)

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


def _output_options(formats: tuple[str, ...]) -> Callable[[Command], Command]:
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


def _load(path: str, config_path: str | None, flags: CommandLineContract) -> RunSettings:
    from ssot_arch.application.settings import load_settings

    return load_settings(path, config_path, flags)


def _progress(what: str = "scanning imports") -> Callable[[int, int], None] | None:
    """A count of `what` on stderr, when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\r{what}: {done}/{total} files", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return report


def _relative_source_url(root: str, output: str | None) -> str:
    """A link template reaching the repository's files from where the report is
    written (the current folder for standard output)."""
    where = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
    from urllib.parse import quote

    # Percent-encoded: a folder named with `#`, `?` or braces stays part of the path.
    relative = quote(os.path.relpath(os.path.abspath(root), where).replace(os.sep, "/"))
    return "{path}" if relative == "." else f"{relative}/{{path}}"


def _emit(text: str, output: str | None) -> None:
    if output:
        from ssot_arch.adapters.filesystem.writing import write_output

        write_output(output, text)  # a WriteError says which file and what to do (exit 2)
    else:
        try:
            click.echo(text, nl=False)
            sys.stdout.flush()
        except OSError as error:  # a full disk, a closed pipe: exit 2, not a pass
            from ssot_arch.adapters.filesystem.writing import WriteError

            raise WriteError("<standard output>", error) from error


def _run(action: Callable[[], int]) -> None:
    """Run a command, turning errors into the exit statuses of docs/spec.md."""
    from ssot_arch.domain.errors import ConfigError, InstallationError

    # A run builds hundreds of thousands of small objects that all live until it ends;
    # the default collector thresholds spend a quarter of a large run re-scanning them.
    gc.set_threshold(100_000, 50, 50)

    try:
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
        # Through click, like the lines above (one stream, whatever replaced sys.stderr).
        click.echo(traceback.format_exc(), err=True, nl=False)
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


def run() -> None:
    """The `ssot-arch` command: `main`, then a hard exit once the output is flushed.

    A large run ends holding millions of small objects; freeing them one by one takes
    seconds (1.5 s of a 100,000-module report) and serves nothing, as the process ends.
    So, like mypy's `hard_exit`, the process leaves with `os._exit` after flushing its
    streams. Everything that must reach the disk (outputs, caches, temporary folders) is
    written or removed before `main` returns. Tests call `main`, which exits normally.
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


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("text", "json", "sarif", "junit", "github", "markdown"))
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    help="Accepted violations (from `ssot-arch baseline`): fail only on new ones. "
    "Overrides the contracts' `baseline` option.",
)
@click.option(
    "--fail-on-stale",
    is_flag=True,
    help="Also fail when the baseline holds violations the code no longer has.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) on any warning too: a restricted module imported nowhere, a "
    "gateway or exclude pattern that names nothing, a relative import beyond the top.",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Report only files changed since this git revision (committed, staged, "
    "unstaged or untracked).",
)
def check(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    baseline_file: str | None,
    fail_on_stale: bool,
    changed_since: str | None,
    strict: bool,
    flags: CommandLineContract,
) -> None:
    """Check the SSOT contracts of the repository at PATH.

    Exit status: 0 every contract kept; 1 a contract broken (with a baseline: a new
    or expired violation, a budget exceeded, or with --fail-on-stale a stale entry)
    or a file could not be analysed, or with --strict a warning; 2 usage or
    configuration error; 3 internal error.
    """

    def action() -> int:
        import os

        from ssot_arch import logs
        from ssot_arch.application.check import run_check, strictly
        from ssot_arch.application.gate import GateOptions, apply_gate
        from ssot_arch.formats import get_renderer

        logs.configure(verbose)
        settings = _load(path, config_path, flags)
        outcome = run_check(settings, progress=_progress())
        options = GateOptions(
            baseline=os.path.abspath(baseline_file) if baseline_file else None,
            fail_on_stale=fail_on_stale,
            changed_since=changed_since,
        )
        outcome = apply_gate(outcome, options)
        if strict:
            outcome = strictly(outcome)
        color = output is None and output_format == "text" and sys.stdout.isatty()
        _emit(get_renderer("check", output_format)(outcome, color), output)
        return EXIT_OK if outcome.kept else EXIT_BROKEN

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("markdown", "json", "html"))
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
@click.option(
    "--entry",
    "entries",
    multiple=True,
    metavar="MODULE",
    help="An entry point (a service's main module): report which logging systems "
    "importing it loads, with a chain to each (repeatable; default: [ssot-arch] entries).",
)
@click.option(
    "--source-url",
    metavar="TEMPLATE",
    help="HTML: where a module links to, with {path} (from the repository root) and "
    "{line}, e.g. https://github.com/ORG/REPO/blob/SHA/{path}#L{line} "
    "(default: the file, relative to the report).",
)
def report(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    group_depth: int | None,
    source_url: str | None,
    flags: CommandLineContract,
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
        settings = _load(path, config_path, flags)
        if output_format == "html":
            from ssot_arch.formats import report_html

            template = source_url or _relative_source_url(path, output)
            problem = report_html.source_url_problem(template)
            if problem:
                raise click.BadParameter(problem, param_hint="'--source-url'")
            outcome = run_report(settings, group_depth=group_depth, progress=_progress())
            _emit(report_html.page(outcome, template), output)
            return EXIT_OK
        if source_url:
            raise click.BadParameter(
                "file links are made by --format html only", param_hint="'--source-url'"
            )
        outcome = run_report(settings, group_depth=group_depth, progress=_progress())
        _emit(get_renderer("report", output_format)(outcome, False), output)
        return EXIT_OK

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="The baseline file (default: the contracts' `baseline` option, else "
    "PATH/ssot-arch-baseline.json).",
)
@click.option("--update", is_flag=True, help="Remove fixed entries from an existing baseline.")
@click.option(
    "--allow-growth",
    is_flag=True,
    help="With --update: also accept the new violations (and raise budgets).",
)
@click.option(
    "--budgets",
    is_flag=True,
    help="Write per-service violation counts (a coarse ratchet) instead of entries.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing baseline, or create or grow one although CI is set.",
)
def baseline(
    path: str,
    config_path: str | None,
    output: str | None,
    update: bool,
    allow_growth: bool,
    budgets: bool,
    force: bool,
    verbose: int,
    flags: CommandLineContract,
) -> None:
    """Write the baseline of accepted violations of the repository at PATH.

    Commit the file; `ssot-arch check --baseline FILE` then fails only on new
    violations. `--update` only removes fixed entries (the ratchet), keeping each
    entry's reason, owner and expiry; growth needs --allow-growth. Creating or growing
    a baseline is refused when the CI variable is set, unless --force.

    Exit status: 0 written; 2 usage or configuration error (a broken baseline file is
    reported and left as it is); 3 internal error.
    """

    def action() -> int:
        import os

        from ssot_arch import logs
        from ssot_arch.application.baseline import BaselineOptions, summary, write_or_update

        logs.configure(verbose)
        settings = _load(path, config_path, flags)
        options = BaselineOptions(
            output=output,
            update=update,
            allow_growth=allow_growth,
            budgets=budgets,
            force=force,
            in_ci=bool(os.environ.get("CI")),
        )
        result = write_or_update(settings, options, progress=_progress())
        for line in summary(result):
            click.echo(line)
        return EXIT_OK

    _run(action)


def _replace_option(function: Command) -> Command:
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


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_replace_option
@_output_options(formats=("diff", "json"))
@click.option(
    "--only",
    multiple=True,
    metavar="PATTERN",
    help="Fix only modules matching this glob (`*` crosses dots; repeatable: any).",
)
@click.option("--write", is_flag=True, help="Write the changes (default: a dry run).")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) on a warning too: an --only pattern that matches no module.",
)
@click.option(
    "--verify",
    metavar="CMD",
    help="After --write, run CMD (a shell command: the tests, `python -c 'import app'`) in "
    "the repository; if it fails, every written file gets its old bytes back (exit 1). "
    "This runs the repository's code.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Also rewrite the files whose rewrite cannot be proven safe (each says why).",
)
def fix(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    only: Sequence[str],
    write: bool,
    strict: bool,
    verify: str | None,
    unsafe_fixes: bool,
    flags: CommandLineContract,
) -> None:
    """Migrate the violating files of the repository at PATH to the SSOT.

    Each restricted use with a replacement (`replacements` in the contract, or
    --replace) is rewritten, keeping formatting and comments. A file is changed only
    when it is migrated completely and the rewrite is proven safe: no new import-time
    cycle, every use supported by the replacement as read from its source, the same
    meaning. A rewrite that cannot be proven is unsafe (written only with
    --unsafe-fixes); what stands in the way of the rest is listed for a person.
    Gateways, excluded and unanalysed files are never touched. Default: a dry run
    printing a unified diff; a summary goes to stderr.

    Exit status: dry run, 1 when it would change something, else 0; with --write, 0
    when no violation remains in the selected files, 1 when some remain (files for a
    person, or unsafe ones without --unsafe-fixes), or with --strict an --only pattern
    matches no module, or the --verify command failed (the files are restored); 2 usage
    or configuration error; 3 internal error.
    """

    if verify is not None and not write:
        raise click.UsageError("--verify runs its command after --write: give both")
    if verify is not None and not verify.strip():
        raise click.UsageError("--verify needs a command, such as 'python -m pytest -x'")

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.fix import FixOptions, run_fix
        from ssot_arch.formats import fix_summary, get_renderer

        logs.configure(verbose)
        settings = _load(path, config_path, flags)
        outcome = run_fix(
            settings,
            FixOptions(only=tuple(only), write=write, unsafe_fixes=unsafe_fixes, verify=verify),
            progress=_progress(),
            rewriting=_progress("rewriting"),
        )
        color = output is None and output_format == "diff" and sys.stdout.isatty()
        _emit(get_renderer("fix", output_format)(outcome, color), output)
        click.echo(fix_summary.render(outcome), err=True, nl=False)
        return EXIT_BROKEN if outcome.failed(strict) else EXIT_OK

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("dot", "mermaid", "graphml", "json"))
@click.option(
    "--collapse",
    type=click.IntRange(min=1),
    metavar="DEPTH",
    help="Merge the modules of each package at DEPTH (1: the roots); edge weights are "
    "import counts. Mermaid output collapses by itself until it fits its size limits.",
)
@click.option(
    "--focus",
    metavar="MODULE|SYSTEM",
    help="Only the modules reaching a system (by name), or a module with everything "
    "that reaches it and everything it reaches.",
)
@click.option(
    "--chains-of",
    "chains_of",
    metavar="MODULE",
    help="Only the chains of a direct violator: the modules that reach it through "
    "non-gateway modules, and its imports of restricted modules.",
)
@click.option(
    "--externals",
    is_flag=True,
    help="Show every external package (os, asyncio, ...), not only the restricted ones "
    "and the systems' members.",
)
def graph(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    collapse: int | None,
    focus: str | None,
    chains_of: str | None,
    externals: bool,
    flags: CommandLineContract,
) -> None:
    """Write the import graph of the repository at PATH, or a focused view of it.

    DOT for Graphviz, Mermaid for Markdown and pull-request comments (violations in
    red, gateways marked), GraphML and node-link JSON with every attribute for graph
    tools. Names from the repository are escaped in every format. By default the
    first-party modules, the restricted modules and the systems' members; --externals
    adds every other external package.

    \b
    Views (one of --focus and --chains-of, then --collapse if wanted):
      ssot-arch graph --focus loguru          the modules reaching the system loguru
      ssot-arch graph --focus app.api         a module, what reaches it, what it reaches
      ssot-arch graph --chains-of app.core    the chains that end in a direct violator
      ssot-arch graph --collapse 1            one box per root package

    Exit status: 0 graph written; 2 usage or configuration error; 3 internal error.
    """

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.graph import run_graph
        from ssot_arch.formats import graph_export

        logs.configure(verbose)
        settings = _load(path, config_path, flags)
        # Mermaid draws nothing beyond its size limits: collapse until the diagram fits.
        fits = graph_export.mermaid_fits if output_format == "mermaid" else None
        view = run_graph(
            settings,
            collapse=collapse,
            focus=focus,
            chains_of=chains_of,
            fits=fits,
            progress=_progress(),
            externals=externals,
        )
        if output_format == "graphml":
            from ssot_arch.formats.graphml import to_graphml

            text = to_graphml(view)
        else:
            render = {
                "dot": graph_export.render_dot,
                "mermaid": graph_export.render_mermaid,
                "json": graph_export.render_json,
            }[output_format]
            text = render(view)
        _emit(text, output)
        return EXIT_OK

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_output_options(formats=("text", "json"))
@click.option(
    "--write",
    "write",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Add the proposed contract to this configuration file (.importlinter, setup.cfg "
    "or pyproject.toml; created when missing). A contract already there is never "
    "overwritten.",
)
def init(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    write: str | None,
    flags: CommandLineContract,
) -> None:
    """Propose a configuration for the repository at PATH.

    Finds the roots, the logging libraries in use, the modules that look like the single
    source of truth (first-party modules wrapping a library that many others import
    their loggers from), the competing systems, and the contract that follows with the
    violations it would report today. Writes nothing unless --write.

    Exit status: 0 proposal made; 2 usage or configuration error (such as a --write
    file that already holds an ssot contract); 3 internal error.
    """

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.init import run_init
        from ssot_arch.formats import get_renderer

        logs.configure(verbose)
        outcome = run_init(path, flags, write=write, progress=_progress())
        _emit(get_renderer("init", output_format)(outcome, False), output)
        return EXIT_OK

    _run(action)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True))
@_contract_options
@_output_options(formats=("text", "json", "csv", "svg"))
@click.option("--since", metavar="REV", help="The first commit (default: the root commit).")
@click.option("--until", default="HEAD", show_default=True, metavar="REV", help="The last commit.")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    metavar="N",
    help="Every Nth commit of the range, and always the last.",
)
@click.option("--daily", is_flag=True, help="The last commit of each day.")
@click.option(
    "--config-at-commit",
    is_flag=True,
    help="Judge each commit by its own configuration, not today's.",
)
def trend(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    since: str | None,
    until: str,
    every: int | None,
    daily: bool,
    config_at_commit: bool,
    flags: CommandLineContract,
) -> None:
    """Show the migration over the git history of the repository at PATH.

    Runs the check and the report's headline figures (violations, leaks, files
    analysed, and per service its compliance and the systems it reaches) at each commit
    of the first-parent history from --since to --until, both included. Git writes each
    commit's files into a temporary folder: the work tree is not touched, and a bare
    repository works. The content cache spares the files a commit did not change (unless
    it adds or removes a module). History is judged by today's configuration (the work
    tree's, or --config).

    Exit status: 0 trend written; 2 usage, configuration or git error; 3 internal error.
    """
    if every and daily:
        raise click.UsageError("give --every or --daily, not both")

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.trend import TrendOptions, run_trend
        from ssot_arch.formats import get_renderer

        logs.configure(verbose, once=True)  # the same file warns at every commit
        options = TrendOptions(since, until, every, daily, config_at_commit)
        result = run_trend(path, flags, config_path, options, _commit_progress())
        _emit(get_renderer("trend", output_format)(result, False), output)
        return EXIT_OK

    _run(action)


def _commit_progress() -> Callable[[int, int, Any], None] | None:
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


# The options `plan` repeats in each step's `fix` command: (parameter, flag).
def _fix_command(context: click.Context) -> list[str]:
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


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@_contract_options
@_replace_option
@_output_options(formats=("markdown", "json"))
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    metavar="PATTERN",
    help="A step of its own for the modules matching this glob, in the order given "
    "(repeatable); everything else comes last.",
)
def plan(
    path: str,
    config_path: str | None,
    output_format: str,
    output: str | None,
    verbose: int,
    priorities: Sequence[str],
    flags: CommandLineContract,
) -> None:
    """Write the migration plan of the repository at PATH, as a checklist.

    One step per --priority pattern, in order, then everything else; inside a step,
    the files whose fix removes the most transitive leaks first. Each violating file
    appears once, automatic (`fix` migrates it completely) or manual (with what is left
    and why), and each step has the `ssot-arch fix ... --write` command of its automatic
    part.

    Exit status: 0 plan written; 2 usage or configuration error; 3 internal error.
    """
    fix_command = _fix_command(click.get_current_context())

    def action() -> int:
        from ssot_arch import logs
        from ssot_arch.application.plan import run_plan
        from ssot_arch.formats import get_renderer

        logs.configure(verbose)
        settings = _load(path, config_path, flags)
        result = run_plan(
            settings,
            priorities,
            fix_command,
            progress=_progress(),
            rewriting=_progress("rewriting"),
        )
        _emit(get_renderer("plan", output_format)(result, False), output)
        return EXIT_OK

    _run(action)
