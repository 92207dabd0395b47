"""``trailmask sql`` and ``trailmask explain``."""

from __future__ import annotations

import click

from trailmask.cli.client import emit_result, reject_role_option, server_client
from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_rows, format_option, visible
from trailmask.errors import TrailmaskError, UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.service.context import AppContext
from trailmask.service.explain import DIALECTS, explain
from trailmask.service.query import run_query


@click.command("sql")
@click.argument("query")
@click.option(
    "--as", "role", default=None, help="Role whose masked view to query (local preview; required without --server)."
)
@click.option("--max-rows", type=click.IntRange(min=1), default=None, help="Row limit (capped by config max_rows).")
@format_option
def sql_command(query: str, role: str | None, max_rows: int | None, fmt: str | None) -> None:
    """Run one read-only SELECT through the masking layer as ROLE (or as your token's role with --server)."""
    client = server_client()
    if client is not None:
        reject_role_option(role)
        emit_result(client.sql(query, max_rows=max_rows), chosen_format(fmt))
        return
    if not role:
        raise UsageError("--as ROLE is required", hint="or use --server URL --token T against a server")
    ctx, actor, fmt = app_context(), owner_actor(role), chosen_format(fmt)
    result = run_query(ctx, actor, QueryRequest(sql=query, max_rows=max_rows))
    searched = _searched(ctx, actor) if not result.rows and fmt == "table" else None
    emit_rows(result.columns, result.rows, fmt, searched=searched)
    for notice in result.notices:  # what a token() matched as; a grouping on redacted fields
        click.echo(visible(f"note: {notice}"), err=True)
    if result.truncated:
        click.echo(f"note: output truncated at {result.row_count} rows", err=True)


SPAN_SQL = "SELECT min(eventTime) AS first_event, max(eventTime) AS last_event, count(*) AS events FROM events"


def _searched(ctx: AppContext, actor: Actor) -> str | None:
    """For an empty result: the time span of the events the role can query (asked through the same
    masked, audited path as any query), or None when that cannot be told."""
    try:
        span = run_query(ctx, actor, QueryRequest(sql=SPAN_SQL)).rows[0]
    except TrailmaskError:
        return None
    if not span["events"]:
        return "the store holds no events your role can query"
    if span["first_event"] is None:
        return f"none of the {span['events']} events your role can query has an event time"
    first, last = (str(span[k]).replace("T", " ") for k in ("first_event", "last_event"))
    return f"the {span['events']} events your role can query span {first} to {last} UTC"


@click.command("explain")
@click.argument("query")
@click.option("--as", "role", required=True, help="Role whose masked view the query would use.")
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    default="duckdb",
    show_default=True,
    help="SQL for this engine: duckdb (the store), spark, or athena (Trino; see docs/scale.md).",
)
def explain_command(query: str, role: str, dialect: str) -> None:
    """Print the SQL that would run for ROLE (masking keys are never part of it)."""
    click.echo(explain(app_context(), owner_actor(role), query, dialect))


COMMANDS = [sql_command, explain_command]
