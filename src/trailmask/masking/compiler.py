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

from trailmask.masking.detectors import Scanner
from trailmask.masking.model import RAW_RECORD_COLUMN, Policy, Role, RowFilter
from trailmask.masking.operators import MaskContext, mask_value
from trailmask.schema import EVENT_FIELDS, INTERNAL_COLUMNS, FieldType
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.rewrite import ColumnUse, RawWindow
from trailmask.sqlkit.sandbox import check_condition

RAW_TABLE = ("main", "events")
RAW_ALIAS = "tm_s"
WINDOW_ALIAS = "tm_w"
ROW_ALIAS = "tm_e"
MAP_COLUMN = "tm_map"
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
    """Builds the two-level relation of one masked role.

    Inner level (``tm_s`` → ``tm_e``): the raw row plus ``tm_map``, the row's detector findings
    (``[{m, r}]``) over all its free-text values. Outer level: every column masked; a free-text
    value is rewritten with ``tm_map``. DuckDB drops ``tm_map`` when no free-text column is used.
    """

    def __init__(self, policy: Policy, role: Role, use: ColumnUse | None) -> None:
        self.policy = policy
        self.use = use
        self.ctx = MaskContext(key=key_expression(), role=role)
        self.scanner = Scanner(self.ctx, policy.detectors, policy.json_keys)
        self.mapping = sx.column(MAP_COLUMN, ROW_ALIAS)
        self.event = {name: sx.column(name, ROW_ALIAS) for name in ("eventSource", "eventName")}
        self.free_text: list[Expr] = []  # raw free-text values (inner level), for tm_map

    def _is_free_text(self, path: str) -> bool:
        return self.ctx.role.operator_for(self.policy.class_of(path)).name == "detect"

    def leaf(self, value: Expr, path: str, leaf_type: str) -> Expr:
        cls = self.policy.class_of(path)
        op = self.ctx.role.operator_for(cls)
        if op.name != "detect":
            return mask_value(op, value, cls, leaf_type, self.ctx)
        if leaf_type not in ("STRING", "JSON"):
            return sx.typed_null({"BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP"}.get(leaf_type, "VARCHAR"))
        text = sx.cast(value, "VARCHAR")
        if leaf_type == "STRING":
            return Scanner.apply(text, self.mapping)
        # JSON: a value masking could not keep valid becomes NULL (fail closed), never an error.
        return sx.cast(Scanner.apply(self.scanner.prepare_json(text, self.event), self.mapping), "JSON", safe=True)

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
            self._collect_list(raw, element, f"{path}[]", ftype[0])
            return sx.transform(value, element, body)
        if self._is_free_text(path) and depth == 0:
            self.free_text.append(sx.cast(raw, "VARCHAR"))
        return self.leaf(value, path, ftype)

    def _collect_list(self, raw: Expr, element: str, path: str, ftype: FieldType) -> None:
        """Free-text leaves inside a list join the row's text as one string per leaf."""
        leaves = _string_leaves(sx.var(element), path, ftype)
        for leaf_value, leaf_path in leaves:
            if self._is_free_text(leaf_path):
                values = sx.transform(raw, element, sx.cast(leaf_value, "VARCHAR"))
                self.free_text.append(sx.join_list(values, sx.char(31)))

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

    def relation(self, where: Expr | None, source: Expr) -> Expr:
        columns = self.outer_columns() or [sx.alias(sx.lit(None), MAP_COLUMN)]
        inner_columns = [sx.star_of(RAW_ALIAS)]
        if self.free_text and self.scanner.active:
            text = sx.concat_ws(sx.char(31), *self.free_text)
            inner_columns.append(sx.alias(self.scanner.mapping(self.scanner.matches(text)), MAP_COLUMN))
        else:
            inner_columns.append(sx.alias(sx.lit(None), MAP_COLUMN))
        inner = sx.select(inner_columns, source, where)
        return sx.select(columns, sx.subquery(inner, ROW_ALIAS))


def _string_leaves(value: Expr, path: str, ftype: FieldType) -> list[tuple[Expr, str]]:
    if isinstance(ftype, dict):
        found = []
        for name, sub in ftype.items():
            found.extend(_string_leaves(sx.field(value, name), f"{path}.{name}", sub))
        return found
    if isinstance(ftype, list):
        return []  # lists inside lists: none in the schema
    return [(value, path)] if ftype in ("STRING", "JSON") else []


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


def _source(role: Role, window: RawWindow | None) -> tuple[Expr, Expr | None]:
    """The raw rows the relation reads, and the row filter still to apply to them."""
    table = sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=RAW_ALIAS)
    if window is None:
        return table, row_filter(role.row_filter)
    inner = sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=WINDOW_ALIAS)
    conditions = [c for c in (row_filter(role.row_filter, WINDOW_ALIAS), window.where) if c is not None]
    query = sx.top_n(
        sx.select([sx.star()], inner, sx.and_(*conditions) if conditions else None), window.order, window.limit
    )
    return sx.subquery(query, RAW_ALIAS), None


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
    ``window``: for a top-N query on columns seen as stored (sqlkit.rewrite.raw_window), only the
    rows it can return are read and masked, instead of masking every row before sorting.
    """
    role = policy.role(role_name)
    if raw or role.raw:
        source = sx.table(RAW_TABLE[1], schema=RAW_TABLE[0], alias_=RAW_ALIAS)
        return sx.select([sx.star()], source, row_filter(role.row_filter))
    source, where = _source(role, window)
    return _RoleCompiler(policy, role, columns).relation(where, source)
