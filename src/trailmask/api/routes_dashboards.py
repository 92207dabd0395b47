"""Dashboard routes: the dashboards, one dashboard's panels (each runs through the runbook route as
the caller), and the data status the web UI's header shows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.dashboards import data_status, list_dashboards, show_dashboard

router = APIRouter(tags=["dashboards"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
DashboardId = Annotated[str, Path(min_length=1, max_length=80)]


@router.get("/api/dashboards", responses=responses(401, 403, 429, 503))
async def dashboards(request: Request, actor: CurrentActor) -> dict[str, list[dict[str, Any]]]:
    """The built-in and configured dashboards (id, title, description, default window)."""
    return {"dashboards": await in_thread(request, list_dashboards, api_state(request).ctx, actor)}


@router.get("/api/dashboards/{dashboard_id}", responses=responses(400, 401, 403, 404, 429, 503))
async def dashboard(request: Request, dashboard_id: DashboardId, actor: CurrentActor) -> dict[str, Any]:
    """One dashboard: its panels (runbook, parameters, chart, size), each with ``allowed`` for the caller's role."""
    return await in_thread(request, show_dashboard, api_state(request).ctx, actor, dashboard_id)


@router.get("/api/status", responses=responses(401, 403, 429, 503))
async def status(request: Request, actor: CurrentActor) -> dict[str, Any]:
    """The time span the data covers and when it was last ingested (UTC); times and counts only."""
    return await in_thread(request, data_status, api_state(request).ctx, actor, store=True)
