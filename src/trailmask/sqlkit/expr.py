"""A small, engine-neutral SQL expression builder for the masking compiler.

The masking package (L2) must not import sqlglot, yet its operators and detectors are SQL
expressions that have to run in DuckDB, Spark SQL and Trino/Athena. This module is the narrow
door: each function returns an opaque :data:`Expr` (a sqlglot tree) built from portable node types,
so :func:`trailmask.sqlkit.render.to_sql` can print it for any of the three engines.

Conventions: identifiers from the schema are always quoted (CloudTrail's camelCase is preserved);
``concat`` propagates NULL in every engine (``||``); regular expressions use the RE2/Java common
subset and ``regexp_replace`` always replaces every match; capture-group references in a
replacement are written ``\\1`` here and rewritten per engine when rendered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from sqlglot import exp

Expr: TypeAlias = exp.Expr


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def column(name: str, table: str | None = None) -> Expr:
    """A quoted column, optionally qualified by an (unquoted, internal) table alias."""
    return exp.Column(this=ident(name), table=exp.to_identifier(table) if table else None)


def field(struct: Expr, name: str) -> Expr:
    """``struct.name`` for a struct-typed expression (lambda variables included)."""
    return exp.Dot(this=struct, expression=ident(name))


def var(name: str) -> Expr:
    """A lambda variable reference."""
    return exp.to_identifier(name)


def lit(value: str | int | float | bool | None) -> Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def typed_null(sql_type: str) -> Expr:
    """NULL with a type, so a masked column keeps the type of the raw one."""
    return exp.Cast(this=exp.null(), to=exp.DataType.build(sql_type))


def cast(value: Expr, sql_type: str, *, safe: bool = False) -> Expr:
    to = exp.DataType.build(sql_type)
    return exp.TryCast(this=value, to=to) if safe else exp.Cast(this=value, to=to)


def concat(*parts: Expr) -> Expr:
    """``a || b || ...``: NULL when any part is NULL (a NULL input stays NULL)."""
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part, safe=True)
    return result


def concat_all(*parts: Expr) -> Expr:
    """One ``concat(...)`` call (NULL parts count as empty in DuckDB, as NULL elsewhere): for
    parts that are never NULL; cheaper for the engine to bind than a chain of ``||``."""
    return exp.Concat(expressions=list(parts), safe=True, coalesce=True)


def sha256_hex(value: Expr) -> Expr:
    """Lower-case hex SHA-256 of a string (DuckDB sha256, Spark sha2, Trino sha256(to_utf8))."""
    return exp.SHA2(this=value, length=exp.Literal.number(256))


def session_value(table: str, column: str) -> Expr:
    """A value the engine session holds for this query (the masking key), never SQL text.

    The value lives in the temporary table ``table`` (column ``column``) that the session creates
    before user SQL runs. DuckDB sessions also expose it as the variable ``table__column``, read
    with ``getvariable``: the planner then treats it as a constant, so keyed hashes are computed
    once per dictionary entry rather than once per row. Other engines read the table with a
    scalar subquery (see render.to_sql).
    """
    return exp.Anonymous(this="getvariable", expressions=[lit(f"{table}__{column}")])


def substr(value: Expr, start: int | Expr, length: int | Expr | None = None) -> Expr:
    """1-based substring; ``start`` and ``length`` may be expressions."""
    first = start if isinstance(start, exp.Expr) else lit(start)
    size = length if isinstance(length, exp.Expr) or length is None else lit(length)
    return exp.Substring(this=value, start=first, length=size)


def right(value: Expr, count: int) -> Expr:
    return exp.Right(this=value, expression=lit(count))


def length(value: Expr) -> Expr:
    return exp.Length(this=value)


def lower(value: Expr) -> Expr:
    return exp.Lower(this=value)


def reverse(value: Expr) -> Expr:
    return exp.Reverse(this=value)


def lpad(value: Expr, width: int, fill: str) -> Expr:
    return exp.Pad(this=value, expression=lit(width), fill_pattern=lit(fill), is_left=True)


def rpad(value: Expr, width: int, fill: str) -> Expr:
    return exp.Pad(this=value, expression=lit(width), fill_pattern=lit(fill), is_left=False)


def translate(value: Expr, source: str, target: str) -> Expr:
    """Replace each character of ``source`` by the character at the same place in ``target``."""
    return exp.Translate(this=value, from_=lit(source), to=lit(target))


def is_plain_literal(value: Expr) -> bool:
    return isinstance(value, exp.Literal) and value.is_string


def literal_text(value: Expr) -> str:
    return str(value.this) if isinstance(value, exp.Literal) else ""


def starts_with(value: Expr, prefix: str) -> Expr:
    return exp.StartsWith(this=value, expression=lit(prefix))


def has(value: Expr, text: str) -> Expr:
    """``text`` occurs in ``value`` (strpos > 0: the one spelling DuckDB, Spark and Trino share)."""
    return exp.GT(this=exp.StrPosition(this=value, substr=lit(text)), expression=lit(0))


def replace(value: Expr, old: Expr, new: Expr) -> Expr:
    return exp.Replace(this=value, expression=old, replacement=new)


def regexp_like(value: Expr, pattern: str) -> Expr:
    """True when ``pattern`` matches anywhere in ``value`` (anchor with ^...$ for a full match)."""
    return exp.RegexpLike(this=value, expression=lit(pattern))


def regexp_extract(value: Expr, pattern: str, group: int) -> Expr:
    return exp.RegexpExtract(this=value, expression=lit(pattern), group=lit(group))


def regexp_extract_all(value: Expr, pattern: str) -> Expr:
    """Every whole match (group 0), left to right, non-overlapping."""
    return exp.RegexpExtractAll(this=value, expression=lit(pattern), group=lit(0))


def regexp_replace(value: Expr, pattern: str, replacement: str) -> Expr:
    """Replace every match; ``\\1`` in ``replacement`` refers to a capture group."""
    return exp.RegexpReplace(this=value, expression=lit(pattern), replacement=lit(replacement), modifiers=lit("g"))


def _operand(value: Expr) -> Expr:
    """Parenthesise nested operators: trees built by hand carry no precedence of their own."""
    return exp.Paren(this=value) if isinstance(value, exp.Binary) else value


def eq(left: Expr, right_: Expr) -> Expr:
    return exp.EQ(this=_operand(left), expression=_operand(right_))


def ge(left: Expr, right_: Expr) -> Expr:
    return exp.GTE(this=_operand(left), expression=_operand(right_))


def add(left: Expr, right_: Expr) -> Expr:
    return exp.Add(this=_operand(left), expression=_operand(right_))


def sub(left: Expr, right_: Expr) -> Expr:
    return exp.Sub(this=_operand(left), expression=_operand(right_))


def mul(left: Expr, right_: Expr) -> Expr:
    return exp.Mul(this=_operand(left), expression=_operand(right_))


def mod(left: Expr, right_: Expr) -> Expr:
    return exp.Mod(this=_operand(left), expression=_operand(right_))


def is_null(value: Expr) -> Expr:
    return exp.Is(this=value, expression=exp.null())


def not_(value: Expr) -> Expr:
    return exp.Not(this=exp.Paren(this=value))


def and_(*conditions: Expr) -> Expr:
    return exp.and_(*conditions)


def or_(*conditions: Expr) -> Expr:
    return exp.or_(*conditions)


def in_(value: Expr, options: Iterable[str]) -> Expr:
    return exp.In(this=value, expressions=[lit(o) for o in options])


def coalesce(value: Expr, *fallbacks: Expr) -> Expr:
    return exp.Coalesce(this=value, expressions=list(fallbacks))


def case(branches: Sequence[tuple[Expr, Expr]], default: Expr | None = None) -> Expr:
    """``CASE WHEN c1 THEN v1 ... ELSE default END`` (first true branch wins)."""
    return exp.Case(ifs=[exp.If(this=cond, true=value) for cond, value in branches], default=default)


def date_trunc(unit: str, value: Expr) -> Expr:
    return exp.TimestampTrunc(this=value, unit=exp.Var(this=unit.upper()))


def struct(fields: Sequence[tuple[str, Expr]]) -> Expr:
    """A struct value with exactly these (quoted) field names, in order."""
    return exp.Struct(expressions=[exp.PropertyEQ(this=ident(name), expression=value) for name, value in fields])


def _lambda(body: Expr, *names: str) -> Expr:
    return exp.Lambda(this=body, expressions=[exp.to_identifier(n) for n in names])


def transform(values: Expr, name: str, body: Expr) -> Expr:
    """Map ``body`` (which refers to ``var(name)``) over a list."""
    return exp.Transform(this=values, expression=_lambda(body, name))


def filter_list(values: Expr, name: str, condition: Expr) -> Expr:
    return exp.ArrayFilter(this=values, expression=_lambda(condition, name))


def reduce_list(values: Expr, initial: Expr, acc: str, name: str, body: Expr) -> Expr:
    """Fold a list into ``initial`` (no finish step; Trino's is added when rendering)."""
    return exp.Reduce(this=values, initial=initial, merge=_lambda(body, acc, name))


def concat_ws(separator: Expr, *parts: Expr) -> Expr:
    """Join the non-NULL parts with ``separator`` (NULL parts are skipped)."""
    return exp.ConcatWs(expressions=[separator, *parts], safe=True, coalesce=True)


def join_list(values: Expr, separator: Expr) -> Expr:
    return exp.ArrayToString(this=values, expression=separator)


def char(code: int) -> Expr:
    return exp.Chr(expressions=[lit(code)])


def distinct_list(values: Expr) -> Expr:
    return exp.ArrayDistinct(this=values)


def sort_list_desc(values: Expr) -> Expr:
    return exp.ArraySort(this=values, asc=exp.false())


def star() -> Expr:
    return exp.Star()


def star_of(table: str) -> Expr:
    """``table.*``"""
    return exp.Column(this=exp.Star(), table=exp.to_identifier(table))


def alias(value: Expr, name: str) -> Expr:
    return exp.Alias(this=value, alias=ident(name))


def table(name: str, *, schema: str | None = None, catalog: str | None = None, alias_: str | None = None) -> Expr:
    """A base table reference (internal names only: user SQL never reaches this)."""
    node = exp.Table(
        this=exp.to_identifier(name),
        db=exp.to_identifier(schema) if schema else None,
        catalog=exp.to_identifier(catalog) if catalog else None,
    )
    if alias_:
        node.set("alias", exp.TableAlias(this=exp.to_identifier(alias_)))
    return node


def select(
    projections: Sequence[Expr],
    source: Expr,
    where: Expr | None = None,
    *,
    joins: Sequence[tuple[Expr, Expr]] = (),
    distinct: bool = False,
    group_by: Sequence[Expr] = (),
) -> Expr:
    """``SELECT [DISTINCT] projections FROM source [LEFT JOIN t ON c ...] [WHERE w] [GROUP BY g]``."""
    query = exp.Select(expressions=list(projections)).from_(source, copy=False)
    for table_, condition in joins:
        query = query.join(table_, on=condition, join_type="LEFT", copy=False)
    if distinct:
        query = query.distinct(copy=False)
    if where is not None:
        query = query.where(where, copy=False)
    if group_by:
        query = query.group_by(*group_by, copy=False)
    return query


def array_agg(value: Expr, where: Expr | None = None) -> Expr:
    """``list(value) [FILTER (WHERE where)]``: NULL when no row qualifies."""
    aggregate: Expr = exp.ArrayAgg(this=value)
    if where is not None:
        aggregate = exp.Filter(this=aggregate, expression=exp.Where(this=where))
    return aggregate


def unnest(values: Expr) -> Expr:
    """One row per list element (in a SELECT list)."""
    return exp.Explode(this=values)


def parameter(name: str) -> Expr:
    """A named parameter ``$name``, bound by the engine."""
    return exp.Placeholder(this=name)


def distinct_union(queries: Sequence[Expr]) -> Expr:
    """``q1 UNION q2 UNION ...`` (duplicates removed)."""
    result = queries[0]
    for query in queries[1:]:
        result = exp.Union(this=result, expression=query, distinct=True)
    return result


def top_n(query: Expr, order: Expr, limit: int) -> Expr:
    """``query ORDER BY ... LIMIT n`` (``order`` is an ORDER BY node from a checked query)."""
    assert isinstance(query, exp.Select)
    query.set("order", order.copy())
    return query.limit(limit, copy=False)


def array(values: Sequence[Expr]) -> Expr:
    """A list value ``[a, b, ...]``."""
    return exp.Array(expressions=list(values))


def with_ctes(query: Expr, ctes: Sequence[tuple[str, Expr, bool | None]]) -> Expr:
    """``WITH name AS [NOT] MATERIALIZED (q), ... query`` (None: let the engine decide)."""
    assert isinstance(query, exp.Select)
    for name, body, materialized in ctes:
        query = query.with_(name, as_=body, materialized=materialized, copy=False)
    return query


def subquery(query: Expr, alias_: str) -> Expr:
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(alias_)))
