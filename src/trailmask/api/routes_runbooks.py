"""Runbook routes: the catalogue the caller may run, one runbook's documentation, a run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.models import ColumnMask, QueryResultBody, RunBody
from trailmask.api.routes_runs import RequestIdHeader, answer_once
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.serialize import detail
from trailmask.service.catalog import get_runbook
from trailmask.service.columns import describe_result
from trailmask.service.runbooks import list_runbooks, run_runbook, show_runbook
from trailmask.service.runs import RunControl, run_controlled

router = APIRouter(prefix="/api/runbooks", tags=["runbooks"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
RunbookId = Annotated[str, Path(min_length=1, max_length=200)]


def runbook_body(runbook: Runbook) -> dict[str, Any]:
    """The runbook as JSON: the one shape (runbooks.serialize.detail) that ``runbook show --format json``
    and the MCP server print too; fixtures as names and counts, never their events or the file path."""
    return detail(runbook)


@router.get("", responses=responses(401, 403, 429, 503))
async def runbooks(request: Request, actor: CurrentActor) -> dict[str, list[dict[str, Any]]]:
    """The runbooks the caller's role may run (others are left out)."""
    found = await in_thread(request, list_runbooks, api_state(request).ctx, actor)
    return {"runbooks": [runbook_body(r) for r in found]}


@router.get("/{runbook_id}", responses=responses(400, 401, 403, 404, 429, 503))
async def runbook(request: Request, runbook_id: RunbookId, actor: CurrentActor) -> dict[str, Any]:
    """One runbook's documentation and parameters (needs `runbook:ID` or a matching `runbook-tag:`)."""
    return runbook_body(await in_thread(request, show_runbook, api_state(request).ctx, actor, runbook_id))


@router.post(
    "/{runbook_id}/run",
    response_model=QueryResultBody,
    responses=responses(400, 401, 403, 404, 408, 409, 413, 422, 429, 503, 504),
)
async def run(
    request: Request,
    runbook_id: RunbookId,
    body: RunBody,
    actor: CurrentActor,
    request_id: RequestIdHeader = None,
) -> QueryResultBody:
    """Run the runbook with typed, bound parameters through the caller's masked view.

    With ``X-Request-Id`` the run happens once per id (a resend gets the same answer) and its owner
    may cancel it (``POST /api/runs/{request_id}/cancel``: 409 ``cancelled``).
    """
    ctx = api_state(request).ctx

    async def work(control: RunControl) -> QueryResultBody:
        result = await in_thread(
            request,
            run_controlled,
            control,
            run_runbook,
            ctx,
            actor,
            runbook_id,
            body.params,
            max_rows=body.max_rows,
            store=True,
        )
        masking = await in_thread(request, lambda: describe_result(ctx, result, get_runbook(ctx, runbook_id).sql))
        return QueryResultBody(**result.to_dict(), column_masking=ColumnMask.of(masking))

    return await answer_once(request, actor, request_id, ("runbook", runbook_id, body.params, body.max_rows), work)
