"""Core routes: health, whoami, ad-hoc SQL and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from trailmask import __version__
from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.models import AuditPage, ColumnMask, Health, QueryResultBody, SqlBody, WhoAmI
from trailmask.api.routes_runs import RequestIdHeader, answer_once
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor, QueryRequest
from trailmask.rbac.permissions import ACTIONS, allowed
from trailmask.service.auditing import read_entries
from trailmask.service.columns import describe_result
from trailmask.service.query import run_query
from trailmask.service.runs import RunControl, run_controlled
from trailmask.service.users import whoami as role_permissions

router = APIRouter()
CurrentActor = Annotated[Actor, Depends(current_actor)]
AUDIT_COLUMNS = [
    "seq",
    "ts",
    "actor",
    "via",
    "role",
    "action",
    "outcome",
    "runbook",
    "params",
    "sql_fingerprint",
    "sql_shape",
    "rows",
    "profile",
    "duration_ms",
    "approval",
    "client",
    "hash",
]


@router.get("/healthz", response_model=Health, tags=["server"])
async def healthz() -> Health:
    """Liveness: the server answers (no credentials needed, nothing about the data)."""
    return Health(status="ok", version=__version__)


@router.get("/api/whoami", response_model=WhoAmI, tags=["identity"], responses=responses(401, 403, 429, 503))
async def whoami(request: Request, actor: CurrentActor) -> WhoAmI:
    """Who the token belongs to, its role, the role's permission strings and what they allow."""
    permissions = await in_thread(request, role_permissions, api_state(request).ctx, actor)
    capabilities = {action: bool(allowed(permissions, action)) for action in ACTIONS if action != "runbook"}
    return WhoAmI(
        name=actor.name, role=actor.role, via=actor.via, permissions=list(permissions), capabilities=capabilities
    )


@router.post(
    "/api/sql",
    response_model=QueryResultBody,
    tags=["query"],
    responses=responses(400, 401, 403, 408, 409, 413, 422, 429, 503, 504),
)
async def sql(
    request: Request, body: SqlBody, actor: CurrentActor, request_id: RequestIdHeader = None
) -> QueryResultBody:
    """Run one SELECT through the caller's role's masked view (needs permission `sql`).

    With ``X-Request-Id`` the query runs once per id (a resend gets the same answer) and its owner
    may cancel it (``POST /api/runs/{request_id}/cancel``: 409 ``cancelled``).
    """
    query = QueryRequest(sql=body.sql, max_rows=body.max_rows, timeout_s=body.timeout_s)
    ctx = api_state(request).ctx

    async def work(control: RunControl) -> QueryResultBody:
        result = await in_thread(request, run_controlled, control, run_query, ctx, actor, query, store=True)
        masking = await in_thread(request, describe_result, ctx, result, body.sql)
        return QueryResultBody(**result.to_dict(), column_masking=ColumnMask.of(masking))

    what = ("sql", body.sql, body.max_rows, body.timeout_s)
    return await answer_once(request, actor, request_id, what, work)


@router.get("/api/audit", response_model=AuditPage, tags=["audit"], responses=responses(400, 401, 403, 429, 503))
async def audit(
    request: Request,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1, description="Only entries with seq below this.")] = None,
) -> AuditPage:
    """Newest audit entries first, masked per the reader's role (needs `audit:read`)."""
    entries = await in_thread(request, read_entries, api_state(request).ctx, actor, limit=limit, before=before)
    # the first entry is this read itself; the page starts after it when paging
    seqs = [int(e["seq"]) for e in entries if isinstance(e.get("seq"), int)]
    next_before = min(seqs) if len(entries) >= limit and seqs and min(seqs) > 1 else None
    return AuditPage(columns=AUDIT_COLUMNS, entries=entries, next_before=next_before)
