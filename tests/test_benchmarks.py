"""The benchmark harness: its shapes, its peer configurations, its targets, one run."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import run, shapes
from benchmarks.run import Bench, Timing, goals
from tests.helpers import check_json, make_repo

ROOT = Path(__file__).resolve().parents[1]


def written_imports(tree: Path, package: str) -> dict[str, list[str]]:
    """Module -> the modules its file imports, read back from the generated files."""
    found = {}
    for path in sorted((tree / package).glob("*.py")):
        if path.name != "__init__.py":
            text = path.read_text(encoding="utf-8")
            found[f"{package}.{path.stem}"] = re.findall(r"^import (\S+)$", text, re.M)
    return found


def test_chain_files_import_the_next_module_and_the_last_logging(tmp_path):
    shape = shapes.chain(50)
    shapes.write(shape, str(tmp_path))
    modules = written_imports(tmp_path, "chain")
    assert len(modules) == 50
    assert all(modules[f"chain.a{i}"] == [f"chain.a{i + 1}"] for i in range(49))
    assert modules["chain.a49"] == ["logging"]
    assert written_imports(tmp_path, "app") == {"app.log": ["logging"]}
    assert shape.violations == ["chain.a49"]


def test_chain_has_one_violation_for_ssot_arch(tmp_path):
    shapes.write(shapes.chain(50), str(tmp_path))
    result = check_json(tmp_path, "--no-cache")
    assert result.exit_code == 1
    assert result.violations() == [("chain/a49.py", 3, "logging")]


def test_ring_closes_and_evenly_spaced_modules_import_logging(tmp_path):
    shape = shapes.ring(200, loggers=50)
    shapes.write(shape, str(tmp_path))
    modules = written_imports(tmp_path, "ring")
    assert len(modules) == 200
    assert all(modules[f"ring.m{i}"][0] == f"ring.m{(i + 1) % 200}" for i in range(200))
    loggers = sorted(int(m[6:]) for m, imported in modules.items() if "logging" in imported)
    assert loggers == list(range(0, 200, 4))
    assert len(shape.imports) == 201  # and the gateway, which nobody imports
    assert not any("app.log" in imported for imported in modules.values())


def test_tree_mode_translates_the_contracts_for_the_peers(tmp_path):
    tree = make_repo(
        tmp_path / "repo",
        {
            "src/svc/__init__.py": "",
            "src/svc/log.py": "import logging\n",
            "lib/__init__.py": "",
            "lib/logs/__init__.py": "import loguru\n",
        },
    )
    config = (
        make_repo(
            tmp_path,
            {
                "contracts.ini": """
                [importlinter]
                root_packages =
                    svc
                    lib
                include_external_packages = True
                contract_types =
                    ssot: ssot_arch.contract.SSOTContract

                [importlinter:contract:logs]
                name = Logging through the gateways
                type = ssot
                restricted_modules =
                    logging
                    loguru
                gateways =
                    svc.log
                    lib.logs
                systems =
                    unified = svc.log, lib.logs
                    stdlib = logging

                [importlinter:contract:layers]
                name = Not an SSOT contract
                type = layers
                layers =
                    svc
                    lib

                [ssot-arch]
                source_roots =
                    src
                    .
            """
            },
        )
        / "contracts.ini"
    )
    spec = run.read_spec(config)
    assert spec.roots == ("svc", "lib")
    assert [c.id for c in spec.contracts] == ["logs"]
    assert run.ruff_config(tree, spec) == (
        '[lint]\nselect = ["TID251"]\n\n'
        "[lint.flake8-tidy-imports.banned-api]\n"
        '"logging".msg = "use the SSOT"\n"loguru".msg = "use the SSOT"\n\n'
        "[lint.per-file-ignores]\n"
        '"src/svc/log.py" = ["TID251"]\n"lib/logs/**" = ["TID251"]\n'
    )
    assert run.lint_imports_config(spec) == (
        "[importlinter]\nroot_packages =\n    svc\n    lib\ninclude_external_packages = True\n\n"
        "[importlinter:contract:logs]\nname = logs (protected)\ntype = protected\n"
        "protected_modules =\n    logging\n    loguru\n"
        "allowed_importers =\n    svc.log\n    lib.logs\n"
    )
    assert run.ruff_paths(tree, spec) == ["src/svc", "lib"]
    assert run.python_path(tree, spec).split(":") == [str(tree / "src"), str(tree)]


def test_a_contract_without_restricted_modules_restricts_the_defaults(tmp_path):
    config = tmp_path / "setup.ini"
    config.write_text(
        "[importlinter]\nroot_packages = a\n\n"
        "[importlinter:contract:x]\nname = x\ntype = ssot\ngateways = a.log\n"
    )
    spec = run.read_spec(config)
    assert spec.restricted == ("logging", "loguru", "structlog")
    assert spec.source_roots == ("src", ".")


def test_every_ssot_arch_command_gets_the_config_and_the_jobs(tmp_path):
    subject = run.shape_subject("chain", 3, tmp_path)
    runner = run.Runner(subject, run.Options(1, tmp_path, jobs=3))
    argv = runner.ssot("check", tmp_path / "fresh", "--no-cache")
    assert argv[1:] == [
        *("check", str(tmp_path / "fresh"), "--config", str(tmp_path / "fresh/.importlinter")),
        *("--jobs", "3", "--no-cache"),
    ]
    assert "--jobs" not in run.Runner(subject, run.Options(1, tmp_path)).ssot("report", tmp_path)


def bench(kind: str, modules: int, rows: dict[str, tuple[float, float]] | None = None) -> Bench:
    """A Bench with rows `name: (median seconds, peak MB)`."""
    timings = {
        name: Timing(name, [seconds], peak) for name, (seconds, peak) in (rows or {}).items()
    }
    return Bench(f"{kind} {modules}", kind, modules, timings)


def verdicts(benches: list[Bench]) -> dict[str, bool]:
    return {goal.text: goal.met for goal in goals(benches)}


def test_targets_met_and_not_met():
    small = bench("size", 10_000, {"check cold": (1.0, 100), "ruff TID251": (2.0, 20)})
    large = bench(
        "size",
        100_000,
        {"check cold": (14.0, 900), "ruff TID251": (5.0, 50), "report json cold": (20.0, 1100)},
    )
    found = verdicts([small, large])
    assert found == {
        "size 10000: check cold ≤ ruff TID251: 1.00 s against 2.00 s": True,
        "size 100000: check cold ≤ 2 × ruff TID251: 14.00 s against 5.00 s": False,
        "size 100000: check cold < 15 s: 14.00 s": True,
        "size 100000: peak memory < 1024 MB: 1100 MB (report json cold)": False,
        "size 100000: report json cold ≤ 2 × check cold: 20.00 s against 14.00 s": True,
        "size 100000: check cold time ratio to size 10000 ≤ 12: 14.0": False,
    }


def test_targets_of_the_real_tree_and_the_shapes():
    tree = bench(
        "tree",
        6_775,
        {
            "check cold": (1.0, 100),
            "check warm": (0.5, 40),  # a fresh copy: not the pre-commit target's row
            "check warm, same checkout": (0.2, 40),
            "report json cold": (2.0, 150),
            "report json warm": (1.6, 120),
            "lint-imports": (1.5, 110),
            "fix dry run cold": (25.0, 300),
            "fix --write after a dry run": (12.0, 200),
        },
    )
    chain = bench("chain", 5_001, {"report json cold": (3.0, 600)})
    chain.rows["report json cold"].output_bytes = 20 * 2**20
    found = verdicts([tree, chain])
    assert found == {
        "tree 6775: report json cold ≤ 1.5 × lint-imports: 2.00 s against 1.50 s": True,
        "tree 6775: report json warm ≤ lint-imports: 1.60 s against 1.50 s": False,
        "tree 6775: check warm, same checkout < 0.3 s: 0.20 s": True,
        "tree 6775: fix dry run cold < 30 s: 25.00 s": True,
        "tree 6775: fix --write after a dry run < 10 s: 12.00 s": False,
        "chain 5001: report json cold < 10 s: 3.00 s": True,
        "chain 5001: peak memory < 500 MB: 600 MB (report json cold)": False,
        "chain 5001: report json cold JSON < 10 MB: 20.0 MB": False,
    }


def test_a_failed_row_fails_its_targets():
    ring = bench("ring", 50_001, {"report json cold": (60.5, 900)})
    ring.rows["report json cold"].failure = "timed out after 60 s"
    assert verdicts([ring]) == {
        "ring 50001: report json cold < 60 s: report json cold failed (timed out after 60 s)": (
            False
        ),
        "ring 50001: peak memory < 2048 MB: report json cold failed (timed out after 60 s)": (
            False
        ),
    }


def test_no_rows_no_targets():
    assert goals([bench("size", 1_000)]) == []


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_measure_times_each_run_and_sizes_the_output(tmp_path):
    output = tmp_path / "out.json"
    code = f"import sys; open({str(output)!r}, 'w').write('x' * 1000); sys.exit(1)"
    timing = run.measure("write", python(code), 2, tmp_path, output=output)
    assert (len(timing.seconds), timing.output_bytes, timing.failure) == (2, 1000, None)
    assert timing.peak_mb > 1


def test_measure_reports_a_crash_a_timeout_and_the_memory_limit(tmp_path):
    crash = run.measure("crash", python("import sys; sys.exit(3)"), 3, tmp_path)
    assert (crash.seconds.__len__(), crash.failure) == (1, "exit status 3")
    limits = run.Limits(timeout=0.5)
    slow = run.measure("slow", python("import time; time.sleep(30)"), 1, tmp_path, limits=limits)
    assert slow.failure == "timed out after 0.5 s"
    assert slow.median < 10
    limits = run.Limits(memory_mb=300)
    big = run.measure("big", python("b = bytearray(600 * 2**20)"), 1, tmp_path, limits=limits)
    assert big.failure == "exit status 1: MemoryError"


def test_smoke_run_prints_the_tables_and_the_targets(tmp_path):
    timings = tmp_path / "timings.json"
    command = [
        *(sys.executable, "-m", "benchmarks.run", "--sizes", "200", "--repeat", "1"),
        *("--shapes", "chain", "--chain-length", "50", "--jobs", "1"),
        *("--workdir", str(tmp_path / "work"), "--json", str(timings)),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    markdown = result.stdout
    assert "### 200 modules" in markdown
    assert "### chain shape, 50 modules (shortened: the issue's has 5,000)" in markdown
    assert "| command | median s | best s | peak MB | output | ÷ ruff |" in markdown
    for row in ("check cold", "report json cold", "check warm", "lint-imports", "ruff TID251"):
        assert f"| {row} |" in markdown
    assert "### Targets" in markdown
    assert "200 modules: check cold" in markdown
    assert "chain shape, 50 modules (shortened: the issue's has 5,000): report json cold" in (
        markdown
    )
    assert "ruff TID251 ..." in result.stderr
    record = json.loads(timings.read_text())
    assert [b["kind"] for b in record["benches"]] == ["size", "chain"]
    report = next(r for r in record["benches"][1]["rows"] if r["name"] == "report json cold")
    assert report["output_bytes"] > 0


def test_fix_rows_on_a_real_tree(tmp_path):
    # The bundled example, with its own contract (replacements included): fix cold, warm
    # and --write on a copy, which leaves the example as it is.
    example = ROOT / "examples" / "monorepo"
    before = {p: p.read_bytes() for p in example.rglob("*.py")}
    command = [
        *(sys.executable, "-m", "benchmarks.run", "--sizes", "", "--repeat", "1"),
        *("--tree", str(example), "--config", str(example / ".importlinter")),
        *("--replace", "logging.getLogger=shared.logging:get_logger", "--jobs", "1"),
        *("--workdir", str(tmp_path / "work")),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    for row in (run.FIX_COLD, run.FIX_WARM, run.FIX_WRITE):
        assert f"| {row} |" in result.stdout
    assert "failed" not in result.stdout
    assert re.search(r"^fix: \d+ violating files; cold [\d.]+ files/s, warm", result.stdout, re.M)
    assert {p: p.read_bytes() for p in example.rglob("*.py")} == before


def test_the_engines_comparison_counts_what_the_quick_engine_answers(tmp_path):
    from benchmarks.fix_realdata import compare_engines

    tree = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/plain.py": "import logging\n\nlog = logging.getLogger(__name__)\n",
            "app/nested.py": "def f():\n    import logging\n    return logging.getLogger('f')\n",
            "app/other.py": "import os\n",
        },
    )
    found = compare_engines(tree)
    assert found["files"] == 2  # the files importing a restricted module
    assert found["answered_by_quick"] == 1  # the nested import is LibCST's
    assert found["differ"] == []
