"""The contract type inside `lint-imports`, registered with `contract_types`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import LINT_IMPORTS, make_repo

CONFIG = """
[importlinter]
root_package = app
include_external_packages = True
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logging-ssot]
name = Logging goes through app.logs
type = ssot
gateways = app.logs
message = use app.logs.get_logger()
"""

APP = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\nfrom loguru import logger\n",
    "app/b.py": "from app import logs\n",
}


def lint_imports(repo: Path) -> subprocess.CompletedProcess:
    executable = LINT_IMPORTS
    env = {**os.environ, "PYTHONPATH": str(repo)}
    return subprocess.run(
        [str(executable), "--no-cache"], cwd=repo, env=env, capture_output=True, text=True
    )


def test_broken_contract_rendered_in_import_linters_style(tmp_path):
    repo = make_repo(tmp_path, {**APP, ".importlinter": CONFIG})
    completed = lint_imports(repo)
    assert completed.returncode == 1, completed.stderr
    report = completed.stdout[completed.stdout.index("Broken contracts") :]
    assert (
        "logging is imported outside the SSOT gateways:\n\n- app.a -> logging (l.1)\n\n"
        "loguru is imported outside the SSOT gateways:\n\n- app.a -> loguru (l.2)\n\n"
        "use app.logs.get_logger()"
    ) in report


def test_kept_contract(tmp_path):
    repo = make_repo(
        tmp_path, {**APP, "app/a.py": "from app.logs import x\n", ".importlinter": CONFIG}
    )
    completed = lint_imports(repo)
    assert completed.returncode == 0, completed.stdout
    assert "Logging goes through app.logs KEPT" in completed.stdout


def test_graph_without_external_packages_is_refused(tmp_path):
    config = CONFIG.replace("include_external_packages = True\n", "")
    repo = make_repo(tmp_path, {**APP, ".importlinter": config})
    completed = lint_imports(repo)
    assert completed.returncode == 1
    assert "ssot contracts need 'include_external_packages = True'" in completed.stdout


def test_gateway_missing_from_the_graph_breaks_the_contract(tmp_path):
    config = CONFIG.replace("gateways = app.logs", "gateways = app.log")
    repo = make_repo(tmp_path, {**APP, ".importlinter": config})
    completed = lint_imports(repo)
    assert completed.returncode == 1
    assert "gateways entry 'app.log' matches no module of the graph." in completed.stdout
