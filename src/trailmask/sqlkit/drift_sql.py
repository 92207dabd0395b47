"""The drift report's SQL, per service and event (trusted queries over the raw store, built as trees).

Each query groups its paths by the events' ``eventSource`` and ``eventName``, so the report can be
read (and acted on) service by service, and a ``json_keys`` rule limited with ``when`` is matched
against the events it applies to. The key paths drop ``$.`` and write list
positions as ``[*]``.

- :func:`fields_by_event_sql`: record fields outside the JSON fields;
- :func:`json_keys_by_event_sql`: key paths inside the JSON fields;
- :func:`linked_keys_sql`: key paths whose string values equal one of ``names`` (a query of raw
  names the policy masks elsewhere, masking.reveal.candidates_query), with the number of such
  values: a key like that, shown as stored, pairs a pseudonym with its raw value.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import to_sql_bound

_EVENT = [sx.alias(sx.column("eventSource", "e"), "event_source"), sx.alias(sx.column("eventName", "e"), "event_name")]


def normalised_key() -> Expr:
    """``t.fullkey`` without ``$.`` and with list positions as ``[*]`` (``list[*].name``)."""
    positions = sx.regexp_replace(sx.column("fullkey", "t"), r"\[[0-9]+\]", "[*]")
    return exp.RegexpReplace(this=positions, expression=sx.lit(r"^\$\.?"), replacement=sx.lit(""))


def json_tree(value: Expr) -> Expr:
    """``main.events AS e, json_tree(value) AS t`` (a lateral table function over each row)."""
    tree = exp.Table(
        this=exp.Anonymous(this="json_tree", expressions=[value]), alias=exp.TableAlias(this=exp.to_identifier("t"))
    )
    return exp.Select().from_(sx.table("events", schema="main", alias_="e"), copy=False).join(tree, copy=False)


def grouped(query: Expr, projections: list[Expr], where: Expr, groups: int) -> Expr:
    assert isinstance(query, exp.Select)
    counted = exp.Count(this=exp.Distinct(expressions=[sx.column("tm_event_key", "e")]))
    query = query.select(*projections, sx.alias(counted, "events"), copy=False).where(where, copy=False)
    return query.group_by(*[exp.Literal.number(i + 1) for i in range(groups)], copy=False)


def _union(parts: list[Expr]) -> Expr:
    union = parts[0]
    for part in parts[1:]:
        union = exp.Union(this=union, expression=part, distinct=False)
    return union


def _string_value() -> Expr:
    return exp.Anonymous(this="json_extract_string", expressions=[sx.column("value", "t"), sx.lit("$")])


def _key_filter() -> Expr:
    key = sx.column("key", "t")
    return sx.and_(
        exp.NEQ(this=sx.column("fullkey", "t"), expression=sx.lit("$")),
        exp.Not(this=sx.is_null(key.copy())),
        sx.not_(sx.regexp_like(key.copy(), "^[0-9]+$")),
    )


def fields_by_event_sql(raw_column: str, json_fields: Sequence[str]) -> str:
    """``path, event_source, event_name, events``: record paths outside ``json_fields``."""
    key = sx.column("fullkey", "t")
    skip = [
        exp.Not(this=exp.Like(this=key.copy(), expression=sx.lit(f"$.{name}{tail}%")))
        for name in json_fields
        for tail in (".", "[")
    ]
    where = sx.and_(exp.NEQ(this=key.copy(), expression=sx.lit("$")), *skip)
    projections = [sx.alias(normalised_key(), "path"), *[p.copy() for p in _EVENT]]
    return to_sql_bound(grouped(json_tree(sx.column(raw_column, "e")), projections, where, 3))


def _keys(name: str, where: Expr, extra: list[Expr]) -> Expr:
    path = exp.DPipe(this=sx.lit(f"{name}."), expression=normalised_key(), safe=True)
    projections = [sx.alias(path, "path"), sx.alias(sx.column("key", "t"), "key"), *[p.copy() for p in _EVENT]]
    return grouped(json_tree(sx.column(name, "e")), [*projections, *extra], where, 4)


def json_keys_by_event_sql(json_fields: Sequence[str]) -> str:
    """``path, key, event_source, event_name, events``: key paths inside each of ``json_fields``."""
    return to_sql_bound(_union([_keys(name, _key_filter(), []) for name in json_fields]))


def linked_keys_sql(json_fields: Sequence[str], names: Expr) -> str:
    """``path, key, event_source, event_name, linked, events``: key paths whose string values equal a
    value of ``names`` (a query with a ``value`` column), ``linked`` counting the distinct values."""
    parts = []
    for name in json_fields:
        listed = sx.select([sx.column("value", "tm_n")], sx.subquery(names.copy(), "tm_n"))
        where = sx.and_(
            _key_filter(),
            exp.EQ(this=sx.column("type", "t"), expression=sx.lit("VARCHAR")),
            exp.In(this=_string_value(), query=exp.Subquery(this=listed)),
        )
        linked = sx.alias(exp.Count(this=exp.Distinct(expressions=[_string_value()])), "linked")
        parts.append(_keys(name, where, [linked]))
    return to_sql_bound(_union(parts))
