"""Per-app state: the AppContext, server options and the limiters built from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import Request

from trailmask.api.limits import QueryGate, RateLimiter
from trailmask.service.auditing import request_info
from trailmask.service.context import AppContext

T = TypeVar("T")


class ApiState:
    """What routes need: the context, the options, the limiters."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
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

    ``store=True`` work (anything that opens the events store) first takes a query slot.
    """
    info = {"request_id": getattr(request.state, "request_id", None), "client": client_address(request)}

    def call() -> T:
        with request_info(**info):
            return fn(*args, **kwargs)

    if not store:
        return await anyio.to_thread.run_sync(call)
    async with api_state(request).gate.slot():
        return await anyio.to_thread.run_sync(call)
