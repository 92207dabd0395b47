"""The shape of a statement for the audit log: its parse tree with every value typed into it removed.

``statement_shape(sql)`` parses ``sql`` (DuckDB dialect, as the query path does) and renders it
again with every literal — strings of every kind (``'...'``, ``E'...'`` with backslash escapes,
``$tag$...$tag$``, hex, bit, byte, national and raw strings), numbers — replaced by ``?``, every
*quoted* identifier that is not a name of the CloudTrail schema (``"userIdentity"`` stays) by
``"?"`` (an alias typed between double quotes can hold a raw value; an unquoted name is a column,
table or function of the query), and comments dropped; keywords and names lower-cased, whitespace
collapsed. ``None`` when the text does not parse: the caller must
then redact everything (trailmask.audit.fingerprint), because a lexical guess is what leaked.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from trailmask.schema import all_columns, iter_leaves

_VALUE_NODES: tuple[type[exp.Expr], ...] = tuple(
    getattr(exp, name)
    for name in ("Literal", "HexString", "BitString", "ByteString", "National", "RawString", "UnicodeString")
    if hasattr(exp, name)
)


SCHEMA_NAMES = frozenset(
    {"events", *(c.lower() for c in all_columns())}
    | {part.removesuffix("[]").lower() for leaf in iter_leaves() for part in leaf.path.split(".")}
)


def _redact(node: exp.Expr) -> exp.Expr:
    if isinstance(node, _VALUE_NODES):
        return exp.Placeholder()
    if isinstance(node, exp.Identifier) and node.args.get("quoted") and node.name.lower() not in SCHEMA_NAMES:
        return exp.Identifier(this="?", quoted=True)
    node.comments = None
    return node


def statement_shape(sql: str) -> str | None:
    """The redacted rendering of ``sql`` (see module doc), or None when it does not parse."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
        if not statements:
            return None
        rendered = [s.transform(_redact).sql(dialect="duckdb", comments=False) for s in statements]
    except Exception:  # any parser failure (ParseError, TokenError, recursion on hostile input)
        return None
    return re.sub(r"\s+", " ", "; ".join(rendered)).strip().lower()
