"""``run_query``: the one way SQL reaches data, for ad-hoc SQL and runbooks alike."""

from __future__ import annotations

from collections.abc import Callable

from trailmask.engines.base import Engine
from trailmask.engines.control import current_control
from trailmask.errors import StoreError
from trailmask.models import Actor, PreparedQuery, QueryRequest, QueryResult
from trailmask.service.audited import audited
from trailmask.service.authz import authorize
from trailmask.service.context import AppContext
from trailmask.service.engine import run_plan
from trailmask.service.prepare import prepare
from trailmask.service.projections import route
from trailmask.service.token_fn import resolve_token_calls
from trailmask.values import json_ready

__all__ = ["require_store", "run_query"]


def _execute(ctx: AppContext, actor: Actor, plan: PreparedQuery, request: QueryRequest, engine: Engine) -> QueryResult:
    settings = ctx.settings
    max_rows = min(request.max_rows or settings.max_rows, settings.max_rows)
    timeout = min(request.timeout_s or settings.query_timeout_s, settings.query_timeout_s)
    rows = run_plan(engine, plan, timeout_s=timeout, max_rows=max_rows)
    records = [dict(zip(rows.columns, [json_ready(value) for value in row], strict=True)) for row in rows.rows]
    return QueryResult(
        columns=rows.columns,
        rows=records,
        role=actor.role,
        truncated=rows.truncated,
        elapsed_ms=rows.elapsed_ms,
        masking_profile=plan.profile,
    )


def require_store(ctx: AppContext) -> None:
    """StoreError naming the path when the DuckDB engine has no store file to query (issue 12.5)."""
    if ctx.settings.engine == "duckdb":
        ctx.store.require_exists()


def run_query(
    ctx: AppContext, actor: Actor, request: QueryRequest, *, check: Callable[[QueryResult], None] | None = None
) -> QueryResult:
    """Authorize, prepare (sandbox + masking), execute, audit; the audit write precedes the answer.

    A masked role reads its masked projection when one covers the whole store (service.projections:
    a session with only that file attached), else the dynamic compile of service.prepare; both give
    the same answer. ``check`` (a runbook's output contract) runs on the result inside the audited block, so a
    result it refuses is recorded as the failure it is. Without a store (DuckDB engine) nothing
    runs and nothing is written: no audit log, key or state file appears beside a missing store.
    """
    require_store(ctx)
    with audited(ctx, actor, request.kind, request=request) as audit:
        authorize(ctx, actor, request.kind, request.runbook_id, unmasked=request.unmasked)
        control = current_control()  # a run cancelled before it started (service.runs) reads nothing
        if control is not None:
            control.refuse_if_cancelled()
        request, notices = resolve_token_calls(ctx, actor, request)  # token(kind, value) in the SQL
        routed = None if request.unmasked else route(ctx, actor.role, request.sql, request.params)
        result = None
        if routed is not None:  # the role's masked projection (service.projections)
            plan = routed.plan
            try:
                result = _execute(ctx, actor, plan, request, routed.engine)
            except StoreError:  # replaced by a newer version meanwhile: the dynamic compile answers
                result = None
        if result is None:
            plan = prepare(ctx, actor.role, request.sql, request.params, unmasked=request.unmasked)
            result = _execute(ctx, actor, plan, request, ctx.engine)
        result.notices.extend([*notices, *plan.notices])
        if check is not None:
            check(result)
        audit.rows, audit.profile, audit.elapsed_ms = result.row_count, plan.profile, result.elapsed_ms
    result.audit_id = audit.entry_id
    return result
