"""Monitoring watches over HTTP (needs `watches:manage`): list, show, run now, history, state, reset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service import watches as service

router = APIRouter(prefix="/api/watches", tags=["watches"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
WatchName = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS = responses(400, 401, 403, 404, 429, 503)


@router.get("", responses=ERRORS)
async def watches(request: Request, actor: CurrentActor) -> dict[str, Any]:
    return {"watches": await in_thread(request, service.list_watches, api_state(request).ctx, actor)}


@router.get("/{name}", responses=ERRORS)
async def show(request: Request, name: WatchName, actor: CurrentActor) -> dict[str, Any]:
    return await in_thread(request, service.manage, api_state(request).ctx, actor, "show", name)


@router.post("/{name}/run", responses=ERRORS)
async def run(request: Request, name: WatchName, actor: CurrentActor) -> dict[str, Any]:
    ctx = api_state(request).ctx
    return await in_thread(request, service.run_watch, ctx, actor, name, manual=True, store=True)


@router.get("/{name}/history", responses=ERRORS)
async def history(request: Request, name: WatchName, actor: CurrentActor) -> dict[str, Any]:
    return await in_thread(request, service.manage, api_state(request).ctx, actor, "history", name)


@router.get("/{name}/state", responses=ERRORS)
async def state(request: Request, name: WatchName, actor: CurrentActor) -> dict[str, Any]:
    return await in_thread(request, service.manage, api_state(request).ctx, actor, "state", name)


@router.post("/{name}/reset", responses=ERRORS)
async def reset(
    request: Request, name: WatchName, actor: CurrentActor, key: Annotated[list[str] | None, Query()] = None
) -> dict[str, Any]:
    keys = tuple(key or ())
    return await in_thread(request, service.manage, api_state(request).ctx, actor, "reset", name, keys)
