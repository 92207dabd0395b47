"""Compile a policy into the relation one role reads instead of ``events``.

The relation is ``SELECT <masked column>, ... FROM main.events AS tm_e WHERE <row filter>``: every
column of ``events`` with the same name and type, each sensitive leaf replaced by its masked
expression (structs rebuilt field by field, ``resources`` element by element). User SQL is bound to
it as a subquery (trailmask.sqlkit.rewrite), so WHERE, JOIN, GROUP BY and every function only ever
see masked values: there is no oracle on raw data. ``tm_raw`` is NULL for every masked role.

The masking key is a session value (``tm_mask_key.k``), so the relation's SQL text holds no secret
and ``explain`` can print it as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from trailmask.masking.model import RAW_RECORD_COLUMN, Operator, Policy, Role, RowFilter
from trailmask.masking.operators import MaskContext, mask_value
from trailmask.masking.scanner import Scanner
from trailmask.schema import EVENT_FIELDS, INTERNAL_COLUMNS, FieldType
from trailmask.sqlkit import barrier
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.rewrite import ColumnUse, RawWindow
from trailmask.sqlkit.sandbox import check_condition

RAW_TABLE = ("main", "events")
RAW_ALIAS = "tm_s"
WINDOW_ALIAS = "tm_w"
ROW_ALIAS = "tm_e"
INNER_CTE = "tm_i"
TEXT_CTE = "tm_lk"
TEXT_ALIAS = "tm_k"
LOOKUP_ALIAS = "tm_l"
DISTINCT_ALIAS = "tm_d"
KEY_TABLE = "tm_mask_key"
KEY_COLUMN = "k"


def key_expression() -> Expr:
    """Where masked SQL reads the key: the session's ``tm_mask_key.k`` (never SQL text)."""
    return sx.session_value(KEY_TABLE, KEY_COLUMN)


def row_filter(rule: RowFilter, alias: str = RAW_ALIAS) -> Expr | None:
    """The policy's row filter over raw columns, or None when the role sees every row."""
    conditions: list[Expr] = []
    if rule.accounts:
        conditions.append(sx.in_(sx.column("recipientAccountId", alias), rule.accounts))
    if rule.regions:
        conditions.append(sx.in_(sx.column("awsRegion", alias), rule.regions))
    if rule.where:
        conditions.append(check_condition(rule.where))
    return sx.and_(*conditions) if conditions else None


class _RoleCompiler:
    """Builds the relation of one masked role.

    Inner level (``tm_i``): the raw rows (a table or a top-N window, row filter applied) plus each
    free-text value the query needs, ready to scan (``tm_f<i>``: text; JSON with big numbers quoted
    and event-specific keys masked). Outer level: every column masked. Costly work is done once per
    distinct value, not once per row, and joined back: free text through ``tm_lk`` (every distinct
    text of the row set, scanned by the detectors in one expression), ARNs, IPs, e-mails and
    partial values through one ``tm_l<i>`` lookup per field.
    """

    def __init__(self, policy: Policy, role: Role, use: ColumnUse | None) -> None:
        self.policy = policy
        self.use = use
        self.ctx = MaskContext(key=key_expression(), role=role, allow=policy.allow, ignore=policy.ignore)
        self.scanner = Scanner(self.ctx, policy.detectors, policy.json_keys)
        self.event = {name: sx.column(name, ROW_ALIAS) for name in ("eventSource", "eventName")}
        self.free_text: list[Expr] = []  # prepared free-text values (inner level): tm_f<i>
        self.lookups: list[tuple[str, Expr]] = []  # (field path, masked expression over LOOKUP_VALUE)

    def _is_free_text(self, path: str) -> bool:
        return self.ctx.role.operator_for(self.policy.class_of(path)).name == "detect"

    def leaf(self, value: Expr, path: str, leaf_type: str) -> Expr:
        cls = self.policy.class_of(path)
        op = self.ctx.role.operator_for(cls)
        if op.name != "detect":
            return mask_value(op, value, cls, leaf_type, self.ctx)
        if leaf_type not in ("STRING", "JSON"):
            return sx.typed_null({"BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP"}.get(leaf_type, "VARCHAR"))
        return self._scanned(self.prepared(value, leaf_type, self.event), leaf_type, inline=True)

    def prepared(self, value: Expr, leaf_type: str, event: dict[str, Expr]) -> Expr:
        text = sx.cast(value, "VARCHAR")
        return self.scanner.prepare_json(text, event) if leaf_type == "JSON" else self.scanner.prepare_text(text)

    def _scanned(self, text: Expr, leaf_type: str, *, inline: bool) -> Expr:
        """The masked text: scanned here (inline) or looked up in ``tm_lk`` (``text`` = tm_f<i>)."""
        masked = self.scanner.mask(text) if inline else text
        # JSON: a value masking could not keep valid becomes NULL (fail closed), never an error.
        return sx.cast(masked, "JSON", safe=True) if leaf_type == "JSON" else masked

    def _members(self, ftype: dict[str, FieldType], whole: bool) -> list[tuple[str, FieldType, bool]]:
        """The struct fields to build: all of them, or those the query names (see ColumnUse)."""
        use = self.use
        if whole or use is None:
            return [(name, sub, True) for name, sub in ftype.items()]
        named = [(name, sub, use.whole_struct(name)) for name, sub in ftype.items() if use.wants(name)]
        return named or [(name, sub, True) for name, sub in ftype.items()]

    def field(self, value: Expr, raw: Expr, path: str, ftype: FieldType, depth: int = 0, whole: bool = True) -> Expr:
        """``value``: the field in the outer level; ``raw``: the same field in the inner level."""
        if isinstance(ftype, dict):
            members = [
                (name, self.field(sx.field(value, name), sx.field(raw, name), f"{path}.{name}", sub, depth, full))
                for name, sub, full in self._members(ftype, whole)
            ]
            return sx.case([(sx.is_null(value), sx.lit(None))], sx.struct(members))
        if isinstance(ftype, list):
            element = f"tm_r{depth}"
            body = self.field(sx.var(element), sx.var(element), f"{path}[]", ftype[0], depth + 1)
            return sx.transform(value, element, body)
        if depth == 0 and ftype in ("STRING", "JSON") and self._is_free_text(path):
            index = len(self.free_text)
            self.free_text.append(self.prepared(raw, ftype, {n: sx.column(n, RAW_ALIAS) for n in self.event}))
            return self._scanned(sx.column("r", f"{TEXT_ALIAS}{index}"), ftype, inline=False)
        if depth == 0 and ftype == "STRING" and _per_value(self.ctx.role.operator_for(self.policy.class_of(path))):
            alias = f"{LOOKUP_ALIAS}{len(self.lookups)}"
            self.lookups.append((path, self.leaf(sx.column("v", DISTINCT_ALIAS), path, ftype)))
            return sx.column("r", alias)
        return self.leaf(value, path, ftype)

    def outer_columns(self) -> list[Expr]:
        columns = []
        for name, ftype in [*EVENT_FIELDS.items(), *INTERNAL_COLUMNS.items()]:
            if self.use is not None and not self.use.wants(name):
                continue
            if name == RAW_RECORD_COLUMN:
                columns.append(sx.alias(sx.typed_null("JSON"), name))
                continue
            outer, inner = sx.column(name, ROW_ALIAS), sx.column(name, RAW_ALIAS)
            whole = self.use is None or self.use.whole_struct(name)
            columns.append(sx.alias(self.field(outer, inner, name, ftype, whole=whole), name))
        return columns

    def _lookup_joins(self, source: Callable[[str], Expr]) -> list[tuple[Expr, Expr]]:
        """One ``LEFT JOIN (SELECT v, masked(v) FROM (SELECT DISTINCT field AS v ...))`` per field."""
        joins = []
        for index, (path, masked) in enumerate(self.lookups):
            distinct = sx.select([sx.alias(_path(path, "tm_x"), "v")], source("tm_x"), distinct=True)
            values = sx.select(
                [sx.column("v", DISTINCT_ALIAS), sx.alias(masked, "r")], sx.subquery(distinct, DISTINCT_ALIAS)
            )
            alias = f"{LOOKUP_ALIAS}{index}"
            joins.append((sx.subquery(values, alias), sx.eq(sx.column("v", alias), _path(path, ROW_ALIAS))))
        return joins

    def _text_lookup(self) -> list[tuple[str, Expr]]:
        """``tm_lk`` (and the CTEs it needs): every distinct free-text value and its masked form."""
        values = sx.select(
            [sx.alias(sx.unnest(sx.array([sx.column(f"tm_f{i}") for i in range(len(self.free_text))])), "v")],
            sx.table(INNER_CTE),
            distinct=True,
        )
        return self.scanner.lookup(values, TEXT_CTE)

    def relation(self, where: Expr | None, source: Callable[[str], Expr]) -> Expr:
        columns = self.outer_columns() or [sx.alias(sx.lit(None), "tm_none")]
        inner_columns = [sx.star_of(RAW_ALIAS)]
        inner_columns += [sx.alias(text, f"tm_f{i}") for i, text in enumerate(self.free_text)]
        inner = sx.select(inner_columns, source(RAW_ALIAS), where)
        joins = self._lookup_joins(source)
        if not self.free_text:
            return sx.select(columns, sx.subquery(inner, ROW_ALIAS), joins=joins)
        joins += [
            (
                sx.table(TEXT_CTE, alias_=f"{TEXT_ALIAS}{i}"),
                sx.eq(sx.column("v", f"{TEXT_ALIAS}{i}"), sx.column(f"tm_f{i}", ROW_ALIAS)),
            )
            for i in range(len(self.free_text))
        ]
        query = sx.select(columns, sx.table(INNER_CTE, alias_=ROW_ALIAS), joins=joins)
        ctes: list[tuple[str, Expr, bool | None]] = [(INNER_CTE, inner, False)]
        ctes += [(name, body, None) for name, body in self._text_lookup()]
        return sx.with_ctes(query, ctes)


def _per_value(op: Operator) -> bool:
    """Operators too costly to evaluate on every row (regular expressions, CASE): they are computed
    once per distinct value and joined back. A keyed hash alone is cheap (DuckDB hashes each
    dictionary entry once) and stays inline."""
    return op.name in ("arn", "ip_truncate", "email", "partial") or (
        op.name == "pseudonym" and bool(op.options.get("keep_prefix") or op.options.get("keep_managed"))
    )


def _path(path: str, alias: str) -> Expr:
    parts = path.split(".")
    value = sx.column(parts[0], alias)
    for part in parts[1:]:
        value = sx.field(value, part)
    return value


def pass_through_columns(policy: Policy, role_name: str) -> frozenset[str]:
    """Top-level scalar columns the role sees exactly as stored (lower-case names)."""
    role = policy.role(role_name)
    names = {
        name.lower()
        for name, ftype in [*EVENT_FIELDS.items(), *INTERNAL_COLUMNS.items()]
        if isinstance(ftype, str) and name != RAW_RECORD_COLUMN
        and (role.raw or role.operator_for(policy.class_of(name)).name == "keep")
    }  # fmt: skip
    return frozenset(names)


def _rows(role: Role, alias: str) -> Expr:
    """The raw rows under ``alias``: the table, or the row filter's barrier (sqlkit.barrier)."""
    if row_filter(role.row_filter) is None:
        return sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=alias)
    return barrier.rows_table(alias)


def _behind_row_filter(role: Role, relation: Expr) -> Expr:
    """The relation with the role's row filter applied first, in a materialised CTE, so no
    condition of the query (nor its window) can run on a row the filter hides."""
    rule = row_filter(role.row_filter)
    if rule is None:
        return relation
    return barrier.behind_barrier(
        relation, barrier.rows_query(sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=RAW_ALIAS), rule)
    )


def _source(role: Role, window: RawWindow | None) -> Callable[[str], Expr]:
    """The raw rows the relation reads (the table, or a narrower window of it, under a given
    alias), always behind the row filter."""
    if window is None:
        return lambda alias: _rows(role, alias)
    query = sx.select([sx.star()], _rows(role, WINDOW_ALIAS), window.where)
    if window.order is not None and window.limit is not None:
        query = sx.top_n(query, window.order, window.limit)
    return lambda alias: sx.subquery(query.copy(), alias)


def compile_relation(
    policy: Policy,
    role_name: str,
    *,
    raw: bool = False,
    columns: ColumnUse | None = None,
    window: RawWindow | None = None,
) -> Expr:
    """The SELECT a role reads as ``events``.

    ``raw``: every column as stored (row filter kept). ``columns``: compile only the columns and
    struct fields a query names (sqlkit.rewrite.referenced_columns); the others are absent, so a
    query that did use one fails to bind instead of seeing anything. Fewer expressions also means
    less for the engine to bind: a query naming two fields does not pay for the whole schema.
    ``window``: the raw rows this reference can be narrowed to (sqlkit.rewrite.raw_windows): the
    query's filters on columns seen as stored, and for a top-N query only the rows it can return,
    so rows the query excludes are never masked or scanned.
    """
    role = policy.role(role_name)
    if raw or role.raw:
        return _behind_row_filter(role, sx.select([sx.star()], _rows(role, RAW_ALIAS)))
    relation = _RoleCompiler(policy, role, columns).relation(None, _source(role, window))
    return _behind_row_filter(role, relation)


def masked_value_query(policy: Policy, role_name: str, path: str, parameter: str) -> Expr:
    """``SELECT <masked leaf> AS v FROM tm_mask_key`` over the bound value ``$parameter``: the
    expression the role's relation computes for the string leaf ``path``, on one value (used by
    service.indicators to convert a raw indicator to the role's view, in a keyed session)."""
    leaf = _RoleCompiler(policy, policy.role(role_name), None).leaf(sx.parameter(parameter), path, "STRING")
    return sx.select([sx.alias(leaf, "v")], sx.table(KEY_TABLE))
