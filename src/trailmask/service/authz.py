"""Authorization of a request for an actor (replaced by rbac once roles and permissions land)."""

from __future__ import annotations

from trailmask.errors import PermissionDenied
from trailmask.models import Actor
from trailmask.service.context import AppContext

RAW_ROLE = "admin"


def authorize(ctx: AppContext, actor: Actor, action: str, runbook_id: str | None, *, unmasked: bool = False) -> None:
    """Raise PermissionDenied naming the missing permission."""
    if actor.role != RAW_ROLE:
        raise PermissionDenied(f"role {actor.role!r} is not defined", hint=f"known roles: {RAW_ROLE}")
