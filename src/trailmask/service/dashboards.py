"""Dashboards through the service: the list, one dashboard with what the caller's role may run, and
the data status the web UI's header and the data-health dashboard show.

A dashboard is only a layout of runbook panels (``runbooks.dashboard``); the browser runs each
panel through ``POST /api/runbooks/{id}/run`` as the signed-in user, so every panel is masked,
limited and audited like any run. Here each panel is annotated with whether the caller's role may
run its runbook, so a refused panel says so instead of failing.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from trailmask.errors import NotFound
from trailmask.models import Actor
from trailmask.monitor.spec import BUILTIN_WATCHES
from trailmask.monitor.state import WatchState, state_path
from trailmask.runbooks.dashboard import Dashboard, check_against, load_dashboards
from trailmask.service.audited import audited
from trailmask.service.authz import decide, require_role, runbook_resource
from trailmask.service.catalog import catalog
from trailmask.service.context import AppContext

STATUS_SQL = "SELECT min(eventTime), max(eventTime), count(*) FROM events"
INGEST_SQL = "SELECT max(ingested_at), count(*) FROM tm_files"


def _load(ctx: AppContext) -> dict[str, Dashboard]:
    paths = ctx.settings.dashboard_paths
    found = load_dashboards(paths)
    runbooks = {r.id: r for r in catalog(ctx)}
    for dashboard in found.values():
        check_against(dashboard, runbooks)
    return found


def _body(ctx: AppContext, actor: Actor, dashboard: Dashboard, *, panels: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": dashboard.id,
        "title": dashboard.title,
        "description": dashboard.description,
        "window": dashboard.window,
        "refresh": dashboard.refresh,
        "health_checks": dashboard.health_checks,
        "origin": dashboard.origin,
        "panel_count": len(dashboard.panels),
    }
    if panels:
        items = []
        for panel in dashboard.panels:
            decision = decide(ctx, actor, "runbook", runbook_resource(ctx, panel.runbook))
            item = asdict(panel)
            item["params"] = dict(panel.params)
            item["allowed"] = decision.allowed
            item["missing"] = None if decision.allowed else decision.missing
            item["runbook_title"] = ctx.catalog.get(panel.runbook).title
            items.append(item)
        body["panels"] = items
    return body


def list_dashboards(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """Every dashboard (built-in and configured), without panels; audited."""
    with audited(ctx, actor, "dashboard.list") as audit:
        require_role(ctx, actor.role)  # an unknown role is refused (PermissionDenied)
        found = [_body(ctx, actor, d, panels=False) for d in _load(ctx).values()]
        audit.rows = len(found)
        return found


def show_dashboard(ctx: AppContext, actor: Actor, dashboard_id: str) -> dict[str, Any]:
    """One dashboard's panels, each marked with whether the caller's role may run it; audited."""
    with audited(ctx, actor, "dashboard.show", dashboard=dashboard_id[:80]) as audit:
        require_role(ctx, actor.role)
        found = _load(ctx)
        if dashboard_id not in found:
            raise NotFound(f"no dashboard '{dashboard_id[:80]}'", hint="GET /api/dashboards lists them")
        body = _body(ctx, actor, found[dashboard_id], panels=True)
        audit.details["runnable"] = sum(1 for p in body["panels"] if p["allowed"])
        return body


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if text.endswith("Z") or "+" in text[10:] else f"{text}Z"


def data_status(ctx: AppContext, actor: Actor) -> dict[str, Any]:
    """The time span the store covers, its event count, when it was last ingested (UTC) and the
    health watches' last runs.

    Times and counts only, nothing about who or what, so every signed-in role may read it; audited.
    """
    with audited(ctx, actor, "status") as audit:
        require_role(ctx, actor.role)
        ctx.store.require_exists()
        limit = ctx.settings.query_timeout_s
        with ctx.store_engine.session() as session:
            first, last, events = session.execute(STATUS_SQL, timeout_s=limit, max_rows=1).rows[0]
            ingested, files = session.execute(INGEST_SQL, timeout_s=limit, max_rows=1).rows[0]
        audit.rows = 1
        health = WatchState(state_path(ctx.settings.db)).last_runs([str(w["name"]) for w in BUILTIN_WATCHES])
        checks = {str(w["name"]): str(w.get("check") or w.get("runbook")) for w in BUILTIN_WATCHES}
        return {
            "first_event": _iso(first),
            "last_event": _iso(last),
            "events": int(events or 0),
            "last_ingest": _iso(ingested),
            "ingested_files": int(files or 0),
            "timezone": "UTC",
            # the built-in health watches (masking canary, policy drift, delivery gaps): when each
            # last ran, its outcome and its open alerts; counts and times only, like the rest
            "health": [{**item, "check": checks[item["watch"]]} for item in health],
        }
