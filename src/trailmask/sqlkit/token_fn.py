"""``token(kind, 'raw value')`` in ad-hoc SQL: lifted out of the statement into a bound parameter.

A masked role compares masked values, so ``WHERE userIdentity.arn = 'arn:aws:iam::...:user/alice'``
never matches. ``token('arn', 'arn:aws:iam::...:user/alice')`` asks the server for the role's view
of that raw value. The sandbox does not allow the function: :func:`lift_token_calls` replaces each
call by a named parameter ``$tm_token_N`` (one per distinct kind and value) before the sandbox
sees the statement, and returns the calls; the service computes each parameter's value by trusted
code (service.token_fn: permission, rate limit, audit) and binds it. The raw value is therefore in
no SQL text the query path prints (``explain``, the audit's SQL shape, error excerpts): only the
parameter's name is.

A call must be ``token(<string literal>, <string literal>)``; anything else (a column, a parameter,
an expression, another number of arguments) is refused, and the refusal never quotes the
arguments. A statement that does not parse is returned unchanged, so the sandbox reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from trailmask.errors import QueryRejected

FUNCTION = "token"
PARAMETER_PREFIX = "tm_token_"
_MAYBE = re.compile(rf"\b{FUNCTION}\s*\(", re.IGNORECASE)
_HINT = "write token('<kind>', '<raw value>') with two quoted strings, e.g. token('ip', '203.0.113.10')"


@dataclass(frozen=True)
class TokenCall:
    """One distinct ``token(kind, value)`` of a statement and the parameter that replaced it."""

    parameter: str
    kind: str
    value: str


@dataclass(frozen=True)
class Lifted:
    """The statement with every token() call replaced by its parameter, and the calls."""

    sql: str
    calls: tuple[TokenCall, ...] = ()

    @property
    def placeholders(self) -> dict[str, None]:
        """``{parameter: None}`` for each call (valued before the run by service.token_fn)."""
        return {call.parameter: None for call in self.calls}

    @property
    def lookups(self) -> dict[str, tuple[str, str]]:
        """``{parameter: (kind, raw value)}`` for each call."""
        return {call.parameter: (call.kind, call.value) for call in self.calls}


def _is_call(node: exp.Expr) -> bool:
    return isinstance(node, exp.Anonymous) and str(node.this).lower() == FUNCTION


def _arguments(node: exp.Anonymous) -> tuple[str, str]:
    args = node.expressions
    if len(args) != 2 or not all(isinstance(a, exp.Literal) and a.is_string for a in args):
        raise QueryRejected("token() takes exactly two string literals: the kind and the raw value", hint=_HINT)
    return str(args[0].this).strip().lower(), str(args[1].this)


def lift_token_calls(sql: str) -> Lifted:
    """``sql`` with each ``token(kind, value)`` replaced by ``$tm_token_N`` (see the module doc)."""
    if not _MAYBE.search(sql):
        return Lifted(sql)
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except Exception:  # any parser failure: the sandbox parses again and says what is wrong
        return Lifted(sql)
    if len(statements) != 1:
        return Lifted(sql)
    tree = statements[0]
    calls = [node for node in tree.find_all(exp.Anonymous) if _is_call(node)]
    if not calls:
        return Lifted(sql)
    if any(str(p.this).lower().startswith(PARAMETER_PREFIX) for p in tree.find_all(exp.Placeholder)):
        raise QueryRejected(f"parameter names starting with {PARAMETER_PREFIX} are reserved for token()", hint=_HINT)
    lifted: dict[tuple[str, str], TokenCall] = {}
    for node in calls:
        kind, value = _arguments(node)
        call = lifted.setdefault((kind, value), TokenCall(f"{PARAMETER_PREFIX}{len(lifted) + 1}", kind, value))
        node.replace(exp.Placeholder(this=call.parameter))
    return Lifted(tree.sql(dialect="duckdb"), tuple(lifted.values()))
