"""The ad-hoc SQL sandbox: parse one query and check it against an allowlist.

A query is accepted when it is exactly one SELECT (CTEs, subqueries, UNION/INTERSECT/EXCEPT
allowed), every relation it reads is ``events`` or one of its own CTEs in scope, every syntax node
and function is on the allowlist (trailmask.sqlkit.allowlist), and its parameters are named
(``$name``, bound by the engine). Anything else raises QueryRejected naming what was refused; the
messages quote only the user's own SQL, never data.

The checked tree is what runs (after rewrite.bind_relation): SQL is re-generated from it, so the
engine never parses text the sandbox did not see as a tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from trailmask.errors import QueryRejected
from trailmask.sqlkit import allowlist
from trailmask.sqlkit.expr import Expr

RELATION = "events"
MAX_SQL_CHARS = 100_000
RESERVED_PREFIX = "tm_"
_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)
_TABLE_ARGS = frozenset({"this", "alias"})
_HINT = (
    "write one SELECT over `events`, with CTEs, subqueries, joins and UNION as needed; "
    'see "The SQL sandbox" in the trailmask documentation'
)


@dataclass(frozen=True)
class CheckedQuery:
    """A query the sandbox accepted: its tree and the named parameters it uses."""

    tree: Expr
    parameters: frozenset[str]
    relation_refs: int


def _parse(sql: str) -> list[exp.Expr]:
    if len(sql) > MAX_SQL_CHARS:
        raise QueryRejected(f"the query is {len(sql)} characters long; the limit is {MAX_SQL_CHARS}")
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except (ParseError, TokenError) as exc:
        detail = _ANSI.sub("", str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryRejected(f"the SQL could not be parsed: {detail}", hint=_HINT) from None
    except RecursionError:
        raise QueryRejected("the query is nested too deeply to check") from None
    return [s for s in statements if s is not None]


def _statement_kind(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def check_query(sql: str) -> CheckedQuery:
    """Parse ``sql`` and check it; raises QueryRejected with what was refused and why."""
    statements = _parse(sql)
    if len(statements) != 1:
        raise QueryRejected(f"expected exactly one statement, got {len(statements)}", hint=_HINT)
    tree = statements[0]
    if not isinstance(tree, _ROOTS):
        raise QueryRejected(f"only SELECT queries are allowed, not {_statement_kind(tree)}", hint=_HINT)
    try:
        refs, parameters = _Checker().run(tree)
    except RecursionError:
        raise QueryRejected("the query is nested too deeply to check") from None
    return CheckedQuery(tree=tree, parameters=frozenset(parameters), relation_refs=refs)


def check_condition(sql: str) -> Expr:
    """A boolean expression over ``events`` columns (policy row filters): no subqueries."""
    checked = check_query(f"SELECT 1 FROM {RELATION} WHERE ({sql})")
    where = checked.tree.args.get("where")
    assert isinstance(where, exp.Where)
    if any(isinstance(n, exp.Select) for n in where.walk()) or checked.parameters:
        raise QueryRejected("a row filter must be a plain condition (no subqueries or parameters)")
    if any(isinstance(n, exp.Column) and n.table for n in where.walk()):
        raise QueryRejected("a row filter names columns without a table qualifier (eventName, not events.eventName)")
    condition = where.this
    assert isinstance(condition, exp.Expr)
    return condition


class _Checker:
    """Walks a tree once, tracking which CTE names are visible where."""

    def __init__(self) -> None:
        self.refs = 0
        self.parameters: set[str] = set()

    def run(self, tree: exp.Expr) -> tuple[int, set[str]]:
        stack: list[tuple[exp.Expr, frozenset[str]]] = [(tree, frozenset())]
        while stack:
            node, visible = stack.pop()
            self._check_node(node, visible)
            with_ = node.args.get("with_") or node.args.get("with")
            inner = visible
            if isinstance(with_, exp.With):
                inner = self._push_ctes(with_, visible, stack)
            for child in node.args.values():
                if child is with_ and with_ is not None:
                    continue
                for item in child if isinstance(child, list) else [child]:
                    if isinstance(item, exp.Expr):
                        stack.append((item, inner))
        return self.refs, self.parameters

    def _push_ctes(
        self, with_: exp.With, visible: frozenset[str], stack: list[tuple[exp.Expr, frozenset[str]]]
    ) -> frozenset[str]:
        recursive = bool(with_.args.get("recursive"))
        names = set(visible)
        for cte in with_.expressions:
            name = cte.alias_or_name.lower()
            if name == RELATION or name.startswith(RESERVED_PREFIX):
                raise QueryRejected(f"a CTE may not be named {cte.alias_or_name!r} (reserved name)", hint=_HINT)
            if recursive:
                names.add(name)
            self._check_node(cte, visible)
            if isinstance(cte.args.get("alias"), exp.Expr):
                stack.append((cte.args["alias"], frozenset(names)))
            stack.append((cte.this, frozenset(names)))
            names.add(name)
        return frozenset(names)

    def _check_node(self, node: exp.Expr, visible: frozenset[str]) -> None:
        if isinstance(node, exp.Table):
            self._check_table(node, visible)
        elif isinstance(node, exp.Placeholder):
            self._check_placeholder(node)
        elif not allowlist.allowed(node):
            raise QueryRejected(_refusal(node), hint=_HINT)

    def _check_table(self, node: exp.Table, visible: frozenset[str]) -> None:
        target = node.this
        if not isinstance(target, exp.Identifier):
            what = allowlist.function_name(target) if isinstance(target, exp.Func) else target.key
            raise QueryRejected(f"table functions are not allowed in FROM ({what})", hint=_HINT)
        if node.args.get("db") or node.args.get("catalog"):
            raise QueryRejected(f"qualified table names are not allowed ({node.sql('duckdb')})", hint=_HINT)
        extra = sorted(k for k, v in node.args.items() if v and k not in _TABLE_ARGS)
        if extra:
            raise QueryRejected(f"table modifiers are not allowed ({', '.join(extra)} on {target.name})", hint=_HINT)
        name = target.name.lower()
        if name in visible:
            return
        if name == RELATION:
            self.refs += 1
            return
        raise QueryRejected(
            f"unknown relation {target.name!r}: queries may read only `{RELATION}` and their own CTEs", hint=_HINT
        )

    def _check_placeholder(self, node: exp.Placeholder) -> None:
        name = node.this
        if not isinstance(name, str) or not _PARAM_NAME.match(name):
            raise QueryRejected(
                "only named parameters ($name) are allowed, not positional ones (? or $1)", hint="write $name"
            )
        self.parameters.add(name)


def _refusal(node: exp.Expr) -> str:
    if isinstance(node, exp.Func):
        return f"function {allowlist.function_name(node)}() is not allowed"
    return f"SQL construct {node.key.upper()} is not allowed"
