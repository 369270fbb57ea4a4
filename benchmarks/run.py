"""Benchmark ssot-arch against its peers on synthetic monorepos, in one run.

    python -m benchmarks.run --sizes 1000,10000,100000 --repeat 3

For each size the same generated tree (benchmarks/synthetic.py) is measured with:

* `ssot-arch check`, cold (`--no-cache`) and warm (content cache, in a fresh copy of
  the tree: new paths and modification times, as in a CI checkout);
* `ssot-arch report --format json`, cold and warm;
* raw `grimp.build_graph` of the same roots (in a subprocess, like the others), on the
  tree as it is (where grimp skips the folders without `__init__.py`) and on a copy in
  which every folder is a package (so that it reads every file, as ssot-arch does);
* `lint-imports` with the equivalent `protected` contract, on both trees too;
* ruff's banned-api rule (TID251) with the gateways exempted.

Each command runs `--repeat` times; the table shows the median and the minimum wall
time, the peak memory (max RSS of the process) and ratios. It then checks the
targets of the performance issue and says which are met. Output is Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from benchmarks.synthetic import GATEWAYS, RESTRICTED, SERVICES, generate

BIN = Path(sys.executable).parent


@dataclass
class Timing:
    name: str
    seconds: list[float]
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


def measure(
    name: str, command: list[str], repeat: int, cwd: Path, env: dict | None = None
) -> Timing:
    seconds, peak = [], 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            error = process.stderr.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{name} failed with exit status {code}:\n{error}")
        process.stderr.close()
    return Timing(name, seconds, peak)


def write_peer_configs(work: Path, tree: Path) -> tuple[Path, Path]:
    roots = "\n".join(f"    {name}" for name, _, _ in SERVICES)
    protected = "\n".join(f"    {m}" for m in RESTRICTED)
    allowed = "\n".join(f"    {g}" for g in GATEWAYS)
    lint = work / "lint-imports.ini"
    lint.write_text(
        f"[importlinter]\nroot_packages =\n{roots}\ninclude_external_packages = True\n\n"
        "[importlinter:contract:logging]\nname = logging only via the SSOT\ntype = protected\n"
        f"protected_modules =\n{protected}\nallowed_importers =\n{allowed}\n"
    )
    banned = "\n".join(f'"{m}".msg = "use the SSOT"' for m in RESTRICTED)
    ignores = "\n".join(f'"{g.replace(".", "/")}.py" = ["TID251"]' for g in GATEWAYS)
    ruff = work / "ruff.toml"
    ruff.write_text(
        '[lint]\nselect = ["TID251"]\n'
        f"[lint.flake8-tidy-imports.banned-api]\n{banned}\n[lint.per-file-ignores]\n{ignores}\n"
    )
    return lint, ruff


def bench_size(size: int, repeat: int, work: Path) -> dict[str, Timing]:
    tree = work / f"tree-{size}"
    if not tree.exists():
        generate(str(tree), size, seed=1)
    lint, ruff = write_peer_configs(work, tree)
    fresh = work / f"fresh-{size}"
    ssot = str(BIN / "ssot-arch")
    env = {**os.environ, "PYTHONPATH": f"{tree}:{tree / 'src'}"}
    roots = ", ".join(repr(name) for name, _, _ in SERVICES)
    results = {}

    def run(key: str, command: list[str], cwd: Path = tree, env_: dict | None = None) -> None:
        print(f"  {size:>7} modules: {key} ...", file=sys.stderr, flush=True)
        results[key] = measure(key, command, repeat, cwd, env_)

    run("check cold", [ssot, "check", str(tree), "--no-cache", "--format", "json"])
    run("report json cold", [ssot, "report", str(tree), "--no-cache", "--format", "json"])
    # Warm: prime the cache, then run in a fresh copy (new paths and mtimes). The default
    # cache folder is one per repository path; a CI checkout keeps its path, a copy
    # elsewhere shares the cache through --cache-dir.
    cache = ["--cache-dir", str(work / f"cache-{size}")]
    shutil.rmtree(work / f"cache-{size}", ignore_errors=True)
    for command in ("check", "report"):
        subprocess.run([ssot, command, str(tree), *cache], stdout=subprocess.DEVNULL, check=False)
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(tree, fresh, copy_function=shutil.copy)
    run("check warm", [ssot, "check", str(fresh), "--format", "json", *cache], cwd=fresh)
    run("report json warm", [ssot, "report", str(fresh), "--format", "json", *cache], cwd=fresh)
    grimp_code = (
        f"import grimp; grimp.build_graph({roots}, include_external_packages=True, cache_dir=None)"
    )
    run("raw grimp build_graph", [sys.executable, "-c", grimp_code], env_=env)
    run("lint-imports", [str(BIN / "lint-imports"), "--no-cache", str(lint)], env_=env)
    packaged = work / f"packaged-{size}"
    if not packaged.exists():
        shutil.copytree(tree, packaged)
        for folder, _, names in os.walk(packaged):
            if any(n.endswith(".py") for n in names) and "__init__.py" not in names:
                Path(folder, "__init__.py").write_text("")
    env_all = {**os.environ, "PYTHONPATH": f"{packaged}:{packaged / 'src'}"}
    run("raw grimp, every folder a package", [sys.executable, "-c", grimp_code], packaged, env_all)
    run(
        "lint-imports, every folder a package",
        [str(BIN / "lint-imports"), "--no-cache", str(lint)],
        packaged,
        env_all,
    )
    run(
        "ruff TID251",
        [str(BIN / "ruff"), "check", "--no-cache", "--exit-zero", "--config", str(ruff), "."],
    )
    shutil.rmtree(fresh, ignore_errors=True)
    return results


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


def table(size: int, results: dict[str, Timing]) -> list[str]:
    base = results["lint-imports"].median
    grimp = results["raw grimp build_graph"].median
    lines = [
        f"### {size:,} modules",
        "",
        "| command | median s | best s | peak MB | ÷ lint-imports | ÷ raw grimp |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, timing in results.items():
        lines.append(
            f"| {key} | {timing.median:.2f} | {timing.best:.2f} | {timing.peak_mb:.0f} "
            f"| {timing.median / base:.2f} | {timing.median / grimp:.2f} |"
        )
    return [*lines, ""]


def targets(all_results: dict[int, dict[str, Timing]]) -> list[str]:
    lines = ["### Targets", ""]

    def say(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else 'NOT met'}: {text}")

    if 10_000 in all_results:
        r = all_results[10_000]
        cold, lint = r["check cold"].median, r["lint-imports"].median
        grimp = r["raw grimp, every folder a package"].median
        say(cold <= lint, f"10k check cold {cold:.2f} s <= lint-imports {lint:.2f} s")
        say(
            cold <= 1.5 * grimp,
            f"10k check cold {cold:.2f} s <= 1.5 × raw grimp reading every file {grimp:.2f} s",
        )
        warm = r["check warm"].median
        say(warm < 0.5, f"10k check warm (fresh checkout) {warm:.2f} s < 0.5 s")
    for size, r in sorted(all_results.items()):
        check, report = r["check cold"].median, r["report json cold"].median
        say(report <= 2 * check, f"{size:,}: report json {report:.2f} s <= 2 × check {check:.2f} s")
    if 100_000 in all_results:
        r = all_results[100_000]
        cold, peak = r["check cold"].median, r["check cold"].peak_mb
        say(cold < 60, f"100k check cold {cold:.1f} s < 60 s")
        say(peak < 2048, f"100k check cold peak memory {peak:.0f} MB < 2 GiB")
        if 10_000 in all_results:
            ratio = cold / all_results[10_000]["check cold"].median
            say(ratio <= 12, f"100k / 10k check cold time ratio {ratio:.1f} <= 12")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/ssot-arch-bench")
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    all_results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        repeat = args.repeat if size < 100_000 else max(1, min(args.repeat, 2))
        all_results[size] = bench_size(size, repeat, work)
    lines = ["## Results", "", *machine(), ""]
    for size, results in sorted(all_results.items()):
        lines += table(size, results)
    if len(all_results) > 1:
        lines += ["### Scaling (check cold, median s)", ""]
        lines += [
            f"- {size:,}: {r['check cold'].median:.2f}" for size, r in sorted(all_results.items())
        ]
        lines.append("")
    lines += targets(all_results)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
