"""What `ssot-arch init` found in a repository and proposes (analysis/adoption.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ssot_arch.domain.model import ContractSpec, SkippedDir, System


@dataclass(frozen=True)
class Candidate:
    module: str
    score: int  # distinct modules importing logger names from it or its facades
    importers: int  # distinct modules importing it or its facades, for any name
    names: Mapping[str, int]  # logger names imported from it and its facades -> modules
    wraps: tuple[str, ...]  # the libraries it imports
    facades: tuple[str, ...]
    services: int = 0  # root packages its logger users are in
    intended: bool = False
    joins: str = ""  # the intended candidate whose users it mostly shares

    @property
    def why(self) -> str:
        names = ", ".join(
            f"{name} ×{count}"
            for name, count in sorted(self.names.items(), key=lambda item: (-item[1], item[0]))[:4]
        )
        text = (
            f"imports {', '.join(self.wraps)}; {self.score} "
            f"{'module imports' if self.score == 1 else 'modules import'} logger names "
            f"from it ({names})"
        )
        if self.facades:
            text += f", also through {', '.join(self.facades)}"
        text += f"; used from {self.services} root package" + ("s" if self.services != 1 else "")
        if self.joins:
            text += f"; most of its users also use {self.joins}: the same system"
        return text


# What `RepositorySources.offered` says of a function a module defines itself.
DEFINED = "def"


@dataclass(frozen=True)
class Proposal:
    libraries: Mapping[str, int]  # library -> first-party modules importing it directly
    candidates: tuple[Candidate, ...]
    systems: tuple[System, ...]
    contract: ContractSpec
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class InitOutcome:
    """What `init` found and proposes."""

    root_dir: str
    packages: tuple[str, ...]  # root packages
    modules: tuple[str, ...]  # top-level modules that are roots of their own
    source_roots: tuple[str, ...]  # folders the roots were found in, from root_dir
    skipped_dirs: tuple[SkippedDir, ...]
    existing_config: str | None  # a configuration file that init read the roots from
    proposal: Proposal
    violations: int  # what `check` reports with the proposed contract
    priorities: tuple[str, ...]  # `plan --priority` patterns, in order
    written: str | None = None  # the file `--write` added the contract to
    # The violating files `fix` would migrate safely with the proposed replacements.
    migratable: int = 0
