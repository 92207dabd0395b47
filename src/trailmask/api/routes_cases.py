"""Cases over HTTP: open, list, read, note, pin, unpin, close/reopen, export, send (docs/web.md "Cases")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.models import MAX_SQL_CHARS
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service import cases as service

router = APIRouter(prefix="/api/cases", tags=["cases"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
CaseId = Annotated[str, Path(min_length=1, max_length=64)]
ItemId = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS = responses(400, 401, 403, 404, 409, 413, 429, 503)
Body = dict[str, Any]


class CaseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=service.MAX_TITLE)


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=service.MAX_NOTE)


class PinBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audit_id: str = Field(min_length=1, max_length=40, description="The audit id the result showed.")
    kind: Literal["result", "row"] = "result"
    columns: list[str] = Field(max_length=service.MAX_COLUMNS)
    rows: list[dict[str, Any]] = Field(max_length=service.MAX_ROWS, description="As your result showed them.")
    sql: str | None = Field(default=None, min_length=1, max_length=MAX_SQL_CHARS)
    note: str | None = Field(default=None, max_length=service.MAX_NOTE)


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "closed"]


class SendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    destination: str = Field(min_length=1, max_length=64, description="A destination of the monitoring config.")


@router.post("", status_code=201, responses=ERRORS)
async def open_case(request: Request, body: CaseBody, actor: CurrentActor) -> Body:
    """Open a case of your own."""
    return await in_thread(request, service.create_case, api_state(request).ctx, actor, body.title)


@router.get("", responses=ERRORS)
async def cases(request: Request, actor: CurrentActor) -> Body:
    """Your cases; every case with `cases:read`."""
    return {"cases": await in_thread(request, service.list_cases, api_state(request).ctx, actor)}


@router.get("/{case_id}", responses=ERRORS)
async def case(request: Request, case_id: CaseId, actor: CurrentActor) -> Body:
    """The case in your view: items pinned under another masking view have their rows withheld."""
    return await in_thread(request, service.get_case, api_state(request).ctx, actor, case_id)


@router.post("/{case_id}/notes", status_code=201, responses=ERRORS)
async def note(request: Request, case_id: CaseId, body: NoteBody, actor: CurrentActor) -> Body:
    return await in_thread(request, service.add_note, api_state(request).ctx, actor, case_id, body.text)


@router.post("/{case_id}/pins", status_code=201, responses=ERRORS)
async def pin(request: Request, case_id: CaseId, body: PinBody, actor: CurrentActor) -> Body:
    """Pin a result (or one row) of your own run, named by its audit id."""
    return await in_thread(
        request,
        service.pin,
        api_state(request).ctx,
        actor,
        case_id,
        audit_id=body.audit_id,
        columns=body.columns,
        rows=body.rows,
        kind=body.kind,
        sql=body.sql,
        note=body.note,
    )


@router.delete("/{case_id}/items/{item_id}", responses=ERRORS)
async def unpin(request: Request, case_id: CaseId, item_id: ItemId, actor: CurrentActor) -> Body:
    return await in_thread(request, service.remove_item, api_state(request).ctx, actor, case_id, item_id)


@router.post("/{case_id}/status", responses=ERRORS)
async def status(request: Request, case_id: CaseId, body: StatusBody, actor: CurrentActor) -> Body:
    """Close a case (it takes no new items) or reopen it."""
    return await in_thread(request, service.set_status, api_state(request).ctx, actor, case_id, body.status)


EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The case as a file: Markdown (`format=markdown`) or JSON (`format=json`).",
        "content": {
            "text/markdown": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.get("/{case_id}/export", response_class=Response, responses={**EXPORT_CONTENT, **ERRORS})
async def export(
    request: Request,
    case_id: CaseId,
    actor: CurrentActor,
    format: Annotated[Literal["markdown", "json"], Query()] = "markdown",
) -> Response:
    """The case as Markdown or JSON, masked for your role (a file download)."""
    text = await in_thread(request, service.export_case, api_state(request).ctx, actor, case_id, format)
    suffix, media = ("md", "text/markdown") if format == "markdown" else ("json", "application/json")
    headers = {"Content-Disposition": f'attachment; filename="{case_id}.{suffix}"'}
    return Response(text, media_type=f"{media}; charset=utf-8", headers=headers)


@router.post("/{case_id}/send", responses=responses(400, 401, 403, 404, 409, 429, 502, 503))
async def send(request: Request, case_id: CaseId, body: SendBody, actor: CurrentActor) -> Body:
    """Send your view of the case to a monitoring destination (webhook, Slack, PagerDuty, e-mail)."""
    return await in_thread(request, service.send_case, api_state(request).ctx, actor, case_id, body.destination)
