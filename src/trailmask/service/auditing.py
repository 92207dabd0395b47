"""Audit records for every data request (the hash-chained log lands with the server work)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trailmask.models import Actor
from trailmask.service.context import AppContext

if TYPE_CHECKING:
    from trailmask.service.query import QueryRequest


def record(
    ctx: AppContext,
    actor: Actor,
    request: QueryRequest,
    *,
    outcome: str,
    elapsed_ms: float,
    rows: int = 0,
    profile: str = "",
) -> str | None:
    return None
