"""Per-app state: the AppContext, server options and the limiters built from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from fastapi import Request

from trailmask.api.limits import QueryGate, RateLimiter
from trailmask.errors import ConfigError
from trailmask.service.auditing import request_info
from trailmask.service.context import AppContext
from trailmask.service.statedb import server_options

T = TypeVar("T")


@dataclass(frozen=True)
class ServerOptions:
    """The ``serve:`` settings of the config file (docs/server.md lists each with its default).

    ``max_concurrent_queries`` defaults to 2 (this is a 2-core class of machine and each query
    already uses 2 DuckDB threads); concurrent sessions share one hardened DuckDB instance.
    """

    max_body_bytes: int = 1_048_576
    rate_per_second: float = 20.0
    rate_burst: int = 40
    max_concurrent_queries: int = 2
    queue_wait_s: float = 30.0
    graceful_timeout_s: float = 30.0

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> ServerOptions:
        rate = options.get("rate_limit") or {}
        try:
            built = cls(
                max_body_bytes=int(options.get("max_body_bytes", cls.max_body_bytes)),
                rate_per_second=float(rate.get("per_second", cls.rate_per_second)),
                rate_burst=int(rate.get("burst", rate.get("per_second", cls.rate_burst) * 2)),
                max_concurrent_queries=int(options.get("max_concurrent_queries", cls.max_concurrent_queries)),
                queue_wait_s=float(options.get("queue_wait_s", cls.queue_wait_s)),
                graceful_timeout_s=float(options.get("graceful_timeout_s", cls.graceful_timeout_s)),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"invalid server settings: {exc}", hint="see docs/server.md") from None
        if min(built.max_body_bytes, built.rate_per_second, built.max_concurrent_queries, built.queue_wait_s) <= 0:
            raise ConfigError("server limits must be positive", hint="see docs/server.md")
        return built


class ApiState:
    """What routes need: the context, the options, the limiters."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.options = ServerOptions.from_mapping(server_options(ctx))
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
