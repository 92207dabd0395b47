"""User administration over HTTP (needs `users:manage`); tokens are shown once, on add and rotate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.models import UserBody, UserInfo, UserList, UserWithToken
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.users import User, add_user, list_users, rotate_token, set_disabled

router = APIRouter(prefix="/api/users", tags=["users"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
UserName = Annotated[str, Path(min_length=1, max_length=128)]
ERRORS = responses(400, 401, 403, 404, 409, 429, 503)


def _info(user: User) -> UserInfo:
    return UserInfo(**user.to_dict())


@router.get("", response_model=UserList, responses=ERRORS)
async def users(request: Request, actor: CurrentActor) -> UserList:
    listed = await in_thread(request, list_users, api_state(request).ctx, actor)
    return UserList(users=[_info(u) for u in listed])


@router.post("", response_model=UserWithToken, status_code=201, responses=ERRORS)
async def add(request: Request, body: UserBody, actor: CurrentActor) -> UserWithToken:
    user, token = await in_thread(request, add_user, api_state(request).ctx, actor, body.name, body.role)
    return UserWithToken(name=user.name, role=user.role, token=token)


@router.post("/{name}/rotate", response_model=UserWithToken, responses=ERRORS)
async def rotate(request: Request, name: UserName, actor: CurrentActor) -> UserWithToken:
    user, token = await in_thread(request, rotate_token, api_state(request).ctx, actor, name)
    return UserWithToken(name=user.name, role=user.role, token=token)


@router.post("/{name}/disable", response_model=UserInfo, responses=ERRORS)
async def disable(request: Request, name: UserName, actor: CurrentActor) -> UserInfo:
    return _info(await in_thread(request, set_disabled, api_state(request).ctx, actor, name, True))


@router.post("/{name}/enable", response_model=UserInfo, responses=ERRORS)
async def enable(request: Request, name: UserName, actor: CurrentActor) -> UserInfo:
    return _info(await in_thread(request, set_disabled, api_state(request).ctx, actor, name, False))
