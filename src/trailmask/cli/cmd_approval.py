"""``trailmask --server URL --token T approval request | list | show | approve | reject | run``.

Break-glass approvals are between people, so they go through the server, where each person is
signed in: there is no local mode (the local CLI user is the store's owner, not a person).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import click

from trailmask.cli.client import ServerClient, emit_result, server_client
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.errors import UsageError

COLUMNS = ["id", "status", "requester", "kind", "runbook", "justification", "decided_by", "created_at"]


def _client() -> ServerClient:
    client = server_client()
    if client is None:
        raise UsageError("approvals need a server", hint="use trailmask --server URL --token T approval ...")
    return client


def _path(approval_id: str, action: str = "") -> str:
    return f"/api/approvals/{quote(approval_id, safe='')}" + (f"/{action}" if action else "")


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"parameter {pair[:40]!r} is not NAME=VALUE")
        values[name] = value
    return values


def _show(approval: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        emit_object(approval, fmt)
    else:
        emit_rows(COLUMNS, [approval], fmt)


@click.group("approval")
def approval_group() -> None:
    """Break-glass: ask for one unmasked run, have someone else approve it, run it once."""


@approval_group.command("request")
@click.option("--sql", "sql", default=None, help="The SELECT to run unmasked.")
@click.option("--runbook", default=None, help="The runbook to run unmasked.")
@click.option("--reveal", "token", default=None, help="A pseudonym token to reveal once (trailmask reveal --approval).")
@click.option("-p", "--param", "pairs", multiple=True, metavar="NAME=VALUE", help="Runbook parameter (repeatable).")
@click.option("--justification", required=True, help="Why unmasked data is needed (at least 10 characters).")
@format_option
def request_command(
    sql: str | None,
    runbook: str | None,
    token: str | None,
    pairs: tuple[str, ...],
    justification: str,
    fmt: str | None,
) -> None:
    """File a request; prints its id (status pending)."""
    if [bool(sql), bool(runbook), bool(token)].count(True) != 1:
        raise UsageError("give exactly one of --sql, --runbook and --reveal")
    body = {
        "kind": "sql" if sql else "runbook" if runbook else "reveal",
        "sql": sql,
        "runbook": runbook,
        "params": {"token": token} if token else _params(pairs),
        "justification": justification,
    }
    _show(_client().request("POST", "/api/approvals", body), chosen_format(fmt))


@approval_group.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "rejected", "executed", "expired"]),
    default=None,
    help="Only requests in this state (default: all).",
)
@format_option
def list_command(status: str | None, fmt: str | None) -> None:
    """Requests you may see (approvers: all; others: their own)."""
    path = "/api/approvals" + (f"?status={status}" if status else "")
    approvals = _client().request("GET", path)["approvals"]
    fmt = chosen_format(fmt)
    if fmt == "json":
        emit_object(approvals, fmt)
    else:
        emit_rows(COLUMNS, approvals, fmt)


@approval_group.command("show")
@click.argument("approval_id")
@format_option
def show_command(approval_id: str, fmt: str | None) -> None:
    """One request: who asked, for what, why, and who decided."""
    _show(_client().request("GET", _path(approval_id)), chosen_format(fmt))


@approval_group.command("approve")
@click.argument("approval_id")
@click.option("--comment", default="", help="Recorded with the decision.")
@format_option
def approve_command(approval_id: str, comment: str, fmt: str | None) -> None:
    """Approve someone else's pending request (needs permission 'approve')."""
    _show(_client().request("POST", _path(approval_id, "approve"), {"comment": comment}), chosen_format(fmt))


@approval_group.command("reject")
@click.argument("approval_id")
@click.option("--comment", default="", help="Recorded with the decision.")
@format_option
def reject_command(approval_id: str, comment: str, fmt: str | None) -> None:
    """Reject someone else's pending request (needs permission 'approve')."""
    _show(_client().request("POST", _path(approval_id, "reject"), {"comment": comment}), chosen_format(fmt))


@approval_group.command("run")
@click.argument("approval_id")
@format_option
def run_command(approval_id: str, fmt: str | None) -> None:
    """Run your approved request once, unmasked."""
    emit_result(_client().request("POST", _path(approval_id, "run")), chosen_format(fmt))


COMMANDS = [approval_group]
