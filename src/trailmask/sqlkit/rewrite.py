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
