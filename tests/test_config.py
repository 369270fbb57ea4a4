"""Configuration: the files import-linter reads, and every way to get them wrong."""

from __future__ import annotations

import pytest

from tests.helpers import check_json, make_repo, run_cli

APP = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\n",
    "app/a.py": "import logging\nfrom loguru import logger\n",
}

INI = """
[importlinter]
root_packages = app
include_external_packages = True
contract_types =
    ssot: ssot_arch.contract.SSOTContract

[importlinter:contract:logging-ssot]
name = Logging goes through app.logs
type = ssot
restricted_modules =
    logging
    loguru
gateways = app.logs
systems =
    unified = app.logs
    stdlib = logging
ssot_systems = unified
message = use app.logs.get_logger()

[importlinter:contract:layers]
name = Layers
type = layers
layers =
    app.a
    app.logs
"""


def test_importlinter_file_with_registered_type(tmp_path):
    repo = make_repo(tmp_path, {**APP, ".importlinter": INI})
    run = check_json(repo)
    assert run.exit_code == 1
    contract = run.json["contracts"][0]
    assert (contract["id"], contract["name"]) == ("logging-ssot", "Logging goes through app.logs")
    assert run.violations() == [("app/a.py", 1, "logging"), ("app/a.py", 2, "loguru")]
    assert run.json["other_contracts"] == ["layers"]
    text = run_cli("check", str(repo)).stdout
    assert text.splitlines()[0] == (
        "app/a.py:1: 'logging' imported directly (import logging): "
        "use app.logs.get_logger() [logging-ssot]"
    )
    assert "not checked here (run lint-imports): layers" in text


def test_setup_cfg_and_pyproject_are_read_too(tmp_path):
    cfg = make_repo(tmp_path / "cfg", {**APP, "setup.cfg": INI})
    assert check_json(cfg).violations() == [("app/a.py", 1, "logging"), ("app/a.py", 2, "loguru")]
    toml = make_repo(
        tmp_path / "toml",
        {
            **APP,
            "pyproject.toml": """
                [tool.importlinter]
                root_packages = ["app"]
                [[tool.importlinter.contracts]]
                id = "ssot"
                name = "SSOT"
                type = "ssot"
                restricted_modules = ["loguru"]
                gateways = ["app.logs"]
                systems = ["loguru = loguru"]
            """,
        },
    )
    assert check_json(toml).violations() == [("app/a.py", 2, "loguru")]


def test_all_kept_exits_zero(tmp_path):
    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": "import logging\n"})
    run = run_cli("check", str(repo), "--gateway", "app.logs")
    assert run.exit_code == 0
    assert run.stdout.splitlines()[-1] == "2/2 files analysed (1 by their text alone); 0 violations"


def errors_of(run) -> list[str]:
    assert run.exit_code == 2, (run.stdout, run.stderr)
    return run.stderr.splitlines()


def test_unknown_key_suggests_the_closest(tmp_path):
    repo = make_repo(
        tmp_path,
        {**APP, ".importlinter": INI.replace("gateways = app.logs", "gatways = app.logs")},
    )
    assert errors_of(check_json(repo)) == [
        f"ssot-arch: error: {repo / '.importlinter'} [importlinter:contract:logging-ssot] "
        "gatways: Unrecognized option. Did you mean 'gateways'?"
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    bad = INI.replace("ssot_systems = unified", "ssot_systems = unifed").replace(
        "stdlib = logging", "stdlib logging"
    )
    repo = make_repo(tmp_path, {**APP, ".importlinter": bad})
    errors = errors_of(check_json(repo))
    assert len(errors) == 1  # systems fails to parse, so ssot_systems is not checked
    assert "[importlinter:contract:logging-ssot] systems:" in errors[0]
    assert "'stdlib logging' is not a system; write NAME = MODULE[, MODULE...]" in errors[0]
    repo2 = make_repo(
        tmp_path / "two", {**APP, ".importlinter": INI.replace("unified\n", "unifed\n")}
    )
    errors = errors_of(check_json(repo2))
    assert errors == [
        f"ssot-arch: error: {repo2 / '.importlinter'} [importlinter:contract:logging-ssot] "
        "ssot_systems: No system named 'unifed'; the systems are: unified, stdlib."
    ]


def test_gateway_that_matches_no_module(tmp_path):
    repo = make_repo(
        tmp_path, {**APP, ".importlinter": INI.replace("gateways = app.logs", "gateways = app.log")}
    )
    assert errors_of(check_json(repo)) == [
        f"ssot-arch: error: {repo / '.importlinter'} [importlinter:contract:logging-ssot] "
        "gateways: 'app.log' matches no module under the roots (app); check the name"
    ]


def test_command_line_gateway_and_system_that_match_nothing(tmp_path):
    repo = make_repo(tmp_path, APP)
    errors = errors_of(
        check_json(repo, "--gateway", "app.nope", "--system", "mine=app.gone,loguru")
    )
    assert errors == [
        "ssot-arch: error: --gateway: 'app.nope' matches no module under the roots (app); "
        "check the name",
        "ssot-arch: error: --system: 'app.gone' matches no module under the roots (app); "
        "check the name",
    ]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        (
            "pyproject.toml",
            "[tool.importlinter\nroot_packages = ['app']\n",
            "malformed TOML: Expected ']' at the end of a table declaration (at line 1, column 19)",
        ),
        (
            ".importlinter",
            "[importlinter]\nroot_packages = app\nnot an option line\n",
            "malformed INI: Source contains parsing errors:",
        ),
        (".importlinter", b"[importlinter]\nroot_packages = \xff\n", "is not UTF-8 text"),
    ],
)
def test_malformed_files(tmp_path, name, content, expected):
    repo = make_repo(tmp_path, {**APP, name: content})
    errors = errors_of(check_json(repo))
    assert errors[0].startswith(f"ssot-arch: error: {repo / name}: ")
    assert expected in errors[0]


def test_missing_config_file(tmp_path):
    repo = make_repo(tmp_path, APP)
    errors = errors_of(check_json(repo, "--config", str(tmp_path / "nope.ini")))
    assert errors == [
        f"ssot-arch: error: {tmp_path / 'nope.ini'}: no such file; check the --config path"
    ]


def test_config_file_that_is_a_folder(tmp_path):
    repo = make_repo(tmp_path, APP)
    run = check_json(repo, "--config", str(tmp_path / "app"))
    assert run.exit_code == 2
    assert "is a directory" in run.stderr


def test_root_package_not_found(tmp_path):
    repo = make_repo(
        tmp_path, {**APP, ".importlinter": INI.replace("root_packages = app", "root_packages = ap")}
    )
    (error,) = errors_of(check_json(repo))
    assert error.startswith(
        f"ssot-arch: error: {repo / '.importlinter'} [importlinter] root_packages: "
        "root package 'ap' was not found in the source roots"
    )


def test_unknown_tool_key(tmp_path):
    repo = make_repo(tmp_path, {**APP, "setup.cfg": "[ssot-arch]\nsource_root = src\n"})
    assert errors_of(check_json(repo)) == [
        f"ssot-arch: error: {repo / 'setup.cfg'} [ssot-arch] source_root: "
        "Unrecognized option. Did you mean 'source_roots'?"
    ]


def test_missing_source_root(tmp_path):
    repo = make_repo(tmp_path, APP)
    assert errors_of(check_json(repo, "--source-root", "lib")) == [
        f"ssot-arch: error: --source-root: source root '{repo / 'lib'}' is not a folder"
    ]


def test_no_ssot_contract_in_the_file(tmp_path):
    only_layers = (
        INI[: INI.index("[importlinter:contract:logging-ssot]")]
        + INI[INI.index("[importlinter:contract:layers]") :]
    )
    repo = make_repo(tmp_path, {**APP, ".importlinter": only_layers})
    (error,) = errors_of(check_json(repo))
    assert "no contract of type 'ssot' (contracts found: layers)" in error


def test_usage_errors_exit_2(tmp_path):
    run = run_cli("check", str(tmp_path), "--format", "yaml")
    assert run.exit_code == 2
    assert "Invalid value for '--format'" in run.stderr


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("ssot-arch, version ")
    for command in ([], ["check"]):
        run = run_cli(*command, "--help")
        assert run.exit_code == 0 and "Usage:" in run.stdout


def test_a_group_named_twice_is_refused(tmp_path):
    """Issue 20, finding 6: the second definition used to replace the first, silently."""
    repo = make_repo(tmp_path / "flags", APP)
    run = run_cli(
        "report", str(repo), "--group", "a=app", "--group", "b=app.logs", "--group", "a = app.a"
    )
    assert run.exit_code == 2
    assert errors_of(run) == [
        "ssot-arch: error: --group: group 'a' is defined more than once; give each group "
        "one name, or list all its packages in one definition: a = app, app.a"
    ]
    groups = "\n[ssot-arch]\ngroups =\n    a = app\n    a = app.a\n    b = app.logs\n    a = app\n"
    repo = make_repo(tmp_path / "file", {**APP, ".importlinter": INI + groups})
    run = run_cli("report", str(repo))
    assert run.exit_code == 2
    assert errors_of(run) == [
        f"ssot-arch: error: {repo / '.importlinter'} [ssot-arch] groups: group 'a' is defined "
        "more than once; give each group one name, or list all its packages in one "
        "definition: a = app, app.a"
    ]


def test_settings_are_immutable(tmp_path):
    """A use case that needs other settings makes them (dataclasses.replace): no run
    sees settings another changed under it."""
    import dataclasses

    from ssot_arch.application.options import CommandLineContract
    from ssot_arch.application.settings import load_settings

    repo = make_repo(tmp_path, {"app/__init__.py": "", "app/logs.py": "import logging\n"})
    settings = load_settings(str(repo), None, CommandLineContract(gateways=("app.logs",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.cache_dir = "elsewhere"  # type: ignore[misc]
    assert isinstance(settings.contracts, tuple) and isinstance(settings.roots, tuple)
