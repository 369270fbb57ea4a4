"""`fix`'s proof that the replacement supports every use of the name it gets
(adapters/codemod/python_api.py reads the replacement, analysis/api_check.py judges the uses).

The oracle is running the code: generated repositories whose SSOT logger class lacks
random methods or takes other arguments; every function that logged before
`fix --write` must log after it."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from ssot_arch.adapters.codemod.python_api import ApiReader, NameMissing, uses_of
from ssot_arch.analysis.api_check import bind_problem, judge_use
from ssot_arch.domain.api import CallShape, Signature
from tests.helpers import FIX_CONTRACT, FIX_REPLACE, make_repo, run_cli

# The library being migrated away from: a logger with every method, any arguments.
FAKELOG = """\
class _Logger:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


logger = _Logger()
"""
FIX = (
    "--root-package",
    "app",
    "--gateway",
    "app.logs",
    "--restricted",
    "fakelog",
    "--replace",
    "fakelog.logger=app.logs:central_logger",
    "--no-cache",
)
METHODS = ("debug", "info", "warning", "error", "success", "bind", "add")
CALLS = ('"x"', '"x {}", 1', 'message="x"', '"x", extra=1', "*parts", '"x", 1, 2')


def generated(seed: int) -> dict[str, str]:
    """A repository: app.logs's class has some of METHODS, each with one of three
    signatures; modules log through fakelog with random calls."""
    rng = random.Random(seed)
    signatures = ["self, message", "self, message, *args", "self, message, **kwargs"]
    methods = "".join(
        f"    def {name}({rng.choice(signatures)}):\n        return None\n\n"
        for name in METHODS
        if rng.random() < 0.6
    )
    files = {
        "fakelog/__init__.py": FAKELOG,
        "app/__init__.py": "",
        "app/logs.py": f"class Log:\n{methods or '    pass'}\n\ncentral_logger = Log()\n",
    }
    for module in range(4):
        functions = "".join(
            f"def f{n}():\n    parts = ['x']\n"
            f"    logger.{rng.choice(METHODS)}({rng.choice(CALLS)})\n\n\n"
            for n in range(rng.randint(1, 3))
        )
        files[f"app/m{module}.py"] = f"from fakelog import logger\n\n\n{functions}"
    return files


RUN_ALL = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
ran = []
for name in sorted(vars(module)):
    if name.startswith("f") and name[1:].isdigit():
        try:
            getattr(module, name)()
            ran.append(name)
        except Exception:
            pass
print(json.dumps(ran))
"""


def what_runs(repo: Path) -> dict[str, list[str]]:
    """For each generated module: its functions that run without an error (a module
    that does not import runs none)."""
    ran = {}
    for path in sorted((repo / "app").glob("m*.py")):
        module = f"app.{path.stem}"
        done = subprocess.run(
            [sys.executable, "-c", RUN_ALL, module],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,
        )
        ran[module] = json.loads(done.stdout) if done.returncode == 0 else []
    return ran


def fix_and_compare(repo: Path) -> tuple[dict[str, list[str]], dict[str, list[str]], dict]:
    before = what_runs(repo)
    run = run_cli("fix", str(repo), *FIX, "--write", "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    return before, what_runs(repo), {f["module"]: f["status"] for f in run.json["files"]}


@pytest.mark.parametrize("seed", range(16))
def test_nothing_that_logged_before_fails_after_write(tmp_path, seed):
    repo = make_repo(tmp_path / "repo", generated(seed))
    before, after, statuses = fix_and_compare(repo)
    assert after == before, statuses
    assert set(statuses.values()) <= {"fixed", "manual", "unsafe"}


def test_the_oracle_catches_a_missing_method_when_the_proof_is_switched_off(tmp_path, monkeypatch):
    from ssot_arch.application import fix_proof

    monkeypatch.setattr(
        fix_proof.UseProver,
        "verdict",
        lambda self, fix, replacements, read: fix_proof.UseVerdict(None),
    )
    files = generated(0)
    files["app/logs.py"] = "class Log:\n    def info(self, message):\n        pass\n\n\n"
    files["app/logs.py"] += "central_logger = Log()\n"
    files["app/m0.py"] = "from fakelog import logger\n\n\ndef f0():\n    logger.success('x')\n"
    repo = make_repo(tmp_path / "repo", files)
    before, after, _ = fix_and_compare(repo)
    assert before["app.m0"] == ["f0"] and after["app.m0"] == []


# -- the verdicts, case by case ---------------------------------------------------------

LOGS = """\
import logging
from typing import Optional


class Base:
    def exception(self, message, *args):
        pass


class Log(Base):
    level = 10

    def __init__(self):
        self.name = "app"

    def info(self, message, **kwargs):
        pass

    def error(self, message, exc_info=True, *, code=None):
        pass

    @property
    def handlers(self):
        return []


class Dynamic:
    def __getattr__(self, name):
        return print


class Adapter(logging.LoggerAdapter):
    pass


central_logger = Log()
dynamic_logger = Dynamic()
adapter = Adapter(logging.getLogger("x"), {})
alias = central_logger


def get_logger(name: Optional[str] = None) -> logging.Logger:
    return logging.getLogger(name)


def plain_logger(name=None):
    return logging.getLogger(name)


def untyped(name=None):
    return make(name)


get_central_logger = get_logger
"""


@pytest.fixture
def reader(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/logs.py": LOGS,
        "app/reexport.py": "from .logs import Log as L, alias\n",
    }
    repo = make_repo(tmp_path / "repo", files)

    def source(module: str):
        path = repo / (module.replace(".", "/") + ".py")
        package = repo / module.replace(".", "/") / "__init__.py"
        if path.is_file():
            return path.read_text(), False
        if package.is_file():
            return package.read_text(), True
        return None

    return ApiReader(source)


def verdicts(reader, name: str, text: str, local: str = "logger"):
    api = reader.replacement("app.logs", name) if ":" not in name else None
    if api is None:
        module, _, attribute = name.partition(":")
        api = reader.replacement(module, attribute)
    return [judge_use(api, use) for use in uses_of(text, local) or []]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("logger.info('x')", None),
        ("logger.info('x', user=1)", None),
        ("logger.exception('x', 1, 2)", None),  # inherited from a first-party base
        ("logger.level", None),
        ("logger.name", None),  # self.name = ... in __init__
        ("logger.handlers", None),  # a property
        ("logger.error('x', False, code=3)", None),
        (
            "logger.success('x')",
            ("manual", "app.logs.Log has no attribute 'success' (app.logs:central_logger)"),
        ),
        (
            "logger.info('x {}', 1)",
            ("manual", "app.logs.Log.info takes 1 positional argument, 2 given"),
        ),
        ("logger.info()", ("manual", "app.logs.Log.info needs 'message'")),
        ("logger.error('x', colour=1)", ("manual", "app.logs.Log.error has no parameter 'colour'")),
        (
            "logger.error('x', 1, 2)",
            ("manual", "app.logs.Log.error takes 2 positional arguments, 3 given"),
        ),
        ("logger.info(*parts)", ("unsafe", "a call that unpacks arguments into app.logs.Log.info")),
        (
            "handle(logger)",
            (
                "unsafe",
                "app.logs:central_logger is passed on as a value: what receives it is not checked",
            ),
        ),
    ],
)
def test_uses_of_an_instance(reader, text, expected):
    assert verdicts(reader, "central_logger", text) == [expected]


def test_a_class_with_getattr_or_an_unread_base_is_unsafe_for_what_it_does_not_list(reader):
    (verdict,) = verdicts(reader, "dynamic_logger", "logger.success('x')")
    assert verdict == (
        "unsafe",
        "app.logs.Dynamic may or may not have success: app.logs.Dynamic defines __getattr__",
    )
    # LoggerAdapter is read from the standard library's source: its methods are known.
    assert verdicts(reader, "adapter", "logger.info('x %s', 1)") == [None]
    assert verdicts(reader, "adapter", "logger.process('x', {})") == [None]
    assert verdicts(reader, "adapter", "logger.success('x')")[0][0] == "manual"


def test_aliases_and_reexports_are_followed(reader):
    assert verdicts(reader, "alias", "logger.info('x')") == [None]
    assert verdicts(reader, "app.reexport:alias", "logger.success('x')")[0][0] == "manual"
    api = reader.replacement("app.reexport", "L")
    assert api.kind == "class" and api.returns.name == "app.logs.Log"


def test_a_function_returning_a_logger(reader):
    # Annotated `-> logging.Logger`, or returning logging.getLogger(...): the result
    # offers all that getLogger's did.
    text = "logger = get_logger(__name__)\nlogger.setLevel(10)"
    for name in ("get_logger", "plain_logger", "get_central_logger"):
        assert verdicts(reader, name, text, "get_logger") == [None], name
    (verdict,) = verdicts(reader, "untyped", text, "get_logger")
    assert verdict[0] == "unsafe" and "is not proven to offer all of logging.Logger" in verdict[1]
    assert verdicts(reader, "get_logger", "get_logger('a', 'b')", "get_logger") == [
        ("manual", "app.logs:get_logger takes 1 positional argument, 2 given")
    ]
    assert (
        verdicts(reader, "get_logger", "make = partial(get_logger)", "get_logger")[0][0] == "unsafe"
    )


def test_a_name_the_module_does_not_define_is_an_error(reader):
    with pytest.raises(NameMissing, match="app.logs defines no 'no_such_name'"):
        reader.replacement("app.logs", "no_such_name")


@pytest.mark.parametrize(
    "signature, call, problem",
    [
        (Signature(("a", "b"), defaults=1), CallShape(1), None),
        (
            Signature(("a", "b"), defaults=1),
            CallShape(3),
            "f takes 2 positional arguments, 3 given",
        ),
        (Signature(("a",)), CallShape(0, ("a",)), None),
        (Signature(("a",), positional_only=1), CallShape(0, ("a",)), "f has no parameter 'a'"),
        (Signature(("a",)), CallShape(1, ("a",)), "f gets two values for 'a'"),
        (Signature((), var_positional=True), CallShape(5), None),
        (Signature((), keyword_only=("k",)), CallShape(0), "f needs 'k'"),
        (Signature((), keyword_only=("k",), keyword_defaults=frozenset({"k"})), CallShape(0), None),
        (Signature(var_keyword=True), CallShape(0, ("anything",)), None),
        (Signature(("a",)), CallShape(0, (), unpacks=True), None),
    ],
)
def test_bind_problem(signature, call, problem):
    assert bind_problem(signature, call, "f") == problem


def test_odd_sources_are_not_known_rather_than_a_crash():
    sources = {
        "app.a": "from app.b import B\n\n\nclass A(B):\n    def info(self, m):\n        pass\n\n\n"
        "log = A()\n",
        "app.b": "from app.a import A\n\n\nclass B(A):\n    pass\n",
        "app.c": "from x import a, a\n",
        "app.d": "if flag:\n    def log(m):\n        pass\nelse:\n    log = print\n",
    }
    reader = ApiReader(lambda module: (sources[module], False) if module in sources else None)
    cyclic = reader.replacement("app.a", "log")
    assert cyclic.instance is not None and cyclic.instance.open == "app.a.A is its own base"
    assert reader.replacement("app.c", "a").unknown == "app.c.a is imported from x, not read"
    twice = reader.replacement("app.d", "log")
    assert twice.kind is None and "bound 2 times" in (twice.unknown or "")


def test_uses_the_file_already_had_are_not_the_rewrites_to_prove(tmp_path):
    logs = (
        "import logging\n\n\nclass Log:\n    def info(self, message):\n        pass\n\n\n"
        "central_logger = Log()\n\n\ndef get_logger(name=None):\n    return make(name)\n"
    )
    repo = make_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/logs.py": logs,
            # Passes central_logger on (unprovable), but did so before the rewrite.
            "app/m.py": "import logging\nfrom app.logs import central_logger\n\n"
            "logger = central_logger\nlogging.getLogger('x')\n",
            # An old call of get_logger, and a new one the rewrite makes: only the new
            # one is the rewrite's to prove.
            "app/n.py": "import logging\nfrom app.logs import get_logger\n\n"
            "old = get_logger('a')\nnew = logging.getLogger('b')\n",
        },
    )
    run = run_cli(
        "fix",
        str(repo),
        "--root-package",
        "app",
        *FIX_CONTRACT,
        *FIX_REPLACE,
        "--replace",
        "logging.Logger=app.logs:central_logger",
        "--format",
        "json",
        "--no-cache",
    )
    files = {f["module"]: f for f in run.json["files"]}
    assert files["app.m"]["status"] == "fixed"  # its central_logger use is not the rewrite's
    assert [r["line"] for r in files["app.n"]["reasons"]] == [5]


def test_the_restricted_object_itself_re_exported_supports_every_use(tmp_path):
    """`loguru.logger = app.logs:logger` where app.logs does `from loguru import logger`:
    the very object the file used, so every use is proven (loguru's source is not read;
    before, this was unsafe). Another external object is still not proven."""
    files = {
        "app/__init__.py": "",
        "app/logs.py": "from loguru import logger\nfrom logging import getLogger as other\n",
        "app/m.py": "from loguru import logger\n\nlogger.opt(depth=1).success('m')\n",
    }
    repo = make_repo(tmp_path / "repo", files)
    contract = ("--gateway", "app.logs", "--restricted", "loguru", "--restricted", "logging")
    same = ("--replace", "loguru.logger=app.logs:logger")
    run = run_cli("fix", str(repo), "--root-package", "app", *contract, *same, "--format", "json")
    assert [f["status"] for f in run.json["files"]] == ["fixed"]
    other = ("--replace", "loguru.logger=app.logs:other")
    run = run_cli("fix", str(repo), "--root-package", "app", *contract, *other, "--format", "json")
    assert [f["status"] for f in run.json["files"]] == ["unsafe"]
