"""SQL fingerprints for the audit log: the statement's shape without the values typed into it.

A user's SQL can hold raw values as literals (``WHERE sourceIPAddress = '203.0.113.7'``) or in
comments. The audit log keeps, by default, only the *shape*: comments dropped, every string,
number and dollar-quoted literal replaced by ``?``, whitespace collapsed, keywords lower-cased,
and a short SHA-256 of that shape (the fingerprint) so equal queries group together. Quoted
identifiers are kept: they name columns, not data. This is lexical, not a parser (trailmask.audit
may not import sqlglot), so it errs on the side of replacing too much.
"""

from __future__ import annotations

import hashlib
import re

_TOKENS = re.compile(
    r"""
    (?P<line_comment>--[^\n]*)
  | (?P<block_comment>/\*.*?(?:\*/|\Z))
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))
  | (?P<string>[EeXxBbNn]?'(?:[^']|'')*(?:'|\Z))
  | (?P<ident>"(?:[^"]|"")*(?:"|\Z))
  | (?P<number>(?<![\w$])(?:0[xX][0-9A-Fa-f_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][\w$]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def sql_shape(sql: str) -> str:
    """The statement with literals replaced by ``?`` and comments removed (see module doc)."""
    out: list[str] = []
    for match in _TOKENS.finditer(sql):
        kind = match.lastgroup
        text = match.group(0)
        if kind in ("line_comment", "block_comment"):
            piece = " "
        elif kind in ("dollar", "string", "number"):
            piece = "?"
        elif kind == "word":
            piece = text.lower()
        elif kind == "space":
            piece = " "
        else:
            piece = text
        out.append(piece)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def sql_fingerprint(sql: str) -> str:
    """16 hex digits identifying the shape of ``sql`` (equal shapes, equal fingerprints)."""
    return hashlib.sha256(sql_shape(sql).encode("utf-8")).hexdigest()[:16]
