"""Runs by request id: cancel one (``POST /api/runs/{request_id}/cancel``) and the helper the query
routes use to run each request id once (:func:`answer_once`; see api.runs)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Request
from pydantic import BaseModel

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.runs import Runs
from trailmask.api.state import in_thread
from trailmask.models import Actor
from trailmask.service.runs import REQUEST_ID, RunControl, cancel_run, replay_run

T = TypeVar("T")
router = APIRouter(prefix="/api/runs", tags=["query"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
RequestIdPath = Annotated[str, Path(pattern=REQUEST_ID.pattern, description="The run's X-Request-Id.")]
RequestIdHeader = Annotated[
    str | None,
    Header(
        alias="X-Request-Id",
        pattern=REQUEST_ID.pattern,
        description="Names this run (a UUID): sent again, the request is answered from the first run, "
        "never run twice; POST /api/runs/{request_id}/cancel stops it.",
    ),
]


class CancelAnswer(BaseModel):
    """The run is cancelled; ``stopped``: a query of it was running and was interrupted."""

    request_id: str
    cancelled: bool
    stopped: bool


def runs_of(request: Request) -> Runs:
    """The app's runs (created with the app, see api.app)."""
    found: Runs = request.app.state.trailmask_runs
    return found


def fingerprint(actor: Actor, *what: Any) -> str:
    """What a request id stands for: the role and the request (route, body)."""
    text = json.dumps([actor.role, *what], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def answer_once(
    request: Request,
    actor: Actor,
    request_id: str | None,
    what: tuple[Any, ...],
    work: Callable[[RunControl], Awaitable[T]],
) -> T:
    """``work(control)``, run once per (user, request id); without an id, simply run (cancel-less)."""
    if request_id is None:
        return await work(RunControl())
    request.state.run_id = request_id  # on the run's audit entries (api.state.in_thread)
    ctx = request.app.state.trailmask.ctx

    async def replayed(answer: Any) -> None:
        audit_id = getattr(answer, "audit_id", None)
        await in_thread(request, replay_run, ctx, actor, request_id, owner=actor, audit_id=audit_id)

    return await runs_of(request).once(actor, request_id, fingerprint(actor, *what), work, replayed)


@router.post("/{request_id}/cancel", response_model=CancelAnswer, responses=responses(400, 401, 403, 429, 503))
async def cancel(request: Request, request_id: RequestIdPath, actor: CurrentActor) -> CancelAnswer:
    """Cancel your run ``request_id``: its query is interrupted and answers 409 ``cancelled``.

    Only the user who sent the run may cancel it (403 otherwise). A cancel that arrives before its
    run makes the run, when it arrives, answer ``cancelled`` without reading data; a run that has
    ended stays as it ended. Audited (``run.cancel``).
    """
    run = runs_of(request).for_cancel(actor, request_id)
    ctx = request.app.state.trailmask.ctx
    stopped = await in_thread(request, cancel_run, ctx, actor, request_id, owner=run.owner, control=run.control)
    return CancelAnswer(request_id=request_id, cancelled=run.control.cancelled, stopped=stopped)
