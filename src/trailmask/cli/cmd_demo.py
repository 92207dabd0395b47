"""``trailmask demo``: sample data → store → web UI; prints the URL and demo tokens."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from trailmask.cli.cmd_serve import serve_command
from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, format_option
from trailmask.service.demo import setup_demo

DEFAULT_DEMO_DB = "trailmask-demo/trailmask.duckdb"


@click.command("demo")
@click.option("--events", type=click.IntRange(min=100), default=20_000, show_default=True, help="Synthetic events.")
@click.option("--serve/--no-serve", default=True, help="Serve the API and web UI after setting up.")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default 8080).")
@format_option
@click.pass_context
def demo_command(
    click_ctx: click.Context, events: int, serve: bool, host: str | None, port: int | None, fmt: str | None
) -> None:
    """Generate a realistic synthetic trail, ingest it, create demo users, then serve.

    Uses ./trailmask-demo/ unless --db (or TRAILMASK_DB) names a store. Safe to re-run: data is
    generated and ingested once; demo users get fresh tokens each run.
    """
    root = click_ctx.find_root()
    overrides = root.obj.setdefault("overrides", {})
    if not overrides.get("db") and not os.environ.get("TRAILMASK_DB"):
        overrides["db"] = DEFAULT_DEMO_DB
    ctx = app_context()
    setup = setup_demo(ctx, owner_actor("admin"), events=events)
    bind_host, bind_port = host or ctx.settings.host, port or ctx.settings.port
    url = f"http://{bind_host}:{bind_port}/" if serve else None
    fmt = chosen_format(fmt)
    if fmt == "json":
        emit_object(setup.to_dict(url), fmt)
    else:
        totals = setup.summary.totals()
        click.echo(f"store: {ctx.store.path}  ({totals['new_events']} new events from {setup.logs})")
        for user in setup.tokens:
            click.echo(f"  {user['role']:<13} {user['name']:<18} token: {user['token']}")
        click.echo("next, in this shell (then the README's commands work as written):")
        click.echo(f"  {next_steps(ctx.store.path)}")
        click.echo("  trailmask runbook list")
        if url:
            click.echo(f"web UI and API: {url}  (sign in with a token above; Ctrl-C to stop)")
    if serve:
        click_ctx.invoke(serve_command, host=bind_host, port=bind_port, log_level="warning")


def next_steps(store: Path) -> str:
    """The shell line that points the plain ``trailmask`` command at the demo's venv and store."""
    venv_bin = Path(sys.executable).parent
    return f'export PATH="{venv_bin}:$PATH" TRAILMASK_DB={shlex.quote(str(store))}'


COMMANDS = [demo_command]
