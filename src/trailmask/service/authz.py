"""Authorization of a request for an actor.

Interim rule set until rbac lands (the server work replaces the body of ``authorize`` with
rbac.allowed() over the policy's role permissions): the three built-in roles exist; ``viewer``
may run runbooks but not ad-hoc SQL.
"""

from __future__ import annotations

from trailmask.errors import PermissionDenied
from trailmask.models import Actor
from trailmask.service.context import AppContext

BUILTIN_ROLES = ("admin", "investigator", "viewer")
SQL_ACTIONS = ("sql", "explain")


def authorize(ctx: AppContext, actor: Actor, action: str, runbook_id: str | None, *, unmasked: bool = False) -> None:
    """Raise PermissionDenied naming the missing permission."""
    if actor.role not in BUILTIN_ROLES:
        raise PermissionDenied(f"role {actor.role!r} is not defined", hint=f"known roles: {', '.join(BUILTIN_ROLES)}")
    if action in SQL_ACTIONS and actor.role == "viewer":
        raise PermissionDenied("role 'viewer' lacks permission 'sql' (ad-hoc SQL)", hint="run a runbook instead")
    if unmasked and actor.role != "admin":
        raise PermissionDenied(f"role {actor.role!r} lacks permission 'unmask' without an approval")
