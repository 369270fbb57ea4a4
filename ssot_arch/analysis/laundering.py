"""Laundering: restricted modules or their objects re-exported under another module's name.

`from app.logs import logger`, where `app/logs.py` did `from loguru import logger`,
hands loguru's own logger to a module that never imports loguru: the import graph
shows `app.logs`, not `loguru`. Here each module's top-level bindings (see
`adapters/bindings.py`) say which of its names are restricted modules or their
objects, followed through re-exports of re-exports; every non-gateway `from M import
name` of such a name is reported. A binding in any branch counts (`try: import
structlog` ... `except: structlog = None` still exports structlog). Calls are not
followed: `get_logger()` is the SSOT's API, not a re-export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ssot_arch.analysis.direct import is_within
from ssot_arch.domain.findings import LaunderedImport
from ssot_arch.domain.model import Binding

Exports = Mapping[str, Mapping[str, str]]  # module -> name -> what it really is


def _origin_of(
    binding: Binding, restricted: Sequence[str], exports: Exports, names: dict
) -> str | None:
    if binding.alias_of is not None:
        base = names.get(binding.alias_of)
        if base is None:
            return None
        return f"{base}.{binding.attribute}" if binding.attribute else base
    if binding.module is None or binding.name == "*":
        return None
    if binding.attribute is None:  # import x / import x.y as z
        return binding.module if is_within(binding.module, restricted) else None
    qualified = f"{binding.module}.{binding.attribute}"
    if is_within(binding.module, restricted) or is_within(qualified, restricted):
        return qualified
    return exports.get(binding.module, {}).get(binding.attribute)


def restricted_names(
    bindings: Sequence[Binding], restricted: Sequence[str], exports: Exports
) -> dict[str, str]:
    """The names a module binds to restricted modules or their objects, and what they are."""
    names: dict[str, str] = {}
    for binding in bindings:
        origin = _origin_of(binding, restricted, exports, names)
        if origin is not None:
            names.setdefault(binding.name, origin)
        elif binding.name == "*" and binding.module in exports:
            for name, star_origin in exports[binding.module].items():
                names.setdefault(name, star_origin)
    return names


def laundered_imports(
    importer: str, bindings: Sequence[Binding], restricted: Sequence[str], exports: Exports
) -> list[LaunderedImport]:
    """`from M import name` statements of `importer` that fetch a laundered name."""
    found = []
    for binding in bindings:
        via = binding.module
        if via is None or is_within(via, restricted) or via not in exports:
            continue
        if binding.name == "*":
            for name, origin in sorted(exports[via].items()):
                found.append(LaunderedImport(importer, binding.line, via, name, origin))
        elif binding.attribute in exports[via]:
            found.append(
                LaunderedImport(
                    importer, binding.line, via, binding.attribute, exports[via][binding.attribute]
                )
            )
    return found
