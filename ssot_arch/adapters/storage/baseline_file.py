"""Read and write the baseline file: JSON, one accepted violation per line, sorted.

    {
      "ssot_arch_baseline": 1,
      "contracts": {
        "logging-ssot": {
          "budgets": {"backend": 120},
          "entries": [
            {"file": "app/a.py", "imported": "logging", "import": "import logging"},
            {"file": "app/b.py", "imported": "loguru", "import": "import loguru",
             "occurrence": 2, "reason": "vendored", "owner": "@ana", "expires": "2027-03-31"}
          ]
        }
      }
    }

(Each entry is written on one line; the second is folded here only to fit.) One line
per entry keeps review diffs to the lines that changed. A file that cannot
be read back exactly is an error naming the key, and is never overwritten.

A baseline path that is a symbolic link is read and written through to its target, so
an update keeps the link; but a path inside the repository whose link leads out of it
is neither read nor written, and the configuration (part of the analysed tree) may only
name a baseline inside the repository.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

from ssot_arch.adapters.filesystem.writing import is_within, write_atomic
from ssot_arch.domain.baseline import (
    ENTRY_KEYS,
    Baseline,
    BaselineEntry,
    ContractBaseline,
    EntryValue,
    entry_to_dict,
)
from ssot_arch.domain.errors import ConfigError, ConfigProblem

FORMAT = 1
MARKER = "ssot_arch_baseline"
# What an entry's optional keys hold when they are left out of the file.
OMITTED = {"occurrence": 1, "importer": "", "reason": "", "owner": "", "expires": None}


class BaselinePathRefused(Exception):
    """A baseline path that is neither read nor written: `reason` says why, `fix` what to
    do (besides naming the file's own path)."""

    def __init__(self, path: str, reason: str, fix: str) -> None:
        super().__init__(f"{path}: {reason}; {fix}")
        self.path, self.reason, self.fix = path, reason, fix


def _entry_to_dict(entry: BaselineEntry) -> dict[str, EntryValue]:
    """The entry as the file holds it: optional keys only when they say something."""
    return {
        key: value
        for key, value in entry_to_dict(entry).items()
        if key not in OMITTED or value != OMITTED[key]
    }


def dumps(baseline: Baseline) -> str:
    """The text of the baseline file: sorted, one entry per line."""
    lines = ["{", f'  "{MARKER}": {FORMAT},', '  "contracts": {']
    contracts = sorted(baseline.contracts.items())
    for n, (contract_id, contract) in enumerate(contracts):
        lines.append(f"    {json.dumps(contract_id)}: {{")
        parts = []
        if contract.budgets:
            parts.append(f'      "budgets": {json.dumps(dict(sorted(contract.budgets.items())))}')
        rows = [
            "        " + json.dumps(_entry_to_dict(e), ensure_ascii=False)
            for e in sorted(contract.entries)
        ]
        parts.append(
            '      "entries": [' + ("\n" + ",\n".join(rows) + "\n      ]" if rows else "]")
        )
        lines.append(",\n".join(parts))
        lines.append("    }" + ("," if n < len(contracts) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def real_baseline_path(path: str, root_dir: str, *, configured: bool) -> str:
    """The file to read and write for the baseline at `path`: a symbolic link's target.

    Raises BaselinePathRefused when `path` lies inside the repository but leads out of it,
    or is `configured` (named by the repository's own configuration) and lies outside it.
    """
    path = os.path.normpath(os.path.abspath(path))
    repository = os.path.abspath(root_dir)
    real = os.path.realpath(path)
    if is_within(path, repository):
        if not is_within(real, os.path.realpath(repository)):
            raise BaselinePathRefused(
                path,
                "is a symbolic link (or lies in a linked folder) that leads out of the "
                "repository, and such a baseline is neither read nor written",
                "replace the link by the file, or pass the file's own path",
            )
    elif configured:
        raise BaselinePathRefused(
            path,
            "lies outside the repository, and the repository's configuration may only "
            "name a baseline inside it",
            "move the file in, or pass it",
        )
    return real


def write_baseline(path: str, baseline: Baseline) -> None:
    """Write `baseline` to `path`, atomically."""
    write_atomic(path, dumps(baseline))


class _Reader:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(message, file=self.path, key=key))

    def entry(self, key: str, raw: Any) -> BaselineEntry | None:
        if not isinstance(raw, dict):
            self.problem(key, "must be an object with file, imported and import")
            return None
        for unknown in sorted(set(raw) - set(ENTRY_KEYS)):
            self.problem(f"{key}.{unknown}", f"unknown key; valid: {', '.join(ENTRY_KEYS)}")
        values = {}
        for name in ("file", "imported", "import"):
            if not isinstance(raw.get(name), str) or not raw[name]:
                self.problem(f"{key}.{name}", "must be a non-empty string")
                return None
            values[name] = raw[name]
        for name in ("importer", "reason", "owner"):
            if not isinstance(raw.get(name, ""), str):
                self.problem(f"{key}.{name}", "must be a string")
                return None
        occurrence = raw.get("occurrence", 1)
        if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
            self.problem(f"{key}.occurrence", "must be a whole number from 1")
            return None
        expires = None
        if "expires" in raw:
            try:
                expires = datetime.date.fromisoformat(raw["expires"])
            except (TypeError, ValueError):
                self.problem(f"{key}.expires", f"{raw['expires']!r} is not a date (YYYY-MM-DD)")
                return None
        return BaselineEntry(
            file=values["file"],
            imported=values["imported"],
            import_text=values["import"],
            occurrence=occurrence,
            importer=raw.get("importer", ""),
            reason=raw.get("reason", ""),
            owner=raw.get("owner", ""),
            expires=expires,
        )

    def contract(self, key: str, raw: Any) -> ContractBaseline | None:
        if not isinstance(raw, dict):
            self.problem(key, "must be an object with entries and/or budgets")
            return None
        for unknown in sorted(set(raw) - {"entries", "budgets"}):
            self.problem(f"{key}.{unknown}", "unknown key; valid: entries, budgets")
        entries_raw = raw.get("entries", [])
        if not isinstance(entries_raw, list):
            self.problem(f"{key}.entries", "must be a list")
            entries_raw = []
        entries = [self.entry(f"{key}.entries[{i}]", e) for i, e in enumerate(entries_raw)]
        budgets = raw.get("budgets", {})
        if not isinstance(budgets, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in budgets.values()
        ):
            self.problem(f"{key}.budgets", "must map group names to whole numbers from 0")
            budgets = {}
        return ContractBaseline(tuple(e for e in entries if e is not None), dict(budgets))


def read_baseline(path: str) -> Baseline:
    """The baseline in `path`; ConfigError (exit 2) when it is missing or malformed."""
    hint = "fix it by hand or restore it from version control; it was left as it is"
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError as error:
        raise ConfigError(
            ConfigProblem("no such baseline; create it with `ssot-arch baseline`", file=path)
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(ConfigProblem(f"cannot read it ({error}); {hint}", file=path)) from error
    try:
        data = json.loads(text)
    except RecursionError as error:
        raise ConfigError(
            ConfigProblem(f"is not a baseline: its JSON is nested too deeply; {hint}", file=path)
        ) from error
    except json.JSONDecodeError as error:
        raise ConfigError(
            ConfigProblem(
                f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                + hint,
                file=path,
            )
        ) from error
    if not isinstance(data, dict) or data.get(MARKER) != FORMAT:
        raise ConfigError(
            ConfigProblem(f'is not an ssot-arch baseline ("{MARKER}": {FORMAT} missing)', file=path)
        )
    reader = _Reader(path)
    contracts_raw = data.get("contracts")
    if not isinstance(contracts_raw, dict):
        raise ConfigError(
            ConfigProblem("must be an object of contracts", file=path, key="contracts")
        )
    contracts = {}
    for contract_id, raw in contracts_raw.items():
        parsed = reader.contract(f"contracts.{contract_id}", raw)
        if parsed is not None:
            contracts[contract_id] = parsed
    if reader.problems:
        for problem in reader.problems:
            problem.message += f" ({hint})"
        raise ConfigError(reader.problems)
    return Baseline(contracts)
