"""Prepared SQL for other engines: DuckDB text in, Spark SQL or Athena (Trino) SQL out.

service.prepare renders every query (sandboxed user SQL bound to the role's masked relation) as
DuckDB SQL. For the Spark and Athena backends this module parses that text again and rewrites the
tree with a few pure steps, as sqlglot's optimizer does, then prints it with
:func:`trailmask.sqlkit.render.to_sql` (which owns the masking operators' dialect details):

1. internal tables: ``main.events`` (the raw table the masked relation reads) becomes the engine's
   name for the raw dataset (a Spark view, an Athena table);
2. session values: the masking key is ``getvariable('tm_mask_key__k')`` in DuckDB. Spark refuses
   subqueries inside lambdas (the detectors' ``transform``) and resolves an unknown column name to
   a session variable of that name (so a variable could be read by user SQL), hence each SELECT
   that needs the key cross-joins ``tm_mask_key AS tm_k``, the one-row view the Spark session
   registers from memory, and reads ``tm_k.k``. Athena has no session state: the key is one
   prepared-statement parameter in a leading ``WITH tm_mask_key AS (SELECT CAST(? AS VARCHAR) AS k)``;
3. DuckDB-only spellings (dialect_functions): JSON, ``len()`` of a list, struct values for Trino;
4. parameters: ``$name`` becomes ``:name`` (Spark binds by name) or ``?`` (Athena is positional:
   :attr:`Transpiled.parameters` names the value behind each ``?``, in order).

What cannot be expressed raises :class:`NotPortable`; the text returned parses in its dialect.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, TokenError
from sqlglot.parsers.duckdb import DuckDBParser
from sqlglot.tokenizer_core import TokenType

from trailmask.sqlkit.dialect_functions import NotPortable, rewrite_functions
from trailmask.sqlkit.render import to_sql

DIALECTS = ("duckdb", "spark", "athena")
SQLGLOT_DIALECT = {"duckdb": "duckdb", "spark": "spark", "athena": "trino"}
KEY_ALIAS = "tm_k"
SESSION_FUNCTION = "getvariable"

__all__ = ["DIALECTS", "NotPortable", "Transpiled", "transpile"]


class PreparedDuckDB(DuckDB):
    """DuckDB as trailmask prints it: ``a -> 'path'`` is always JSON extraction.

    DuckDB 2.0 writes lambdas only as ``lambda x: ...``; sqlglot's DuckDB parser still reads
    ``x -> ...`` inside a function call as a lambda, which would turn ``coalesce(doc -> '$.a', [])``
    into nonsense on the way to another dialect.
    """

    class Parser(DuckDBParser):
        LAMBDAS: ClassVar = {token: build for token, build in DuckDBParser.LAMBDAS.items() if token != TokenType.ARROW}


@dataclass(frozen=True)
class Transpiled:
    """SQL for one engine and the parameters it expects.

    ``parameters``: for Spark the distinct ``:name`` markers; for Athena the name behind each
    ``?``, in order (the masking key is ``tm_mask_key__k``).
    """

    sql: str
    dialect: str
    parameters: tuple[str, ...]


def transpile(sql: str, dialect: str, *, tables: Mapping[str, str] | None = None, pretty: bool = False) -> Transpiled:
    """``sql`` (DuckDB, as service.prepare renders it) for ``dialect`` (duckdb, spark or athena).

    ``tables`` maps internal qualified names (``main.events``) to the engine's (possibly
    qualified) names: ``global_temp.tm_events_1a2b``, ``cloudtrail_trailmask``.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    tree = parse_one(sql, PreparedDuckDB)
    if dialect == "duckdb":
        return Transpiled(sql, dialect, _named(tree))
    _refuse_barrier(tree, dialect)
    tree = rename_tables(tree, tables or {})
    tree = unique_cte_names(tree)
    tree = session_values(tree, dialect)
    tree = rewrite_functions(tree, dialect)
    if dialect == "athena":
        text, order = _positional(tree, pretty)
    else:
        text, order = to_sql(tree, "spark", pretty=pretty), _named(tree)
    parse_one(text, SQLGLOT_DIALECT[dialect])
    return Transpiled(text, dialect, order)


def _refuse_barrier(tree: exp.Expr, dialect: str) -> None:
    """Fail closed: a role's row filter is an optimisation barrier (a MATERIALIZED CTE, see
    sqlkit.barrier) that Spark SQL and Athena do not have; without it the query's conditions could
    run on rows the filter hides."""
    if any(cte.args.get("materialized") is True for cte in tree.find_all(exp.CTE)):
        raise NotPortable(
            f"the role's row filter needs a materialised CTE, which {dialect} does not have; "
            "run roles with a row_filter on the DuckDB engine"
        )


def parse_one(sql: str, read: str | type[DuckDB]) -> exp.Expr:
    """Exactly one statement of ``read``'s dialect (NotPortable otherwise)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except (ParseError, TokenError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        name = read if isinstance(read, str) else "duckdb"
        raise NotPortable(f"the SQL does not parse as {name}: {first}") from None
    if len(statements) != 1:
        raise NotPortable(f"expected one statement, found {len(statements)}")
    return statements[0]


def _named(tree: exp.Expr) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(p.this) for p in tree.find_all(exp.Placeholder) if p.this))


def _positional(tree: exp.Expr, pretty: bool) -> tuple[str, tuple[str, ...]]:
    """Print with ``?`` markers; the name behind each, in text order."""
    tag = f"tm_param_{secrets.token_hex(8)}_"
    names: list[str] = []
    for node in list(tree.find_all(exp.Placeholder)):
        if not node.this:
            raise NotPortable("positional parameters cannot be renumbered")
        names.append(str(node.this))
        node.replace(exp.Var(this=f"{tag}{len(names) - 1}"))
    text = to_sql(tree, "trino", pretty=pretty)
    marker = re.compile(re.escape(tag) + r"(\d+)")
    order = tuple(names[int(m.group(1))] for m in marker.finditer(text))
    return marker.sub("?", text), order


# -- 1. internal tables -------------------------------------------------------------------------


def _table_node(name: str, alias: exp.Expr | None) -> exp.Table:
    parts = name.split(".")
    node = exp.Table(this=exp.to_identifier(parts[-1]))
    if len(parts) > 1:
        node.set("db", exp.to_identifier(parts[-2]))
    if len(parts) > 2:
        node.set("catalog", exp.to_identifier(parts[-3]))
    if alias is not None:
        node.set("alias", alias.copy())
    return node


def rename_tables(tree: exp.Expr, tables: Mapping[str, str]) -> exp.Expr:
    """Each qualified table named in ``tables`` gets the engine's name (its alias is kept).

    Only qualified names are renamed: user SQL cannot write one (the sandbox refuses them), so a
    user's CTE or alias can never be taken for an internal table.
    """
    wanted = {name.lower(): target for name, target in tables.items()}
    for node in list(tree.find_all(exp.Table)):
        qualified = ".".join(part.name.lower() for part in node.parts)
        if node.args.get("db") and qualified in wanted:
            node.replace(_table_node(wanted[qualified], node.args.get("alias")))
    return tree


def unique_cte_names(tree: exp.Expr) -> exp.Expr:
    """Give nested CTEs that share a name distinct names (``tm_i`` → ``tm_i_2``).

    The relation is inlined once per ``events`` reference, each copy with its own CTEs; sqlglot's
    Spark output hoists every CTE to the top of the statement, where equal names would clash.
    Innermost WITH clauses are renamed first, so a reference always keeps the CTE it meant.
    """
    withs = [node for node in tree.find_all(exp.With) if node.parent is not tree]
    seen: dict[str, int] = {}
    for with_ in tree.find_all(exp.With):
        for cte in with_.expressions:
            seen[cte.alias_or_name.lower()] = seen.get(cte.alias_or_name.lower(), 0) + 1
    counter = 0
    for with_ in sorted(withs, key=lambda w: -w.depth):
        owner = with_.parent
        for cte in with_.expressions:
            old = cte.alias_or_name.lower()
            if seen.get(old, 0) < 2 or owner is None:
                continue
            counter += 1
            new = f"{old}_{counter}"
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(new)))
            for table in owner.find_all(exp.Table):
                if not table.args.get("db") and table.name.lower() == old:
                    if not table.alias:  # columns qualified by the CTE's name keep resolving
                        table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
                    table.set("this", exp.to_identifier(new))
    return tree


# -- 2. session values (the masking key) ----------------------------------------------------------


def _session_name(node: exp.Expr) -> tuple[str, str] | None:
    """``(table, column)`` of a ``getvariable('table__column')`` call, else None."""
    if not (isinstance(node, exp.Anonymous) and str(node.this).lower() == SESSION_FUNCTION):
        return None
    argument = node.expressions[0] if node.expressions else None
    if not (isinstance(argument, exp.Literal) and argument.is_string and "__" in str(argument.this)):
        raise NotPortable("a session value is not of the form getvariable('table__column')")
    table, _, column = str(argument.this).partition("__")
    return table, column


def _join_session_tables(tree: exp.Expr) -> dict[str, set[str]]:
    """Cross-join the session tables into each SELECT that reads them: {table: columns}."""
    scopes: dict[int, tuple[exp.Select, list[tuple[exp.Expr, str, str]]]] = {}
    for node in list(tree.walk()):
        name = _session_name(node)
        if name is None:
            continue
        select = node.find_ancestor(exp.Select)
        if select is None:
            raise NotPortable("a session value outside a SELECT")
        scopes.setdefault(id(select), (select, []))[1].append((node, *name))
    used: dict[str, set[str]] = {}
    for select, calls in scopes.values():
        tables = {table for _, table, _ in calls}
        if len(tables) != 1:
            raise NotPortable("one SELECT reads several session tables")
        if any(isinstance(p, exp.Star) for p in select.expressions):
            raise NotPortable("a session value next to SELECT * would be part of the output")  # fail closed
        table = tables.pop()
        for call, _, column in calls:
            call.replace(exp.column(column, table=KEY_ALIAS))
            used.setdefault(table, set()).add(column)
        source = exp.Table(this=exp.to_identifier(table), alias=exp.TableAlias(this=exp.to_identifier(KEY_ALIAS)))
        select.append("joins", exp.Join(this=source, kind="CROSS"))
    return used


def _prepend_cte(tree: exp.Expr, cte: exp.CTE) -> None:
    key = "with_" if "with_" in type(tree).arg_types else "with"
    current = tree.args.get(key)
    if isinstance(current, exp.With):
        current.set("expressions", [cte, *current.expressions])
    else:
        tree.set(key, exp.With(expressions=[cte]))


def session_values(tree: exp.Expr, dialect: str) -> exp.Expr:
    """Session values as a joined one-row table (Spark: a session view; Athena: a CTE of ``?``)."""
    used = _join_session_tables(tree)
    if dialect == "athena":
        for table in sorted(used, reverse=True):
            values = [
                exp.alias_(exp.Cast(this=exp.Placeholder(this=f"{table}__{c}"), to=exp.DataType.build("VARCHAR")), c)
                for c in sorted(used[table])
            ]
            _prepend_cte(tree, exp.CTE(this=exp.select(*values), alias=exp.TableAlias(this=exp.to_identifier(table))))
    return tree
