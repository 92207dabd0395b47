"""Named placeholders (``$name``) of one SQL statement, found by parsing, never by regex.

Runbook SQL binds its parameters by name; the runbook loader compares the names found here with
the parameters a runbook declares, so an undeclared or unused parameter is caught when the file is
loaded, not when someone runs it. Parsing (rather than scanning for ``$``) ignores string literals,
comments and dollar-quoted text, which a regex would misread.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

DIALECT = "duckdb"


@dataclass(frozen=True)
class StatementInfo:
    """What the loader needs to know about one statement: its named placeholders, in first-use order."""

    placeholders: tuple[str, ...]


class StatementError(ValueError):
    """The text is not exactly one SELECT query with only named placeholders."""


def _parse_one(sql: str) -> exp.Query:
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except (ParseError, TokenError) as exc:
        # sqlglot's message quotes the statement; keep only its first line (position and reason).
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StatementError(f"SQL does not parse: {first}") from None
    if len(statements) != 1:
        raise StatementError(f"expected exactly one statement, found {len(statements)}")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise StatementError(f"expected a SELECT query, found {statement.key.upper()}")
    return statement


def inspect_statement(sql: str) -> StatementInfo:
    """Parse ``sql`` (DuckDB dialect) and list its named placeholders.

    Raises StatementError for text that is not one query, or that uses positional placeholders
    (``?``, ``$1``), which cannot be checked against declared parameter names.
    """
    statement = _parse_one(sql)
    names: list[str] = []
    for node in statement.find_all(exp.Placeholder, bfs=False):
        name = node.this if isinstance(node.this, str) else ""
        if not name:
            raise StatementError("positional placeholder '?' found; use named placeholders like $since")
        if name.isdigit():
            raise StatementError(f"positional placeholder '${name}' found; use named placeholders like $since")
        if name not in names:
            names.append(name)
    return StatementInfo(placeholders=tuple(names))


def named_placeholders(sql: str) -> tuple[str, ...]:
    """The distinct ``$name`` placeholders of ``sql`` in order of first use."""
    return inspect_statement(sql).placeholders
