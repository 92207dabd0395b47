"""The SQL editor's routes: the ``events`` schema it completes from, and the caller's saved queries.

Both need the ``sql`` permission. The schema is names, types and the role's masking per field,
never a value (service.sql_schema); saved queries are the caller's own only (service.saved_queries:
another user's id answers 404, like a missing one).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.service.saved_queries import MAX_NAME_CHARS, MAX_SQL_CHARS, delete_query, list_queries, save_query
from trailmask.service.sql_schema import events_schema

router = APIRouter(tags=["query"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
QueryId = Annotated[str, Path(min_length=1, max_length=40)]
ERRORS = responses(400, 401, 403, 404, 429, 503)


class SavedQueryBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # loose caps bound the body; the service's own checks give the clear message (1..80, 20,000)
    name: str = Field(max_length=4 * MAX_NAME_CHARS, description=f"1 to {MAX_NAME_CHARS} characters.")
    sql: str = Field(max_length=2 * MAX_SQL_CHARS, description=f"At most {MAX_SQL_CHARS} characters.")


class SavedQuery(BaseModel):
    id: str
    name: str
    sql: str
    created_at: str
    updated_at: str


class SavedQueryList(BaseModel):
    queries: list[SavedQuery]


@router.get("/api/sql/schema", responses=ERRORS)
async def schema(request: Request, actor: CurrentActor) -> dict[str, Any]:
    """Columns and struct fields of `events` with types and how the caller's role sees each (no values)."""
    return await in_thread(request, events_schema, api_state(request).ctx, actor)


@router.get("/api/sql/saved", response_model=SavedQueryList, responses=ERRORS)
async def saved(request: Request, actor: CurrentActor) -> SavedQueryList:
    """The caller's own saved queries, by name."""
    found = await in_thread(request, list_queries, api_state(request).ctx, actor)
    return SavedQueryList(queries=[SavedQuery(**q.to_dict()) for q in found])


@router.post("/api/sql/saved", response_model=SavedQuery, status_code=201, responses=ERRORS)
async def save(request: Request, body: SavedQueryBody, actor: CurrentActor) -> SavedQuery:
    """Save SQL under a name for the caller; the caller's query of the same name is replaced."""
    stored = await in_thread(request, save_query, api_state(request).ctx, actor, body.name, body.sql)
    return SavedQuery(**stored.to_dict())


@router.delete("/api/sql/saved/{query_id}", status_code=204, response_class=Response, responses=ERRORS)
async def delete(request: Request, query_id: QueryId, actor: CurrentActor) -> Response:
    """Delete one of the caller's saved queries (another user's id is 404)."""
    await in_thread(request, delete_query, api_state(request).ctx, actor, query_id)
    return Response(status_code=204)
