"""The use cases' own policy (check, report, fix) on the in-memory ports of
tests/fake_ports.py: no file is read or written, no process runs. `offline` fails a
test when anything reaches for the disk; only the last test, which holds the fake scan
to the real scanner, reads a folder (`tmp_path`)."""

from __future__ import annotations

import builtins
import dataclasses
import io
import os
import stat
import subprocess
import sys

import pytest

from ssot_arch.application.check import check_repository, run_check, scan_repository
from ssot_arch.application.fix import CHANGED, FixOptions, run_fix
from ssot_arch.application.report import run_report
from ssot_arch.application.settings import load_settings
from ssot_arch.domain.errors import ConfigError
from ssot_arch.domain.model import ContractSpec
from ssot_arch.domain.remediation import FIXED, MANUAL, UNSAFE, Replacement
from tests.fake_ports import ROOT, fake_ports, settings
from tests.helpers import make_repo


class DiskTouched(AssertionError):
    """Not an OSError: no use case may take it for a missing file and go on."""


REFUSED = [
    (builtins, "open"),
    (io, "open"),
    (os, "open"),
    (os, "stat"),
    (os, "lstat"),
    (os, "scandir"),
    (os, "listdir"),
    (os, "walk"),
    (subprocess, "Popen"),
]


# The interpreter's own files: the API proof reads the standard library's source (what
# `logging.getLogger` returns), never the repository's.
INSTALLATION = tuple(os.path.join(p, "") for p in {sys.prefix, sys.base_prefix})


def _reads_installation(name: str, args: tuple) -> bool:
    path = args[0] if args else None
    if not isinstance(path, str) or not path.startswith(INSTALLATION):
        return False
    if name == "os.open":
        return not args[1] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
    return name in ("os.stat", "os.lstat")


@pytest.fixture
def offline(monkeypatch):
    """`offline(use_case, *args, **kwargs)`: the use case called with every way to the
    disk or to a process refused (only while it runs: pytest reads its own files to
    show a failure), but reading the interpreter's own files. A refusal fails the test
    even if something caught it."""
    touched: list[str] = []

    def refusing(name, real):
        def refused(*args, **kwargs):
            if _reads_installation(name, args):
                return real(*args, **kwargs)
            touched.append(f"{name}{args[:1]}")
            raise DiskTouched(f"{name}{args[:1]}: a use case reached for the disk")

        return refused

    def call(use_case, *args, **kwargs):
        with monkeypatch.context() as patched:
            for module, name in REFUSED:
                real = getattr(module, name)
                patched.setattr(module, name, refusing(f"{module.__name__}.{name}", real))
            return use_case(*args, **kwargs)

    yield call
    assert not touched, touched


def logs(*restricted: str, gateways=("app.logs",), **more) -> ContractSpec:
    return ContractSpec("logs", "logs", restricted or ("logging",), tuple(gateways), **more)


# --------------------------------------------------------------------------- check

VIOLATORS = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\nimport loguru\n",
    "app/z.py": "import loguru\nimport logging\n",
    "app/b/__init__.py": "\n\nimport logging\n",
    "app/b/c.py": "import logging\n",
}


def test_check_maps_each_violation_to_its_file_sorted_by_place(offline):
    fakes = fake_ports(VIOLATORS)
    outcome = offline(run_check, settings(logs("logging", "loguru")), ports=fakes.ports)
    (result,) = outcome.contracts
    assert [(v.file, v.line, v.importer, v.imported) for v in result.violations] == [
        ("app/b/__init__.py", 3, "app.b", "logging"),
        ("app/b/c.py", 1, "app.b.c", "logging"),
        ("app/z.py", 1, "app.z", "loguru"),
        ("app/z.py", 2, "app.z", "logging"),
    ]
    assert outcome.root_dir == ROOT and outcome.coverage.files_analyzed == 5


def test_a_gateway_that_names_no_module_is_a_config_error_where_it_was_configured(offline):
    fakes = fake_ports(VIOLATORS)
    configured = settings(
        logs(gateways=("app.logs", "app.nope")),
        origins={"logs": (".importlinter", "importlinter:contract:logs")},
    )
    with pytest.raises(ConfigError) as raised:
        offline(run_check, configured, ports=fakes.ports)
    (problem,) = raised.value.problems
    assert (problem.file, problem.section, problem.key) == (
        ".importlinter",
        "importlinter:contract:logs",
        "gateways",
    )
    assert problem.message.startswith("'app.nope' matches no module under the roots (app)")
    # Given on the command line, it is the option that is named.
    with pytest.raises(ConfigError) as raised:
        offline(run_check, settings(logs(gateways=("app.nope",))), ports=fakes.ports)
    assert [(p.file, p.key) for p in raised.value.problems] == [(None, "--gateway")]


def test_an_unchanged_tree_reuses_the_stored_result_without_scanning(offline):
    fakes = fake_ports(VIOLATORS)
    cached = settings(logs(), cache_dir="/nonexistent/cache")
    first = offline(run_check, cached, ports=fakes.ports)
    assert fakes.repository.scans == 1 and len(fakes.stores.checks) == 1
    assert offline(run_check, cached, ports=fakes.ports) == first
    assert fakes.repository.scans == 1  # the stored result stands
    fakes.repository.contents["app/b/c.py"] = b"import os\n"  # a file changes: scan again
    again = offline(run_check, cached, ports=fakes.ports)
    assert fakes.repository.scans == 2 and len(fakes.stores.checks) == 2
    assert len(again.contracts[0].violations) == len(first.contracts[0].violations) - 1


# --------------------------------------------------------------------------- report

LAUNDERING = {
    "app/__init__.py": "",
    "app/logs.py": "import logging\nimport loguru\n",
    "app/shortcut.py": "from loguru import logger\n",
    "app/user.py": "from app.shortcut import logger\n",
    "app/main.py": "import app.user\n",
    "svc/__init__.py": "",
    "svc/job.py": "import logging\n",
}


def two_contracts() -> list[ContractSpec]:
    return [
        ContractSpec("logs", "logs", ("logging",), ("app.logs",)),
        ContractSpec("loguru", "loguru", ("loguru",), ("app.logs",)),
    ]


def test_report_gives_one_report_per_contract_from_sources_read_in_memory(offline):
    fakes = fake_ports(LAUNDERING)
    outcome = offline(
        run_report, settings(*two_contracts(), roots=("app", "svc")), ports=fakes.ports
    )
    assert list(outcome.reports) == ["logs", "loguru"]
    assert set(outcome.groups) == {"app", "svc"}
    logs_report, loguru_report = outcome.reports["logs"], outcome.reports["loguru"]
    assert [(row.group, row.violations) for row in logs_report.compliance] == [
        ("app", 0),
        ("svc", 1),
    ]
    assert [(row.group, row.violations) for row in loguru_report.compliance] == [
        ("app", 1),
        ("svc", 0),
    ]
    assert logs_report.leaks.leaks == ()
    assert [c.module for c in loguru_report.leaks.causes] == ["app.shortcut"]
    # The laundering analysis read app/shortcut.py through the repository port.
    assert [(d.importer, d.via, d.origin) for d in loguru_report.laundering] == [
        ("app.user", "app.shortcut", "loguru.logger")
    ]
    assert logs_report.laundering == ()
    assert "app/shortcut.py" in fakes.repository.reads


def test_report_rejects_a_group_that_matches_no_module_where_it_was_configured(offline):
    fakes = fake_ports(LAUNDERING)
    grouped = settings(
        *two_contracts(),
        roots=("app", "svc"),
        groups={"core": ["app"], "gone": ["app.nothere", "svc"]},
        groups_origin=("pyproject.toml", "tool.ssot-arch", "groups"),
    )
    with pytest.raises(ConfigError) as raised:
        offline(run_report, grouped, ports=fakes.ports)
    (problem,) = raised.value.problems
    assert problem.message == "group 'gone': 'app.nothere' matches no analysed module"
    assert (problem.file, problem.section, problem.key) == (
        "pyproject.toml",
        "tool.ssot-arch",
        "groups",
    )


def test_report_rejects_an_entry_that_matches_nothing(offline):
    fakes = fake_ports(LAUNDERING)
    entries = settings(*two_contracts(), roots=("app", "svc"), entries=("app.main", "app.mian"))
    with pytest.raises(ConfigError) as raised:
        offline(run_report, entries, ports=fakes.ports)
    (problem,) = raised.value.problems
    assert problem.message.startswith("entry 'app.mian' matches no analysed module")
    assert problem.key == "--entry"
    entry = settings(*two_contracts(), roots=("app", "svc"), entries=("app.main",))
    reports = offline(run_report, entry, ports=fakes.ports).reports
    assert all(list(report.entries) == ["app.main"] for report in reports.values())


# --------------------------------------------------------------------------- fix

SSOT = (
    "import logging\n{imports}\n\ndef get_logger(name=None):\n    return logging.getLogger(name)\n"
)
FIXABLE = {
    "app/__init__.py": "",
    # app.logs imports app.cyclic: migrating app.cyclic would close an import-time cycle.
    "app/logs.py": SSOT.format(imports="from app.cyclic import LEVEL\n"),
    "app/a.py": "import logging\n\nlogger = logging.getLogger(__name__)\n",
    "app/b.py": "import logging\n\nlog = logging.getLogger('b')\n",
    "app/cyclic.py": "import logging\n\nLEVEL = 20\nlog = logging.getLogger('c')\n",
    "app/unpacks.py": "import logging\n\nlog = logging.getLogger(*['u'])\n",
}
REPLACE = (Replacement("logging.getLogger", "app.logs", "get_logger"),)


def fixing(**more):
    return settings(logs(replacements=REPLACE), **more)


def statuses(outcome) -> dict[str, str]:
    return {f.file: f.status for f in outcome.files}


def test_fix_writes_only_the_files_it_proved(offline):
    fakes = fake_ports(FIXABLE)
    fakes.repository.modes["app/b.py"] = stat.S_IFREG | 0o600
    outcome = offline(run_fix, fixing(), FixOptions(write=True), ports=fakes.ports)
    assert statuses(outcome) == {
        "app/a.py": FIXED,
        "app/b.py": FIXED,
        "app/cyclic.py": MANUAL,
        "app/unpacks.py": UNSAFE,
    }
    assert [(path, mode) for path, _, mode in fakes.files.writes] == [
        ("app/a.py", 0o644),
        ("app/b.py", 0o600),  # its own permissions kept
    ]
    assert fakes.text("app/a.py") == (
        "from app.logs import get_logger\n\nlogger = get_logger(__name__)\n"
    )
    for untouched in ("app/cyclic.py", "app/unpacks.py", "app/logs.py"):
        assert fakes.text(untouched) == FIXABLE[untouched]
    # With --unsafe-fixes, the unsafe one too; never the manual one.
    fakes = fake_ports(FIXABLE)
    offline(run_fix, fixing(), FixOptions(write=True, unsafe_fixes=True), ports=fakes.ports)
    assert [path for path, _, _ in fakes.files.writes] == ["app/a.py", "app/b.py", "app/unpacks.py"]


def test_fix_leaves_a_file_that_changed_during_the_run_alone(offline):
    fakes = fake_ports(FIXABLE)
    edited = b"import logging\n\nlog = logging.getLogger('edited meanwhile')\n"

    def someone_edits(done: int, total: int) -> None:  # while the rewrite runs
        fakes.repository.contents["app/b.py"] = edited

    outcome = offline(
        run_fix, fixing(), FixOptions(write=True), rewriting=someone_edits, ports=fakes.ports
    )
    (b,) = [f for f in outcome.files if f.file == "app/b.py"]
    assert b.status == MANUAL and {r.why for r in b.remaining} == {CHANGED}
    assert b.rewritten is None
    assert fakes.repository.contents["app/b.py"] == edited
    assert [path for path, _, _ in fakes.files.writes] == ["app/a.py"]


def test_a_failing_verify_gives_every_written_file_its_bytes_back(offline):
    fakes = fake_ports(FIXABLE, status=1)
    fakes.repository.modes["app/b.py"] = stat.S_IFREG | 0o600
    options = FixOptions(write=True, verify="pytest -x")
    outcome = offline(run_fix, fixing(), options, ports=fakes.ports)
    ((command, folder, seen),) = fakes.commands.runs
    assert (command, folder) == ("pytest -x", ROOT)
    assert seen["app/a.py"] != FIXABLE["app/a.py"].encode()  # it ran on the written files
    verification = outcome.verification
    assert verification is not None and not verification.passed
    assert verification.restored == ("app/a.py", "app/b.py") and verification.not_restored == ()
    for path, text in FIXABLE.items():
        assert fakes.text(path) == text
    assert fakes.repository.modes["app/b.py"] == stat.S_IFREG | 0o600
    # A passing command keeps them.
    fakes = fake_ports(FIXABLE, status=0)
    outcome = offline(run_fix, fixing(), options, ports=fakes.ports)
    assert outcome.verification is not None and outcome.verification.restored == ()
    assert fakes.text("app/a.py") != FIXABLE["app/a.py"]


def test_a_dry_run_writes_nothing_and_verifies_nothing(offline):
    fakes = fake_ports(FIXABLE)
    outcome = offline(run_fix, fixing(), FixOptions(verify="pytest -x"), ports=fakes.ports)
    assert statuses(outcome)["app/a.py"] == FIXED and outcome.written is False
    assert fakes.files.writes == [] and fakes.commands.runs == []
    assert {path: fakes.text(path) for path in FIXABLE} == FIXABLE


# --------------------------------------------------------------------------- the fake


def test_the_fake_scan_finds_what_the_scanner_finds(tmp_path):
    files = {
        "app/__init__.py": "from . import util\nfrom .util import helper\n",
        "app/util.py": (
            "from __future__ import annotations\nimport os.path\n"
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import core\n"
            "else:\n    import json\n\ndef helper():\n    import logging\n"
            "    from loguru import logger\n"
        ),
        "app/core/__init__.py": "",
        "app/core/models.py": (
            "from .. import util\nfrom ..util import helper\nfrom . import views, missing\n"
            "import app.core.views as v\nfrom app.core import (\n    views,\n)\n"
            "import app.nothere\nfrom ns.deep import thing\n"
        ),
        "app/core/views.py": "from app.ns.deep import thing\nimport app.ns\n",
        "app/ns/deep.py": "thing = 1\n",
        **FIXABLE,
    }
    spec = logs(type_checking_imports=False)
    real = load_settings(str(make_repo(tmp_path, files)))
    real = dataclasses.replace(real, contracts=[spec], cache_dir=None, jobs=1)
    universe, scan = scan_repository(real)
    fakes = fake_ports(files)
    fake_universe, fake_scan = scan_repository(settings(spec), ports=fakes.ports)
    assert fake_universe.files == universe.files
    assert fake_universe.namespace_packages == universe.namespace_packages
    assert sorted(fake_scan.imports) == sorted(scan.imports)
    assert fake_scan.analyzed == scan.analyzed
    analysed = check_repository(real)
    fake = check_repository(settings(spec), ports=fakes.ports)
    assert fake.outcome.contracts == analysed.outcome.contracts
