"""Bind a checked query to the relation a role may read.

Every reference to ``events`` in a checked query (CTE names can never be ``events``, so each such
table node is the base relation) becomes a subquery: the role's masked relation, which reads the
raw table under an internal, fully qualified name the user cannot write. The reference keeps its
alias (``events`` when none was given), so ``events.col`` and ``e.col`` still resolve. Named
parameters are left in place for the engine to bind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import RenderedRelation, to_sql_bound
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


def bind_relation_sql(
    checked: CheckedQuery, relations: RenderedRelation | Sequence[RenderedRelation], *, pretty: bool = True
) -> str:
    """DuckDB SQL of the query bound to already printed relations (cached per role).

    ``relations``: one for every reference, or one per reference in the order of
    :func:`raw_windows`. Each reference becomes ``(relation) AS alias`` in a copy of the checked
    tree, and that tree is printed by sqlglot: the user's SQL from its tree, each relation's text
    where its node is (:func:`trailmask.sqlkit.render.to_sql_bound`).
    """
    count = checked.relation_refs
    chosen = [relations] * count if isinstance(relations, RenderedRelation) else list(relations)
    if len(chosen) != count:
        raise ValueError(f"{count} references to events, {len(chosen)} relations")
    pending = iter(chosen)
    tree = _replace_references(checked.tree.copy(), lambda: next(pending).copy())
    return to_sql_bound(tree, pretty=pretty)


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
    """Raw rows a reference to ``events`` can be narrowed to before masking.

    ``where``: the conjuncts of the enclosing SELECT's WHERE that read only columns the role sees as
    stored (``pass_through``): rows they exclude would be excluded from the masked rows anyway, so
    they are excluded first and never masked (nor scanned for free text). ``order``/``limit``: for a
    top-N query (``ORDER BY o LIMIT n [OFFSET k]``, all of its WHERE pushable), the ``n + k`` rows
    it can return. The query itself is not changed: it still filters, sorts and limits the masked
    rows, so the answer is the same (up to ties).
    """

    where: Expr | None
    order: Expr | None = None
    limit: int | None = None


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


def _conjuncts(where: Expr) -> list[Expr]:
    return list(where.flatten()) if isinstance(where, exp.And) else [where]


def _pushable(select: exp.Select, alias: str, pass_through: frozenset[str]) -> tuple[list[Expr], bool]:
    """The WHERE conjuncts that can run on raw rows, and whether that is all of the WHERE."""
    where = select.args.get("where")
    if not isinstance(where, exp.Where):
        return [], True
    aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
    found = []
    conjuncts = _conjuncts(where.this)
    for conjunct in conjuncts:
        if any(c.name.lower() in aliases for c in conjunct.find_all(exp.Column)):
            continue  # a name that may mean a select-list alias
        if _pass_through_only(conjunct, alias, pass_through):
            found.append(conjunct)
    return found, len(found) == len(conjuncts)


def _top_n(select: exp.Select, alias: str, pass_through: frozenset[str]) -> tuple[Expr, int] | None:
    """ORDER BY and LIMIT + OFFSET of a simple top-N query over pass-through columns."""
    if select.parent is not None or any(select.args.get(k) for k in ("group", "having", "qualify", "distinct")):
        return None
    order, limit, offset = select.args.get("order"), select.args.get("limit"), select.args.get("offset")
    if not (order and limit) or not _pass_through_only(order, alias, pass_through):
        return None
    count = limit.args.get("expression")
    skip = offset.args.get("expression") if offset else exp.Literal.number(0)
    if not (isinstance(count, exp.Literal) and isinstance(skip, exp.Literal) and count.is_int and skip.is_int):
        return None
    if any(isinstance(p, _NOT_ROW_WISE) or p.find(*_NOT_ROW_WISE) for p in select.expressions):
        return None
    if any(isinstance(item.this, exp.Literal) for item in order.expressions):
        return None  # ORDER BY 2: a position in the select list, not a column
    aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
    if any(c.name.lower() in aliases for c in order.find_all(exp.Column)):
        return None
    return _unqualified(order), int(count.this) + int(skip.this)


def _window(table: exp.Table, pass_through: frozenset[str]) -> RawWindow | None:
    source = table.parent
    select = source.parent if isinstance(source, exp.From) else None
    if not isinstance(select, exp.Select) or any(select.args.get(k) for k in ("joins", "laterals", "pivots")):
        return None
    alias = (table.alias or RELATION).lower()
    conjuncts, complete = _pushable(select, alias, pass_through)
    where = exp.and_(*[_unqualified(c) for c in conjuncts]) if conjuncts else None
    top = _top_n(select, alias, pass_through) if complete else None
    if top is not None:
        return RawWindow(where, top[0], top[1])
    return RawWindow(where) if where is not None else None


def raw_windows(checked: CheckedQuery, pass_through: frozenset[str]) -> list[RawWindow | None]:
    """For each reference to ``events`` (in binding order), the raw rows it can be narrowed to."""
    return [
        _window(node, pass_through)
        for node in checked.tree.find_all(exp.Table)
        if isinstance(node.this, exp.Identifier) and node.this.name.lower() == RELATION
    ]


def raw_window(checked: CheckedQuery, pass_through: frozenset[str]) -> RawWindow | None:
    """The top-N window of a query reading ``events`` once, or None when there is none."""
    windows = raw_windows(checked, pass_through)
    if len(windows) != 1 or windows[0] is None or windows[0].order is None:
        return None
    return windows[0]
