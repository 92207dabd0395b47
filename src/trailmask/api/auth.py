"""The authentication dependency: bearer credential → Actor, then the per-identity rate limit.

Failed sign-ins are audited (never the credential itself) and rate-limited per client address,
so guessing tokens is both slow and visible. Any error while checking a credential counts as a
failed sign-in: service.identity turns every token problem into AuthenticationError, and anything
else (a server-side configuration error) is still rate-limited and audited before it is answered.
The signed-in actor is kept on the request (``request.state.actor``) so that the answer of long
work can be withheld when the credential stopped being valid meanwhile (api.state.in_thread).
"""

from __future__ import annotations

import secrets

from fastapi import Request
from starlette.types import Scope

from trailmask.api.state import api_state, client_address, in_thread
from trailmask.errors import RateLimited, TrailmaskError
from trailmask.models import Actor
from trailmask.service.auditing import record_event
from trailmask.service.identity import authenticate

ANONYMOUS = Actor(name="anonymous", role="-", via="none")


async def current_actor(request: Request) -> Actor:
    """FastAPI dependency of every /api route."""
    state = api_state(request)
    request.state.request_id = secrets.token_hex(8)
    header = request.headers.get("authorization")
    try:
        actor = await in_thread(request, authenticate, state.ctx, header)
    except TrailmaskError as exc:
        state.limiter.check(f"addr:{client_address(request)}")
        await in_thread(request, record_event, state.ctx, ANONYMOUS, "sign-in", outcome=exc.kind, path=request.url.path)
        raise
    state.limiter.check(f"{actor.via}:{actor.name}")
    request.state.actor = actor
    request.state.authorization = header
    return actor


async def audit_refused(request: Request, error: TrailmaskError) -> TrailmaskError:
    """Record a request refused before any route ran (invalid body 400, too large 413).

    Rate-limited per client address like failed sign-ins, so refusals cannot flood the log: past
    the limit the answer is 429 and not recorded. Returns the error to answer with.
    """
    state = api_state(request)
    try:
        state.limiter.check(f"addr:{client_address(request)}")
    except RateLimited as limited:
        return limited
    actor = getattr(request.state, "actor", None)
    try:
        await in_thread(
            request,
            record_event,
            state.ctx,
            actor if isinstance(actor, Actor) else ANONYMOUS,
            "request.refused",
            outcome=error.kind,
            status=error.http_status,
            method=request.method,
            path=request.url.path,
        )
    except TrailmaskError as failed:  # the audit log is unavailable: answer that (503), not the refusal
        return failed
    return error


async def audit_refused_scope(scope: Scope, error: TrailmaskError) -> TrailmaskError:
    """``audit_refused`` for ASGI middleware (api.limits.BodyLimit), which has a scope, not a Request."""
    return await audit_refused(Request(scope), error)
