"""``policy drift``: record fields outside the schema, JSON keys no rule names and JSON keys whose
values equal names masked elsewhere, counted per service and event (masking.drift).

Reads the raw records of the store, so it needs a raw role; audited as ``policy.drift``.
"""

from __future__ import annotations

from trailmask.errors import PermissionDenied
from trailmask.masking.drift import (
    DriftFinding,
    fields_sql,
    json_keys_sql,
    linked_keys,
    linked_keys_sql_for,
    unclassified_keys,
    unknown_fields,
)
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.context import AppContext


def _require_raw_role(ctx: AppContext, actor: Actor, what: str) -> None:
    policy = ctx.policy
    role = policy.roles.get(actor.role)
    if role is None or not role.raw:
        raise PermissionDenied(f"{what} reads raw records: it needs a raw role (such as admin), not {actor.role!r}")


def drift(ctx: AppContext, actor: Actor) -> list[DriftFinding]:
    """``policy drift``: the findings of masking.drift, grouped by service and event."""
    with audited(ctx, actor, "policy.drift") as audit:
        _require_raw_role(ctx, actor, "policy drift")
        policy = ctx.policy
        with ctx.store_engine.session() as session:
            timeout = ctx.settings.query_timeout_s * 4
            fields = session.execute(fields_sql(), timeout_s=timeout, max_rows=1_000_000).rows
            keys = session.execute(json_keys_sql(), timeout_s=timeout, max_rows=1_000_000).rows
            linked = session.execute(linked_keys_sql_for(policy), timeout_s=timeout, max_rows=1_000_000).rows
        found = [
            *unknown_fields([(r[0], r[1], r[2], r[3]) for r in fields]),
            *unclassified_keys(policy, [(r[0], r[1], r[2], r[3], r[4]) for r in keys]),
            *linked_keys(policy, [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in linked]),
        ]
        found.sort(key=lambda f: (f.service, f.event, f.kind, -f.events, f.path))
        audit.details["findings"] = len(found)
    return found
