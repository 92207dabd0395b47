"""Trusted SQL built as trees: the export's partition columns and sample queries.

Each function builds a sqlglot tree (names are identifier nodes, never pasted text) and prints it
with :func:`trailmask.sqlkit.render.to_sql_bound`. A prepared query's SQL (already printed from its
tree by ``sqlkit.rewrite.bind_relation_sql``) enters as a :class:`RenderedRelation` node, so it is
written where the node is, never parsed again or spliced into printed text.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import RenderedRelation, to_sql_bound

ROWS = "t"


def _rows(query_sql: str) -> Expr:
    return sx.subquery(RenderedRelation(this=query_sql, indentable=False), ROWS)


def _path(path: Sequence[str]) -> Expr:
    value = sx.column(path[0], ROWS)
    for part in path[1:]:
        value = sx.field(value, part)
    return value


def sample_sql(query_sql: str) -> str:
    """``SELECT * FROM (query) AS t LIMIT 0``: the columns and types of a prepared query."""
    query = exp.Select(expressions=[exp.Star()]).from_(_rows(query_sql), copy=False).limit(0, copy=False)
    return to_sql_bound(query)


def partition_sql(
    query_sql: str, account: Sequence[Sequence[str]], region: str | None, time: tuple[str, bool] | None
) -> str:
    """``SELECT t.*, account, region, date FROM (query) AS t`` for a partitioned export.

    ``account``: column paths coalesced in order (none: NULL); ``region``: a column or None;
    ``time``: the event-time column and whether it is a TIMESTAMP (else its text's first 10
    characters), or None.
    """
    account_value = sx.coalesce(*[_path(p) for p in account]) if account else sx.lit(None)
    region_value = _path([region]) if region else sx.lit(None)
    date: Expr = sx.lit(None)
    if time is not None:
        column = _path([time[0]])
        date = (
            exp.Anonymous(this="strftime", expressions=[column, sx.lit("%Y-%m-%d")])
            if time[1]
            else exp.Left(this=sx.cast(column, "VARCHAR"), expression=exp.Literal.number(10))
        )
    columns = [
        sx.star_of(ROWS),
        sx.alias(sx.cast(account_value, "VARCHAR"), "account"),
        sx.alias(sx.cast(region_value, "VARCHAR"), "region"),
        sx.alias(sx.cast(date, "VARCHAR"), "date"),
    ]
    return to_sql_bound(exp.Select(expressions=columns).from_(_rows(query_sql), copy=False))
