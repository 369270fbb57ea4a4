"""Whether a replacement supports each use of the name a rewrite gives it.

A use the replacement provably lacks (an attribute its class does not have, a call that
does not bind to the signature) would fail when it runs: the file is `manual`. A use
that cannot be proven either way (the object or its class could not be read, a class
with `__getattr__`, a call that unpacks `*args`, the name passed on as a value) makes
the rewrite `unsafe`: written only on request.
"""

from __future__ import annotations

from ssot_arch.domain.api import (
    CLASS,
    FUNCTION,
    INSTANCE,
    CallShape,
    ClassApi,
    NameUse,
    ReplacementApi,
    Signature,
)
from ssot_arch.domain.remediation import MANUAL, UNSAFE


def bind_problem(signature: Signature, call: CallShape, what: str) -> str | None:
    """Why a call with `call`'s arguments cannot bind to `signature` (of `what`), or
    None when it binds. A call that unpacks binds only if the signature takes anything."""
    positional = signature.positional
    if call.positional > len(positional) and not signature.var_positional:
        return (
            f"{what} takes {len(positional)} positional "
            f"argument{'s' if len(positional) != 1 else ''}, {call.positional} given"
        )
    bound = set(positional[: call.positional])
    named = set(positional[signature.positional_only :]) | set(signature.keyword_only)
    for keyword in call.keywords:
        if keyword in bound:
            return f"{what} gets two values for {keyword!r}"
        if keyword not in named and not signature.var_keyword:
            return f"{what} has no parameter {keyword!r}"
        bound.add(keyword)
    if call.unpacks:
        return None
    required = positional[: len(positional) - signature.defaults]
    missing = [name for name in required if name not in bound]
    missing += [
        name
        for name in signature.keyword_only
        if name not in signature.keyword_defaults and name not in bound
    ]
    if missing:
        return f"{what} needs {', '.join(repr(m) for m in missing)}"
    return None


def _member_use(api: ClassApi, use: NameUse, shown: str) -> tuple[str, str] | None:
    assert use.attribute is not None
    member = api.members.get(use.attribute)
    if member is None:
        if api.open is not None:
            return UNSAFE, f"{api.name} may or may not have {use.attribute}: {api.open}"
        return MANUAL, f"{api.name} has no attribute {use.attribute!r} ({shown})"
    if use.call is None:
        return None
    if member.signature is None:
        return UNSAFE, f"the signature of {api.name}.{use.attribute} cannot be read"
    if use.call.unpacks and not (member.signature.var_positional and member.signature.var_keyword):
        return UNSAFE, f"a call that unpacks arguments into {api.name}.{use.attribute}"
    problem = bind_problem(member.signature, use.call, f"{api.name}.{use.attribute}")
    return (MANUAL, problem) if problem else None


def judge_use(api: ReplacementApi, use: NameUse) -> tuple[str, str] | None:
    """`(MANUAL or UNSAFE, why)` for a use the replacement does not (or not provably)
    support; None for one it does."""
    shown = api.name
    if api.kind is None:
        return UNSAFE, f"{shown} cannot be read from its source: {api.unknown}"
    if api.kind == INSTANCE:
        assert api.instance is not None
        if use.attribute is not None:
            return _member_use(api.instance, use, shown)
        if use.call is not None:
            call = NameUse(use.line, use.text, "__call__", use.call)
            return _member_use(api.instance, call, shown)
        return UNSAFE, f"{shown} is passed on as a value: what receives it is not checked"
    if use.attribute is not None:
        return UNSAFE, f"{shown}.{use.attribute}: an attribute of a {api.kind} is not checked"
    if use.call is None:
        return UNSAFE, f"{shown} is passed on as a value: its calls elsewhere are not checked"
    if api.signature is None:
        return UNSAFE, f"the signature of {shown} cannot be read"
    if use.call.unpacks:
        return UNSAFE, f"a call of {shown} that unpacks arguments"
    problem = bind_problem(api.signature, use.call, shown)
    if problem:
        return MANUAL, problem
    returns = api.returns
    if use.result_used and api.kind in (FUNCTION, CLASS) and not (returns and returns.is_logger):
        returned = returns.name if returns else "not annotated"
        return UNSAFE, (
            f"what {shown} returns ({returned}) is not proven to offer all of "
            "logging.Logger: annotate it `-> logging.Logger`"
        )
    return None
