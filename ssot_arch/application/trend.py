"""`ssot-arch trend`: the check and the report's headline figures at a series of commits.

Each commit's files are written into one temporary folder by git (adapters/vcs/git_history.py),
changing only what the commit changed, and analysed there with the content cache of the
repository: a commit that only edits files costs the scanning of those, and the
analyses; one that adds or removes a module starts a new cache generation (which
modules exist decides how imports resolve, adapters/scanning/scan_cache.py) and is
scanned whole; one that changes no analysed file keeps the figures before.

The contracts are today's (the work tree's configuration, or `--config`; in a bare
repository, the configuration of the last commit asked for), so the history is judged
by one rule; `config_at_commit` reads each commit's own instead. A commit where the
contracts cannot be judged (a gateway not written yet) gets an error, not figures; a
configuration that cannot be read at all is an error of the run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace

from ssot_arch.adapters.config.config_files import find_config, read_config_file
from ssot_arch.adapters.storage.signed_store import cache_dir_for
from ssot_arch.adapters.vcs.git import GitError, GitMissing
from ssot_arch.adapters.vcs.git_history import (
    Commit,
    Repository,
    Shown,
    TreeFolder,
    every_nth,
    first_parent_history,
    last_of_each_day,
    open_repository,
    read_config_files,
    resolve_commit,
)
from ssot_arch.application.check import check_repository
from ssot_arch.application.options import CommandLineContract
from ssot_arch.application.report import headline, resolve_groups
from ssot_arch.application.settings import RunSettings, load_settings
from ssot_arch.domain.errors import ConfigError, ConfigProblem
from ssot_arch.domain.findings import ServicePoint, Trend, TrendPoint
from ssot_arch.logs import get_logger

logger = get_logger(__name__)

TrendProgress = Callable[[int, int, Commit], None]  # commits done, in all, the one done


@dataclass(frozen=True)
class TrendOptions:
    since: str | None = None
    until: str = "HEAD"
    every: int | None = None
    daily: bool = False
    config_at_commit: bool = False


def select_commits(repository: Repository, options: TrendOptions) -> list[Commit]:
    """The commits to measure, oldest first."""
    until = resolve_commit(repository, options.until)
    since = resolve_commit(repository, options.since) if options.since else None
    commits = first_parent_history(repository, since, until)
    if options.every:
        return every_nth(commits, options.every)
    if options.daily:
        return last_of_each_day(commits)
    return commits


def _today_config(
    path: str, repository: Repository, config_path: str | None, until: str, work: str
) -> tuple[str | None, str]:
    """The configuration file history is judged by (None: the command line's contract),
    and how to name it."""
    if config_path:
        return os.path.abspath(config_path), config_path
    if repository.bare:
        folder = os.path.join(work, "config")
        os.mkdir(folder)
        read_config_files(repository, until, folder)
        config = find_config(folder)
        if config is None:
            return None, "the command line"
        return config.file, f"{os.path.basename(config.file)} of {until[:12]}"
    config = find_config(path)
    return (config.file, config.file) if config else (None, "the command line")


def figures(settings: RunSettings, commit: Commit, shown: Shown) -> TrendPoint:
    """The check's and the report's headline figures of the tree `settings` describe."""
    # As the report: broken imports count as imports of their nearest ancestor.
    analysed = check_repository(settings, audit=True)
    outcome = analysed.outcome
    groups = resolve_groups(settings, sorted(outcome.files), None)
    leaks = 0
    files: dict[str, int] = {}
    violations: dict[str, int] = dict.fromkeys(groups, 0)
    lowest: dict[str, float] = dict.fromkeys(groups, 100.0)
    reached: dict[str, set[str]] = {group: set() for group in groups}
    for result in outcome.contracts:
        found = headline(analysed, result, groups)
        leaks += len(found.leaks.leaks)
        for row in found.compliance:
            files[row.group] = row.files
            violations[row.group] += row.violations
            lowest[row.group] = min(lowest[row.group], row.compliance_pct)
        for group, cells in found.reach.items():
            reached[group].update(name for name, cell in cells.items() if cell.transitive)
    return TrendPoint(
        commit=commit.id,
        date=commit.date,
        subject=commit.subject,
        violations=sum(len(r.violations) for r in outcome.contracts),
        leaks=leaks,
        files_analyzed=outcome.coverage.files_analyzed,
        files_total=outcome.coverage.files_total,
        files_missing=len(shown.missing),
        files_unsafe=tuple(shown.unsafe.items()),
        services={
            group: ServicePoint(
                files.get(group, 0), violations[group], lowest[group], tuple(sorted(reached[group]))
            )
            for group in sorted(groups)
        },
    )


def run_trend(
    path: str,
    cli: CommandLineContract,
    config_path: str | None,
    options: TrendOptions,
    progress: TrendProgress | None = None,
) -> Trend:
    """The figures at each selected commit of the repository at `path`, oldest first.
    Raises GitError when git cannot read the history, ConfigError for a configuration
    that cannot be read."""
    try:
        return _run_trend(path, cli, config_path, options, progress)
    except GitMissing as error:
        raise ConfigError(
            ConfigProblem("git is not installed; trend reads history with it")
        ) from error
    except GitError as error:
        raise ConfigError(ConfigProblem(str(error))) from error


def _run_trend(
    path: str,
    cli: CommandLineContract,
    config_path: str | None,
    options: TrendOptions,
    progress: TrendProgress | None,
) -> Trend:
    repository = open_repository(path)
    commits = select_commits(repository, options)
    cache_dir = None if cli.no_cache else cache_dir_for(path, cli.cache_dir, None)
    points: list[TrendPoint] = []
    with tempfile.TemporaryDirectory(prefix="ssot-arch-trend-") as work:
        if options.config_at_commit:
            config_file, source = None, "each commit's own"
        else:
            config_file, source = _today_config(path, repository, config_path, commits[-1].id, work)
            if config_file is not None and read_config_file(config_file) is None:
                raise ConfigError(
                    ConfigProblem(f"{source} configures neither import-linter nor ssot-arch")
                )
        tree = os.path.join(work, "tree")
        os.mkdir(tree)
        with TreeFolder(repository, tree, with_config=options.config_at_commit) as folder:
            for done, commit in enumerate(commits, 1):
                points.append(_point(folder, commit, points, config_file, cli, cache_dir))
                if progress is not None:
                    progress(done, len(commits), commit)
    return Trend(repository.path, tuple(points), source)


def _point(
    folder: TreeFolder,
    commit: Commit,
    before: list[TrendPoint],
    config_file: str | None,
    cli: CommandLineContract,
    cache_dir: str | None,
) -> TrendPoint:
    """The figures at `commit`, whose files `folder` writes over the commit's before."""
    shown = folder.show(commit.id)
    for path, reason in shown.unsafe.items():
        # Said once for all the commits that hold it (logs.configure(once=True)).
        logger.warning("%s: a path of the history that is not analysed: %s", path, reason)
    if not folder.changed and before:
        # Not one analysed file changed (a commit of documentation): the figures of the
        # commit before stand.
        return replace(before[-1], commit=commit.id, date=commit.date, subject=commit.subject)
    try:
        settings = replace(load_settings(folder.folder, config_file, cli), cache_dir=cache_dir)
        return figures(settings, commit, shown)
    except ConfigError as error:
        problems = "; ".join(str(p) for p in error.problems)
        return TrendPoint(
            commit.id,
            commit.date,
            commit.subject,
            error=problems.replace(folder.folder + os.sep, "").replace(folder.folder, "."),
            files_unsafe=tuple(shown.unsafe.items()),
        )
