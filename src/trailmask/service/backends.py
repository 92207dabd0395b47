"""The Spark and Athena backends of the one query path: transpile, run on Spark, explain per dialect.

service.prepare renders a query as DuckDB SQL over ``main.events``. For ``--engine spark`` the
same prepared query (same sandbox, same masked relation, same parameters) is transpiled by
trailmask.sqlkit.dialects to Spark SQL over the raw Parquet dataset (registered under an internal
view name), and the masking key is handed to the Spark session as a one-row temporary view, as
the DuckDB session gets it as a temporary table: never as SQL text. ``explain --dialect`` prints
the SQL for Spark or Athena with the key as a reference (a view, or a prepared-statement ``?``),
never its value. See docs/scale.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trailmask.errors import ConfigError, QueryRejected, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, RAW_TABLE
from trailmask.models import Actor
from trailmask.service.auditing import record
from trailmask.service.authz import authorize
from trailmask.service.context import AppContext
from trailmask.service.prepare import PreparedQuery, prepare
from trailmask.sqlkit.dialects import DIALECTS, NotPortable, Transpiled, transpile
from trailmask.sqlkit.placeholders import StatementError, named_placeholders

if TYPE_CHECKING:
    from trailmask.engines.spark.session import Rows

INTERNAL_TABLE = ".".join(RAW_TABLE)
EXPLAIN_SPARK_TABLE = "tm_events_raw"
KEY_PARAMETER = f"{KEY_TABLE}__{KEY_COLUMN}"

__all__ = ["DIALECTS", "athena_table", "execute_on_spark", "explain_for"]


def athena_table(ctx: AppContext) -> str:
    """The Athena table over the exported dataset (config ``athena: {table: db.name}``)."""
    return ctx.settings.athena.table


def _transpile(sql: str, dialect: str, table: str, *, pretty: bool = False) -> Transpiled:
    try:
        return transpile(sql, dialect, tables={INTERNAL_TABLE: table}, pretty=pretty)
    except NotPortable as exc:
        raise QueryRejected(f"the query cannot be expressed for {dialect}: {exc}", hint="see docs/scale.md") from None


def execute_on_spark(ctx: AppContext, plan: PreparedQuery, *, timeout_s: float, max_rows: int) -> Rows:
    """Run a prepared query on the Spark session over ``settings.dataset``.

    ``timeout_s`` is the limit the query path chose (request, runbook, ``query_timeout``), scaled by
    ``timeout_factor``: Spark spends seconds planning a masked query that DuckDB starts at once.
    """
    if ctx.settings.dataset is None:
        raise ConfigError(
            "--engine spark needs --dataset DIR (env TRAILMASK_DATASET)",
            hint="write the dataset with `trailmask export --format parquet DIR`",
        )
    try:
        from trailmask.engines.spark.dataset import register_dataset
        from trailmask.engines.spark.runtime import spark_session
        from trailmask.engines.spark.session import SparkQuerySession
    except ImportError:
        raise ConfigError("the spark engine needs pyspark", hint="pip install 'trailmask[spark]'") from None
    options = ctx.settings.spark
    spark = spark_session(options.properties, log_level=options.log_level)
    view = register_dataset(spark, ctx.settings.dataset, cache=options.cache)
    text = _transpile(plan.sql, "spark", view)
    params = {name: plan.params[name] for name in text.parameters}
    with SparkQuerySession(spark, temp_tables=plan.temp_tables) as session:
        return session.execute(text.sql, params, timeout_s=timeout_s * options.timeout_factor, max_rows=max_rows)


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


def explain_for(ctx: AppContext, actor: Actor, sql: str, dialect: str) -> str:
    """The SQL that would run for ``actor`` in ``dialect`` (duckdb, spark, athena), after the same
    checks as a query, audited as ``explain``. Parameters stay markers; the key is never printed."""
    from trailmask.service.query import QueryRequest  # the query module dispatches to this one

    if dialect not in DIALECTS:
        raise UsageError(f"unknown dialect {dialect!r}", hint=f"use one of {', '.join(DIALECTS)}")
    authorize(ctx, actor, "sql", None)
    plan = prepare(ctx, actor.role, sql, _placeholders(sql))
    table = athena_table(ctx) if dialect == "athena" else EXPLAIN_SPARK_TABLE
    text = _transpile(plan.sql, dialect, table, pretty=True) if dialect != "duckdb" else None
    record(ctx, actor, QueryRequest(sql=sql, kind="explain"), outcome="ok", elapsed_ms=0.0, profile=plan.profile)
    if text is None:
        return plan.sql
    return "\n".join([*_header(dialect, actor, text, table, keyed=bool(plan.temp_tables)), text.sql])
