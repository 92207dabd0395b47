"""A read-only MCP server (stdio) for AI assistants, through the same guard as the HTTP API.

The role comes from a token (``--token`` / TRAILMASK_TOKEN), authenticated like an API bearer
token; every tool call goes through the service layer as that actor, so what an assistant sees is
masked for the role and on the audit log exactly like an API request. Tools:

- ``list_runbooks``: the runbooks the role may run (id, title, tags, parameters);
- ``show_runbook``: one runbook's documentation, parameters and output contract;
- ``run_runbook``: a run with typed, validated parameters (masked rows);
- ``sql``: one read-only SELECT, offered only when the role has the ``sql`` permission.

Nothing here writes to stdout: the protocol owns it.
"""

from __future__ import annotations

from typing import Any

from mcp.server.fastmcp import FastMCP

from trailmask.errors import TrailmaskError
from trailmask.models import Actor, QueryRequest
from trailmask.runbooks.serialize import detail, summary
from trailmask.service.authz import decide, require, runbook_resource
from trailmask.service.catalog import get_runbook
from trailmask.service.context import AppContext
from trailmask.service.query import run_query
from trailmask.service.runbooks import list_runbooks, run_runbook

INSTRUCTIONS = (
    "trailmask answers questions about AWS CloudTrail events. Every value is masked for the role of the "
    "token this server runs with: names are pseudonyms (user_..., name_...), addresses are truncated. "
    "Prefer runbooks (list_runbooks, show_runbook, run_runbook); use sql only for what no runbook covers."
)


class ToolError(Exception):
    """A refusal or failure shown to the assistant: the trailmask message and hint, nothing more."""


def _guarded(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except TrailmaskError as error:
        hint = f" (hint: {error.hint})" if error.hint else ""
        raise ToolError(f"{error}{hint}") from None
    except Exception as error:  # never hand an internal error's text (it may hold values) to the assistant
        raise ToolError(f"trailmask could not answer (internal error {type(error).__name__})") from None


def build_server(ctx: AppContext, actor: Actor) -> FastMCP:
    """The MCP server for ``actor`` (already authenticated) on ``ctx``'s store."""
    server = FastMCP("trailmask", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(name="list_runbooks")
    def list_runbooks_tool() -> list[dict[str, Any]]:
        """List the runbooks this role may run: id, title, tags and typed parameters."""
        return [summary(r) for r in _guarded(list_runbooks, ctx, actor)]

    @server.tool()
    def show_runbook(runbook_id: str) -> dict[str, Any]:
        """One runbook's documentation (when to use it, what it indicates, follow-ups), parameters and SQL."""

        def show() -> dict[str, Any]:
            require(ctx, actor, "runbook", runbook_resource(ctx, runbook_id))
            return detail(get_runbook(ctx, runbook_id))

        return dict(_guarded(show))

    @server.tool(name="run_runbook")
    def run_runbook_tool(
        runbook_id: str, params: dict[str, Any] | None = None, max_rows: int | None = None
    ) -> dict[str, Any]:
        """Run a runbook with typed parameters (e.g. {"since": "7d"}); rows are masked for this role."""
        result = _guarded(run_runbook, ctx, actor, runbook_id, params or {}, max_rows=max_rows)
        return dict(result.to_dict())

    if decide(ctx, actor, "sql").allowed:

        @server.tool()
        def sql(query: str, max_rows: int | None = None) -> dict[str, Any]:
            """Run one read-only SELECT over the `events` table through this role's masked view."""
            result = _guarded(run_query, ctx, actor, QueryRequest(sql=query, max_rows=max_rows))
            return dict(result.to_dict())

    return server
