"""`fix`'s cache of verdicts: a record on the signed store (storage/signed_store.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from typing import Any

from ssot_arch import __version__
from ssot_arch.adapters.storage.signed_store import FORMAT, INT, STR, SignedStore, rows_of_shape


class RewriteCache:
    """`fix`'s verdict on each module text it rewrote, so that `plan`, a dry run and then
    `--write` analyse each module once. Keyed on a hash of the text and of what the
    rewrite was asked (restricted modules, replacements); one generation per ssot-arch
    and LibCST version. Signed like every cache file: a verdict is text to be written
    into the repository, so only this account's own may be reused."""

    KEEP = 50_000  # beyond this many verdicts, only the last run's are kept

    def __init__(self, directory: str):
        self.store = SignedStore(directory, "rewrites.json", "rewrites")
        self.generation = f"{FORMAT}:{__version__}:{version('libcst')}"
        valid = "texts and their remaining uses"
        self.entries: dict[str, Any] = self.store.load(self.generation, _valid, valid) or {}
        self.fresh: dict[str, Any] = {}

    @staticmethod
    def key_of(
        text: str,
        restricted: Sequence[str],
        replacements: Sequence[Any],
        first_party: Iterable[str] = (),
    ) -> str:
        asked = json.dumps(
            [sorted(restricted), sorted(str(r) for r in replacements), sorted(first_party)]
        )
        digest = hashlib.sha256(asked.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> tuple[str | None, list[tuple[int, str, str]]] | None:
        raw = self.entries.get(key)
        if raw is None:
            return None
        self.fresh[key] = raw
        return raw[0], [tuple(r) for r in raw[1]]

    def put(self, key: str, text: str | None, remaining: Iterable[tuple[int, str, str]]) -> None:
        self.fresh[key] = [text, [list(r) for r in remaining]]

    def save(self) -> None:
        """Keep this run's verdicts and, up to KEEP, the earlier ones."""
        if not self.fresh or self.fresh.keys() == self.entries.keys():
            return
        merged = {**self.entries, **self.fresh}
        self.store.save(self.generation, merged if len(merged) <= self.KEEP else self.fresh)


def _valid(entries: Any) -> bool:
    return type(entries) is dict and all(
        type(raw) is list
        and len(raw) == 2
        and (raw[0] is None or type(raw[0]) is str)
        and rows_of_shape(raw[1], INT, STR, STR)
        for raw in entries.values()
    )
