"""Every way of writing an import is found, with its exact line."""

from __future__ import annotations

from tests.helpers import check_json, make_repo, run_cli

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


def _worker_answers(tmp_path, repo, monkeypatch, lending_breaks):
    """The scan worker's answers for every file of `repo`, served in this process (see
    scan_worker.py); with `lending_breaks`, grimp refuses the plain constructors the
    worker lends it, as a grimp that builds its answer otherwise would."""
    import io
    import json
    import pickle

    from ssot_arch.adapters.filesystem.decoding import decode
    from ssot_arch.adapters.scanning import grimp_scan, scan_worker
    from ssot_arch.adapters.scanning.universe import collect_universe, discover_layout

    refused = []
    if lending_breaks:

        def refuse(*args, **kwargs):
            refused.append(args or kwargs)
            raise TypeError("not a DirectImport")

        monkeypatch.setattr(scan_worker, "_plain_import", refuse)
    universe = collect_universe(str(repo), discover_layout(str(repo), [str(repo)]).roots)
    cap = grimp_scan.relative_cap(universe)
    sources = {f.module: decode(universe.read(f), f.path, cap, False) for f in universe.files}
    folder = tmp_path / ("scan-broken" if lending_breaks else "scan")
    folder.mkdir()
    scanner = grimp_scan._Scanner(universe, sources, str(folder))
    requests, answers = io.BytesIO(), io.BytesIO()
    pickle.dump(scanner.grimp_layout, requests)
    modules = tuple(sorted(scanner.virtual_of.values()))
    for exclude_type_checking in (False, True, False):
        pickle.dump((modules, exclude_type_checking), requests)
    requests.seek(0)
    scan_worker.serve(requests, answers)
    assert len(refused) == (1 if lending_breaks else 0)  # tried once, then left alone
    decoded = []
    for answer in map(json.loads, answers.getvalue().splitlines()[1:]):
        names, texts = answer["names"], answer["texts"]
        decoded.append(
            {
                scanner.module_of[module]: [
                    (names[flat[i]], flat[i + 1], texts[flat[i + 2]])
                    for i in range(0, len(flat), 3)
                ]
                for module, flat in answer["imports"].items()
            }
        )
    return decoded


def test_the_scan_worker_answers_alike_whether_grimp_takes_its_constructors(tmp_path, monkeypatch):
    # The worker lends grimp plain constructors for its answer (scan_worker.py); if
    # grimp refuses them, it scans again with grimp's own objects, and keeps to those.
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "from .logs import get\n",
            "app/logs.py": "import logging\nfrom loguru import logger\n",
            "app/sub/__init__.py": "",
            "app/sub/deep.py": """
                from typing import TYPE_CHECKING
                from ... import beyond
                from .. import logs
                from ..logs import get, logger as lg
                import app.logs, os.path
                if TYPE_CHECKING:
                    from logging import Logger
                def f():
                    import structlog
            """,
            "other.py": "import app.sub.deep\nfrom app import missing\n",
        },
    )
    lent = _worker_answers(tmp_path, repo, monkeypatch, lending_breaks=False)
    own = _worker_answers(tmp_path, repo, monkeypatch, lending_breaks=True)
    assert lent == own
    assert lent[0] == lent[2] != lent[1]  # the second scan leaves TYPE_CHECKING out
    deep = lent[0]["app.sub.deep"]
    assert (None, 2, "from ... import beyond") in deep
    assert ("app.logs", 4, "from ..logs import get, logger as lg") in deep
    assert ("logging", 7, "from logging import Logger") in deep
    assert deep == sorted(deep, key=lambda row: (row[1], row[0] or "", row[2]))


def test_the_installed_grimp_has_the_scanner_the_worker_drives():
    from ssot_arch.adapters.scanning import scan_worker

    assert scan_worker.scanner_problem() is None


def test_a_grimp_whose_private_scanner_changed_is_named_not_crashed_on(tmp_path, monkeypatch):
    """Issue 23: the worker drives grimp's private scanner; the pin now admits later
    grimp 3.x releases. A release that changed the scanner is refused at the worker's
    start with what changed and the grimp that works (faked here three ways), and the
    command stops with exit 3 and that message, no traceback."""
    import dataclasses
    import io
    import json

    from grimp import _rustgrimp as rust  # noqa: TID251 (the test fakes a change in it)
    from grimp.application.ports import modulefinder

    from ssot_arch.adapters.scanning import scan_worker

    def scan_for_imports(module_files, found_packages, file_system):
        return {}

    monkeypatch.setattr(rust, "scan_for_imports", scan_for_imports)
    assert "scan_for_imports takes file_system, found_packages, module_files, not" in (
        scan_worker.scanner_problem() or ""
    )
    monkeypatch.undo()

    @dataclasses.dataclass(frozen=True)
    class FoundPackage:
        name: str
        directory: str

    monkeypatch.setattr(modulefinder, "FoundPackage", FoundPackage)
    assert scan_worker.scanner_problem() == "FoundPackage has no module_files, namespace_packages"
    monkeypatch.undo()
    monkeypatch.delattr(rust, "RealBasicFileSystem")
    assert scan_worker.scanner_problem() == "grimp._rustgrimp.RealBasicFileSystem is gone"
    answers = io.BytesIO()
    scan_worker.serve(io.BytesIO(), answers)
    (answer,) = [json.loads(line) for line in answers.getvalue().splitlines()]
    assert answer["incompatible"].endswith(
        f"ssot-arch works with grimp {scan_worker.TESTED_GRIMP}: "
        f"pip install 'grimp=={scan_worker.TESTED_GRIMP}'"
    )
    monkeypatch.undo()
    # The command: a worker that answers so (started as a real process).
    from ssot_arch.adapters.scanning import scan_pool

    message = "grimp 9.9 changed the private import scanner ssot-arch drives (x)"
    monkeypatch.setattr(
        scan_pool, "_BOOT", f"import json; print(json.dumps({{'incompatible': {message!r}}}))"
    )
    repo = make_repo(tmp_path / "repo", {"app/__init__.py": "", "app/a.py": "import logging\n"})
    run = run_cli("check", str(repo), "--no-cache", "--restricted", "logging")
    assert run.exit_code == 3
    assert run.stderr == f"ssot-arch: error: {message}\n"
