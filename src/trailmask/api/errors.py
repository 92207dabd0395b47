"""The one JSON error shape over HTTP: ``TrailmaskError.to_dict()`` with the class's status.

Framework errors (unknown route, wrong method, invalid body) are turned into the same shape; an
unexpected exception becomes a 500 whose message says nothing about its cause (it may quote data)
and gives an id to find the traceback in the server log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from trailmask.errors import (
    MethodNotAllowed,
    NotFound,
    RateLimited,
    RequestTooLarge,
    ServerBusy,
    TrailmaskError,
    UsageError,
)

__all__ = ["BodyTimeout", "MethodNotAllowed", "RateLimited", "RequestTooLarge", "ServerBusy", "error_response"]

log = logging.getLogger("trailmask.api")


class BodyTimeout(TrailmaskError):
    """The request body did not arrive within ``serve.body_timeout_s`` (a slow or stalled client)."""

    http_status = 408
    kind = "body_timeout"


class ErrorBody(BaseModel):
    """Every error answer: ``error`` is the kind, ``message`` what failed and ``hint`` what to do."""

    error: str
    message: str
    hint: str | None = None


def error_response(error: TrailmaskError) -> JSONResponse:
    headers: dict[str, str] = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="trailmask"'
    if isinstance(error, RateLimited | ServerBusy):
        headers["Retry-After"] = str(max(1, round(getattr(error, "retry_after_s", 1))))
    return JSONResponse(error.to_dict(), status_code=error.http_status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")  # pydantic messages do not echo the input
    return "invalid request: " + "; ".join(parts)


def install(app: FastAPI, on_refused: Callable[[Request, TrailmaskError], Awaitable[TrailmaskError]]) -> None:
    """Register the handlers that give every error the one shape.

    ``on_refused`` audits a request refused at validation (api.auth.audit_refused) and returns the
    error to answer with.
    """

    async def on_trailmask(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TrailmaskError)
        return error_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        error = UsageError(_validation_message(exc), hint="see /openapi.json")
        return error_response(await on_refused(request, error))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(NotFound("no such route", hint="see /openapi.json"))
        if exc.status_code == 405:
            return error_response(MethodNotAllowed("method not allowed on this route", hint="see /openapi.json"))
        error = TrailmaskError("the request could not be served")
        error.http_status = exc.status_code
        error.kind = f"http_{exc.status_code}"
        return error_response(error)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        incident = secrets.token_hex(6)
        log.exception("internal error %s", incident, exc_info=exc)
        return error_response(TrailmaskError(f"internal error (incident {incident})", hint="see the server log"))

    app.add_exception_handler(TrailmaskError, on_trailmask)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def responses(*statuses: int, plain_route: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries with the error body for each status.

    ``plain_route``: the route answers text on success (``/metrics``); its errors are still JSON,
    so they are documented as ``application/json`` explicitly rather than under the route's type.
    """
    described = {
        400: "invalid request or query",
        401: "no or bad credentials",
        403: "the role lacks the permission named in the message",
        404: "not found",
        408: "the request body arrived too slowly",
        409: "conflict",
        413: "request body too large",
        422: "the query failed",
        429: "rate limit reached (see Retry-After)",
        500: "internal error",
        503: "audit log unavailable or server busy",
        504: "query time limit reached (the engine was interrupted)",
    }
    if plain_route:
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        return {s: {"content": body, "description": described.get(s, "error")} for s in statuses}
    return {s: {"model": ErrorBody, "description": described.get(s, "error")} for s in statuses}
