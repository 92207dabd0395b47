"""``policy drift``: record fields outside the schema and JSON keys no rule names, with counts.

Reads the raw records of the store, so it needs a raw role; audited as ``policy.drift``.
"""

from __future__ import annotations

from trailmask.errors import PermissionDenied
from trailmask.masking.drift import DriftFinding, fields_sql, json_keys_sql, unclassified_keys, unknown_fields
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.context import AppContext
from trailmask.service.policy import load_policy


def _require_raw_role(ctx: AppContext, actor: Actor, what: str) -> None:
    policy = load_policy(ctx)
    role = policy.roles.get(actor.role)
    if role is None or not role.raw:
        raise PermissionDenied(f"{what} reads raw records: it needs a raw role (such as admin), not {actor.role!r}")


def drift(ctx: AppContext, actor: Actor) -> list[DriftFinding]:
    """``policy drift``: record fields outside the schema and JSON keys no rule names, with counts."""
    with audited(ctx, actor, "policy.drift") as audit:
        _require_raw_role(ctx, actor, "policy drift")
        policy = load_policy(ctx)
        with ctx.store_engine.session() as session:
            timeout = ctx.settings.query_timeout_s * 4
            fields = session.execute(fields_sql(), timeout_s=timeout, max_rows=1_000_000).rows
            keys = session.execute(json_keys_sql(), timeout_s=timeout, max_rows=1_000_000).rows
        found = unknown_fields([(r[0], r[1]) for r in fields]) + unclassified_keys(
            policy, [(r[0], r[1], r[2]) for r in keys]
        )
        audit.details["findings"] = len(found)
    return found
