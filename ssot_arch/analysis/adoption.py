"""What `ssot-arch init` proposes for a repository with no configuration: the logging
libraries in use, the modules that look like its single source of truth, the competing
systems they form, and the contract that follows.

Method
------
* A *library* is one of LIBRARIES that some first-party module imports (itself or a
  submodule: `logging.handlers` counts as `logging`).
* A *candidate* is a first-party module that imports a library directly and that other
  modules import for their loggers: a name that is a logger or makes one
  (`logger`, `central_logger`, `CentralLogger`, `get_logger`, `setup_logging`; not
  `LogFormatter`). A module that imports a candidate and is itself
  imported for such names, without importing a library, is a *facade* of it
  (`shared.logging`'s `__init__` re-exporting `get_logger`): its users count for the
  candidate, through it.
* A candidate's *score* is the number of distinct modules that import logger names from
  it or from one of its facades. Candidates are ranked by score, then by importers of
  any kind, then by name.
* The *intended* SSOT, walking the ranking: a candidate whose users are for the most part
  (SHARED_USERS) an intended candidate's *joins* it (a second module behind the same
  facade); otherwise it is intended when no intended candidate lives in its root
  package yet, its score is at least MIN_SCORE, and it is used from two or more root
  packages or scores at least INTENDED_SHARE of the best. So a backend's own logger and
  a shared library's factory can both be intended, but not two helpers of one service.
  Each intended candidate forms a system with its facades; a candidate joining it imports
  a library itself, so it is no part of the system but a violator, and a note says so
  and what to do. Each library imported directly by a module that is no gateway forms a
  competing one (`logging` is named `stdlib`).
* The contract restricts every library found and names the intended candidates as its
  gateways (its violations are counted by running the check). The suggested plan order
  takes the root packages other roots import most first: libraries before the
  services built on them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import networkx as nx

from ssot_arch.analysis.leaks import first_party_files
from ssot_arch.domain.adoption import DEFINED, Candidate, Proposal
from ssot_arch.domain.model import ContractSpec, System
from ssot_arch.domain.remediation import Replacement

LIBRARIES = (
    "logging",
    "loguru",
    "structlog",
    "logbook",
    "eliot",
    "twiggy",
    "picologging",
    "logzero",
)
SYSTEM_NAMES = {"logging": "stdlib"}
# A name that is a logger or gives one: `logger`, `central_logger`, `CentralLogger`,
# `get_logger`, `getLogger`, `setup_logging` (not `LogFormatter`, `catalog`, `login`).
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
LOGGER_WORDS = frozenset({"log", "logger", "loggers"})
MAKER_WORDS = frozenset({"get", "make", "create", "setup", "configure", "init", "initialize"})


def is_logger_name(name: str) -> bool:
    words = [w.lower() for w in _WORDS.findall(name)]
    if not words:
        return False
    if words[-1] in LOGGER_WORDS:
        return True
    return words[0] in MAKER_WORDS and bool({"logger", "logging", "log"} & set(words))


INTENDED_SHARE = 0.2
MIN_SCORE = 2
SHARED_USERS = 0.5
CONTRACT_ID = "logging-ssot"


def library_of(module: str) -> str | None:
    top = module.split(".", 1)[0]
    return top if top in LIBRARIES else None


# Per library, the restricted name a replacement stands for, and whether a function the
# SSOT defines can stand for it (a call, as `getLogger(name)`), or only the library's own
# object re-exported (loguru's `logger`).
REPLACED = {
    "logging": ("logging.getLogger", True),
    "structlog": ("structlog.get_logger", True),
    "loguru": ("loguru.logger", False),
}


def propose(
    graph: nx.DiGraph[str],
    names: Mapping[tuple[str, str], Iterable[str]],
    offers: Callable[[str], Mapping[str, str]] | None = None,
) -> Proposal:
    """The proposal for the repository whose import graph is `graph` (first-party nodes
    marked as files, as adapters/scanning/nx_graph.py builds it). `names`: for an (importer,
    imported) pair, the names the importer takes from it (`from imported import name`).
    `offers`: what each top-level name of a first-party module is
    (`RepositorySources.offered`), asked of the SSOT modules and their facades only, from
    which the replacements are proposed."""
    files = first_party_files(graph)
    wraps: dict[str, set[str]] = {}
    for module in files:
        for imported in graph.successors(module):
            library = library_of(imported)
            if library is not None:
                wraps.setdefault(module, set()).add(library)
    libraries = Counter(lib for found in wraps.values() for lib in found)

    def logger_users(module: str) -> dict[str, set[str]]:
        """The modules importing logger names from `module`, by name."""
        users: dict[str, set[str]] = {}
        for importer in graph.predecessors(module):
            for name in names.get((importer, module), ()):
                if is_logger_name(name):
                    users.setdefault(name, set()).add(importer)
        return users

    facades_of: dict[str, list[str]] = {}
    for module in sorted(files):
        if module in wraps or not logger_users(module):
            continue
        for imported in graph.successors(module):
            if imported in wraps:
                facades_of.setdefault(imported, []).append(module)

    candidates = []
    users_of: dict[str, set[str]] = {}
    for module in sorted(wraps):
        facades = facades_of.get(module, [])
        by_name: dict[str, set[str]] = {}
        importers: set[str] = set()
        for source in [module, *facades]:
            for name, users in logger_users(source).items():
                by_name.setdefault(name, set()).update(users)
            importers.update(graph.predecessors(source))
        users = set().union(*by_name.values()) - {module, *facades}
        if not users:
            continue
        users_of[module] = users
        candidates.append(
            Candidate(
                module=module,
                score=len(users),
                importers=len(importers - {module, *facades}),
                names={name: len(found) for name, found in by_name.items()},
                wraps=tuple(sorted(wraps[module])),
                facades=tuple(facades),
                services=len({user.split(".", 1)[0] for user in users}),
            )
        )
    candidates.sort(key=lambda c: (-c.score, -c.importers, c.module))
    ranked = _judged(candidates, users_of)
    intended = [c for c in ranked if c.intended]
    systems = _systems(ranked, wraps)
    gateways = tuple(sorted(c.module for c in intended))
    contract = ContractSpec(
        id=CONTRACT_ID,
        name="Only the SSOT logging modules import logging libraries",
        restricted=tuple(sorted(libraries)),
        gateways=gateways,
        systems=systems,
        replacements=replacements_of(intended, names, offers or (lambda module: {})),
    )
    notes = [
        f"{c.module} also imports {', '.join(c.wraps)} and is imported for loggers by "
        f"modules that use {c.joins}: it is left out of the SSOT system and is a violator; "
        f"make it a gateway too (--gateway {c.module}), or move its logging behind {c.joins}."
        for c in ranked
        if c.joins
    ]
    if libraries and not intended:
        notes.append(
            "No module is imported for its loggers by others: there is no SSOT yet. Choose "
            "or write one (such as ROOT.logs with get_logger) and name it as the gateway."
        )
    return Proposal(
        libraries=dict(sorted(libraries.items())),
        candidates=ranked,
        systems=systems,
        contract=contract,
        notes=tuple(notes),
    )


def replacements_of(
    intended: Iterable[Candidate],
    names: Mapping[tuple[str, str], Iterable[str]],
    offers: Callable[[str], Mapping[str, str]],
) -> tuple[Replacement, ...]:
    """What `fix` needs, read from what the repository already does: for each library an
    intended SSOT wraps, the name its users import from it (or a facade) that stands for
    the library's own (REPLACED): loguru's `logger` re-exported, or a logger-making
    function the SSOT defines (`get_logger` for `logging.getLogger`). The most imported
    such name wins; the first SSOT in the ranking wins a library. `fix` proves each use."""
    found: dict[str, Replacement] = {}
    for candidate in intended:
        sources = (candidate.module, *candidate.facades)
        for library in candidate.wraps:
            if library not in REPLACED or REPLACED[library][0] in found:
                continue
            old, function_ok = REPLACED[library]
            best: tuple[int, str, str] | None = None
            for source in sources:
                users: dict[str, set[str]] = {}
                for (importer, imported), taken in names.items():
                    if imported == source:
                        for name in taken:
                            users.setdefault(name, set()).add(importer)
                for name, importers in sorted(users.items()):
                    kind, where = _resolved(offers, source, name)
                    stands_for = (kind == "name" and where == old) or (
                        function_ok
                        and kind == DEFINED
                        and where in sources
                        and _is_maker_name(name)
                    )
                    if stands_for and (best is None or len(importers) > best[0]):
                        best = (len(importers), source, name)
            if best is not None:
                found[old] = Replacement(old, best[1], best[2])
    return tuple(found[old] for old in sorted(found))


def _resolved(
    offers: Callable[[str], Mapping[str, str]], module: str, name: str
) -> tuple[str, str]:
    """What `module.name` is: (DEFINED, the module defining it), or ("name", the dotted
    name it comes from outside the modules read). A few re-exports are followed."""
    for _ in range(8):
        target = offers(module).get(name)
        if target is None:
            return "name", f"{module}.{name}"
        if target == DEFINED:
            return DEFINED, module
        module, _, name = target.rpartition(".")
        if not module:
            return "name", target
    return "name", f"{module}.{name}"


def _is_maker_name(name: str) -> bool:
    """A name that makes a logger: `get_logger`, `getLogger`, `create_logger`."""
    words = [w.lower() for w in _WORDS.findall(name)]
    return bool(words) and words[0] in MAKER_WORDS and "logger" in words


def _judged(candidates: list[Candidate], users_of: Mapping[str, set[str]]) -> tuple[Candidate, ...]:
    """The ranked candidates, each marked intended or joining an intended one (see the
    module docstring)."""
    best = candidates[0].score if candidates else 0
    chosen: list[tuple[str, set[str]]] = []  # intended candidates, with their users
    roots_served: set[str] = set()
    judged = []
    for candidate in candidates:
        users = users_of[candidate.module]
        joins = next((m for m, u in chosen if len(users & u) >= SHARED_USERS * len(users)), "")
        root = candidate.module.split(".", 1)[0]
        intended = (
            not joins
            and root not in roots_served
            and candidate.score >= MIN_SCORE
            and (candidate.score >= INTENDED_SHARE * best or candidate.services >= 2)
        )
        if intended:
            chosen.append((candidate.module, users))
            roots_served.add(root)
        judged.append(replace(candidate, intended=intended, joins=joins))
    return tuple(judged)


def _systems(ranked: tuple[Candidate, ...], wraps: Mapping[str, set[str]]) -> tuple[System, ...]:
    """The SSOT systems (each intended candidate with its facades and the candidates
    joining it), then the libraries used directly by other modules."""
    systems = []
    taken: set[str] = set()
    intended = [c for c in ranked if c.intended]
    for candidate in intended:
        name = candidate.module.rsplit(".", 1)[-1]
        while name in taken or name in LIBRARIES or name in SYSTEM_NAMES.values():
            name = candidate.module.replace(".", "_")
        taken.add(name)
        # Only the gateway and its facades: a candidate joining it imports a library
        # itself, so it is a violator, and a violator is never counted as the SSOT.
        entries = tuple(dict.fromkeys((candidate.module, *candidate.facades)))
        systems.append(
            System(name, entries, ssot=True, why=f"holds the gateway {candidate.module}")
        )
    gateways = {c.module for c in intended}
    direct = sorted(
        {lib for module, libs in wraps.items() if module not in gateways for lib in libs}
    )
    for library in direct:
        systems.append(System(SYSTEM_NAMES.get(library, library), (library,)))
    return tuple(systems)


def plan_order(
    graph: nx.DiGraph[str], roots: Iterable[str], violators: Iterable[str]
) -> tuple[str, ...]:
    """`plan --priority` patterns, one per root package holding one of `violators`: the
    roots other roots import most first (libraries before the services built on them),
    then by fewest violating modules."""
    violations = Counter(module.split(".", 1)[0] for module in violators)
    used_by: dict[str, set[str]] = {}
    for importer, imported in graph.edges:
        source, target = importer.split(".", 1)[0], imported.split(".", 1)[0]
        if source != target:
            used_by.setdefault(target, set()).add(source)
    ordered = sorted(
        (root for root in roots if violations[root]),
        key=lambda root: (-len(used_by.get(root, ())), violations[root], root),
    )
    return tuple(f"{root}.*" for root in ordered)
