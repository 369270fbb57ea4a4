"""Nothing is silently skipped: every file is analysed or listed with its reason."""

from __future__ import annotations

import os
import sys

import pytest

from tests.helpers import check_json, make_repo, run_cli


def coverage(run):
    return run.json["coverage"]


def test_folders_without_init_are_analysed(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/api/handlers/routes.py": "import logging\nfrom . import helpers\n",
            "svc/api/handlers/helpers.py": "",
            "scripts/tools/run.py": "from loguru import logger\n",  # a namespace root
        },
    )
    run = check_json(repo)
    assert run.violations() == [
        ("scripts/tools/run.py", 1, "loguru"),
        ("svc/api/handlers/routes.py", 1, "logging"),
    ]
    # helpers.py and svc/__init__.py cannot import logging: analysed by their text alone.
    assert (coverage(run)["files_analyzed"], coverage(run)["files_cleared_by_text"]) == (4, 2)
    report = run_cli("report", str(repo), "--format", "json").json
    assert report["coverage"]["files_total"] == report["coverage"]["files_analyzed"] == 4
    assert run.json["roots"] == ["scripts", "svc"]


def test_src_layout_and_two_roots(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "src/alpha/__init__.py": "import logging\n",
            "src/beta/__init__.py": "from alpha import x\n",
            "tests/test_alpha.py": "import logging\nimport alpha\n",
        },
    )
    run = check_json(repo)
    assert run.json["roots"] == ["alpha", "beta", "tests"]
    assert run.violations() == [
        ("src/alpha/__init__.py", 1, "logging"),
        ("tests/test_alpha.py", 1, "logging"),
    ]
    by_root = run.json["contracts"][0]["by_root"]
    assert by_root["alpha"] == {"violations": 1, "violating_files": 1}
    assert by_root["beta"] == {"violations": 0, "violating_files": 0}


def test_explicit_source_roots_and_root_packages(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "services/auth/auth_service/__init__.py": "import logging\n",
            "libs/shared/__init__.py": "",
            "other/__init__.py": "import logging\n",
        },
    )
    run = check_json(
        repo,
        "--source-root",
        "services/auth",
        "--source-root",
        "libs",
        "--root-package",
        "auth_service",
        "--root-package",
        "shared",
    )
    assert run.json["roots"] == ["auth_service", "shared"]
    assert run.violations() == [("services/auth/auth_service/__init__.py", 1, "logging")]


def test_broken_files_are_listed_and_the_rest_analysed(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/syntax.py": "import logging\ndef f(:\n",
            "app/nul.py": b"import logging\nx = 1\x00\n",
            "app/latin.py": b"import logging\nname = '\xe9t\xe9'\n",
            "app/good.py": "import logging\n",
            "app/declared.py": b"# -*- coding: latin-1 -*-\nimport logging\nname = '\xe9t\xe9'\n",
            "app/bom.py": b"\xef\xbb\xbfimport loguru\n",
        },
    )
    os.symlink(tmp_path / "missing.py", tmp_path / "app" / "dangling.py")
    run = check_json(repo)
    assert run.exit_code == 1
    assert coverage(run)["unanalyzed"] == [
        {"file": "app/dangling.py", "reason": "unreadable: No such file or directory"},
        {"file": "app/latin.py", "reason": "undecodable: byte 0xe9 is not valid utf-8 (line 2)"},
        {"file": "app/nul.py", "reason": "contains a NUL byte (line 2)"},
        {"file": "app/syntax.py", "reason": "SyntaxError (line 2): def f(:"},
    ]
    assert coverage(run)["files_total"] == 8
    assert coverage(run)["files_analyzed"] == 4
    assert coverage(run)["files_cleared_by_text"] == 1  # app/__init__.py
    # A PEP 263 declaration and a byte-order mark are honoured: those files are analysed.
    assert run.violations() == [
        ("app/bom.py", 1, "loguru"),
        ("app/declared.py", 2, "logging"),
        ("app/good.py", 1, "logging"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_permission_is_listed(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/secret.py": "import logging\n"})
    (repo / "app" / "secret.py").chmod(0)
    run = check_json(repo)
    assert coverage(run)["unanalyzed"] == [
        {"file": "app/secret.py", "reason": "unreadable: Permission denied"}
    ]


def test_relative_import_beyond_top_level_is_reported_not_fatal(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "from .. import elsewhere\n",
            "app/deep/mod.py": "from ....... import far\nimport logging\nfrom .. import x\n",
        },
    )
    run = check_json(repo)
    assert run.violations() == [("app/deep/mod.py", 2, "logging")]
    report = run_cli("report", str(repo), "--format", "json")
    assert [(u["file"], u["line"]) for u in coverage(report)["unresolved_imports"]] == [
        ("app/__init__.py", 1),
        ("app/deep/mod.py", 1),
    ]
    # `check` parses only the files that could import a restricted module.
    assert [(u["file"], u["line"]) for u in coverage(run)["unresolved_imports"]] == [
        ("app/deep/mod.py", 1)
    ]
    assert coverage(report)["files_analyzed"] == 2


def test_the_analysed_code_is_never_imported(tmp_path):
    marker = tmp_path / "imported.txt"
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": f"open({str(marker)!r}, 'w').write('x')\nraise SystemExit(9)\n",
            "app/sub/__init__.py": "raise RuntimeError('imported!')\n",
            "app/sub/mod.py": "import logging\n",
        },
    )
    run = check_json(repo, "--root-package", "app")
    assert run.violations() == [("app/sub/mod.py", 1, "logging")]
    assert not marker.exists()
    assert "app" not in sys.modules


def test_packages_named_like_installed_modules_are_the_repositorys_own(tmp_path):
    # `click` and `grimp` are installed and imported in the test process; the
    # repository's own folders of those names must be what is analysed.
    repo = make_repo(
        tmp_path,
        {
            "click/__init__.py": "import loguru\n",
            "grimp/handlers.py": "import structlog\nfrom grimp import exceptions\n",
        },
    )
    run = check_json(repo, "--root-package", "click", "--root-package", "grimp")
    assert run.violations() == [
        ("click/__init__.py", 1, "loguru"),
        ("grimp/handlers.py", 1, "structlog"),
    ]
    assert run.json["coverage"]["files_total"] == 2


def test_a_root_named_like_a_restricted_module_is_that_module(tmp_path):
    # The repository's own top-level `logging` package is what `import logging` means
    # there; its own modules may import each other.
    repo = make_repo(
        tmp_path,
        {
            "logging/__init__.py": "from . import handlers\n",
            "logging/handlers.py": "import logging\n",
            "app/__init__.py": "import logging.handlers\n",
        },
    )
    run = check_json(repo)
    assert run.violations() == [("app/__init__.py", 1, "logging.handlers")]


def test_unimportable_names_and_shadowed_modules_are_checked(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/my-tool.py": "import logging\n",
            "app/x.py": "import loguru\n",  # shadowed by the package app/x/
            "app/x/__init__.py": "import structlog\n",
            "app/v1.2/legacy.py": "import logging\n",
        },
    )
    run = check_json(repo)
    assert run.violations() == [
        ("app/my-tool.py", 1, "logging"),
        ("app/v1.2/legacy.py", 1, "logging"),
        ("app/x.py", 1, "loguru"),
        ("app/x/__init__.py", 1, "structlog"),
    ]
    assert coverage(run)["not_importable"] == [
        {"file": "app/my-tool.py", "module": "app.my-tool", "kind": "not-importable"},
        {"file": "app/v1.2/legacy.py", "module": "app.v1_2.legacy", "kind": "not-importable"},
        {"file": "app/x.py", "module": "app.x~shadowed", "kind": "shadowed"},
    ]
    # Issue 22: said on every run, it was noise; the JSON lists them, -v says how many.
    plain = run_cli("check", str(repo))
    assert "not importable" not in plain.stdout + plain.stderr
    verbose = run_cli("check", str(repo), "-v")
    assert "3 files analysed although not importable" in verbose.stderr


def test_code_for_newer_pythons_is_analysed(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/new.py": """
                import logging
                type Alias[T] = list[T]
                def first[T](items: list[T]) -> T:
                    return items[0]
                message = f"{"nested quotes"}"
            """,
        },
    )
    run = check_json(repo)
    assert coverage(run)["unanalyzed"] == []
    assert run.violations() == [("app/new.py", 1, "logging")]


def test_virtualenvs_and_hidden_folders_are_skipped_and_listed(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/.cache/x.py": "import logging\n",
            "app/env3/pyvenv.cfg": "home = /usr\n",
            "app/env3/lib/mod.py": "import logging\n",
            "app/node_modules/y.py": "import logging\n",
            "app/__pycache__/mod.cpython-311.pyc": b"\x00",
        },
    )
    run = check_json(repo)
    assert run.violations() == []
    assert coverage(run)["skipped_dirs"] == [
        {"path": "app/.cache", "rule": ".*", "python_files": 1},
        {"path": "app/env3", "rule": "virtualenv (pyvenv.cfg)", "python_files": 1},
        {"path": "app/node_modules", "rule": "node_modules", "python_files": 1},
    ]


def test_skip_dirs_are_configurable(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/generated/x.py": "import logging\n",
            "app/.hidden/y.py": "import logging\n",
            "setup.cfg": "[ssot-arch]\nskip_dirs =\n    generated\n",
        },
    )
    run = check_json(repo, "--root-package", "app")
    assert run.violations() == [("app/.hidden/y.py", 1, "logging")]


def test_output_is_byte_identical_across_runs(tmp_path):
    files = {f"app/m{i}.py": f"import logging\nfrom . import m{(i * 7) % 30}\n" for i in range(30)}
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/bad.py": "def (:\n", **files})
    first = check_json(repo).stdout
    assert first == check_json(repo).stdout
    text = run_cli("check", str(repo)).stdout
    assert text == run_cli("check", str(repo)).stdout


def test_linked_folders_are_listed_not_followed(tmp_path):
    repo = make_repo(
        tmp_path,
        {"app/__init__.py": "", "app/real/mod.py": "import logging\n", "elsewhere/x.py": ""},
    )
    os.symlink(repo / "app" / "real", repo / "app" / "alias")
    run = check_json(repo, "--root-package", "app")
    assert run.violations() == [("app/real/mod.py", 1, "logging")]
    assert coverage(run)["skipped_dirs"] == [
        {"path": "app/alias", "rule": "symbolic link to app/real", "python_files": 1}
    ]


def test_top_level_modules_are_roots_of_their_own(tmp_path):
    repo = make_repo(tmp_path, {"manage.py": "import logging\n", "app/__init__.py": ""})
    run = check_json(repo)
    assert run.json["roots"] == ["app", "manage"]
    assert run.violations() == [("manage.py", 1, "logging")]
