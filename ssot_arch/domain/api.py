"""What a replacement offers and how a rewritten module uses it: the words of `fix`'s
proof that every use of the new name is supported (docs/spec.md, *Fix outcomes*).

The replacement is read from its source, never imported: a function's parameters and
return type, an instance's class with its methods, attributes and bases. A use is
checked against it: an attribute must exist, a call must bind to the signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FUNCTION, INSTANCE, CLASS = "function", "instance", "class"
METHOD, ATTRIBUTE = "method", "attribute"


@dataclass(frozen=True)
class Signature:
    """The parameters a call binds to, `self` or `cls` already dropped."""

    positional: tuple[str, ...] = ()  # positional-only first, then positional-or-keyword
    positional_only: int = 0  # how many of `positional` are positional-only
    defaults: int = 0  # how many of the last of `positional` have a default
    keyword_only: tuple[str, ...] = ()
    keyword_defaults: frozenset[str] = frozenset()
    var_positional: bool = False
    var_keyword: bool = False


@dataclass(frozen=True)
class CallShape:
    """The arguments of a call as written: how many positional ones, which keywords,
    and whether it unpacks (`*args`, `**kwargs`: then the count is not known here)."""

    positional: int = 0
    keywords: tuple[str, ...] = ()
    unpacks: bool = False


@dataclass(frozen=True)
class Member:
    """An attribute of a class: a method (with its signature when its decorators leave
    it readable) or a plain attribute."""

    kind: str  # METHOD or ATTRIBUTE
    signature: Signature | None = None


@dataclass(frozen=True)
class ClassApi:
    """The attributes instances of a class have, read from the class and its bases."""

    name: str  # qualified: `app.logs.Logger`, `logging.Logger`
    members: Mapping[str, Member] = field(default_factory=dict)
    # Why instances may have attributes `members` does not list (`__getattr__`, a base
    # that could not be read), None when the list is complete.
    open: str | None = None
    # The standard library's `logging.Logger` or a subclass of it: all `getLogger`'s
    # result offered, so any use that worked on it still works.
    is_logger: bool = False


@dataclass(frozen=True)
class ReplacementApi:
    """The object a replacement names, as read from its source."""

    name: str  # `MODULE:NAME`
    kind: str | None  # FUNCTION, INSTANCE or CLASS; None when it could not be read
    signature: Signature | None = None  # a function's, a class's constructor's
    returns: ClassApi | None = None  # what a function returns, a class's instances
    instance: ClassApi | None = None  # an instance's class
    unknown: str | None = None  # why it could not be read (the rewrite is then unsafe)
    # The external object it is, re-exported as it is (`from loguru import logger`):
    # replacing that very object changes no use.
    same_as: str | None = None


@dataclass(frozen=True)
class NameUse:
    """One use of a rewritten name in the new text: `logger.info("x", y)` is the
    attribute `info`, called with one positional argument and one more."""

    line: int
    text: str  # as written
    attribute: str | None = None  # `name.attribute`; None: the name itself
    call: CallShape | None = None  # how the name, or its attribute, is called
    result_used: bool = False  # a call of the name whose result is kept or passed on
