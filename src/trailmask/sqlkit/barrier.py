"""The rows a role may see, fixed before any expression of the query can run on a row.

A role's row filter (``row_filter: {where, accounts, regions}``) must hold before the user's SQL
touches a row: a condition of the query evaluated on a hidden row is an oracle (an error, or a time
bound that bisects, tells whether the hidden row exists). Placing the filter in the same WHERE as
the query's conditions leaves the order to the optimiser, which pushes filters into the same scan.

So the filtered rows are a ``MATERIALIZED`` CTE (``tm_rows``) at the head of the relation, and the
relation reads that CTE and nothing else of the table. A materialised CTE is computed on its own;
DuckDB may add a condition of its readers on top of it (only one that cannot raise, and always
above the CTE's own filter), never below. ``tests/security/test_row_filter_oracle.py`` checks the
plan: no condition of the query sits at or below the operator that applies the row filter.
"""

from __future__ import annotations

from sqlglot import exp

from trailmask.sqlkit.expr import Expr

ROWS_CTE = "tm_rows"


def rows_query(table: Expr, condition: Expr) -> Expr:
    """``SELECT * FROM table WHERE condition``: the body of the barrier."""
    return exp.Select(expressions=[exp.Star()]).from_(table.copy(), copy=False).where(condition.copy(), copy=False)


def rows_table(alias: str) -> Expr:
    """A reference to the barrier's rows, ``tm_rows AS alias``."""
    return exp.Table(this=exp.to_identifier(ROWS_CTE), alias=exp.TableAlias(this=exp.to_identifier(alias)))


def behind_barrier(query: Expr, rows: Expr) -> Expr:
    """``WITH tm_rows AS MATERIALIZED (rows), <query's own CTEs> <query>``.

    ``query`` reads the rows through :func:`rows_table` only; its own CTEs follow the barrier, so
    they may read it too.
    """
    if not isinstance(query, exp.Select):
        raise TypeError("the barrier wraps a SELECT")
    barrier = exp.CTE(this=rows, alias=exp.TableAlias(this=exp.to_identifier(ROWS_CTE)), materialized=True)
    existing = query.args.get("with_")
    ctes = [barrier, *(existing.expressions if isinstance(existing, exp.With) else [])]
    wrapped = query.copy()
    wrapped.set("with_", exp.With(expressions=[cte.copy() for cte in ctes]))
    return wrapped
