"""`ssot-arch init` on a fixture repository of each kind: the gateways and systems it
finds, and the configuration it writes, read back by `check`."""

from __future__ import annotations

import configparser
import shutil
import sys
from pathlib import Path

import pytest

from ssot_arch.analysis.adoption import is_logger_name
from tests.helpers import make_repo, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def users(package: str, source: str, count: int, prefix: str = "user") -> dict[str, str]:
    """`count` modules of `package` importing `source`'s loggers."""
    return {
        f"{package}/{prefix}{n}.py": f"{source}\n\nlog = get_logger(__name__)\n"
        for n in range(count)
    }


WRAPS_LOGGING = "import logging\n\ndef get_logger(name):\n    return logging.getLogger(name)\n"
WRAPS_STRUCTLOG = (
    "import structlog\n\ndef get_logger(name):\n    return structlog.get_logger(name)\n"
)

KINDS = {
    # One SSOT: app.logs wraps logging; two modules still import logging directly.
    "one-ssot": (
        {
            "app/__init__.py": "",
            "app/logs.py": WRAPS_LOGGING,
            **users("app", "from app.logs import get_logger", 5),
            "app/old1.py": "import logging\n",
            "app/old2.py": "import logging.handlers\n",
        },
        ["app.logs"],
        {"logs": True, "stdlib": False},
        2,
    ),
    # Two competing SSOTs: the backend's loguru wrapper and a shared library's factory.
    "two-ssots": (
        {
            "backend/__init__.py": "",
            "backend/log.py": "from loguru import logger as central_logger\n",
            **{f"backend/m{n}.py": "from backend.log import central_logger\n" for n in range(6)},
            "lib/__init__.py": "",
            "lib/logging_factory.py": WRAPS_LOGGING,
            **users("lib", "from lib.logging_factory import get_logger", 2),
            "worker/__init__.py": "",
            **users("worker", "from lib.logging_factory import get_logger", 2),
            "worker/direct.py": "import logging\n",
        },
        ["backend.log", "lib.logging_factory"],
        {"log": True, "logging_factory": True, "stdlib": False},
        1,
    ),
    # A loguru-based SSOT, re-exported by its package: the package is a facade.
    "loguru-ssot": (
        {
            "svc/__init__.py": "",
            "svc/logging/__init__.py": "from .core import logger\n",
            "svc/logging/core.py": "from loguru import logger\n",
            **{f"svc/u{n}.py": "from svc.logging import logger\n" for n in range(4)},
            "svc/raw.py": "from loguru import logger\n",
        },
        ["svc.logging.core"],
        {"core": True, "loguru": False},
        1,
    ),
    # structlog beside stdlib: the SSOT wraps structlog, stdlib competes.
    "structlog-and-stdlib": (
        {
            "api/__init__.py": "",
            "api/log.py": WRAPS_STRUCTLOG,
            **users("api", "from api.log import get_logger", 3),
            **{f"api/legacy{n}.py": "import logging\n" for n in range(3)},
        },
        ["api.log"],
        {"log": True, "stdlib": False},
        3,
    ),
    # A src layout.
    "src-layout": (
        {
            "src/pkg/__init__.py": "",
            "src/pkg/logs.py": WRAPS_LOGGING,
            **users("src/pkg", "from pkg.logs import get_logger", 3),
            "src/pkg/raw.py": "import logging\n",
        },
        ["pkg.logs"],
        {"logs": True, "stdlib": False},
        1,
    ),
    # No SSOT at all: everybody imports logging.
    "no-ssot": (
        {
            "tool/__init__.py": "",
            **{
                f"tool/t{n}.py": "import logging\n\nlog = logging.getLogger(__name__)\n"
                for n in range(4)
            },
        },
        [],
        {"stdlib": False},
        4,
    ),
}


def init_json(repo, *args):
    run = run_cli("init", str(repo), "--format", "json", *args)
    assert run.exit_code == 0, run.stderr
    return run.json


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_init_finds_the_gateways_and_systems(tmp_path, kind):
    files, gateways, systems, violations = KINDS[kind]
    proposal = init_json(make_repo(tmp_path, files))
    assert proposal["gateways"] == gateways
    assert {s["name"]: s["ssot"] for s in proposal["systems"]} == systems
    assert proposal["violations"] == violations
    assert [c["module"] for c in proposal["candidates"] if c["intended"]] == gateways
    if kind == "no-ssot":
        assert proposal["candidates"] == [] and "there is no SSOT yet" in proposal["notes"][0]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("name", [".importlinter", "setup.cfg", "pyproject.toml"])
def test_the_written_configuration_round_trips_through_check(tmp_path, kind, name):
    files, gateways, _, violations = KINDS[kind]
    repo = make_repo(tmp_path, files)
    written = init_json(repo, "--write", str(repo / name))
    assert written["written"] == str(repo / name)
    check = run_cli("check", str(repo), "--format", "json")
    assert check.exit_code == (1 if violations else 0), check.stderr
    contracts = check.json["contracts"]
    assert [c["id"] for c in contracts] == ["logging-ssot"]
    assert len(contracts[0]["violations"]) == violations
    assert contracts[0]["gateways"] == gateways
    assert check.json["coverage"]["files_analyzed"] == check.json["coverage"]["files_total"]


def test_the_proposal_counts_libraries_and_explains_candidates(tmp_path):
    files = KINDS["two-ssots"][0]
    proposal = init_json(make_repo(tmp_path, files))
    assert proposal["libraries"] == {"logging": 2, "loguru": 1}
    best = proposal["candidates"][0]
    assert best["module"] == "backend.log" and best["score"] == 6
    assert best["names"] == {"central_logger": 6} and best["wraps"] == ["loguru"]
    assert "6 modules import logger names from it (central_logger ×6)" in best["why"]
    factory = proposal["candidates"][1]
    assert factory["score"] == 4 and "used from 2 root packages" in factory["why"]
    assert proposal["priorities"] == ["worker.*"]  # the only root with a violation
    assert proposal["contract"]["restricted_modules"] == ["logging", "loguru"]


def test_a_file_s_own_text_stays_and_one_line_is_added_to_its_session(tmp_path):
    existing = (
        "# our architecture\n"
        "[importlinter]\n"
        "root_packages =\n"
        "    app\n"
        "include_external_packages = True\n"
        "\n"
        "[importlinter:contract:layers]\n"
        "name = Layers\n"
        "type = layers\n"
        "layers =\n"
        "    app.logs\n"
    )
    repo = make_repo(tmp_path, {**KINDS["one-ssot"][0], ".importlinter": existing})
    init_json(repo, "--write", str(repo / ".importlinter"))
    text = (repo / ".importlinter").read_text()
    added = "contract_types =\n    ssot: ssot_arch.contract.SSOTContract\n"
    assert text.startswith(existing.replace("[importlinter]\n", "[importlinter]\n" + added))
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    assert parser.get("importlinter:contract:logging-ssot", "type") == "ssot"
    assert parser.get("importlinter:contract:layers", "type") == "layers"  # kept


def test_an_existing_contract_is_never_overwritten(tmp_path):
    repo = make_repo(tmp_path, KINDS["one-ssot"][0])
    init_json(repo, "--write", str(repo / "setup.cfg"))
    before = (repo / "setup.cfg").read_text()
    again = run_cli("init", str(repo), "--write", str(repo / "setup.cfg"))
    assert again.exit_code == 2
    assert "already has a contract [importlinter:contract:logging-ssot]" in again.stderr
    assert (repo / "setup.cfg").read_text() == before


def test_pyproject_gets_tables_in_its_own_syntax(tmp_path):
    existing = '[project]\nname = "demo"\n'
    repo = make_repo(tmp_path, {**KINDS["src-layout"][0], "pyproject.toml": existing})
    init_json(repo, "--write", str(repo / "pyproject.toml"))
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(existing)
    data = tomllib.loads(text)
    assert data["tool"]["importlinter"]["root_packages"] == ["pkg"]
    assert data["tool"]["importlinter"]["contracts"][0]["gateways"] == ["pkg.logs"]
    assert data["tool"]["ssot-arch"]["source_roots"] == ["src"]


def test_an_unreadable_file_is_refused_and_left_alone(tmp_path):
    repo = make_repo(tmp_path, {**KINDS["one-ssot"][0], "lint.ini": "[broken\n"})
    run = run_cli("init", str(repo), "--write", str(repo / "lint.ini"))
    assert run.exit_code == 2 and "lint.ini: cannot be read as INI" in run.stderr
    assert (repo / "lint.ini").read_text() == "[broken\n"


def test_without_write_nothing_is_written(tmp_path):
    repo = make_repo(tmp_path, KINDS["one-ssot"][0])
    before = sorted(p.name for p in repo.iterdir())
    text = run_cli("init", str(repo)).stdout
    assert "Write it with --write FILE" in text and "<- SSOT" in text
    assert sorted(p.name for p in repo.iterdir()) == before


@pytest.mark.parametrize(
    ("name", "is_logger"),
    [
        ("logger", True),
        ("central_logger", True),
        ("CentralLogger", True),
        ("get_logger", True),
        ("getLogger", True),
        ("setup_logging", True),
        ("LogFormatter", False),
        ("SupplyCatalogService", False),
        ("login", False),
        ("generate_realistic_logs", False),
    ],
)
def test_logger_names(name, is_logger):
    assert is_logger_name(name) is is_logger


def test_nothing_to_write_without_a_logging_library(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/a.py": "import os\n"})
    assert "No module imports a logging library" in run_cli("init", str(repo)).stdout
    run = run_cli("init", str(repo), "--write", str(repo / ".importlinter"))
    assert run.exit_code == 2 and "there is no contract to write" in run.stderr
    assert not (repo / ".importlinter").exists()


def test_the_count_is_the_checks_with_the_roots_of_the_file_written_to(tmp_path):
    # The file's own session names one root of two: the proposal counts what `check`
    # will count with that file, not with every root found.
    files = {**KINDS["two-ssots"][0], "setup.cfg": "[importlinter]\nroot_packages =\n    lib\n"}
    repo = make_repo(tmp_path, files)
    proposal = init_json(repo, "--write", str(repo / "setup.cfg"))
    check = run_cli("check", str(repo), "--format", "json")
    assert proposal["violations"] == len(check.json["contracts"][0]["violations"])


def test_a_second_logger_module_joining_the_gateway_is_a_violator_not_the_ssot(tmp_path):
    """Issue 22: `init` put `pkg.utils.common` (which imports loguru itself) into the SSOT
    system beside the gateway `pkg.logs`; the report then said 100 % compliant while
    `check` listed that very violation. A module is part of an SSOT system only as a
    gateway (or a facade that imports no library): the joiner is a violator, said so."""
    files = {
        "pkg/__init__.py": "",
        "pkg/logs.py": "from loguru import logger\n",
        "pkg/utils/__init__.py": "",
        "pkg/utils/common.py": "from loguru import logger\n\nlogger = logger.bind(x=1)\n",
        **{
            f"pkg/m{n}.py": "from pkg.logs import logger\nfrom pkg.utils.common import logger\n"
            for n in range(4)
        },
    }
    repo = make_repo(tmp_path, files)
    proposal = init_json(repo, "--write", str(repo / ".importlinter"))
    assert proposal["gateways"] == ["pkg.logs"]
    ssot = [s for s in proposal["systems"] if s["ssot"]]
    assert [s["entries"] for s in ssot] == [["pkg.logs"]]
    assert any("pkg.utils.common also imports loguru" in note for note in proposal["notes"])
    assert proposal["violations"] == 1
    report = run_cli("report", str(repo), "--format", "json")
    rows = report.json["contracts"][0]["compliance"]
    assert all(r["compliance_pct"] < 100 for r in rows if r["violations"]), rows
    assert sum(r["violating_files"] for r in rows if r["group"] == "pkg") == 1


def test_init_proposes_the_replacements_fix_needs(tmp_path):
    """Issue 22: init knew that modules import `logger` from the SSOT, yet proposed no
    `replacements`, so `plan` said 0 automatic. It proposes them from what the code
    already imports, and says how many files `fix` would then migrate safely."""
    files = {
        "pkg/__init__.py": "",
        "pkg/logs.py": "from loguru import logger\n",
        **{f"pkg/m{n}.py": "from pkg.logs import logger\n\nlogger.info('m')\n" for n in range(4)},
        "pkg/old.py": "from loguru import logger\n\nlogger.info('old')\n",
        "pkg/odd.py": "from loguru import logger\n\nlogger.opt(depth=1).info('odd')\n",
    }
    repo = make_repo(tmp_path, files)
    proposal = init_json(repo, "--write", str(repo / ".importlinter"))
    assert proposal["contract"]["replacements"] == ["loguru.logger = pkg.logs:logger"]
    # `opt` is loguru's own and pkg.logs re-exports loguru's logger: both are proven.
    assert proposal["migratable"] == 2 == proposal["violations"]
    plan = run_cli("plan", str(repo), "--format", "json").json
    assert plan["totals"]["automatic"] == 2


def test_init_on_the_example_proposes_what_plan_needs(tmp_path):
    example = Path(__file__).resolve().parents[1] / "examples" / "monorepo"
    repo = tmp_path / "example"
    shutil.copytree(example, repo)
    proposal = init_json(repo, "--write", str(repo / "proposed.ini"))
    assert proposal["contract"]["replacements"] == ["logging.getLogger = shared.logging:get_logger"]
    plan = run_cli("plan", str(repo), "--config", str(repo / "proposed.ini"), "--format", "json")
    # The example's own contract (written by hand) migrates the same getLogger files.
    own = run_cli("plan", str(repo), "--format", "json")
    assert plan.json["totals"]["automatic"] == own.json["totals"]["automatic"] == 4
    assert proposal["migratable"] == 4


@pytest.mark.parametrize("name", [".importlinter", "pyproject.toml"])
def test_a_top_level_module_init_finds_is_checked_too(tmp_path, name):
    """Issue 22: init reported a top-level setup.py, then wrote root_packages without it
    (import-linter takes packages only), so check never saw it. It goes to
    `[ssot-arch] root_modules`, which ssot-arch reads beside the packages."""
    files = {
        "pkg/__init__.py": "",
        "pkg/logs.py": WRAPS_LOGGING,
        **users("pkg", "from pkg.logs import get_logger", 3),
        "setup.py": "import logging\nfrom setuptools import setup\n\nsetup()\n",
    }
    repo = make_repo(tmp_path, files)
    proposal = init_json(repo, "--write", str(repo / name))
    assert proposal["violations"] == 1  # setup.py's
    check = run_cli("check", str(repo), "--format", "json")
    assert [(v["file"], v["imported"]) for v in check.json["contracts"][0]["violations"]] == [
        ("setup.py", "logging")
    ]
    text = (repo / name).read_text()
    assert (
        'root_modules = ["setup"]' if name.endswith(".toml") else "root_modules =\n    setup"
    ) in text


def test_roots_no_import_can_name_are_left_out_and_said_so(tmp_path):
    """A top-level `deploy-tool.py` or `bad-dir/` is analysed by a check without
    configuration (as not importable), but no configuration can name it as a root: init
    wrote it into root_modules and then refused its own file ("please report this", on
    the audit commit). It is left out of the roots, and the proposal says so."""
    files = {
        "pkg/__init__.py": "",
        "pkg/logs.py": WRAPS_LOGGING,
        **users("pkg", "from pkg.logs import get_logger", 3),
        "deploy-tool.py": "import logging\n",
        "bad-dir/x.py": "import logging\n",
    }
    repo = make_repo(tmp_path, files)
    proposal = init_json(repo, "--write", str(repo / ".importlinter"))
    assert proposal["roots"]["modules"] == []
    assert any("bad-dir, deploy-tool.py" in note for note in proposal["notes"])
    check = run_cli("check", str(repo), "--format", "json")
    assert check.exit_code in (0, 1), check.stderr
    assert "deploy-tool.py" not in check.stdout
