"""Break-glass approval routes: request, list, show, approve, reject, run once (docs/auth.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.models import Approval as ApprovalBody
from trailmask.api.models import ApprovalList, ApprovalRequestBody, ColumnMask, DecisionBody, QueryResultBody
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.approvals import (
    Approval,
    decide_request,
    get_approval,
    list_approvals,
    request_unmasked,
    run_approved,
)
from trailmask.service.columns import describe_result

router = APIRouter(prefix="/api/approvals", tags=["approvals"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
ApprovalId = Annotated[str, Path(min_length=1, max_length=64)]
Status = Literal["pending", "approved", "rejected", "executed", "expired"]
ERRORS = responses(400, 401, 403, 404, 409, 429, 503)


Body = dict[str, Any]  # validated and documented by the route's response_model (derived from Approval)


def _body(approval: Approval) -> Body:
    return approval.to_dict()


@router.post("", response_model=ApprovalBody, status_code=201, responses=ERRORS)
async def request_approval(request: Request, body: ApprovalRequestBody, actor: CurrentActor) -> Body:
    """Ask for one unmasked run of a query or runbook (needs `unmask:request`)."""
    approval = await in_thread(
        request,
        request_unmasked,
        api_state(request).ctx,
        actor,
        kind=body.kind,
        sql=body.sql,
        runbook=body.runbook,
        params=body.params,
        justification=body.justification,
    )
    return _body(approval)


@router.get("", response_model=ApprovalList, responses=ERRORS)
async def approvals(request: Request, actor: CurrentActor, status: Annotated[Status | None, Query()] = None) -> Body:
    """Every request for approvers; one's own requests for everyone else."""
    found = await in_thread(request, list_approvals, api_state(request).ctx, actor, status=status)
    return {"approvals": [_body(a) for a in found]}


@router.get("/{approval_id}", response_model=ApprovalBody, responses=ERRORS)
async def approval(request: Request, approval_id: ApprovalId, actor: CurrentActor) -> Body:
    return _body(await in_thread(request, get_approval, api_state(request).ctx, actor, approval_id))


@router.post("/{approval_id}/approve", response_model=ApprovalBody, responses=ERRORS)
async def approve(request: Request, approval_id: ApprovalId, body: DecisionBody, actor: CurrentActor) -> Body:
    """Approve someone else's pending request (needs `approve`)."""
    ctx = api_state(request).ctx
    return _body(await in_thread(request, decide_request, ctx, actor, approval_id, approve=True, comment=body.comment))


@router.post("/{approval_id}/reject", response_model=ApprovalBody, responses=ERRORS)
async def reject(request: Request, approval_id: ApprovalId, body: DecisionBody, actor: CurrentActor) -> Body:
    """Reject someone else's pending request (needs `approve`)."""
    ctx = api_state(request).ctx
    return _body(await in_thread(request, decide_request, ctx, actor, approval_id, approve=False, comment=body.comment))


@router.post(
    "/{approval_id}/run",
    response_model=QueryResultBody,
    responses=responses(400, 401, 403, 404, 408, 409, 422, 429, 503, 504),
)
async def run(request: Request, approval_id: ApprovalId, actor: CurrentActor) -> QueryResultBody:
    """Run an approved request once, unmasked, as its requester."""
    ctx = api_state(request).ctx
    result = await in_thread(request, run_approved, ctx, actor, approval_id, store=True)
    masking = await in_thread(request, describe_result, ctx, result, None)  # unmasked: every column "none"
    return QueryResultBody(**result.to_dict(), column_masking=ColumnMask.of(masking))
