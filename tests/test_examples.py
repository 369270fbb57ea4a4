"""The bundled example monorepo (README's first command) and the ready-made contracts."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import check_json, make_repo, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "monorepo"


def test_example_monorepo_findings():
    run = check_json(EXAMPLE)
    assert run.exit_code == 1
    assert run.violations() == [
        ("analytics_service/worker.py", 1, "logging"),
        ("auth_service/sessions.py", 7, "logging"),
        ("auth_service/tokens.py", 1, "structlog"),
        ("backend/app/routes/admin.py", 6, "logging"),
        ("backend/app/routes/api.py", 1, "loguru"),
        ("backend/app/services/billing.py", 1, "logging"),
        ("backend/app/utils/log.py", 2, "loguru"),
        ("test_framework/fixtures.py", 1, "loguru"),
        ("tests/e2e/test_login.py", 1, "logging"),
    ]
    assert run.json["coverage"]["unanalyzed"] == [
        {"file": "backend/app/legacy/report.py", "reason": "SyntaxError (line 6): for row in rows"}
    ]
    assert run.json["coverage"]["files_total"] == 28


def test_generic_contract_file_audits_every_direct_import():
    config = ROOT / "contracts" / "stdlib-logging.importlinter"
    run = check_json(EXAMPLE, "--config", str(config))
    # No gateways: the two SSOT modules' own imports are listed too.
    files = {f for f, _, _ in run.violations()}
    assert "shared/logging/unified_logger_factory.py" in files
    assert "backend/app/core/unified_logging.py" in files
    assert len(run.violations()) == 13


def test_monorepo_contract_file_on_a_skeleton_of_that_monorepo(tmp_path):
    roots = ["auth_service", "analytics_service", "test_framework", "dev_launcher", "tests"]
    repo = make_repo(
        tmp_path,
        {
            **{f"{root}/__init__.py": "" for root in roots},
            "netra_backend/app/core/unified_logging.py": "import logging\nimport loguru\n",
            "netra_backend/app/logging_config.py": "from .core.unified_logging import x\n",
            "shared/logging/__init__.py": "from .unified_logger_factory import get_logger\n",
            "shared/logging/unified_logger_factory.py": "import logging\n",
            "tests/e2e/test_x.py": "import loguru\n",
            "netra_backend/app/main.py": "from netra_backend.app import logging_config\n",
            "auth_service/main.py": "from shared.logging import get_logger\n",
        },
    )
    config = ROOT / "contracts" / "netra-monorepo.importlinter"
    run = check_json(repo, "--config", str(config))
    assert run.violations() == [("tests/e2e/test_x.py", 1, "loguru")]
    entries = run_cli("report", str(repo), "--config", str(config), "--format", "json")
    loaded = {
        entry: sorted(found["systems"])
        for entry, found in entries.json["contracts"][0]["entries"].items()
    }
    assert loaded == {
        "auth_service.main": ["shared_factory", "stdlib"],
        "netra_backend.app.main": ["loguru", "stdlib", "unified_logger"],
    }
    run = run_cli("check", str(EXAMPLE), "--config", str(config))
    assert run.exit_code == 2
    assert "root package 'netra_backend' was not found" in run.stderr


def test_the_project_keeps_its_own_contract():
    run = run_cli("check", str(ROOT))
    assert run.exit_code == 0, run.stdout
    assert "ssot-arch logs only through ssot_arch.logs [logging-ssot]: KEPT" in run.stdout
