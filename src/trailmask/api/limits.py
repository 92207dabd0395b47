"""Limits that keep one client from taking the server: body size, rate per token, query slots.

- ``BodyLimit``: ASGI middleware; a declared ``Content-Length`` over the limit, or a streamed
  body that grows past it, gets 413 before any route runs (and ``on_refused`` audits it); a body
  that has not fully arrived ``body_timeout_s`` after the request head gets 408.
- ``RateLimiter``: a token bucket per identity (the token's user, or the client address for
  unauthenticated requests): ``per_second`` sustained, ``burst`` at once; 429 with Retry-After.
- ``QueryGate``: at most ``max_concurrent`` queries touch the store at once (the machine's cores
  and DuckDB memory are the limit); others wait up to ``queue_wait_s`` in the event loop, then 503.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trailmask.api.errors import BodyTimeout, RateLimited, RequestTooLarge, ServerBusy, error_response
from trailmask.errors import TrailmaskError

Refused = Callable[[Scope, TrailmaskError], Awaitable[TrailmaskError]]


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` (413, the one error shape).

    ``on_refused(scope, error)`` is awaited before the answer; it records the refusal and returns
    the error to send (a RateLimited instead, when the client keeps sending them).
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, on_refused: Refused | None = None, body_timeout_s: float = 30.0
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_refused = on_refused
        self.body_timeout_s = body_timeout_s

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: TrailmaskError) -> None:
        if self.on_refused is not None:
            error = await self.on_refused(scope, error)
        await error_response(error)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = RequestTooLarge(
            f"the request body is larger than {self.max_bytes} bytes", hint="send a shorter query or fewer parameters"
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(scope, receive, send, too_large)
                return
        body = bytearray()
        more = True
        with anyio.move_on_after(self.body_timeout_s) as deadline:
            while more:  # read the whole body (at most max_bytes, in time) before any route runs
                message = await receive()
                if message["type"] != "http.request":
                    await self.app(scope, _replay([message]), send)
                    return
                body.extend(message.get("body", b""))
                more = bool(message.get("more_body", False))
                if len(body) > self.max_bytes:
                    await self._refuse(scope, receive, send, too_large)
                    return
        if deadline.cancelled_caught:
            slow = BodyTimeout(
                f"the request body did not arrive within {self.body_timeout_s:g} s", hint="send the body at once"
            )
            await self._refuse(scope, receive, send, slow)
            return
        await self.app(
            scope, _replay([{"type": "http.request", "body": bytes(body), "more_body": False}], receive), send
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A receive callable that hands out ``messages`` first, then defers to ``then``."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


class RateLimiter:
    """Token buckets keyed by identity; thread-safe, memory bounded by pruning idle buckets."""

    def __init__(self, per_second: float, burst: int) -> None:
        self.rate = per_second
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
                raise RateLimited(
                    f"rate limit of {self.rate:g} requests/s reached", retry_after_s=math.ceil(wait), hint="slow down"
                )
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:
                idle = [k for k, (_, t) in self._buckets.items() if now - t > 600]
                for k in idle:
                    del self._buckets[k]


class QueryGate:
    """Bound concurrent store work; a waiting query that cannot start in time gets 503."""

    def __init__(self, max_concurrent: int, queue_wait_s: float) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.queue_wait_s = queue_wait_s
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # created lazily inside the running event loop
            self._limiter = anyio.CapacityLimiter(self.max_concurrent)
        return self._limiter

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        try:
            with anyio.fail_after(self.queue_wait_s):
                await self.limiter.acquire()
        except TimeoutError:
            raise ServerBusy(
                f"all {self.max_concurrent} query slots stayed busy for {self.queue_wait_s:g} s",
                hint="retry later",
            ) from None
        try:
            yield
        finally:
            self.limiter.release()
