"""Generate a synthetic monorepo shaped like the one of the logging audit.

Deterministic from a seed; 1,000 to 100,000 modules over several services, with:

* a realistic mix of logging: about 18 % of modules import `logging`, `loguru` or
  `structlog` directly (at module level, in functions, under `TYPE_CHECKING`), about
  15 % use one of the two SSOT modules, the rest neither;
* import fan-out like real code (a few to a dozen first-party imports per module, some
  relative, some of packages), which makes cycles;
* namespace folders (no `__init__.py`: 5 % of the folders, 20 % under `tests/`; as in
  the audited monorepo, where a fifth of the files sat below one) and a `src/` layout
  for one service;
* filler code, so files are of a realistic size.

`generate()` returns a manifest of what it wrote: every direct violation (file, line,
module) and the counts per service, so that tests can assert ssot-arch finds exactly
those.

    python -m benchmarks.synthetic DEST --modules 10000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
from dataclasses import dataclass, field

SERVICES = (
    # name, share of the modules, source root
    ("backend", 0.50, "."),
    ("auth_service", 0.08, "."),
    ("analytics_service", 0.05, "src"),
    ("shared", 0.05, "."),
    ("test_framework", 0.07, "."),
    ("tests", 0.25, "."),
)
GATEWAYS = ("shared.logging.factory", "backend.core.unified_logging")
RESTRICTED = ("logging", "loguru", "structlog")

DIRECT_FORMS = (
    ("import logging", "logging"),
    ("import logging.handlers", "logging"),
    ("from logging import getLogger", "logging"),
    ("from loguru import logger", "loguru"),
    ("import structlog", "structlog"),
)
SSOT_FORMS = (
    "from shared.logging.factory import get_logger",
    "from backend.core.unified_logging import central_logger",
)
FILLER = '''

def {name}_{i}(value, scale=2):
    """Transform a value ({i})."""
    total = 0
    for item in range(scale):
        total += item * value
    return {{"value": value, "total": total, "label": f"{{value!r}}-{i}"}}
'''
CLASS_FILLER = '''

class {cls}{i}:
    """A class that does very little."""

    def __init__(self, size: int = {i}) -> None:
        self.size = size

    def grow(self, by: int = 1) -> int:
        self.size += by
        return self.size
'''


@dataclass
class Manifest:
    modules: int = 0
    files: int = 0
    namespace_folders: int = 0
    violations: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, module

    def by_service(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for file, _, _ in self.violations:
            service = file.split("/")[1] if file.startswith("src/") else file.split("/")[0]
            counts[service] = counts.get(service, 0) + 1
        return dict(sorted(counts.items()))


@dataclass
class _Module:
    name: str
    path: str
    is_package: bool


def _layout(rng: random.Random, n_modules: int) -> list[_Module]:
    modules: list[_Module] = []
    for service, share, source in SERVICES:
        count = max(4, int(n_modules * share))
        base = "" if source == "." else source + "/"
        modules.append(_Module(service, f"{base}{service}/__init__.py", True))
        folders = [service]
        made = 1
        while made < count:
            # Grow the tree: a new sub-folder now and then, else a module in a folder.
            if rng.random() < 0.12 or len(folders) < 3:
                parent = rng.choice(folders)
                if parent.count(".") < 4:
                    folder = f"{parent}.pkg{len(folders)}"
                    folders.append(folder)
                    if rng.random() < (0.8 if service == "tests" else 0.95):
                        path = base + folder.replace(".", "/") + "/__init__.py"
                        modules.append(_Module(folder, path, True))
                        made += 1
                    continue
            folder = rng.choice(folders)
            name = f"{folder}.mod{made}"
            modules.append(_Module(name, base + name.replace(".", "/") + ".py", False))
            made += 1
    for gateway in GATEWAYS:
        modules.append(_Module(gateway, gateway.replace(".", "/") + ".py", False))
        package = gateway.rsplit(".", 1)[0]
        if package not in {m.name for m in modules}:
            modules.append(_Module(package, package.replace(".", "/") + "/__init__.py", True))
    return modules


def _relative(importer: _Module, target: str) -> str | None:
    """`from . import x` or `from .. import x` when `target` is a near relative."""
    here = importer.name.split(".") if importer.is_package else importer.name.split(".")[:-1]
    parent, _, leaf = target.rpartition(".")
    for level in (1, 2):
        base = here[: len(here) - (level - 1)] if level > 1 else here
        if base and ".".join(base) == parent:
            return f"from {'.' * level} import {leaf}"
    return None


def generate(dest: str, n_modules: int, seed: int = 0) -> Manifest:
    rng = random.Random(seed)
    modules = _layout(rng, n_modules)
    manifest = Manifest()
    by_service: dict[str, list[_Module]] = {}
    for module in modules:
        by_service.setdefault(module.name.split(".")[0], []).append(module)
    dependencies = {  # who may import whom, like the real monorepo
        "backend": ("backend", "shared"),
        "auth_service": ("auth_service", "shared"),
        "analytics_service": ("analytics_service", "shared", "backend"),
        "shared": ("shared",),
        "test_framework": ("test_framework", "shared", "backend", "auth_service"),
        "tests": ("tests", "test_framework", "backend", "auth_service", "analytics_service"),
    }
    folders_with_files: set[str] = set()
    for module in modules:
        service = module.name.split(".")[0]
        lines = [
            f'"""Module {module.name} (generated)."""',
            "",
            "from __future__ import annotations",
        ]
        deferred: list[tuple[str, str]] = []  # imports inside functions: text, module
        roll = rng.random()
        is_gateway = module.name in GATEWAYS
        if is_gateway:
            lines += ["import logging", "from loguru import logger as _loguru"]
        elif roll < 0.18:
            for _ in range(rng.choice((1, 1, 1, 2))):
                text, restricted = rng.choice(DIRECT_FORMS)
                where = rng.random()
                if where < 0.8:
                    lines.append(text)
                    manifest.violations.append((module.path, len(lines), restricted))
                elif where < 0.9:
                    deferred.append((text, restricted))
                else:
                    lines += ["from typing import TYPE_CHECKING", "if TYPE_CHECKING:"]
                    lines.append("    " + text)
                    manifest.violations.append((module.path, len(lines), restricted))
        elif roll < 0.33:
            lines.append(rng.choice(SSOT_FORMS))
        pool = [m for s in dependencies[service] for m in by_service[s] if m is not module]
        for _ in range(min(len(pool), int(rng.expovariate(1 / 7)) + 1)):
            target = rng.choice(pool)
            relative = _relative(module, target.name) if rng.random() < 0.3 else None
            lines.append(relative or f"import {target.name}")
        for i in range(rng.randint(2, 6)):
            lines += FILLER.format(name=module.name.rsplit(".", 1)[-1], i=i).split("\n")
        if rng.random() < 0.4:
            lines += CLASS_FILLER.format(cls="Thing", i=rng.randint(1, 99)).split("\n")
        for text, restricted in deferred:
            lines += ["", "", "def _late():", "    " + text, "    return None"]
            manifest.violations.append((module.path, len(lines) - 1, restricted))
        path = os.path.join(dest, module.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        folders_with_files.add(os.path.dirname(module.path))
        manifest.files += 1
        manifest.modules += 1
    manifest.namespace_folders = sum(
        1
        for folder in folders_with_files
        if not os.path.exists(os.path.join(dest, folder, "__init__.py"))
    )
    manifest.violations.sort()
    with open(os.path.join(dest, ".importlinter"), "w", encoding="utf-8") as handle:
        handle.write(contract_file())
    return manifest


def contract_file() -> str:
    roots = "\n".join(f"    {name}" for name, _, _ in SERVICES)
    gateways = "\n".join(f"    {g}" for g in GATEWAYS)
    return (
        f"[importlinter]\nroot_packages =\n{roots}\ninclude_external_packages = True\n"
        "contract_types =\n    ssot: ssot_arch.contract.SSOTContract\n\n"
        "[importlinter:contract:logging-ssot]\nname = Logging goes through the SSOT\n"
        f"type = ssot\ngateways =\n{gateways}\n"
        "systems =\n    unified = backend.core.unified_logging\n    shared = shared.logging\n"
        "    stdlib = logging\n    loguru = loguru\n    structlog = structlog\n"
        "ssot_systems =\n    unified\n    shared\n\n"
        "[ssot-arch]\nsource_roots =\n    src\n    .\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest")
    parser.add_argument("--modules", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    manifest = generate(args.dest, args.modules, args.seed)
    summary = {
        "modules": manifest.modules,
        "namespace_folders": manifest.namespace_folders,
        "violations": len(manifest.violations),
        "by_service": manifest.by_service(),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
