"""The command line: parse arguments, call a use case, print, exit with the status of
docs/spec.md.

Each command declares its own options and takes the shared ones from cli_common.py,
which hands them over as one `Invocation`; its body calls a use case of `application/`,
has `formats/` render the outcome, and returns the exit status.

Heavy modules (grimp, import-linter, networkx) are imported inside the commands, so
`--help` and `--version` stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from ssot_arch import __version__, formats
from ssot_arch.cli_common import (
    EXIT_BROKEN,
    EXIT_OK,
    TRACED_COMMAND,
    CommandAfterDashes,
    Invocation,
    commit_progress_line,
    contract_options,
    fix_command,
    hard_exit,
    output_options,
    progress_line,
    replace_option,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ssot-arch")
def main() -> None:
    """Keep logging behind its single source of truth (SSOT).

    ssot-arch reads a repository's import graph with grimp (without importing or running
    any of its code) and reports every import of a restricted module (by default
    logging, loguru, structlog) outside the SSOT gateway modules.
    """


def run() -> None:
    """The `ssot-arch` command: `main`, then a hard exit once the output is flushed
    (see cli_common.hard_exit). Tests call `main`, which exits normally."""
    hard_exit(main)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@output_options(formats=("text", "json", "sarif", "junit", "github", "markdown"))
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
    call: Invocation,
    baseline_file: str | None,
    fail_on_stale: bool,
    changed_since: str | None,
    strict: bool,
) -> None:
    """Check the SSOT contracts of the repository at PATH.

    Exit status: 0 every contract kept; 1 a contract broken (with a baseline: a new
    or expired violation, a budget exceeded, or with --fail-on-stale a stale entry)
    or a file could not be analysed, or with --strict a warning; 2 usage or
    configuration error; 3 internal error.
    """

    def action() -> int:
        from ssot_arch.application.gate import GateOptions, gated_check

        options = GateOptions(baseline_file, fail_on_stale, changed_since)
        outcome = gated_check(call.settings(), options, strict, progress_line())
        call.emit(formats.get_renderer("check", call.output_format)(outcome, call.color("text")))
        return EXIT_OK if outcome.kept else EXIT_BROKEN

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@output_options(formats=("markdown", "json", "html"))
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
def report(call: Invocation, group_depth: int | None, source_url: str | None) -> None:
    """Write the architecture report of the repository at PATH.

    Per contract: compliance per service, which logging systems each package reaches
    (directly and transitively), transitive leaks with their shortest chains, their
    causes and what to fix first, and laundered imports; then coverage.

    Exit status: 0 report written (whatever it found); 2 usage or configuration
    error; 3 internal error.
    """

    def action() -> int:
        from ssot_arch.application.report import run_report
        from ssot_arch.formats.report_links import SourceUrlError, report_renderer

        settings = call.settings()
        try:
            render = report_renderer(call.output_format, source_url, call.path, call.output)
        except SourceUrlError as error:
            raise click.BadParameter(str(error), param_hint="'--source-url'") from error
        outcome = run_report(settings, group_depth=group_depth, progress=progress_line())
        call.emit(render(outcome, False))
        return EXIT_OK

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
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
    call: Invocation, update: bool, allow_growth: bool, budgets: bool, force: bool
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
        from ssot_arch.application.baseline import BaselineOptions, summary, write_or_update

        options = BaselineOptions(call.output, update, allow_growth, budgets, force)
        result = write_or_update(call.settings(), options, progress_line())
        for line in summary(result):
            click.echo(line)
        return EXIT_OK

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@replace_option
@output_options(formats=("diff", "json"))
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
    call: Invocation,
    only: Sequence[str],
    write: bool,
    strict: bool,
    verify: str | None,
    unsafe_fixes: bool,
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
        from ssot_arch.application.fix import FixOptions, run_fix
        from ssot_arch.formats import fix_summary

        options = FixOptions(tuple(only), write, unsafe_fixes, verify)
        settings = call.settings()
        outcome = run_fix(settings, options, progress_line(), progress_line("rewriting"))
        call.emit(formats.get_renderer("fix", call.output_format)(outcome, call.color("diff")))
        click.echo(fix_summary.render(outcome), err=True, nl=False)
        return EXIT_BROKEN if outcome.failed(strict) else EXIT_OK

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@output_options(formats=("dot", "mermaid", "graphml", "json"))
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
    call: Invocation,
    collapse: int | None,
    focus: str | None,
    chains_of: str | None,
    externals: bool,
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
        from ssot_arch.application.graph import GraphOptions, write_graph
        from ssot_arch.formats.graph_export import GRAPH_FORMATS

        options = GraphOptions(collapse, focus, chains_of, externals)
        settings = call.settings()
        call.emit(
            write_graph(settings, options, call.output_format, GRAPH_FORMATS, progress_line())
        )
        return EXIT_OK

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@output_options(formats=("text", "json"))
@click.option(
    "--write",
    "write",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Add the proposed contract to this configuration file (.importlinter, setup.cfg "
    "or pyproject.toml; created when missing). A contract already there is never "
    "overwritten.",
)
def init(call: Invocation, write: str | None) -> None:
    """Propose a configuration for the repository at PATH.

    Finds the roots, the logging libraries in use, the modules that look like the single
    source of truth (first-party modules wrapping a library that many others import
    their loggers from), the competing systems, and the contract that follows with the
    violations it would report today. Writes nothing unless --write.

    Exit status: 0 proposal made; 2 usage or configuration error (such as a --write
    file that already holds an ssot contract); 3 internal error.
    """

    def action() -> int:
        from ssot_arch.application.init import run_init

        outcome = run_init(call.path, call.flags, write=write, progress=progress_line())
        call.emit(formats.get_renderer("init", call.output_format)(outcome, False))
        return EXIT_OK

    call.serve(action)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True))
@contract_options
@output_options(formats=("text", "json", "csv", "svg"))
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
    call: Invocation,
    since: str | None,
    until: str,
    every: int | None,
    daily: bool,
    config_at_commit: bool,
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
        from ssot_arch.application.trend import TrendOptions, run_trend

        options = TrendOptions(since, until, every, daily, config_at_commit)
        result = run_trend(call.path, call.flags, call.config_path, options, commit_progress_line())
        call.emit(formats.get_renderer("trend", call.output_format)(result, False))
        return EXIT_OK

    call.serve(action, once=True)  # the same file warns at every commit


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@replace_option
@output_options(formats=("markdown", "json"))
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    metavar="PATTERN",
    help="A step of its own for the modules matching this glob, in the order given "
    "(repeatable); everything else comes last.",
)
def plan(call: Invocation, priorities: Sequence[str]) -> None:
    """Write the migration plan of the repository at PATH, as a checklist.

    One step per --priority pattern, in order, then everything else; inside a step,
    the files whose fix removes the most transitive leaks first. Each violating file
    appears once, automatic (`fix` migrates it completely) or manual (with what is left
    and why), and each step has the `ssot-arch fix ... --write` command of its automatic
    part.

    Exit status: 0 plan written; 2 usage or configuration error; 3 internal error.
    """
    command = fix_command(click.get_current_context())

    def action() -> int:
        from ssot_arch.application.plan import run_plan

        settings = call.settings()
        rewriting = progress_line("rewriting")
        result = run_plan(settings, priorities, command, progress_line(), rewriting)
        call.emit(formats.get_renderer("plan", call.output_format)(result, False))
        return EXIT_OK

    call.serve(action)


@main.command(cls=CommandAfterDashes)
@click.argument("path", default=".", type=click.Path(file_okay=False))
@contract_options
@output_options(formats=("text", "json", "markdown"))
@click.option(
    "--entry",
    "trace_entries",
    multiple=True,
    metavar="MODULE",
    help="Compare every traced process with the static closure of this module "
    "(repeatable; default: per process, the first of the repository's modules it loaded).",
)
def trace(call: Invocation, trace_entries: Sequence[str]) -> None:
    """Run COMMAND (given after --) and show which logging systems each Python process
    it starts loads, and what the static graph of the repository at PATH missed.

    THIS RUNS THE COMMAND, and so the repository's code: the one command besides
    `fix --verify` that does. Every Python process the command starts is traced
    through PYTHONPATH (not one started with -I, -E or -S); the command's own output
    and exit status pass through. Per process: the systems it loaded, each with the
    runtime chain that loaded it first; the repository's modules it loaded that the
    static closure of its entries does not hold; the systems that closure predicts
    and it never loaded. Write the trace with -o when the command prints on stdout.

    \b
    Example:
      ssot-arch trace . --format markdown -o trace.md -- python -m service.main

    Exit status: the command's (128 + N for signal N), the trace written whatever it
    was; 2 usage or configuration error (the command does not run); 3 internal error.
    """
    command = click.get_current_context().meta.get(TRACED_COMMAND)
    if not command:
        raise click.UsageError(
            "give the command to run after --, e.g. `ssot-arch trace . -- python -m service.main`"
        )

    def action() -> int:
        from ssot_arch.application.trace import run_trace

        outcome = run_trace(call.settings(), command, trace_entries, progress_line())
        call.emit(formats.get_renderer("trace", call.output_format)(outcome, False))
        return outcome.status

    call.serve(action)
