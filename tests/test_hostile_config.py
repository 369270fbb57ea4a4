"""Configuration a gate must refuse with a message (exit 2), never a crash or a silent pass.

Issue 8, cases 10 (usage errors) and 12.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from ssot_arch.application.settings import load_settings
from ssot_arch.domain.errors import ConfigError
from tests.helpers import LINT_IMPORTS, SSOT_ARCH, make_repo, run_cli

APP = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\n",
}

SESSION = '[tool.importlinter]\nroot_packages = ["app"]\n'
CONTRACT = '[[tool.importlinter.contracts]]\nid = "ssot"\ntype = "ssot"\ngateways = "app.logs"\n'


def errors_of(run) -> list[str]:
    """The error lines of a run that must have been refused as a configuration error."""
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    return run.stderr.splitlines()


@pytest.mark.parametrize(
    "toml, where, message",
    [
        ("tool = 5\n", "tool:", "must be a table (a [tool] section), not an integer"),
        (
            '[tool]\nimportlinter = "x"\n',
            "[tool] importlinter:",
            "must be a table (a [tool.importlinter] section), not a string",
        ),
        (
            '[tool]\n"ssot-arch" = 1\n',
            "[tool] ssot-arch:",
            "must be a table (a [tool.ssot-arch] section), not an integer",
        ),
        (
            "[tool.importlinter]\ncontracts = [1, 2]\n",
            "[tool.importlinter.contracts[1]]:",
            "must be a table (a [[tool.importlinter.contracts]] section), not an integer",
        ),
        (
            "[tool.importlinter.contracts]\ntype = 'ssot'\n",
            "[tool.importlinter] contracts:",
            "must be an array of tables ([[tool.importlinter.contracts]] sections), not a table",
        ),
        (
            SESSION + CONTRACT + 'restricted_modules = [["logging"]]\n',
            "[tool.importlinter.contracts[0]] restricted_modules:",
            "must be a string or an array of strings, not an array containing an array",
        ),
        (
            SESSION + CONTRACT.replace('"app.logs"', "{a = 1}"),
            "[tool.importlinter.contracts[0]] gateways:",
            "must be a string or an array of strings, not a table",
        ),
        (
            SESSION + CONTRACT + "type_checking_imports = [{a = 1}]\n",
            "[tool.importlinter.contracts[0]] type_checking_imports:",
            "must be true or false, not an array containing a table",
        ),
        (
            SESSION + CONTRACT + "baseline = 2024-01-01\n",
            "[tool.importlinter.contracts[0]] baseline:",
            "must be a string, not a date or time",
        ),
        (
            SESSION + CONTRACT.replace('"ssot"\ntype', '["ssot"]\ntype'),
            "[tool.importlinter.contracts[0]] id:",
            "must be a string, not an array",
        ),
        (
            SESSION.replace('["app"]', "{app = 1}") + CONTRACT,
            "[tool.importlinter] root_packages:",
            "must be a string or an array of strings, not a table",
        ),
        (
            SESSION + "[tool.ssot-arch]\ngroups = {backend = 'app'}\n" + CONTRACT,
            "[tool.ssot-arch] groups:",
            "must be a string or an array of strings, not a table",
        ),
        (
            SESSION + "[tool.ssot-arch]\ncache_dir = ['a', 'b']\n" + CONTRACT,
            "[tool.ssot-arch] cache_dir:",
            "must be one folder, not a list",
        ),
    ],
)
def test_pyproject_value_of_the_wrong_type(tmp_path, toml, where, message):
    repo = make_repo(tmp_path, {**APP, "pyproject.toml": toml})
    errors = errors_of(run_cli("check", str(repo)))
    assert f"ssot-arch: error: {repo / 'pyproject.toml'} {where} {message}" in errors


KEYS = [
    *(("session", key) for key in ("root_package", "root_packages", "include_external_packages",
                                   "exclude_type_checking_imports", "contract_types", "contracts",
                                   "other")),
    *(("contract", key) for key in ("id", "name", "type", "restricted_modules", "gateways",
                                    "systems", "ssot_systems", "exclude", "type_checking_imports",
                                    "message", "baseline", "fail_on_stale", "other")),
    *(("tool", key) for key in ("source_roots", "skip_dirs", "groups", "cache_dir", "other")),
]  # fmt: skip


def pyproject(where: str, key: str, value: str) -> str:
    """A valid configuration, but for `key` in `where` set to `value`."""
    line = f"{key} = {value}\n"
    if where == "session":
        return "[tool.importlinter]\n" + line + ("" if key == "contracts" else CONTRACT)
    if where == "tool":
        return SESSION + CONTRACT + "[tool.ssot-arch]\n" + line
    options = {"id": '"ssot"', "type": '"ssot"', "gateways": '"app.logs"', key: value}
    return (
        SESSION
        + "[[tool.importlinter.contracts]]\n"
        + "".join(f"{k} = {v}\n" for k, v in options.items())
    )


@pytest.mark.parametrize(
    "value", ['"x"', "5", "1.5", "true", '["a"]', "{a = 1}", '[["a"]]', "[{a = 1}]", "[]"]
)
@pytest.mark.parametrize("where, key", KEYS)
def test_no_value_of_any_key_crashes(tmp_path, where, key, value):
    repo = make_repo(tmp_path, {**APP, "pyproject.toml": pyproject(where, key, value)})
    try:
        load_settings(str(repo))
    except ConfigError as error:
        assert all(problem.file for problem in error.problems), str(error)


def test_every_problem_is_reported_in_one_run(tmp_path):
    toml = (
        SESSION
        + "[tool.ssot-arch]\nsourc_roots = ['.']\n"
        + CONTRACT
        + "gatways = 'app.logs'\nrestricted_modules = {a = 1}\n"
    )
    repo = make_repo(tmp_path, {**APP, "pyproject.toml": toml})
    file = repo / "pyproject.toml"
    assert errors_of(run_cli("check", str(repo))) == [
        f"ssot-arch: error: {file} [tool.ssot-arch] sourc_roots: "
        "Unrecognized option. Did you mean 'source_roots'?",
        f"ssot-arch: error: {file} [tool.importlinter.contracts[0]] restricted_modules: "
        "must be a string or an array of strings, not a table",
        f"ssot-arch: error: {file} [tool.importlinter.contracts[0]] gatways: "
        "Unrecognized option. Did you mean 'gateways'?",
    ]


INI = """
[importlinter]
root_packages = app
include_external_packages = True

[importlinter:contract:ssot]
type = ssot
gateways = app.logs
"""


@pytest.mark.parametrize(
    "ini, message",
    [
        (
            INI[INI.index("[importlinter:contract") :],
            "has [importlinter:contract:ssot] but no [importlinter] section; add one",
        ),
        (
            INI + "gateways = app.a\n",
            "malformed INI: While reading from '{file}' [line 8]: "
            "option 'gateways' in section 'importlinter:contract:ssot' already exists",
        ),
        (
            INI + INI[INI.index("[importlinter:contract") :],
            "malformed INI: While reading from '{file}' [line 8]: "
            "section 'importlinter:contract:ssot' already exists",
        ),
    ],
)
def test_ini_file_with_a_broken_structure(tmp_path, ini, message):
    repo = make_repo(tmp_path, {**APP, ".importlinter": ini})
    file = repo / ".importlinter"
    (error,) = errors_of(run_cli("check", str(repo)))
    assert error.startswith(f"ssot-arch: error: {file}: {message.format(file=file)}")


def test_config_linked_outside_the_repository_is_not_read(tmp_path):
    outside = make_repo(tmp_path / "elsewhere", {"setup.cfg": INI})
    repo = make_repo(tmp_path / "repo", APP)
    (repo / "setup.cfg").symlink_to(outside / "setup.cfg")
    (error,) = errors_of(run_cli("check", str(repo)))
    assert error == (
        f"ssot-arch: error: {repo / 'setup.cfg'}: is a symbolic link to "
        f"{outside / 'setup.cfg'}, outside the repository; it is not read. "
        "Give that file with --config if it is the configuration to use"
    )
    # Given by the user, the same file is read: only what the tree points at is distrusted.
    run = run_cli("check", str(repo), "--config", str(repo / "setup.cfg"), "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert run.violations() == [("app/a.py", 1, "logging")]


def test_config_linked_inside_the_repository_is_read(tmp_path):
    repo = make_repo(tmp_path, {**APP, "config/lint.ini": INI})
    (repo / ".importlinter").symlink_to(repo / "config" / "lint.ini")
    run = run_cli("check", str(repo), "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert run.json["contracts"][0]["id"] == "ssot"


@pytest.mark.parametrize(
    "args, error",
    [
        (
            ["--restricted", ""],
            "--restricted: No restricted module: the contract could never fail. Name at least "
            "one, or leave the option out for the default (logging, loguru, structlog).",
        ),
        (
            ["--restricted", "logging,loguru"],
            "--restricted: 'logging,loguru' is not a module name; give one module per --restricted",
        ),
        (
            ["--restricted", "logging loguru"],
            "--restricted: 'logging loguru' is not a module name; give one module per --restricted",
        ),
        (
            ["--gateway", "app.logs,app.a"],
            "--gateway: 'app.logs,app.a' is not a module name; give one module per --gateway",
        ),
        (
            ["--system", "mine=app.logs loguru"],
            "--system: 'app.logs loguru' in system 'mine' is not a module name; "
            "separate modules with commas",
        ),
    ],
)
def test_command_line_module_that_is_not_a_module_name(tmp_path, args, error):
    repo = make_repo(tmp_path, APP)
    assert errors_of(run_cli("check", str(repo), *args)) == [f"ssot-arch: error: {error}"]


@pytest.mark.parametrize(
    "name, line, error",
    [
        (
            ".importlinter",
            "restricted_modules =",
            "restricted_modules: No restricted module: the contract could never fail.",
        ),
        (
            ".importlinter",
            "restricted_modules = logging, loguru",
            "restricted_modules: 'logging, loguru' is not a module name; write one module per line",
        ),
        (
            "pyproject.toml",
            'restricted_modules = "logging, loguru"',
            "restricted_modules: 'logging, loguru' is not a module name; "
            "write an array, one module per item",
        ),
        ("pyproject.toml", "restricted_modules = []", "restricted_modules: No restricted module"),
    ],
)
def test_configured_restricted_list_that_restricts_nothing(tmp_path, name, line, error):
    config = INI + line + "\n" if name == ".importlinter" else SESSION + CONTRACT + line + "\n"
    repo = make_repo(tmp_path, {**APP, name: config})
    section = (
        "importlinter:contract:ssot"
        if name == ".importlinter"
        else "tool.importlinter.contracts[0]"
    )
    (message,) = errors_of(run_cli("check", str(repo)))
    assert message.startswith(f"ssot-arch: error: {repo / name} [{section}] {error}")


def test_lint_imports_refuses_a_list_on_one_line_too(tmp_path):
    ini = """
        [importlinter]
        root_package = app
        include_external_packages = True
        contract_types =
            ssot: ssot_arch.contract.SSOTContract

        [importlinter:contract:ssot]
        name = SSOT
        type = ssot
        restricted_modules = logging, loguru
        gateways = app.logs
    """
    repo = make_repo(tmp_path, {**APP, ".importlinter": ini})
    completed = subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    output = " ".join(completed.stdout.split())
    assert "restricted_modules: 'logging, loguru' is not a module name; write one module" in output


@pytest.mark.parametrize("name", ["pyproject.toml", "lint.ini"])
def test_a_configuration_that_is_a_fifo_is_refused_not_waited_for(tmp_path, name):
    # Found in the tree (pyproject.toml) or named with --config: neither blocks.
    repo = make_repo(tmp_path / "repo", APP)
    os.mkfifo(repo / name)
    args = ["--config", str(repo / name)] if name == "lint.ini" else []
    run = subprocess.run(
        [SSOT_ARCH, "check", str(repo), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert f"{name}: cannot read it (not a regular file: FIFO); check the path" in run.stderr
