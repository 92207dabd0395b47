"""SQL fingerprints for the audit log: the statement's shape without the values typed into it.

A user's SQL can hold raw values as literals (``WHERE sourceIPAddress = '203.0.113.7'``), in
quoted identifiers (``AS "210987654321"``) or in comments. The audit log keeps, by default, only
the *shape*, computed from the parse tree (trailmask.sqlkit.shape): every literal replaced by
``?`` (``E'...'`` escape strings and dollar quotes included), quoted identifiers that are not
CloudTrail names replaced by ``"?"``, comments dropped, whitespace collapsed, lower-cased; and a
short SHA-256 of that shape (the fingerprint) so equal queries group together.

A statement that does not parse has no shape: it is recorded as :data:`UNPARSED`, redacted
entirely, because a lexical guess at where its literals end is exactly what leaked values before
(``E'it\\'s 203.0.113.7'``). All unparsable statements share one fingerprint.
"""

from __future__ import annotations

import hashlib

from trailmask.sqlkit.shape import statement_shape

UNPARSED = "[unparsed statement]"


def sql_shape(sql: str) -> str:
    """The statement with literals and quoted identifiers replaced (see module doc)."""
    shape = statement_shape(sql)
    return UNPARSED if shape is None else shape


def sql_fingerprint(sql: str) -> str:
    """16 hex digits identifying the shape of ``sql`` (equal shapes, equal fingerprints)."""
    return hashlib.sha256(sql_shape(sql).encode("utf-8")).hexdigest()[:16]
