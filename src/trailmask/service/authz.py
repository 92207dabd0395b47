"""Authorization of a request for an actor: rbac over the permissions of the actor's role.

Permissions come from the policy (``ctx.policy.roles[ROLE].permissions``,
docs/auth.md); a role that lists none may do nothing (default deny). Every denial is a
PermissionDenied that names the missing permission and the rule that decided (rbac's reason), so
"why was this denied?" has an answer.

Unmasked (break-glass) runs need ``unmask`` or an approved request: service.approvals runs the
approved query inside :func:`unmask_grant`, which this module checks.

Some operations hand out what another role may do or see: managing a user hands out that user's
role (a new user's token, a rotated token), a watch's state shows values as the watch's role sees
them. :func:`require_not_stronger` lets them through only for a role that can do and see no more
than the caller's own: no permission it lacks, no denial it has lifted, no raw data or weaker
masking or row filter it does not have itself. A role that cannot be compared is refused (fail
closed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from trailmask.errors import NotFound, PermissionDenied
from trailmask.masking.model import BUILTIN_CLASSES, Policy, Role
from trailmask.models import Actor
from trailmask.rbac import Decision, Resource, allowed
from trailmask.rbac.permissions import matches
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


_HIDING = ("redact", "nullify")


def _split(permissions: tuple[str, ...]) -> tuple[list[str], list[str]]:
    grants = [p.strip() for p in permissions if p.strip() and not p.strip().startswith("!")]
    denials = [p.strip()[1:].strip() for p in permissions if p.strip().startswith("!")]
    return grants, denials


def _more_permissions(mine: tuple[str, ...], theirs: tuple[str, ...]) -> str | None:
    """What ``theirs`` may do that ``mine`` may not, or None (globs compared as patterns)."""
    my_grants, my_denials = _split(mine)
    their_grants, their_denials = _split(theirs)
    for grant in their_grants:
        if not any(matches(mine_, grant) for mine_ in my_grants):
            return f"it holds {grant!r}"
    for denial in my_denials:
        if not any(matches(theirs_, denial) for theirs_ in their_denials):
            return f"it is not denied {denial!r}"
    return None


def _sees_more(policy: Policy, mine: Role, theirs: Role) -> str | None:
    """What ``theirs`` sees that ``mine`` does not, or None (same or stricter masking and rows)."""
    if mine.raw:
        return None
    if theirs.raw:
        return "it sees raw values"
    if mine.row_filter != theirs.row_filter and (
        mine.row_filter.accounts or mine.row_filter.regions or mine.row_filter.where
    ):
        return "its row filter is not yours"
    classes = {*BUILTIN_CLASSES, *policy.classes.values(), *(rule.cls for rule in policy.json_keys)}
    for cls in sorted({*classes, *mine.operators, *theirs.operators}):
        their_op, my_op = theirs.operator_for(cls), mine.operator_for(cls)
        if their_op != my_op and their_op.name not in _HIDING:
            return f"it sees class {cls} with {their_op.name}"
    return None


def require_not_stronger(ctx: AppContext, actor: Actor, role: str) -> None:
    """PermissionDenied unless ``role`` can do and see no more than ``actor``'s role (see the module
    docstring): before adding, rotating, disabling or enabling a user of ``role``, or showing what a
    watch running as ``role`` saw."""
    if role == actor.role:
        return
    mine = require_role(ctx, actor.role)
    my_role = ctx.policy.roles.get(actor.role)
    if my_role is not None and my_role.raw and mine == ("*",):
        return  # the administrator: every permission, raw data
    theirs = permissions_of(ctx, role)
    their_role = ctx.policy.roles.get(role)
    reason = "the policy does not define it" if theirs is None else _more_permissions(mine, theirs)
    if reason is None:
        if my_role is None or their_role is None:
            reason = "its masking cannot be compared with yours"
        else:
            reason = _sees_more(ctx.policy, my_role, their_role)
    if reason is not None:
        raise PermissionDenied(
            f"role {actor.role!r} may not act for role {role!r}: {reason}",
            hint="only what your own role may do and see can be handed out; ask an administrator",
        )
