"""Judge `fix --write` on a real tree by running it, and by an audit independent of
ssot-arch (docs/real-data.md). This runs the analysed repository's code: use it on a
tree you trust, with its requirements installed in PYTHON's environment.

    python -m benchmarks.fix_realdata imports TREE MODULES OUT --python PYTHON
    python -m benchmarks.fix_realdata audit BEFORE AFTER FIX_JSON
    python -m benchmarks.fix_realdata engines TREE

`imports` imports each module listed in MODULES (one a line) in a fresh child process
of an interpreter that has preloaded every third-party package the tree imports, so
that each child runs only the tree's own code (whose import order is what a rewrite
can break) and a thousand modules take minutes, not an hour; OUT gets, per module,
`ok` or the exception. Run it on the tree before and after `fix --write`, and compare.

`audit` reads the rewritten tree with the standard library's `ast` only: (1) every
attribute used on a name imported as a replacement instance exists on its class, (2) no
`getLogger()` (the root logger) became a `get_logger()` call without arguments, (3) no
rewritten module lies in the import-time closure of the SSOT modules. The replacements
and SSOT modules are the audit commit's (edit REPLACEMENTS for another tree).

`engines` runs nothing of the tree: it gives every file of TREE that imports a restricted
module to both rewrite engines of `fix`, the quick one (`ast` and text edits, for plain
modules) and LibCST's, and counts the files the quick one answers, those where the two
answers differ (which must be none), and each engine's time per file.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

# (module, name, class of the instance, file of the class) of the audit commit's run.
INSTANCE = (
    "netra_backend.app.logging_config",
    "central_logger",
    "UnifiedLogger",
    "netra_backend/app/core/unified_logging.py",
)
SSOT_MODULES = ("shared.logging.unified_logger_factory", "netra_backend.app.logging_config")

CHILD = r"""
import contextlib, importlib, io, json, os, re, signal, sys
tree, listing, out, first_party = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4:])
os.chdir(tree)
sys.path.insert(0, tree)
tops = set()
for root, dirs, files in os.walk(tree):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".py"):
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                tops.update(re.findall(r"^(?:from|import)\s+([A-Za-z_]\w*)", f.read(), re.M))
for name in sorted(tops - first_party):
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            importlib.import_module(name)
    except BaseException:
        pass
results = {}
for module in [line.strip() for line in open(listing) if line.strip()]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        signal.alarm(60)
        try:
            importlib.import_module(module)
            message = "ok"
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"[:300]
        os.write(write, message.encode("utf-8", "replace"))
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    results[module] = data.decode() if data else f"died (status {status})"
with open(out, "w") as f:
    json.dump(results, f, indent=1, sort_keys=True)
"""


def import_each(tree: Path, modules: Path, out: Path, python: str, roots: Sequence[str]) -> None:
    subprocess.run([python, "-c", CHILD, str(tree), str(modules), str(out), *roots], check=True)


def _runs_on_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            negated = isinstance(node.test, ast.UnaryOp)
            yield from _runs_on_import(node.body if negated else node.orelse)
        else:
            for field in ("body", "orelse", "finalbody"):
                yield from _runs_on_import(getattr(node, field, None) or [])
            for handler in getattr(node, "handlers", []):
                yield from _runs_on_import(handler.body)


def _file_of(tree: Path, module: str) -> tuple[Path | None, bool]:
    base = tree.joinpath(*module.split("."))
    for path, package in ((base.with_suffix(".py"), False), (base / "__init__.py", True)):
        if path.is_file():
            return path, package
    return None, False


def _loads(tree: Path, module: str) -> list[str]:
    """What importing `module` runs next: its package, its import-time imports."""
    parts = module.split(".")
    found = [".".join(parts[:-1])] if len(parts) > 1 else []
    path, package = _file_of(tree, module)
    if path is None:
        return found
    try:
        body = ast.parse(path.read_text(encoding="utf-8")).body
    except (SyntaxError, UnicodeDecodeError):
        return found
    for node in _runs_on_import(body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = parts if package else parts[:-1]
            prefix = base[: len(base) - node.level + 1] if node.level else []
            source = ".".join([*prefix, *([node.module] if node.module else [])])
            names = [source, *(f"{source}.{alias.name}" for alias in node.names)]
        found += [name for name in names if _file_of(tree, name)[0] is not None]
    return found


def audit(before: Path, after: Path, fix_json: Path) -> dict[str, object]:
    fixed = [f for f in json.loads(fix_json.read_text())["files"] if f["status"] == "fixed"]
    module, name, class_name, class_file = INSTANCE
    tree = ast.parse((after / class_file).read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    api = {n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    api |= {
        n.attr
        for n in ast.walk(cls)
        if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
        if isinstance(n.value, ast.Name) and n.value.id == "self"
    }
    lacking, root_rewrites = [], []
    for f in fixed:
        new = ast.parse((after / f["file"]).read_text(encoding="utf-8"))
        old = ast.parse((before / f["file"]).read_text(encoding="utf-8"))
        names = {
            alias.asname or alias.name
            for n in ast.walk(new)
            if isinstance(n, ast.ImportFrom) and n.module == module
            for alias in n.names
            if alias.name == name
        }
        lacking += [
            f"{f['file']}:{n.lineno}: {n.attr}"
            for n in ast.walk(new)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            if n.value.id in names and n.attr not in api
        ]

        def bare_calls(tree: ast.Module, called: str) -> int:
            return sum(
                1
                for n in ast.walk(tree)
                if isinstance(n, ast.Call) and not n.args and not n.keywords
                if getattr(n.func, "attr", getattr(n.func, "id", None)) == called
            )

        if bare_calls(old, "getLogger") and bare_calls(new, "get_logger") > bare_calls(
            old, "get_logger"
        ):
            root_rewrites.append(f["file"])
    closure: set[str] = set()
    pending = list(SSOT_MODULES)
    while pending:
        current = pending.pop()
        if current not in closure:
            closure.add(current)
            pending += _loads(after, current)
    in_closure = sorted(f["module"] for f in fixed if f["module"] in closure)
    return {
        "fixed files": len(fixed),
        "uses the replacement lacks": lacking,
        "root logger rewrites": root_rewrites,
        "rewritten modules in the SSOT's import-time closure": in_closure,
        "modules in that closure": len(closure),
    }


RESTRICTED = ("logging", "loguru", "structlog")
REPLACEMENTS = (
    ("logging.getLogger", "shared.logging.unified_logger_factory", "get_logger"),
    ("loguru.logger", "netra_backend.app.logging_config", "central_logger"),
)


def compare_engines(tree: Path) -> dict[str, object]:
    """Both engines on every file of `tree` that imports a restricted module."""
    from ssot_arch.adapters.codemod.rewrite import rewrite_with_libcst
    from ssot_arch.adapters.codemod.rewrite_quick import quick_rewrite
    from ssot_arch.domain.remediation import Replacement

    replacements = tuple(Replacement(*r) for r in REPLACEMENTS)
    pattern = re.compile(
        rb"^\s*(?:import|from)\s+(?:" + b"|".join(map(str.encode, RESTRICTED)) + rb")\b", re.M
    )
    read = {
        path.relative_to(tree).as_posix(): path.read_bytes()
        for path in sorted(tree.rglob("*.py"))
        if path.is_file()
    }
    texts = {
        name: data.decode("utf-8", "replace") for name, data in read.items() if pattern.search(data)
    }
    quick_seconds = libcst_seconds = 0.0
    answered, differ = 0, []
    for name, text in texts.items():
        start = time.perf_counter()
        quick = quick_rewrite(text, RESTRICTED, replacements)
        quick_seconds += time.perf_counter() - start
        start = time.perf_counter()
        reference = rewrite_with_libcst(text, RESTRICTED, replacements)
        libcst_seconds += time.perf_counter() - start
        if quick is not None:
            answered += 1
            if quick != reference:
                differ.append(name)
    return {
        "files": len(texts),
        "answered_by_quick": answered,
        "differ": differ,
        "quick_ms_per_file": round(1000 * quick_seconds / max(len(texts), 1), 1),
        "libcst_ms_per_file": round(1000 * libcst_seconds / max(len(texts), 1), 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    imports = commands.add_parser("imports")
    imports.add_argument("tree", type=Path)
    imports.add_argument("modules", type=Path)
    imports.add_argument("out", type=Path)
    imports.add_argument("--python", default=sys.executable)
    imports.add_argument(
        "--root", action="append", default=[], help="a first-party top-level name (default: all)"
    )
    audited = commands.add_parser("audit")
    audited.add_argument("before", type=Path)
    audited.add_argument("after", type=Path)
    audited.add_argument("fix_json", type=Path)
    engines = commands.add_parser("engines")
    engines.add_argument("tree", type=Path)
    args = parser.parse_args(argv)
    if args.command == "imports":
        # Everything at the tree's top is first-party: never preloaded.
        roots = args.root or sorted(
            p.stem for p in args.tree.iterdir() if p.is_dir() or p.suffix == ".py"
        )
        import_each(args.tree, args.modules, args.out, args.python, roots)
        results = json.loads(args.out.read_text())
        print(f"{sum(v == 'ok' for v in results.values())} of {len(results)} import")
    elif args.command == "engines":
        print(json.dumps(compare_engines(args.tree), indent=1))
    else:
        print(json.dumps(audit(args.before, args.after, args.fix_json), indent=1))


if __name__ == "__main__":
    main()
