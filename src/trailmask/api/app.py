"""``create_app(ctx)``: the FastAPI application of ``trailmask serve``.

Routes live in routes_*.py (one concept each); the web UI (trailmask.web) is mounted at ``/``
after every API route, so an API path can never be shadowed by a static file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from trailmask import __version__
from trailmask.api import (
    errors,
    metrics,
    routes_approvals,
    routes_cases,
    routes_core,
    routes_dashboards,
    routes_ingest,
    routes_queries,
    routes_reveal,
    routes_runbooks,
    routes_runs,
    routes_users,
    routes_watches,
    watch_scheduler,
)
from trailmask.api.auth import audit_refused, audit_refused_scope
from trailmask.api.hardening import SecurityHeaders
from trailmask.api.limits import BodyLimit
from trailmask.api.runs import Runs
from trailmask.api.state import ApiState
from trailmask.service.context import AppContext
from trailmask.service.serving import Serving
from trailmask.web import STATIC_DIR
from trailmask.web.apidocs import APIDOCS_DIR

DESCRIPTION = """\
Investigate CloudTrail logs; every role sees only what it may.

Send `Authorization: Bearer TOKEN` (an API token from `trailmask user add`, or an OpenID Connect
JWT when configured) on every route but `/healthz`. Errors have one shape:
`{"error": KIND, "message": ..., "hint": ...}`.
"""


def _web_dir() -> Path | None:
    """The static web UI folder (the mount point for `/`), when it holds the UI's ``index.html``."""
    return STATIC_DIR if (STATIC_DIR / "index.html").is_file() else None


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema without FastAPI's 422 validation answers: this API answers those 400."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            if "HTTPValidationError" in str(answer):
                del operation["responses"]["422"]
    components = schema.get("components", {}).get("schemas", {})
    if "HTTPValidationError" not in str(schema.get("paths")):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    # every route but /healthz takes the bearer token (api.auth): the docs' "Authorize" sends it
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API token or an OIDC JWT"}
    }
    schema["security"] = [{"bearer": []}]
    for path, operations in schema.get("paths", {}).items():
        if path == "/healthz":
            for operation in operations.values():
                operation["security"] = []
    app.openapi_schema = schema
    return schema


def _api_docs(app: FastAPI) -> None:
    """Interactive API docs at ``/docs``: Swagger UI from the package (trailmask.web.apidocs), no CDN.

    The page and its script are files of their own (no inline script), so the one CSP holds.
    """
    page = (APIDOCS_DIR / "docs.html").read_text(encoding="utf-8")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.mount("/docs/assets", StaticFiles(directory=APIDOCS_DIR / "assets"), name="apidocs")


def _lifespan(ctx: AppContext, serving: Serving | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The watch scheduler's lifespan; a served store also gets a worker thread per connection.

    Store work waits for a pooled session in its worker thread (trailmask.engines.pool), so the
    thread limit must not be what makes requests queue: one thread per connection the server
    takes (``serve.max_connections``) plus a few for sign-in and audit work.
    """
    scheduler = watch_scheduler.lifespan(ctx)

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        if serving is not None:
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = max(limiter.total_tokens, ctx.settings.serve.max_connections + 8)
        async with scheduler(app):
            yield

    return run


def create_app(ctx: AppContext, serving: Serving | None = None) -> FastAPI:
    """The HTTP API over one AppContext (one store, one policy, one audit log).

    ``serving`` (trailmask serve): the store is owned by this process (service.serving) and
    ``POST /api/ingest`` loads sources into it.
    """
    state = ApiState(ctx, serving)
    app = FastAPI(
        title="trailmask",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(ctx, serving),
    )
    app.state.trailmask = state
    app.state.trailmask_runs = Runs()  # runs by request id (api.runs): per process, in memory
    errors.install(app, on_refused=audit_refused)
    app.add_middleware(
        BodyLimit,
        max_bytes=state.options.max_body_bytes,
        on_refused=audit_refused_scope,
        body_timeout_s=state.options.body_timeout_s,
    )
    app.add_middleware(SecurityHeaders)  # outermost: every answer, errors and 413s included
    for module in (
        routes_core,
        routes_queries,
        routes_runbooks,
        routes_runs,
        routes_dashboards,
        routes_approvals,
        routes_cases,
        routes_users,
        routes_reveal,
        routes_watches,
        routes_ingest,
        metrics,
    ):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    _api_docs(app)
    web = _web_dir()
    if web is not None:
        app.mount("/", StaticFiles(directory=web, html=True), name="web")
    return app
