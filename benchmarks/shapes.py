"""Generate the worst-case import-graph shapes of the performance issue.

* `chain`: modules `chain.a0 → chain.a1 → … → chain.a{n-1} → logging` (each module
  imports the next, the last one imports logging), so every module leaks logging
  transitively through a chain up to n long: the report's shortest chains and its
  JSON grow with n², unless they are shared.
* `ring`: modules `ring.m0 → ring.m1 → … → ring.m{n-1} → ring.m0`, one cycle through
  every module, and `loggers` evenly spaced modules of it also import logging.

Both trees have one gateway, `app.log`, which imports logging and which no other
module imports, and an `.importlinter` with the SSOT contract (only `app.log` may
import logging). Files are tiny: the shapes stress the graph, not the parser.

    python -m benchmarks.shapes DEST chain --size 5000
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

CHAIN_LENGTH = 5_000
RING_SIZE = 50_000
RING_LOGGERS = 50
GATEWAY = "app.log"
RESTRICTED = "logging"
SHAPES = ("chain", "ring")
ISSUE_SIZES = {"chain": CHAIN_LENGTH, "ring": RING_SIZE}  # the sizes the issue names


@dataclass(frozen=True)
class Shape:
    """A generated graph: every module and what it imports, in writing order."""

    name: str
    imports: Mapping[str, tuple[str, ...]]

    @property
    def package(self) -> str:
        """The root package holding the shape's modules."""
        return self.name

    @property
    def loggers(self) -> list[str]:
        """The modules that import logging directly, the gateway included."""
        return [m for m, targets in self.imports.items() if RESTRICTED in targets]

    @property
    def violations(self) -> list[str]:
        """The loggers that are not the gateway: what `ssot-arch check` reports."""
        return [m for m in self.loggers if m != GATEWAY]


def chain(length: int = CHAIN_LENGTH) -> Shape:
    """`chain.a0 → … → chain.a{length-1} → logging`, plus the gateway."""
    names = [f"chain.a{i}" for i in range(length)]
    imports = {name: (names[i + 1],) for i, name in enumerate(names[:-1])}
    imports[names[-1]] = (RESTRICTED,)
    return Shape("chain", {**imports, GATEWAY: (RESTRICTED,)})


def ring(size: int = RING_SIZE, loggers: int = RING_LOGGERS) -> Shape:
    """`ring.m0 → … → ring.m{size-1} → ring.m0`; `loggers` evenly spaced modules of
    the ring also import logging; plus the gateway."""
    names = [f"ring.m{i}" for i in range(size)]
    logging_at = {i * size // loggers for i in range(min(loggers, size))}
    imports = {
        name: (names[(i + 1) % size], *((RESTRICTED,) if i in logging_at else ()))
        for i, name in enumerate(names)
    }
    return Shape("ring", {**imports, GATEWAY: (RESTRICTED,)})


def build(name: str, size: int) -> Shape:
    """The shape `name` (`chain` or `ring`) with `size` modules (besides the gateway)."""
    if name == "chain":
        return chain(size)
    if name == "ring":
        return ring(size)
    raise ValueError(f"unknown shape {name!r} (known: {', '.join(SHAPES)})")


def module_source(module: str, targets: tuple[str, ...]) -> str:
    """The text of one generated module: a docstring and its imports."""
    lines = [f'"""{module} (generated)."""', "", *(f"import {t}" for t in targets)]
    return "\n".join(lines) + "\n"


def contract_file(shape: Shape) -> str:
    """The `.importlinter` of a shape: only the gateway may import logging."""
    return (
        f"[importlinter]\nroot_packages =\n    app\n    {shape.package}\n"
        "include_external_packages = True\n"
        "contract_types =\n    ssot: ssot_arch.contract.SSOTContract\n\n"
        f"[importlinter:contract:logging-ssot]\nname = Logging goes through {GATEWAY}\n"
        f"type = ssot\nrestricted_modules =\n    {RESTRICTED}\ngateways =\n    {GATEWAY}\n"
    )


def write(shape: Shape, dest: str) -> None:
    """Write the shape's packages and its `.importlinter` below `dest`."""
    for package in ("app", shape.package):
        os.makedirs(os.path.join(dest, package), exist_ok=True)
        _write_text(os.path.join(dest, package, "__init__.py"), f'"""{package}."""\n')
    for module, targets in shape.imports.items():
        path = os.path.join(dest, *module.split(".")) + ".py"
        _write_text(path, module_source(module, targets))
    _write_text(os.path.join(dest, ".importlinter"), contract_file(shape))


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("dest")
    parser.add_argument("shape", choices=SHAPES)
    parser.add_argument("--size", type=int, help="modules (default: the issue's)")
    args = parser.parse_args()
    shape = build(args.shape, args.size or ISSUE_SIZES[args.shape])
    write(shape, args.dest)
    summary = {"modules": len(shape.imports), "loggers": len(shape.loggers)}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
