"""Benchmark ssot-arch against its peers, in one run, on the targets of the performance issue.

    python -m benchmarks.run --sizes 1000,10000,100000 --repeat 3
    python -m benchmarks.run --sizes "" --shapes chain,ring
    python -m benchmarks.run --sizes 10000 --tree PATH --config FILE --json timings.json
    python -m benchmarks.run --sizes "" --tree PATH --config FILE --replace OLD=MODULE:NAME

Three kinds of trees are measured:

* synthetic monorepos (`--sizes`, benchmarks/synthetic.py);
* the worst-case graph shapes of the issue (`--shapes chain,ring`, benchmarks/shapes.py):
  a 5,000-module import chain ending in logging and a 50,000-module import ring;
* an existing repository (`--tree PATH --config FILE`, an import-linter INI file with
  `ssot` contracts).

On each, the same commands run side by side:

* `ssot-arch check` and `ssot-arch report --format json`, cold (`--no-cache`) and, but
  for the shapes, warm (content cache, in a fresh copy of the tree: new paths and
  modification times, as in a CI checkout); the output goes to a file (`-o`), whose size
  is recorded;
* raw `grimp.build_graph` of the same roots (in a subprocess, like the others), and
  `lint-imports` with the equivalent `protected` contract; on the synthetic trees also
  on a copy in which every folder is a package (so that they read every file, as
  ssot-arch does);
* ruff's banned-api rule (TID251) on the restricted modules, with the gateways exempted:
  the reference for `check`;
* with `--replace OLD=MODULE:NAME` (repeatable), `fix`: a dry run cold (LibCST and the
  proof on every violating file), a dry run warm (the signed verdicts reused), and
  `--write` after a dry run on a fresh copy of the tree; and the files per second.

Each command runs `--repeat` times; the tables show the median and the minimum wall
time, the peak memory (max RSS of the process: the largest process of its tree, not
their sum), the output's size and ratios. Then the targets of the performance issue,
met or not, each computed from rows measured in this run. Output is Markdown on stdout
(`--json FILE` also writes the raw timings); progress goes to stderr.

`--jobs N` is passed to every ssot-arch command. On a shared machine, `--timeout S` and
`--memory-limit MB` (address space per process) guard against a runaway command: it
fails its row, and the targets that need the row, instead of the whole run.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import version
from pathlib import Path, PurePosixPath

from benchmarks import shapes, synthetic
from ssot_arch.domain.contract_options import DEFAULT_RESTRICTED

BIN = Path(sys.executable).parent
SSOT_ARCH = str(BIN / "ssot-arch")
MB = 2**20

# The rows of a table, in order.
CHECK_COLD = "check cold"
REPORT_COLD = "report json cold"
CHECK_WARM = "check warm"
CHECK_WARM_SAME = "check warm, same checkout"
REPORT_WARM = "report json warm"
GRIMP = "raw grimp build_graph"
LINT = "lint-imports"
GRIMP_ALL = "raw grimp, every folder a package"
LINT_ALL = "lint-imports, every folder a package"
RUFF = "ruff TID251"
FIX_COLD = "fix dry run cold"
FIX_WARM = "fix dry run warm (rewrite verdicts cached)"
FIX_WRITE = "fix --write after a dry run"
SSOT_ROWS = (CHECK_COLD, REPORT_COLD, CHECK_WARM, CHECK_WARM_SAME, REPORT_WARM)

# Left out of the warm copy of a real tree: nothing ssot-arch reads.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", "node_modules", "__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"
)


# -- Measuring ----------------------------------------------------------------------------


@dataclass
class Timing:
    """The wall times of one command over its repetitions, its peak memory, the size of
    the output file it wrote (when it wrote one) and, if it failed, why (then `seconds`
    ends with the failed run's)."""

    name: str
    seconds: list[float]
    peak_mb: float
    output_bytes: int | None = None
    failure: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


@dataclass(frozen=True)
class Limits:
    """Guards for a shared machine: a command over them fails its row, not the run."""

    timeout: float | None = None  # seconds per run of a command
    memory_mb: int | None = None  # address space per process (RLIMIT_AS)

    def apply(self) -> None:
        """In the child, before it runs the command: cap its address space."""
        if self.memory_mb is not None:
            limit = self.memory_mb * MB
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_once(
    command: Sequence[str], cwd: Path, env: Mapping[str, str] | None, limits: Limits
) -> tuple[float, float, str | None]:
    """Run `command` once: wall seconds, peak MB, and why it failed (None: exit status 0,
    or 1 for a broken contract). It runs in a process group of its own, killed whole
    when it times out or when the benchmark is interrupted."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=limits.apply if limits.memory_mb is not None else None,
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        _kill_group(process.pid)

    timer = threading.Timer(limits.timeout, kill) if limits.timeout is not None else None
    try:
        if timer is not None:
            timer.start()
        assert process.stderr is not None
        error = process.stderr.read().decode(errors="replace")  # until the group exits
        _, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        _kill_group(process.pid)
        raise
    finally:
        if timer is not None:
            timer.cancel()
    seconds, peak = time.perf_counter() - start, usage.ru_maxrss / 1024
    code = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        return seconds, peak, f"timed out after {limits.timeout:g} s"
    # 1 is a broken contract, unless Python crashed (a MemoryError, say).
    if code == 0 or (code == 1 and "Traceback (most recent call last)" not in error):
        return seconds, peak, None
    reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    last = error.strip().splitlines()[-1:]
    return seconds, peak, reason + "".join(f": {line[:200]}" for line in last)


def _kill_group(pid: int) -> None:
    """Kill the process group `pid` leads (the command and its workers), if still there."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def measure(
    name: str,
    command: Sequence[str],
    repeat: int,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    output: Path | None = None,
    limits: Limits = Limits(),
) -> Timing:
    """Run `command` `repeat` times, or until it fails."""
    timing = Timing(name, [], 0.0)
    for _ in range(repeat):
        if output is not None:
            output.unlink(missing_ok=True)  # no size from an earlier run
        seconds, peak, failure = run_once(command, cwd, env, limits)
        timing.seconds.append(seconds)
        timing.peak_mb = max(timing.peak_mb, peak)
        if failure is not None:
            print(f"    {name} failed: {failure}", file=sys.stderr, flush=True)
            timing.failure = failure
            return timing
    timing.output_bytes = output.stat().st_size if output is not None else None
    return timing


# -- Contracts and the peers' equivalent configuration --------------------------------------


@dataclass(frozen=True)
class Contract:
    """One `ssot` contract: only the gateways may import the restricted modules."""

    id: str
    restricted: tuple[str, ...]
    gateways: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """What the peers need of an import-linter INI file with `ssot` contracts."""

    roots: tuple[str, ...]
    source_roots: tuple[str, ...]
    contracts: tuple[Contract, ...]

    @property
    def restricted(self) -> tuple[str, ...]:
        return _unique(m for c in self.contracts for m in c.restricted)

    @property
    def gateways(self) -> tuple[str, ...]:
        return _unique(g for c in self.contracts for g in c.gateways)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _lines(value: str) -> tuple[str, ...]:
    """A multi-line (or comma-separated) INI value, one item per line."""
    items = (item.strip() for line in value.splitlines() for item in line.split(","))
    return tuple(item for item in items if item)


def read_spec(config_file: Path) -> Spec:
    """The roots, source roots and `ssot` contracts of an import-linter INI file.

    Contracts without `restricted_modules` restrict ssot-arch's default modules; the
    `[ssot-arch] source_roots` default to `src` and `.`, as for ssot-arch.
    """
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(config_file, encoding="utf-8"):
        raise SystemExit(f"{config_file}: cannot read it")
    if not parser.has_section("importlinter"):
        raise SystemExit(f"{config_file}: no [importlinter] section")
    session = parser["importlinter"]
    ssot_types = {"ssot"} | {
        name.strip()
        for name, _, path in (
            line.partition(":") for line in _lines(session.get("contract_types", ""))
        )
        if path.strip() == "ssot_arch.contract.SSOTContract"
    }
    contracts = tuple(
        Contract(
            id=section.split(":", 2)[2],
            restricted=_lines(parser[section].get("restricted_modules", "")) or DEFAULT_RESTRICTED,
            gateways=_lines(parser[section].get("gateways", "")),
        )
        for section in parser.sections()
        if section.startswith("importlinter:contract:")
        and parser[section].get("type", "").strip() in ssot_types
    )
    if not contracts:
        raise SystemExit(f"{config_file}: no contract of type ssot")
    tool = parser["ssot-arch"] if parser.has_section("ssot-arch") else {}
    return Spec(
        roots=_lines(session.get("root_packages", "")),
        source_roots=_lines(tool.get("source_roots", "")) or ("src", "."),
        contracts=contracts,
    )


def _posix(*parts: str) -> str:
    return str(PurePosixPath(*parts)).removeprefix("./")


def locate(tree: Path, spec: Spec, module: str) -> tuple[str, bool] | None:
    """The file of `module` relative to `tree` and whether it is a package (then its
    folder): `a.b.c` is `a/b/c.py`, `a/b/c/__init__.py` or the folder `a/b/c`, in the
    first source root holding one; None if none does."""
    relative = module.replace(".", "/")
    for source_root in spec.source_roots:
        base = tree / source_root
        if (base / f"{relative}.py").is_file():
            return _posix(source_root, f"{relative}.py"), False
        if (base / relative).is_dir():
            return _posix(source_root, relative), True
    return None


def python_path(tree: Path, spec: Spec) -> str:
    """PYTHONPATH for grimp and lint-imports: the existing source roots of `tree`."""
    folders = (tree / s for s in spec.source_roots)
    return os.pathsep.join(str(f.resolve()) for f in folders if f.is_dir())


def lint_imports_config(spec: Spec) -> str:
    """An import-linter INI file with one `protected` contract per `ssot` contract."""
    roots = "".join(f"\n    {r}" for r in spec.roots)
    text = f"[importlinter]\nroot_packages ={roots}\ninclude_external_packages = True\n"
    for contract in spec.contracts:
        protected = "".join(f"\n    {m}" for m in contract.restricted)
        allowed = "".join(f"\n    {g}" for g in contract.gateways)
        text += (
            f"\n[importlinter:contract:{contract.id}]\nname = {contract.id} (protected)\n"
            f"type = protected\nprotected_modules ={protected}\nallowed_importers ={allowed}\n"
        )
    return text


def ruff_config(tree: Path, spec: Spec) -> str:
    """A ruff configuration with TID251 banning the restricted modules, the gateways'
    files exempted (their folders, for packages). ruff has one list for the whole tree:
    the union of every contract's. Paths are relative to `tree`, where ruff runs."""
    banned = "".join(f'"{m}".msg = "use the SSOT"\n' for m in spec.restricted)
    ignores = ""
    for gateway in spec.gateways:
        found = locate(tree, spec, gateway)
        if found is None:
            print(f"  gateway {gateway} has no file in {tree}", file=sys.stderr)
            continue
        path, is_package = found
        ignores += f'"{path}/**" = ["TID251"]\n' if is_package else f'"{path}" = ["TID251"]\n'
    return (
        '[lint]\nselect = ["TID251"]\n\n'
        f"[lint.flake8-tidy-imports.banned-api]\n{banned}\n[lint.per-file-ignores]\n{ignores}"
    )


def ruff_paths(tree: Path, spec: Spec) -> list[str]:
    """What ruff checks: the root packages (what ssot-arch reads), relative to `tree`."""
    located = (locate(tree, spec, root) for root in spec.roots)
    return [path for path, _ in (f for f in located if f is not None)] or ["."]


# -- The trees measured ---------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A tree to measure and which rows it gets."""

    label: str
    kind: str  # "size", "chain", "ring" or "tree"
    modules: int
    tree: Path
    config: Path
    warm: bool = True
    packaged: bool = False  # also the peers on a copy where every folder is a package


@dataclass
class Bench:
    """The rows measured on one subject."""

    label: str
    kind: str
    modules: int
    rows: dict[str, Timing] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said under the table

    def row(self, name: str) -> Timing | None:
        return self.rows.get(name)

    def has(self, *names: str) -> bool:
        """Whether every row `names` was measured."""
        return all(name in self.rows for name in names)


@dataclass(frozen=True)
class Options:
    """How to run: repetitions, the work folder, ssot-arch's `--jobs` and the guards."""

    repeat: int
    work: Path
    jobs: int | None = None
    limits: Limits = Limits()
    replace: tuple[str, ...] = ()  # `fix --replace`: measure fix too, with these


def generated(folder: Path, write: Callable[[str], object]) -> Path:
    """`folder`, written by `write` unless it exists (into a temporary folder, renamed
    when complete, so that an interrupted run leaves no half tree behind)."""
    if not folder.exists():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        write(str(partial))
        partial.rename(folder)
    return folder


def size_subject(size: int, work: Path) -> Subject:
    tree = generated(work / f"tree-{size}", lambda dest: synthetic.generate(dest, size, seed=1))
    return Subject(f"{size:,} modules", "size", size, tree, tree / ".importlinter", packaged=True)


def shape_subject(name: str, size: int, work: Path) -> Subject:
    shape = shapes.build(name, size)
    tree = generated(work / f"{name}-{size}", lambda dest: shapes.write(shape, dest))
    label = f"{name} shape, {size:,} modules"
    if size != shapes.ISSUE_SIZES[name]:
        label += f" (shortened: the issue's has {shapes.ISSUE_SIZES[name]:,})"
    return Subject(label, name, len(shape.imports), tree, tree / ".importlinter", warm=False)


def tree_subject(tree: Path, config: Path) -> Subject:
    spec = read_spec(config)
    files = sum(1 for _ in _python_files(tree, spec))
    label = f"real tree {tree} ({files:,} files)"
    return Subject(label, "tree", files, tree.resolve(), config.resolve())


def _python_files(tree: Path, spec: Spec) -> Iterable[Path]:
    for path in ruff_paths(tree, spec):
        yield from (tree / path).rglob("*.py")


# -- Running the rows -----------------------------------------------------------------------


class Runner:
    """Measures every row of one subject, in its own folders below the work folder."""

    def __init__(self, subject: Subject, options: Options) -> None:
        self.subject = subject
        self.options = options
        self.spec = read_spec(subject.config)
        self.work = options.work / f"run-{subject.kind}-{subject.modules}"
        self.work.mkdir(parents=True, exist_ok=True)
        self.bench = Bench(subject.label, subject.kind, subject.modules)

    def run(
        self,
        name: str,
        command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str] | None = None,
        output: Path | None = None,
    ) -> None:
        """Measure the row `name`, saying so on stderr."""
        print(f"  {self.subject.label}: {name} ...", file=sys.stderr, flush=True)
        options = self.options
        timing = measure(name, command, options.repeat, cwd, env, output, options.limits)
        self.bench.rows[name] = timing

    def ssot(self, command: str, tree: Path, *extra: str) -> list[str]:
        """An ssot-arch command line on `tree`, with the subject's config and `--jobs`."""
        config = _relocate(self.subject.config, self.subject.tree, tree)
        jobs = ["--jobs", str(self.options.jobs)] if self.options.jobs else []
        return [SSOT_ARCH, command, str(tree), "--config", str(config), *jobs, *extra]

    def measure_all(self) -> Bench:
        self.ssot_cold()
        if self.subject.warm:
            self.ssot_warm()
        if self.options.replace:
            self.fix()
        self.peers(self.subject.tree)
        if self.subject.packaged:
            self.peers(self.packaged_copy(), suffix=", every folder a package")
        self.ruff()
        return self.bench

    def ssot_cold(self) -> None:
        tree = self.subject.tree
        for name, command in ((CHECK_COLD, "check"), (REPORT_COLD, "report")):
            output = self.work / f"{command}-cold.json"
            argv = self.ssot(command, tree, "--no-cache", "--format", "json", "-o", str(output))
            self.run(name, argv, cwd=tree, output=output)

    def ssot_warm(self) -> None:
        """Prime the cache on the tree; run `check` again there (a pre-commit hook: the
        same checkout, whose unchanged files are not read again), then both commands in
        a fresh copy of it (new paths and modification times, as a CI checkout: every
        file hashed). The default cache folder is one per repository path; a CI checkout
        keeps its path, a copy elsewhere shares the cache through --cache-dir."""
        cache_dir = self.work / "cache"
        cache = ["--cache-dir", str(cache_dir)]
        shutil.rmtree(cache_dir, ignore_errors=True)
        failure = self.prime(cache)
        if failure is not None:
            for name in (CHECK_WARM, CHECK_WARM_SAME, REPORT_WARM):
                self.bench.rows[name] = Timing(name, [0.0], 0.0, failure=f"priming: {failure}")
            return
        tree = self.subject.tree
        output = self.work / "check-warm-same.json"
        argv = self.ssot("check", tree, *cache, "--format", "json", "-o", str(output))
        self.run(CHECK_WARM_SAME, argv, cwd=tree, env=_without_ci(), output=output)
        fresh = self.work / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(self.subject.tree, fresh, copy_function=shutil.copy, ignore=COPY_IGNORE)
        try:
            for name, command in ((CHECK_WARM, "check"), (REPORT_WARM, "report")):
                output = self.work / f"{command}-warm.json"
                argv = self.ssot(command, fresh, *cache, "--format", "json", "-o", str(output))
                self.run(name, argv, cwd=fresh, output=output)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def fix(self) -> None:
        """`fix` with the `--replace` options: a cold dry run (LibCST and the proof on
        every violating file), a warm one (the signed verdicts reused), and `--write`
        after a dry run, on a fresh copy each time (so measured once per copy)."""
        tree = self.subject.tree
        replace = [arg for r in self.options.replace for arg in ("--replace", r)]
        output = self.work / "fix.json"
        cold = self.ssot("fix", tree, *replace, "--no-cache", "--format", "json", "-o", str(output))
        self.run(FIX_COLD, cold, cwd=tree, output=output)
        cache = ["--cache-dir", str(self.work / "fix-cache")]
        warm = self.ssot("fix", tree, *replace, *cache, "--format", "json", "-o", str(output))
        run_once(warm, tree, None, self.options.limits)  # fills the verdict cache
        self.run(FIX_WARM, warm, cwd=tree, output=output)
        copy = self.work / "fix-copy"
        seconds, peaks, failure = [], 0.0, None
        for _ in range(self.options.repeat):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(tree, copy, copy_function=shutil.copy, ignore=COPY_IGNORE)
            write = self.ssot("fix", copy, *replace, *cache, "--write")
            took, peak, failure = run_once(write, copy, None, self.options.limits)
            seconds.append(took)
            peaks = max(peaks, peak)
            if failure is not None:
                break
        shutil.rmtree(copy, ignore_errors=True)
        self.bench.rows[FIX_WRITE] = Timing(FIX_WRITE, seconds, peaks, failure=failure)
        files = len(json.loads(output.read_text())["files"]) if output.exists() else 0
        self.bench.notes.append(
            f"fix: {files:,} violating files; cold {files / self.bench.rows[FIX_COLD].median:.1f}"
            f" files/s, warm {files / self.bench.rows[FIX_WARM].median:.1f} files/s"
        )

    def prime(self, cache: Sequence[str]) -> str | None:
        """Fill the cache with check and report on the tree; why that failed, if it did."""
        for command in ("check", "report"):
            argv = self.ssot(command, self.subject.tree, *cache, "--format", "json")
            _, _, failure = run_once(argv, self.subject.tree, None, self.options.limits)
            if failure is not None:
                return f"{command}: {failure}"
        return None

    def peers(self, tree: Path, suffix: str = "") -> None:
        """Raw grimp and lint-imports on `tree`, with the equivalent protected contract."""
        lint = self.work / "lint-imports.ini"
        lint.write_text(lint_imports_config(self.spec))
        env = {**os.environ, "PYTHONPATH": python_path(tree, self.spec)}
        roots = ", ".join(repr(r) for r in self.spec.roots)
        code = (
            f"import grimp; "
            f"grimp.build_graph({roots}, include_external_packages=True, cache_dir=None)"
        )
        grimp, lint_imports = (GRIMP_ALL, LINT_ALL) if suffix else (GRIMP, LINT)
        self.run(grimp, [sys.executable, "-c", code], cwd=tree, env=env)
        self.run(
            lint_imports, [str(BIN / "lint-imports"), "--no-cache", str(lint)], cwd=tree, env=env
        )

    def packaged_copy(self) -> Path:
        """A copy of the tree with an `__init__.py` in every folder holding Python files."""
        packaged = self.work / "packaged"
        if not packaged.exists():
            shutil.copytree(self.subject.tree, packaged)
            for folder, _, names in os.walk(packaged):
                if any(n.endswith(".py") for n in names) and "__init__.py" not in names:
                    Path(folder, "__init__.py").write_text("")
        return packaged

    def ruff(self) -> None:
        tree = self.subject.tree
        config = self.work / "ruff.toml"
        config.write_text(ruff_config(tree, self.spec))
        ruff = [str(BIN / "ruff"), "check", "--no-cache", "--exit-zero", "--config", str(config)]
        self.run(RUFF, [*ruff, *ruff_paths(tree, self.spec)], cwd=tree)


def _without_ci() -> dict[str, str]:
    """This environment without `CI`: where it is set, unchanged files are hashed too
    (their records are not trusted: docs/security.md)."""
    return {k: v for k, v in os.environ.items() if k != "CI"}


def _relocate(path: Path, old_root: Path, new_root: Path) -> Path:
    """`path` moved from `old_root` to `new_root` if it lies below it, else `path`."""
    try:
        return new_root / path.relative_to(old_root)
    except ValueError:
        return path


# -- Targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A target of the performance issue, measured in this run."""

    met: bool
    text: str


def _failure(bench: Bench, claim: str, names: Iterable[str]) -> list[Goal]:
    """The target `claim` NOT met, when one of the rows `names` failed; else nothing."""
    for name in names:
        failure = bench.rows[name].failure
        if failure is not None:
            return [Goal(False, f"{bench.label}: {claim}: {name} failed ({failure})")]
    return []


def _ratio_goal(bench: Bench | None, name: str, ref: str, factor: float) -> list[Goal]:
    """`name` ≤ `factor` × `ref` (median times), when both rows were measured."""
    if bench is None or not bench.has(name, ref):
        return []
    claim = f"{name} ≤ {'' if factor == 1 else f'{factor:g} × '}{ref}"
    if failed := _failure(bench, claim, (name, ref)):
        return failed
    timing, reference = bench.rows[name].median, bench.rows[ref].median
    text = f"{bench.label}: {claim}: {timing:.2f} s against {reference:.2f} s"
    return [Goal(timing <= factor * reference, text)]


def _limit_goal(bench: Bench | None, name: str, seconds: float) -> list[Goal]:
    """`name` (median) under `seconds`."""
    if bench is None or not bench.has(name):
        return []
    claim = f"{name} < {seconds:g} s"
    if failed := _failure(bench, claim, (name,)):
        return failed
    median = bench.rows[name].median
    return [Goal(median < seconds, f"{bench.label}: {claim}: {median:.2f} s")]


def _memory_goal(bench: Bench | None, names: Sequence[str], megabytes: float) -> list[Goal]:
    """The peak memory of the rows `names` (those measured) under `megabytes`."""
    measured = [n for n in names if n in bench.rows] if bench is not None else []
    if bench is None or not measured:
        return []
    claim = f"peak memory < {megabytes:g} MB"
    if failed := _failure(bench, claim, measured):
        return failed
    top = max((bench.rows[n] for n in measured), key=lambda r: r.peak_mb)
    text = f"{bench.label}: {claim}: {top.peak_mb:.0f} MB ({top.name})"
    return [Goal(top.peak_mb < megabytes, text)]


def _output_goal(bench: Bench | None, name: str, megabytes: float) -> list[Goal]:
    """The size of the output `name` wrote under `megabytes`."""
    if bench is None or not bench.has(name):
        return []
    claim = f"{name} JSON < {megabytes:g} MB"
    if failed := _failure(bench, claim, (name,)):
        return failed
    output = bench.rows[name].output_bytes
    if output is None:
        return []
    return [Goal(output < megabytes * MB, f"{bench.label}: {claim}: {_size(output)}")]


def _scaling_goal(small: Bench | None, large: Bench | None, limit: float) -> list[Goal]:
    """`check cold` grows at most `limit` times from `small` to `large`."""
    if small is None or large is None or not (small.has(CHECK_COLD) and large.has(CHECK_COLD)):
        return []
    claim = f"check cold time ratio to {small.label} ≤ {limit:g}"
    failed = _failure(small, claim, (CHECK_COLD,)) or _failure(large, claim, (CHECK_COLD,))
    if failed:
        return failed
    ratio = large.rows[CHECK_COLD].median / small.rows[CHECK_COLD].median
    return [Goal(ratio <= limit, f"{large.label}: {claim}: {ratio:.1f}")]


def goals(benches: Sequence[Bench]) -> list[Goal]:
    """Every target of the issue whose rows were measured in this run."""
    sizes = {b.modules: b for b in benches if b.kind == "size"}
    tree = next((b for b in benches if b.kind == "tree"), None)
    chain = next((b for b in benches if b.kind == "chain"), None)
    ring = next((b for b in benches if b.kind == "ring"), None)
    small = [size for size in sizes if size <= 15_000]
    reference = sizes[max(small)] if small else None
    at_10k, at_100k = sizes.get(10_000), sizes.get(100_000)
    found: list[Goal] = []
    # ruff TID251 is the reference for check.
    for bench in (tree, reference):
        found += _ratio_goal(bench, CHECK_COLD, RUFF, 1)
    found += _ratio_goal(at_100k, CHECK_COLD, RUFF, 2)
    found += _limit_goal(at_100k, CHECK_COLD, 15)
    found += _memory_goal(at_100k, SSOT_ROWS, 1024)
    for _, bench in sorted(sizes.items()):
        found += _ratio_goal(bench, REPORT_COLD, CHECK_COLD, 2)
    found += _scaling_goal(at_10k, at_100k, 12)
    # The report against lint-imports, which builds the same graph.
    for bench in (tree, at_10k):
        found += _ratio_goal(bench, REPORT_COLD, LINT, 1.5)
        found += _ratio_goal(bench, REPORT_WARM, LINT, 1)
    found += _limit_goal(tree, CHECK_WARM_SAME, 0.3)
    # fix (issue 21): the first pass, and --write after it.
    found += _limit_goal(tree, FIX_COLD, 30)
    found += _limit_goal(tree, FIX_WRITE, 10)
    found += _limit_goal(at_10k, CHECK_WARM, 0.5)
    # The worst-case shapes.
    found += _limit_goal(chain, REPORT_COLD, 10)
    found += _memory_goal(chain, (REPORT_COLD,), 500)
    found += _output_goal(chain, REPORT_COLD, 10)
    found += _limit_goal(ring, REPORT_COLD, 60)
    found += _memory_goal(ring, (REPORT_COLD,), 2048)
    return found


# -- Markdown -------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    tools = ", ".join(
        f"{name} {version(name)}" for name in ("ssot-arch", "grimp", "import-linter", "ruff")
    )
    return [
        f"- Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}; {tools}",
    ]


def _size(output_bytes: int | None) -> str:
    """A file size for people: KB below a megabyte, else MB (powers of 1,024)."""
    if output_bytes is None:
        return "–"
    if output_bytes < MB:
        return f"{output_bytes / 1024:.0f} KB"
    return f"{output_bytes / MB:.1f} MB"


def _ratio(timing: Timing, reference: Timing | None) -> str:
    if reference is None or timing.failure or reference.failure:
        return "–"
    return f"{timing.median / reference.median:.2f}"


def table(bench: Bench) -> list[str]:
    """The Markdown table of one subject's rows."""
    references = [bench.row(RUFF), bench.row(LINT), bench.row(GRIMP)]
    lines = [
        f"### {bench.label}",
        "",
        "| command | median s | best s | peak MB | output "
        "| ÷ ruff | ÷ lint-imports | ÷ raw grimp |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, timing in bench.rows.items():
        ratios = " | ".join(_ratio(timing, reference) for reference in references)
        failed = f" (failed: {timing.failure})" if timing.failure else ""
        lines.append(
            f"| {name}{failed} | {timing.median:.2f} | {timing.best:.2f} "
            f"| {timing.peak_mb:.0f} | {_size(timing.output_bytes)} | {ratios} |"
        )
    return [*lines, "", *(f"{note}." for note in bench.notes), *([""] if bench.notes else [])]


def markdown(benches: Sequence[Bench], options: Options) -> list[str]:
    """The whole Markdown output: header, tables, scaling and targets."""
    jobs = f"`--jobs {options.jobs}`" if options.jobs else "default `--jobs` (one per core)"
    lines = ["## Results", "", *machine(), f"- ssot-arch with {jobs}", ""]
    for bench in benches:
        lines += table(bench)
    sizes = [b for b in benches if b.kind == "size" and CHECK_COLD in b.rows]
    if len(sizes) > 1:
        lines += ["### Scaling (check cold, median s)", ""]
        lines += [f"- {b.modules:,}: {b.rows[CHECK_COLD].median:.2f}" for b in sizes]
        lines.append("")
    lines += ["### Targets", ""]
    found = goals(benches)
    lines += [f"- {'met' if g.met else 'NOT met'}: {g.text}" for g in found]
    if not found:
        lines.append("- none measured in this run")
    return [*lines, ""]


def raw_record(benches: Sequence[Bench], options: Options) -> dict[str, object]:
    """The raw timings and targets, for `--json`."""
    return {
        "machine": machine(),
        "jobs": options.jobs,
        "repeat": options.repeat,
        "benches": [
            {
                "label": b.label,
                "kind": b.kind,
                "modules": b.modules,
                "rows": [
                    {**asdict(t), "median": t.median, "best": t.best} for t in b.rows.values()
                ],
            }
            for b in benches
        ],
        "targets": [asdict(g) for g in goals(benches)],
    }


# -- Command line ---------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help='synthetic sizes ("" for none)'
    )
    parser.add_argument("--shapes", default="", help="worst-case shapes: chain, ring")
    parser.add_argument("--tree", type=Path, help="an existing repository to measure too")
    parser.add_argument("--config", type=Path, help="its import-linter INI file (with --tree)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="OLD=MODULE:NAME",
        help="measure fix too (cold, warm, --write after a dry run) with this replacement",
    )
    parser.add_argument("--jobs", type=int, help="passed to every ssot-arch command")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ssot-arch-bench"))
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument("--timeout", type=float, help="seconds before a run is killed")
    parser.add_argument(
        "--memory-limit", type=int, metavar="MB", help="address space of each process (MB)"
    )
    # Shorter shapes, for the tests.
    parser.add_argument(
        "--chain-length", type=int, default=shapes.CHAIN_LENGTH, help=argparse.SUPPRESS
    )
    parser.add_argument("--ring-size", type=int, default=shapes.RING_SIZE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if (args.tree is None) != (args.config is None):
        parser.error("--tree and --config go together")
    unknown = set(_names(args.shapes)) - set(shapes.SHAPES)
    if unknown:
        parser.error(f"unknown shape(s): {', '.join(sorted(unknown))}")
    return args


def subjects(args: argparse.Namespace, work: Path) -> list[Subject]:
    """What to measure, in order: synthetic sizes, shapes, then the real tree."""
    found = [size_subject(int(size), work) for size in _names(args.sizes)]
    lengths = {"chain": args.chain_length, "ring": args.ring_size}
    found += [shape_subject(name, lengths[name], work) for name in _names(args.shapes)]
    if args.tree is not None:
        found.append(tree_subject(args.tree, args.config))
    return found


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    options = Options(
        args.repeat,
        work,
        args.jobs,
        Limits(args.timeout, args.memory_limit),
        tuple(args.replace),
    )
    benches = []
    for subject in subjects(args, work):
        # 100k modules: at most two repetitions.
        repeat = options.repeat if subject.modules < 100_000 else max(1, min(options.repeat, 2))
        benches.append(Runner(subject, replace(options, repeat=repeat)).measure_all())
    print("\n".join(markdown(benches, options)))
    if args.json is not None:
        args.json.write_text(json.dumps(raw_record(benches, options), indent=2) + "\n")


if __name__ == "__main__":
    main()
