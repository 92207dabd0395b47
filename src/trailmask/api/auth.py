"""The authentication dependency: bearer credential → Actor, then the per-identity rate limit.

Failed sign-ins are audited (never the credential itself) and rate-limited per client address,
so guessing tokens is both slow and visible.
"""

from __future__ import annotations

import secrets

from fastapi import Request

from trailmask.api.state import api_state, client_address, in_thread
from trailmask.errors import AuthenticationError, PermissionDenied
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
    except (AuthenticationError, PermissionDenied) as exc:
        state.limiter.check(f"addr:{client_address(request)}")
        await in_thread(request, record_event, state.ctx, ANONYMOUS, "sign-in", outcome=exc.kind, path=request.url.path)
        raise
    state.limiter.check(f"{actor.via}:{actor.name}")
    return actor
