"""``POST /api/ingest``: load sources into the store this server owns (service.serving.server_ingest).

``trailmask ingest`` on the server's machine finds the server file beside the store and sends its
sources here with the owner credential written in that file (docs/server.md); the server loads
them on its own write connection while queries go on. A token user whose role holds ``ingest``
may load ``s3://`` and ``lookup-events`` sources. Audited like every ingest.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.ingest import IngestOptions
from trailmask.service.serving import owner_actor, server_ingest

router = APIRouter(tags=["ingest"])


async def ingest_actor(request: Request) -> Actor:
    """The store owner (the server file's credential), else the signed-in user."""
    secret = api_state(request).owner_secret
    header = request.headers.get("authorization") or ""
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and secrets.compare_digest(credential.encode(), secret.encode()):
        actor = owner_actor()
        request.state.request_id = secrets.token_hex(8)
        request.state.actor = actor
        return actor
    return await current_actor(request)


class IngestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[str] = Field(min_length=1, max_length=100_000, description="Paths on the server, s3:// URIs.")
    batch_files: int | None = Field(default=None, ge=1, description="Files per atomic batch.")
    accounts: list[str] = Field(default_factory=list, max_length=1000)
    regions: list[str] = Field(default_factory=list, max_length=100)
    start: str | None = Field(default=None, max_length=64)
    end: str | None = Field(default=None, max_length=64)
    profile: str | None = Field(default=None, max_length=200)
    workers: int = Field(default=16, ge=1, le=256)
    lookup_attribute: str | None = Field(default=None, max_length=400)
    max_events: int | None = Field(default=None, ge=1)


class FileResult(BaseModel):
    path: str
    status: str
    events: int
    new: int
    duplicates: int
    untimed: int
    reason: str


class IngestResult(BaseModel):
    files: int
    files_loaded: int
    files_skipped: int
    files_rejected: int
    events: int
    new_events: int
    duplicates: int
    untimed: int
    elapsed_s: float
    outcomes: list[FileResult]


@router.post("/api/ingest", response_model=IngestResult, responses=responses(400, 401, 403, 404, 413, 429, 503))
async def ingest(request: Request, body: IngestBody, actor: Annotated[Actor, Depends(ingest_actor)]) -> IngestResult:
    """Load sources into the store (the owner: any source; permission `ingest`: s3:// and lookup-events)."""
    options = IngestOptions(
        accounts=tuple(body.accounts),
        regions=tuple(body.regions),
        start=body.start,
        end=body.end,
        profile=body.profile,
        workers=body.workers,
        lookup_attribute=body.lookup_attribute,
        max_events=body.max_events,
    )
    ctx = api_state(request).ctx
    summary = await in_thread(
        request, server_ingest, ctx, actor, body.sources, batch_files=body.batch_files, options=options
    )
    return IngestResult(
        **summary.totals(),
        elapsed_s=round(summary.elapsed_s, 3),
        outcomes=[FileResult(**asdict(f)) for f in summary.files],
    )
