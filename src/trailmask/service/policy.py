"""The masking policy and the masking key of a running trailmask, and the policy commands.

Policy: ``settings.policy_file`` (config ``policy:`` / TRAILMASK_POLICY) or the built-in default;
key: see service.keys. Both are read once per AppContext (``ctx.policy``, ``ctx.masking_key``).
"""

from __future__ import annotations

from trailmask.config import Secret
from trailmask.errors import PermissionDenied
from trailmask.masking.check import PolicyCheck, check_policy
from trailmask.masking.drift import DriftFinding, fields_sql, json_keys_sql, unclassified_keys, unknown_fields
from trailmask.masking.model import Policy
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.keys import KEY_ENV, MIN_KEY_CHARS

__all__ = ["KEY_ENV", "MIN_KEY_CHARS", "check", "drift", "load_policy", "masking_key"]


def load_policy(ctx: AppContext) -> Policy:
    """The policy in force (``ctx.policy``)."""
    return ctx.policy


def masking_key(ctx: AppContext) -> Secret:
    """The keyed-pseudonym key (``ctx.masking_key``)."""
    return ctx.masking_key


def check(ctx: AppContext) -> PolicyCheck:
    """``policy check``: the policy in force explained field by field, with warnings."""
    return check_policy(load_policy(ctx))


def _require_raw_role(ctx: AppContext, actor: Actor, what: str) -> None:
    policy = load_policy(ctx)
    role = policy.roles.get(actor.role)
    if role is None or not role.raw:
        raise PermissionDenied(f"{what} reads raw records: it needs a raw role (such as admin), not {actor.role!r}")


def drift(ctx: AppContext, actor: Actor) -> list[DriftFinding]:
    """``policy drift``: record fields outside the schema and JSON keys no rule names, with counts."""
    _require_raw_role(ctx, actor, "policy drift")
    policy = load_policy(ctx)
    with ctx.store_engine.session() as session:
        timeout = ctx.settings.query_timeout_s * 4
        fields = session.execute(fields_sql(), timeout_s=timeout, max_rows=1_000_000).rows
        keys = session.execute(json_keys_sql(), timeout_s=timeout, max_rows=1_000_000).rows
    return unknown_fields([(r[0], r[1]) for r in fields]) + unclassified_keys(
        policy, [(r[0], r[1], r[2]) for r in keys]
    )
