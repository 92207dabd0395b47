"""``explain``: the SQL that would run for an actor, in DuckDB, Spark or Athena SQL (one function).

The query gets the same checks as a run (authorize, sandbox, the role's masked relation) and is
audited as ``explain``. Parameters stay markers and the masking key is never printed: for Spark it
is the one-row view the session registers, for Athena a prepared-statement ``?`` whose value comes
from the caller's secret store. See docs/scale.md.
"""

from __future__ import annotations

from trailmask.errors import UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE
from trailmask.models import Actor, QueryRequest
from trailmask.service.audited import audited
from trailmask.service.authz import authorize
from trailmask.service.context import AppContext
from trailmask.service.engine import transpiled
from trailmask.service.prepare import prepare
from trailmask.sqlkit.dialects import DIALECTS, Transpiled
from trailmask.sqlkit.placeholders import StatementError, named_placeholders

EXPLAIN_SPARK_TABLE = "tm_events_raw"
KEY_PARAMETER = f"{KEY_TABLE}__{KEY_COLUMN}"

__all__ = ["DIALECTS", "explain"]


def _header(dialect: str, actor: Actor, text: Transpiled, table: str, *, keyed: bool) -> list[str]:
    lines = [f"-- {dialect} SQL for role {actor.role}; the raw dataset is {table}"]
    if dialect == "spark":
        if keyed:
            lines.append(f"-- the masking key is the one-row view {KEY_TABLE}({KEY_COLUMN}) the session registers")
        if text.parameters:
            lines.append("-- named parameters: " + ", ".join(f":{name}" for name in text.parameters))
        return lines
    if text.parameters:
        lines.append("-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>")
        described = [
            "the masking key (from your secret store; never written here)" if name == KEY_PARAMETER else f"${name}"
            for name in text.parameters
        ]
        lines.append("-- values, in order: " + ", ".join(f"{i}: {d}" for i, d in enumerate(described, 1)))
    return lines


def _placeholders(sql: str) -> dict[str, None]:
    """``{name: None}`` for the ``$name`` parameters of ``sql`` (explain binds no values)."""
    try:
        return dict.fromkeys(named_placeholders(sql))
    except StatementError:
        return {}  # prepare's sandbox check reports what is wrong with the statement


def explain(ctx: AppContext, actor: Actor, sql: str, dialect: str = "duckdb") -> str:
    """The SQL that would run for ``actor`` in ``dialect`` (duckdb, spark, athena), after the same
    checks as a query, audited as ``explain`` (denied and failed ones too). Parameters stay markers;
    the key is never printed."""
    with audited(ctx, actor, "explain", request=QueryRequest(sql=sql, kind="explain")) as audit:
        if dialect not in DIALECTS:
            raise UsageError(f"unknown dialect {dialect!r}", hint=f"use one of {', '.join(DIALECTS)}")
        authorize(ctx, actor, "explain", None)
        plan = prepare(ctx, actor.role, sql, _placeholders(sql))
        table = ctx.settings.athena.table if dialect == "athena" else EXPLAIN_SPARK_TABLE
        text = transpiled(plan.sql, dialect, table, pretty=True) if dialect != "duckdb" else None
        audit.profile = plan.profile
    if text is None:
        return plan.sql
    return "\n".join([*_header(dialect, actor, text, table, keyed=bool(plan.temp_tables)), text.sql])
