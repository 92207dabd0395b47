"""Trusted SQL built as trees: the export's partition columns and the drift report's key paths.

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


def _normalised_key() -> Expr:
    """``t.fullkey`` without ``$.`` and with list positions as ``[*]`` (``list[*].name``)."""
    positions = sx.regexp_replace(sx.column("fullkey", "t"), r"\[[0-9]+\]", "[*]")
    return exp.RegexpReplace(this=positions, expression=sx.lit(r"^\$\.?"), replacement=sx.lit(""))


def _json_tree(value: Expr) -> Expr:
    """``main.events AS e, json_tree(value) AS t`` (a lateral table function over each row)."""
    tree = exp.Table(
        this=exp.Anonymous(this="json_tree", expressions=[value]), alias=exp.TableAlias(this=exp.to_identifier("t"))
    )
    return exp.Select().from_(sx.table("events", schema="main", alias_="e"), copy=False).join(tree, copy=False)


def _grouped(query: Expr, projections: list[Expr], where: Expr, groups: int) -> Expr:
    assert isinstance(query, exp.Select)
    counted = exp.Count(this=exp.Distinct(expressions=[sx.column("tm_event_key", "e")]))
    query = query.select(*projections, sx.alias(counted, "events"), copy=False).where(where, copy=False)
    return query.group_by(*[exp.Literal.number(i + 1) for i in range(groups)], copy=False)


def drift_fields_sql(raw_column: str, json_fields: Sequence[str]) -> str:
    """Paths in the raw records outside ``json_fields``, with the number of events holding them."""
    key = sx.column("fullkey", "t")
    skip = [
        exp.Not(this=exp.Like(this=key.copy(), expression=sx.lit(f"$.{name}{tail}%")))
        for name in json_fields
        for tail in (".", "[")
    ]
    where = sx.and_(exp.NEQ(this=key.copy(), expression=sx.lit("$")), *skip)
    query = _grouped(_json_tree(sx.column(raw_column, "e")), [sx.alias(_normalised_key(), "path")], where, 1)
    return to_sql_bound(query)


def drift_json_keys_sql(json_fields: Sequence[str]) -> str:
    """Key paths inside each of ``json_fields``, with the number of events holding them."""
    parts: list[Expr] = []
    for name in json_fields:
        key = sx.column("key", "t")
        path = exp.DPipe(this=sx.lit(f"{name}."), expression=_normalised_key(), safe=True)
        where = sx.and_(
            exp.NEQ(this=sx.column("fullkey", "t"), expression=sx.lit("$")),
            exp.Not(this=sx.is_null(key.copy())),
            sx.not_(sx.regexp_like(key.copy(), "^[0-9]+$")),
        )
        projections = [sx.alias(path, "path"), sx.alias(key, "key")]
        parts.append(_grouped(_json_tree(sx.column(name, "e")), projections, where, 2))
    union = parts[0]
    for part in parts[1:]:
        union = exp.Union(this=union, expression=part, distinct=False)
    return to_sql_bound(union)
