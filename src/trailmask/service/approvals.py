"""Break-glass: an unmasked run of one query or runbook, requested, approved by someone else, run once.

1. A person whose role has ``unmask:request`` (and may run the query masked) asks, with a
   justification of at least 10 characters.
2. A *different* person whose role has ``approve`` approves or rejects it, with a comment.
3. The requester runs it, unmasked, once: claiming the approval and running are one step; a
   second run, a run by anyone else, or a run after ``serve.approval_ttl_s`` (default 24 h) is
   refused. Every step is audited (the run's entry carries the approval id).

Requests live in the server state file (service.statedb), including the SQL and parameters they
will run, so that what runs is exactly what was approved.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from trailmask.errors import Conflict, NotFound, PermissionDenied, TrailmaskError, UsageError
from trailmask.models import Actor, QueryRequest, QueryResult
from trailmask.runbooks.binding import bind_parameters
from trailmask.service.audited import audited
from trailmask.service.auditing import record_event
from trailmask.service.authz import authorize, decide, require, unmask_grant
from trailmask.service.catalog import get_runbook
from trailmask.service.context import AppContext
from trailmask.service.query import run_query
from trailmask.service.statedb import connect, now, read


@dataclass(frozen=True)
class Approval:
    id: str
    requester: str
    requester_via: str
    requester_role: str
    kind: str
    runbook: str | None
    sql: str | None
    params: dict[str, Any]
    justification: str
    status: str
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    comment: str | None = None
    executed_at: str | None = None
    audit_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        for name in PRIVATE_FIELDS:
            body.pop(name)
        return body


PRIVATE_FIELDS = ("requester_via",)  # kept in the state, never shown (to_dict, the API model)
_COLUMNS = tuple(f.name for f in fields(Approval))  # the approvals table's columns, in this order
_INSERT = f"INSERT INTO approvals ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _row(approval: Approval) -> tuple[Any, ...]:
    values = (getattr(approval, name) for name in _COLUMNS)
    return tuple(json.dumps(v) if name == "params" else v for name, v in zip(_COLUMNS, values, strict=True))


def _approval(row: sqlite3.Row) -> Approval:
    values = dict(row)
    values["params"] = json.loads(values["params"])
    return Approval(**values)


def _audited(ctx: AppContext, actor: Actor, action: str, approval_id: str | None, fn: Any) -> Any:
    """Run ``fn``; a refusal is audited with its kind before it is raised."""
    try:
        return fn()
    except TrailmaskError as exc:
        record_event(ctx, actor, action, outcome=exc.kind, approval_id=approval_id)
        raise


def request_unmasked(
    ctx: AppContext,
    actor: Actor,
    *,
    kind: str,
    sql: str | None,
    runbook: str | None,
    params: dict[str, Any],
    justification: str,
) -> Approval:
    """File a break-glass request (needs ``unmask:request`` and the permission to run it masked)."""

    def check() -> None:
        require(ctx, actor, "unmask:request")
        if len(justification.strip()) < 10:
            raise UsageError("a justification of at least 10 characters is required")
        if kind == "sql":
            if not sql or runbook:
                raise UsageError("a sql request needs `sql` (and no `runbook`)")
            authorize(ctx, actor, "sql", None)
        elif kind == "runbook":
            if not runbook or sql:
                raise UsageError("a runbook request needs `runbook` (and no `sql`)")
            authorize(ctx, actor, "runbook", runbook)
            bind_parameters(get_runbook(ctx, runbook), params, masked=False)
        elif kind == "reveal":  # a pseudonym token to reveal once (service.reveal runs it)
            if not isinstance(params.get("token"), str) or not params["token"] or sql or runbook:
                raise UsageError("a reveal request needs `params.token` (and no `sql` or `runbook`)")
        else:
            raise UsageError("kind must be 'sql', 'runbook' or 'reveal'")

    _audited(ctx, actor, "approval.request", None, check)
    approval = Approval(
        id=f"apr_{secrets.token_hex(8)}",
        requester=actor.name,
        requester_via=actor.via,
        requester_role=actor.role,
        kind=kind,
        runbook=runbook,
        sql=sql,
        params=dict(params),
        justification=justification.strip(),
        status="pending",
        created_at=now(),
    )
    with connect(ctx) as conn:
        conn.execute(_INSERT, _row(approval))
        record_event(
            ctx,
            actor,
            "approval.request",
            approval_id=approval.id,
            runbook=runbook,
            justification=approval.justification,
        )
    return approval


def _load(conn: sqlite3.Connection, approval_id: str) -> Approval:
    row = conn.execute("SELECT * FROM approvals WHERE id = ?", (approval_id,)).fetchone()
    if row is None:
        raise NotFound(f"no approval request {approval_id!r}", hint="see GET /api/approvals")
    return _approval(row)


def _is_requester(actor: Actor, approval: Approval) -> bool:
    return actor.name == approval.requester and actor.via == approval.requester_via


def list_approvals(ctx: AppContext, actor: Actor, *, status: str | None = None) -> list[Approval]:
    """Approvers see every request; others see their own (audited as ``approval.list``)."""
    with audited(ctx, actor, "approval.list", status=status) as audit:
        approver = decide(ctx, actor, "approve").allowed
        with read(ctx) as conn:
            rows = [_approval(r) for r in conn.execute("SELECT * FROM approvals ORDER BY created_at DESC, id")]
        shown = [a for a in rows if (approver or _is_requester(actor, a)) and (status is None or a.status == status)]
        audit.details["approvals"] = len(shown)
    return shown


def get_approval(ctx: AppContext, actor: Actor, approval_id: str) -> Approval:
    with audited(ctx, actor, "approval.show", approval_id=approval_id):
        with read(ctx) as conn:
            approval = _load(conn, approval_id)
        if not (_is_requester(actor, approval) or decide(ctx, actor, "approve").allowed):
            raise PermissionDenied(f"role {actor.role!r} lacks permission 'approve'", hint="this is not your request")
    return approval


def decide_request(ctx: AppContext, actor: Actor, approval_id: str, *, approve: bool, comment: str = "") -> Approval:
    """Approve or reject a pending request (needs ``approve``; never one's own request)."""
    action = "approval.approve" if approve else "approval.reject"
    status = "approved" if approve else "rejected"

    def check() -> Approval:
        require(ctx, actor, "approve")
        with connect(ctx) as conn:
            approval = _load(conn, approval_id)
            if _is_requester(actor, approval) or actor.name == approval.requester:
                raise PermissionDenied(
                    "a request must be decided by a different person than the requester",
                    hint="permission 'approve' does not cover one's own requests",
                )
            if approval.status != "pending":
                raise Conflict(f"approval request {approval_id} is already {approval.status}")
            decided_at = now()
            conn.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, comment = ? WHERE id = ?",
                (status, actor.name, decided_at, comment, approval_id),
            )
            record_event(ctx, actor, action, approval_id=approval_id, requester=approval.requester, comment=comment)
        return Approval(
            **{
                **asdict(approval),
                "status": status,
                "decided_by": actor.name,
                "decided_at": decided_at,
                "comment": comment,
            }
        )

    result: Approval = _audited(ctx, actor, action, approval_id, check)
    return result


def _expired(ctx: AppContext, approval: Approval) -> bool:
    ttl = ctx.settings.serve.approval_ttl_s
    decided = datetime.fromisoformat(str(approval.decided_at).replace("Z", "+00:00"))
    return (datetime.now(UTC) - decided).total_seconds() > ttl


def claim_approval(ctx: AppContext, actor: Actor, approval_id: str) -> Approval:
    """Claim an approved ``reveal`` request once, for service.reveal (audited as ``approval.run``)."""
    claimed: Approval = _audited(
        ctx, actor, "approval.run", approval_id, lambda: _claim(ctx, actor, approval_id, reveal=True)
    )
    return claimed


def _claim(ctx: AppContext, actor: Actor, approval_id: str, *, reveal: bool = False) -> Approval:
    """Mark the approval executed (once); only its requester, only while approved and not expired."""
    with connect(ctx) as conn:
        approval = _load(conn, approval_id)
        if (approval.kind == "reveal") != reveal:
            hint = "reveal it with `trailmask reveal TOKEN --approval ID`" if not reveal else None
            raise Conflict(f"approval request {approval_id} is a {approval.kind} request", hint=hint)
        if not _is_requester(actor, approval):
            raise PermissionDenied("only the requester may run an approved request", hint="file your own request")
        if approval.status != "approved":
            raise Conflict(f"approval request {approval_id} is {approval.status}, not approved")
        expired = _expired(ctx, approval)
        status = "expired" if expired else "executed"
        conn.execute("UPDATE approvals SET status = ?, executed_at = ? WHERE id = ?", (status, now(), approval_id))
    if expired:
        raise Conflict(f"approval request {approval_id} expired", hint="file a new request")
    return approval


def _request_of(ctx: AppContext, approval: Approval) -> QueryRequest:
    if approval.kind == "sql":
        return QueryRequest(sql=str(approval.sql), unmasked=True)
    runbook = get_runbook(ctx, str(approval.runbook))
    bound = bind_parameters(runbook, approval.params, masked=False)
    return QueryRequest(
        sql=runbook.sql,
        params=bound,
        kind="runbook",
        runbook_id=runbook.id,
        unmasked=True,
        max_rows=runbook.limits.max_rows,
        timeout_s=runbook.limits.timeout_s,
    )


def run_approved(ctx: AppContext, actor: Actor, approval_id: str) -> QueryResult:
    """Run an approved request once, unmasked, as its requester (the run is audited with its id)."""
    approval = _audited(ctx, actor, "approval.run", approval_id, lambda: _claim(ctx, actor, approval_id))
    with unmask_grant(approval_id):
        result = run_query(ctx, actor, _request_of(ctx, approval))
    with connect(ctx) as conn:
        conn.execute("UPDATE approvals SET audit_id = ? WHERE id = ?", (result.audit_id, approval_id))
    return result
