"""Connection and response hardening of ``trailmask serve`` (docs/server.md, docs/security.md).

- ``SecurityHeaders``: ASGI middleware that puts the same security headers on every response (API,
  web UI, errors): a Content-Security-Policy without ``unsafe-inline`` (the UI has no inline script
  or style) that also forbids framing (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for
  older browsers), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy``, and ``Cache-Control: no-store``
  on API answers (they hold masked data and audit entries).
- ``guarded_protocol(header_timeout_s)``: uvicorn's h11 protocol with a header timeout. uvicorn's
  own ``timeout_keep_alive`` closes a connection idle *between* requests, but a connection that
  opens and then sends its request head one byte at a time (slowloris) is never closed. The guard
  closes a connection whose next request head has not fully arrived ``header_timeout_s`` after the
  connection opened or its previous response ended. The body is bounded by api.limits.BodyLimit
  (``body_timeout_s`` for the whole body), and the number of connections by uvicorn's
  ``limit_concurrency``, first come first served (the connections within the cap are served, each
  one past it is refused): the answer is :func:`busy_answer`, a 503 in the one error shape
  with ``Retry-After`` and the security headers, and the connection is closed after it (uvicorn's
  own plain-text 503 has no Retry-After; the guard puts this one in its place).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn.protocols.http.h11_impl as h11_impl
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class SecurityHeaders:
    """Add :data:`HEADERS` to every HTTP response (replacing any the app set itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ours = {name for name, _ in HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in ours]
                headers.extend(HEADERS)
                if api:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


BUSY_BODY = json.dumps(
    {"error": "busy", "message": "the server has too many connections open", "hint": "retry later"}
).encode("utf-8")


async def busy_answer(scope: Scope, receive: Receive, send: Send) -> None:
    """503 ``busy`` with Retry-After for a connection past ``serve.max_connections``; then close."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BUSY_BODY)).encode("ascii")),
        (b"retry-after", b"1"),
        (b"connection", b"close"),
        *HEADERS,
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": BUSY_BODY, "more_body": False})


def guarded_protocol(header_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's H11Protocol that closes connections whose request head is late (see module doc).

    It also makes uvicorn answer :func:`busy_answer` past its connection cap: uvicorn looks the
    cap's answer up as ``h11_impl.service_unavailable`` when a request arrives.
    """
    if not callable(getattr(h11_impl, "service_unavailable", None)):
        raise RuntimeError("this uvicorn has no h11_impl.service_unavailable: check api.hardening")
    setattr(h11_impl, "service_unavailable", busy_answer)  # noqa: B010 (a module global uvicorn reads)

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # First come, first served: uvicorn refuses a request whenever the server holds more
            # connections than the cap, so a burst past the cap would shut out every connection,
            # the first ones too. Here the connections that arrived within the cap are served and
            # only those past it get the busy answer (limit 0: always refused).
            cap = self.limit_concurrency
            self.limit_concurrency = 0 if cap is not None and len(self.connections) > cap else None
            self._arm_header_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def _arm_header_timer(self) -> None:
            waiting_for = self.cycle  # a new request head replaces the cycle
            self.loop.call_later(header_timeout_s, self._header_deadline, waiting_for)

        def _header_deadline(self, waiting_for: Any) -> None:
            if self.cycle is waiting_for and not self.transport.is_closing():
                self.transport.close()  # no complete request head in time: slowloris or dead peer

    return GuardedH11Protocol
