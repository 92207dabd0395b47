"""``trailmask mcp``: serve the runbook catalogue, runbook runs and (where the role may) SQL to an AI assistant."""

from __future__ import annotations

import os

import click

from trailmask.cli.context import app_context
from trailmask.cli.mcp_server import build_server
from trailmask.errors import AuthenticationError
from trailmask.service.identity import authenticate


@click.command("mcp")
def mcp_command() -> None:
    """Serve a read-only MCP server on stdin/stdout, as the role of your token (--token / TRAILMASK_TOKEN).

    Every tool call is masked for that role and audited like an API request. Configure an assistant to
    start it, for example:

    \b
        {"command": "trailmask", "args": ["--db", "/srv/trailmask.duckdb", "mcp"],
         "env": {"TRAILMASK_TOKEN": "tm_..."}}
    """
    root = click.get_current_context().find_root()
    token = (root.obj or {}).get("token") or os.environ.get("TRAILMASK_TOKEN")
    if not token:
        raise AuthenticationError(
            "trailmask mcp needs a token: its role decides what the assistant sees",
            hint="create one with `trailmask user add NAME --role investigator`, then pass --token or TRAILMASK_TOKEN",
        )
    ctx = app_context()
    actor = authenticate(ctx, f"Bearer {token}")
    build_server(ctx, actor).run("stdio")


COMMANDS = [mcp_command]
