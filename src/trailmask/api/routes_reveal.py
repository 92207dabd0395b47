"""Reveal route: pseudonym token → raw value(s), for roles with permission ``reveal`` (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.reveal import reveal_token

router = APIRouter(prefix="/api/reveal", tags=["reveal"])
CurrentActor = Annotated[Actor, Depends(current_actor)]


class RevealBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=3, max_length=200, description="A pseudonym token, e.g. user_3f9a1c2b7d4e.")
    justification: str = Field(min_length=1, max_length=2000, description="Why the raw value is needed (>= 10 chars).")
    approval_id: str | None = Field(default=None, max_length=64, description="An approved `reveal` request.")


class RevealMatch(BaseModel):
    class_: str = Field(alias="class")
    value: str


class RevealResult(BaseModel):
    token: str
    matches: list[RevealMatch]


@router.post("", response_model=RevealResult, responses=responses(400, 401, 403, 404, 409, 429, 503))
async def reveal(request: Request, body: RevealBody, actor: CurrentActor) -> RevealResult:
    """The raw value(s) behind a pseudonym token (needs permission `reveal`; audited)."""
    ctx = api_state(request).ctx
    result = await in_thread(
        request,
        reveal_token,
        ctx,
        actor,
        body.token,
        justification=body.justification,
        approval_id=body.approval_id,
        store=True,
    )
    return RevealResult.model_validate(result.to_dict())
