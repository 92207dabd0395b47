"""Authorization of a request for an actor: rbac over the permissions of the actor's role.

Permissions come from the policy (``ctx.policy.roles[ROLE].permissions``,
docs/auth.md); a role that lists none may do nothing (default deny). Every denial is a
PermissionDenied that names the missing permission and the rule that decided (rbac's reason), so
"why was this denied?" has an answer.

Unmasked (break-glass) runs need ``unmask`` or an approved request: service.approvals runs the
approved query inside :func:`unmask_grant`, which this module checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from trailmask.errors import NotFound, PermissionDenied
from trailmask.models import Actor
from trailmask.rbac import Decision, Resource, allowed
from trailmask.service.catalog import get_runbook
from trailmask.service.context import AppContext

SQL_ACTIONS = ("sql", "explain")
_GRANT: ContextVar[str | None] = ContextVar("trailmask_unmask_grant", default=None)


@contextmanager
def unmask_grant(approval_id: str) -> Iterator[None]:
    """Within this block, one approved unmasked run may pass authorization (used by approvals)."""
    token = _GRANT.set(approval_id)
    try:
        yield
    finally:
        _GRANT.reset(token)


def current_grant() -> str | None:
    """The approval id whose unmasked run is in progress, if any (recorded in the audit entry)."""
    return _GRANT.get()


def role_names(ctx: AppContext) -> list[str]:
    return sorted(ctx.policy.roles)


def permissions_of(ctx: AppContext, role: str) -> tuple[str, ...] | None:
    """The role's permission strings, or None when the policy does not define the role."""
    found = ctx.policy.roles.get(role)
    return None if found is None else tuple(found.permissions)


def require_role(ctx: AppContext, role: str) -> tuple[str, ...]:
    permissions = permissions_of(ctx, role)
    if permissions is None:
        known = ", ".join(role_names(ctx))
        raise PermissionDenied(f"role {role!r} is not defined", hint=f"known roles: {known}")
    return permissions


def runbook_resource(ctx: AppContext, runbook_id: str) -> Resource:
    """The runbook as an rbac resource (its tags grant ``runbook-tag:...``); unknown ids get no tags."""
    try:
        tags = tuple(str(t) for t in get_runbook(ctx, runbook_id).tags)
    except NotFound:
        tags = ()
    return Resource("runbook", runbook_id, tags)


def decide(ctx: AppContext, actor: Actor, action: str, resource: Resource | None = None) -> Decision:
    """The rbac decision for ``actor`` (raises PermissionDenied only for an undefined role)."""
    return allowed(require_role(ctx, actor.role), action, resource)


def require(ctx: AppContext, actor: Actor, action: str, resource: Resource | None = None) -> None:
    """Raise PermissionDenied naming the missing permission unless ``actor`` may do ``action``."""
    decision = decide(ctx, actor, action, resource)
    if not decision.allowed:
        raise PermissionDenied(f"role {actor.role!r} lacks permission {decision.missing!r}", hint=f"{decision.reason}")


def authorize(ctx: AppContext, actor: Actor, action: str, runbook_id: str | None, *, unmasked: bool = False) -> None:
    """Raise PermissionDenied naming the missing permission (the query path's check)."""
    if action in SQL_ACTIONS:
        require(ctx, actor, "sql")
    elif action == "runbook":
        if not runbook_id:
            raise PermissionDenied("a runbook run names no runbook")
        require(ctx, actor, "runbook", runbook_resource(ctx, runbook_id))
    else:
        require(ctx, actor, action)
    if unmasked and current_grant() is None:
        require(ctx, actor, "unmask")
