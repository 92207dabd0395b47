"""Bind a checked query to the relation a role may read.

Every reference to ``events`` in a checked query (CTE names can never be ``events``, so each such
table node is the base relation) becomes a subquery: the role's masked relation, which reads the
raw table under an internal, fully qualified name the user cannot write. The reference keeps its
alias (``events`` when none was given), so ``events.col`` and ``e.col`` still resolve. Named
parameters are left in place for the engine to bind.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlglot import exp

from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import to_sql
from trailmask.sqlkit.sandbox import RELATION, CheckedQuery


def _replace_references(tree: Expr, make: object) -> Expr:
    for node in list(tree.find_all(exp.Table)):
        if not isinstance(node.this, exp.Identifier) or node.this.name.lower() != RELATION:
            continue
        alias = node.args.get("alias")
        if not isinstance(alias, exp.TableAlias):
            alias = exp.TableAlias(this=exp.to_identifier(RELATION))
        node.replace(exp.Subquery(this=make() if callable(make) else make, alias=alias.copy()))
    return tree


def bind_relation(checked: CheckedQuery, relation: Expr) -> Expr:
    """A new tree with each ``events`` reference replaced by ``(relation) AS alias``."""
    return _replace_references(checked.tree.copy(), relation.copy)


def bind_relation_sql(checked: CheckedQuery, relation_sql: str, *, pretty: bool = True) -> str:
    """DuckDB SQL of the query bound to an already rendered relation (rendered once per role).

    Each reference becomes a placeholder with a random name, printed by sqlglot, then replaced by
    the relation's text; the random name cannot occur in the user's SQL.
    """
    marker = f"tm_relation_{secrets.token_hex(12)}"
    tree = _replace_references(checked.tree.copy(), lambda: exp.Var(this=marker))
    text = to_sql(tree, "duckdb", pretty=pretty)
    return text.replace(marker, relation_sql)


@dataclass(frozen=True)
class ColumnUse:
    """What a query may read of ``events``, by lower-case name.

    ``names``: every identifier in the query; a column or struct field is needed only if its name
    is among them. ``whole``: names used as a value in their own right (``userIdentity``,
    ``e.tlsDetails``, ``struct_extract(addendum, ...)``): such a struct is needed with all its fields.
    A field reached only through a path (``userIdentity.sessionContext.sessionIssuer.arn``) brings
    its path, not its siblings.
    """

    names: frozenset[str]
    whole: frozenset[str]

    def wants(self, name: str) -> bool:
        return name.lower() in self.names

    def whole_struct(self, name: str) -> bool:
        return name.lower() in self.whole


def _terminal(node: exp.Expr) -> str | None:
    """The name an expression finally denotes: ``c`` for ``a.b.c``, ``b`` for ``a.b``."""
    if isinstance(node, exp.Column):
        parent = node.parent
        if isinstance(parent, exp.Dot) and parent.this is node:
            return None  # the enclosing Dot chain names the terminal
        return node.name.lower() if not isinstance(node.this, exp.Star) else None
    if isinstance(node, exp.Dot):
        parent = node.parent
        if isinstance(parent, exp.Dot) and parent.this is node:
            return None
        return node.expression.name.lower() if isinstance(node.expression, exp.Identifier) else None
    return None


def referenced_columns(checked: CheckedQuery) -> ColumnUse | None:
    """What of ``events`` a query may use, or None when it may use anything.

    Conservative by construction: every identifier in the query counts (a CTE column or alias
    that shares a column's name pulls that column in), and anything that reads columns without
    naming them (``*``, ``COLUMNS(...)``, a table alias used as a value, NATURAL joins) means all.
    A column or field left out is absent from the relation, so a mistake here fails to bind; it
    cannot expose anything.
    """
    tree = checked.tree
    aliases = {RELATION}
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Identifier) and table.this.name.lower() == RELATION and table.alias:
            aliases.add(table.alias.lower())
    names: set[str] = set()
    whole: set[str] = set()
    for node in tree.walk():
        if isinstance(node, exp.Columns) or (isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count)):
            return None
        if isinstance(node, exp.Join) and any("NATURAL" in str(v).upper() for v in node.args.values() if v):
            return None
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in aliases:
            return None
        if isinstance(node, exp.Identifier):
            names.add(node.name.lower())
        terminal = _terminal(node)
        if terminal:
            whole.add(terminal)
    return ColumnUse(frozenset(names), frozenset(whole))


@dataclass(frozen=True)
class RawWindow:
    """The rows a top-N query can only ever return, selectable before masking.

    For ``SELECT ... FROM events [WHERE w] ORDER BY o LIMIT n [OFFSET k]`` whose WHERE and ORDER BY
    read only columns that every role sees as stored (``pass_through``), the same ``n + k`` rows
    can be chosen on raw data first, and only those masked. The query itself is not changed: it
    still filters, sorts and limits the masked rows, so the answer is the same (up to ties).
    """

    where: Expr | None
    order: Expr
    limit: int


_NOT_ROW_WISE = (exp.AggFunc, exp.Window, exp.Subquery, exp.Select, exp.Lambda, exp.Explode, exp.Unnest)


def _pass_through_only(node: Expr, alias: str, pass_through: frozenset[str]) -> bool:
    for item in node.walk():
        if isinstance(item, _NOT_ROW_WISE):
            return False
        if isinstance(item, exp.Column):
            qualifier = item.table.lower() if item.table else alias
            if qualifier != alias or item.args.get("db") or item.name.lower() not in pass_through:
                return False
        if isinstance(item, exp.Dot):
            return False
    return True


def _unqualified(node: Expr) -> Expr:
    copy = node.copy()
    for column in list(copy.find_all(exp.Column)):
        column.set("table", None)
    return copy


def raw_window(checked: CheckedQuery, pass_through: frozenset[str]) -> RawWindow | None:
    """The top-N window of a simple query over ``events``, or None when there is none to use."""
    tree = checked.tree
    if not isinstance(tree, exp.Select) or checked.relation_refs != 1:
        return None
    if any(tree.args.get(k) for k in ("with_", "with", "joins", "group", "having", "qualify", "distinct", "laterals")):
        return None
    source = tree.args.get("from_") or tree.args.get("from")
    order, limit, offset = tree.args.get("order"), tree.args.get("limit"), tree.args.get("offset")
    if not (isinstance(source, exp.From) and isinstance(source.this, exp.Table) and order and limit):
        return None
    alias = (source.this.alias or RELATION).lower()
    count = limit.args.get("expression")
    skip = offset.args.get("expression") if offset else exp.Literal.number(0)
    if not (isinstance(count, exp.Literal) and isinstance(skip, exp.Literal) and count.is_int and skip.is_int):
        return None
    if any(isinstance(p, _NOT_ROW_WISE) or p.find(*_NOT_ROW_WISE) for p in tree.expressions):
        return None
    where = tree.args.get("where")
    parts = [order] + ([where.this] if isinstance(where, exp.Where) else [])
    if not all(_pass_through_only(part, alias, pass_through) for part in parts):
        return None
    if any(isinstance(item.this, exp.Literal) for item in order.expressions):
        return None  # ORDER BY 2: a position in the select list, not a column
    aliases = {p.alias.lower() for p in tree.expressions if isinstance(p, exp.Alias)}
    if any(c.name.lower() in aliases for part in parts for c in part.find_all(exp.Column)):
        return None  # a name that may mean a select-list alias
    return RawWindow(
        where=_unqualified(where.this) if isinstance(where, exp.Where) else None,
        order=_unqualified(order),
        limit=int(count.this) + int(skip.this),
    )
