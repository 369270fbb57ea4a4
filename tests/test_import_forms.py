"""Every way of writing an import is found, with its exact line."""

from __future__ import annotations

from tests.helpers import check_json, make_repo

GATEWAY = ("--gateway", "app.logs")


def test_every_import_form_is_a_violation_at_its_line(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/logs.py": "import logging\nfrom loguru import logger\n",
            "app/forms.py": """
                import os
                import logging.handlers
                from logging import getLogger
                import logging as lg, os
                from loguru import (
                    logger,
                )
                def f():
                    import structlog
                    return structlog
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from logging import Logger
                from . import logs
                from .logs import get
            """,
        },
    )
    run = check_json(repo, *GATEWAY)
    assert run.exit_code == 1, run.stderr
    assert run.violations() == [
        ("app/forms.py", 2, "logging"),
        ("app/forms.py", 3, "logging"),
        ("app/forms.py", 4, "logging"),
        ("app/forms.py", 5, "loguru"),
        ("app/forms.py", 9, "structlog"),
        ("app/forms.py", 13, "logging"),
    ]
    contents = [v["line_contents"] for v in run.json["contracts"][0]["violations"]]
    assert contents[0] == "import logging.handlers"
    assert contents[2] == "import logging as lg, os"


def test_type_checking_imports_can_be_left_out(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": """
                from typing import TYPE_CHECKING
                import loguru
                if TYPE_CHECKING:
                    import logging
            """,
            ".importlinter": """
                [importlinter]
                root_packages = app
                [importlinter:contract:ssot]
                name = SSOT
                type = ssot
                type_checking_imports = False
            """,
        },
    )
    assert check_json(repo).violations() == [("app/a.py", 2, "loguru")]


def test_relative_imports_resolve_to_first_party_modules_not_stdlib(tmp_path):
    # app/logging is the repository's own package: importing it is no violation,
    # while an absolute `import logging` is the standard library.
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/logging/__init__.py": "",
            "app/logging/setup.py": "from . import __name__ as n\n",
            "app/a.py": "from . import logging\nfrom .logging import setup\nimport logging\n",
        },
    )
    run = check_json(repo)
    assert run.violations() == [("app/a.py", 3, "logging")]


def test_gateway_module_covers_only_itself(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/logs.py": "import logging\n",
            "app/logs_extra.py": "import logging\n",
        },
    )
    assert check_json(repo, *GATEWAY).violations() == [("app/logs_extra.py", 1, "logging")]


def test_gateway_package_covers_its_descendants(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "shared/__init__.py": "",
            "shared/logging/__init__.py": "import logging\n",
            "shared/logging/factory/impl.py": "from loguru import logger\n",
            "shared/other.py": "import logging\n",
        },
    )
    run = check_json(repo, "--gateway", "shared.logging")
    assert run.violations() == [("shared/other.py", 1, "logging")]


def test_exclude_patterns_match_module_names(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "import logging\n",
            "app/tests/test_a.py": "import logging\n",
        },
    )
    run = check_json(repo, "--exclude", "app.tests.*")
    assert run.violations() == [("app/a.py", 1, "logging")]


def test_restricted_first_party_module_and_its_descendants(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/legacy_log/__init__.py": "from . import impl\n",
            "app/legacy_log/impl.py": "",
            "app/a.py": "from app.legacy_log import impl\n",
            "app/b.py": "import app.legacy_log\n",
        },
    )
    run = check_json(repo, "--restricted", "app.legacy_log")
    assert run.violations() == [
        ("app/a.py", 1, "app.legacy_log.impl"),
        ("app/b.py", 1, "app.legacy_log"),
    ]
