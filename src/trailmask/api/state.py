"""Per-app state: the AppContext, server options and the limiters built from them.

With a :class:`~trailmask.service.serving.Serving` (``trailmask serve``), the store is owned by the
process and the pooled engine bounds concurrent queries itself (``serve.max_concurrent_queries``,
503 after ``serve.queue_wait_s``): store work runs in its worker thread in the caller's lane (its
role), so sessions and cached results are never shared across roles. Without one (an app made
for tests), the event-loop QueryGate bounds store work as before.

``in_thread`` runs the service work of a route. For work on the store (queries, runbooks,
reveal, which may run for up to the query time limit) the caller's credential is checked again
after the work and before its answer leaves: a user disabled, rotated or given another role while
their query ran gets 401/403 instead of the rows, and the withheld answer is audited
(``answer.withheld``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import Request

from trailmask.api.limits import QueryGate, RateLimiter
from trailmask.errors import PermissionDenied, TrailmaskError
from trailmask.models import Actor
from trailmask.service.auditing import record_event, request_info
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate
from trailmask.service.serving import Serving, lane

T = TypeVar("T")


class ApiState:
    """What routes need: the context, the options, the limiters."""

    def __init__(self, ctx: AppContext, serving: Serving | None = None) -> None:
        self.ctx = ctx
        self.serving = serving
        # the store owner's credential for POST /api/ingest (the server file holds the served one)
        self.owner_secret = serving.secret if serving is not None else secrets.token_urlsafe(32)
        self.options = ctx.settings.serve
        self.limiter = RateLimiter(self.options.rate_per_second, self.options.rate_burst)
        self.gate = QueryGate(self.options.max_concurrent_queries, self.options.queue_wait_s)


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.trailmask
    return state


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def in_thread(request: Request, fn: Callable[..., T], *args: Any, store: bool = False, **kwargs: Any) -> T:
    """Run blocking service work in a worker thread, audit entries tagged with this request.

    ``store=True`` work (anything that opens the events store) runs in the signed-in actor's
    lane; it first takes a query slot, unless the pooled engine of a served store bounds it.
    """
    info = {
        "request_id": getattr(request.state, "request_id", None),
        "run_id": getattr(request.state, "run_id", None),  # the client's X-Request-Id (api.runs)
        "client": client_address(request),
    }
    actor = getattr(request.state, "actor", None)
    role = actor.role if store and isinstance(actor, Actor) else None

    def call() -> T:
        with request_info(**info), lane(role):
            return fn(*args, **kwargs)

    if not store:
        return await anyio.to_thread.run_sync(call)
    state = api_state(request)
    if state.serving is not None:
        result = await anyio.to_thread.run_sync(call)
    else:
        async with state.gate.slot():
            result = await anyio.to_thread.run_sync(call)
    await anyio.to_thread.run_sync(_still_signed_in, request, info)
    return result


def _still_signed_in(request: Request, info: dict[str, Any]) -> None:
    """Raise (and audit) when the request's credential no longer gives the actor it started with."""
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        return
    ctx = api_state(request).ctx
    with request_info(**info):
        try:
            again = authenticate(ctx, getattr(request.state, "authorization", None))
            if (again.name, again.role, again.via) != (actor.name, actor.role, actor.via):
                raise PermissionDenied(
                    "your role changed while the request ran; its answer is withheld", hint="send it again"
                )
        except TrailmaskError as exc:
            record_event(ctx, actor, "answer.withheld", outcome=exc.kind, path=request.url.path)
            raise
