"""Output formats for `check`: one small module each, all behind `render(outcome, color)`."""

from __future__ import annotations

from collections.abc import Callable

from ssot_arch.domain.model import CheckOutcome

Renderer = Callable[[CheckOutcome, bool], str]


def get_renderer(name: str) -> Renderer:
    if name == "text":
        from ssot_arch.formats.text import render
    elif name == "json":
        from ssot_arch.formats.json_format import render
    else:
        raise KeyError(name)
    return render


CHECK_FORMATS = ("text", "json")
