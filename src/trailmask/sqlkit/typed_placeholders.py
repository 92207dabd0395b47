"""Give named placeholders an explicit type in the text of one statement, layout kept.

A placeholder bound to NULL has no type: DuckDB binds ``$start - INTERVAL 30 DAY`` with
``$start = NULL`` as ``-("NULL", INTERVAL)`` and cannot choose between the DATE, TIME and
TIMESTAMP overloads. The runbook loader wraps its window placeholders (``$start``, ``$end``) in
``CAST(... AS TIMESTAMP)`` so every runbook binds with ``since=all`` whatever it computes from
them. Placeholders are found with sqlglot's tokenizer (never a regex), so string literals,
comments and quoted names are left alone; everything else of the text stays as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import TokenType

from trailmask.sqlkit.placeholders import StatementError, inspect_statement


def cast_placeholders(sql: str, types: Mapping[str, str]) -> str:
    """``sql`` with each ``$name`` of ``types`` replaced by ``CAST($name AS <type>)``.

    Raises StatementError when the text does not tokenize or the result is not one query.
    """
    try:
        tokens = DuckDB().tokenize(sql)
    except TokenError as exc:
        raise StatementError(f"SQL does not tokenize: {str(exc).splitlines()[0] if str(exc) else 'error'}") from None
    pieces: list[str] = []
    cursor = 0
    for dollar, name in pairwise(tokens):
        wanted = types.get(name.text)
        if dollar.token_type != TokenType.PARAMETER or wanted is None or name.start != dollar.end + 1:
            continue
        pieces += [sql[cursor : dollar.start], f"CAST(${name.text} AS {wanted})"]
        cursor = name.end + 1
    typed = "".join(pieces) + sql[cursor:]
    inspect_statement(typed)  # still one query with the same named placeholders
    return typed
