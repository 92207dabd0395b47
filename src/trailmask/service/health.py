"""Built-in health checks run by watches: the masking itself (canaries) and policy drift.

A watch with ``check: NAME`` runs one of these instead of a runbook; its rows are alerts like a
runbook's. Neither returns data values:

- ``masking-canary``: a temporary canary store (service.verify.canary_store: a secret planted in
  every sensitive position of the policy in force); every masked role reads its whole relation
  (``SELECT * FROM events``) and the output is scanned for every canary in every form. A row per
  leak names the role, the field and the form (``reversed``, ``sha256`` ...), never the secret.
  This is the cheap, frequent part of ``trailmask verify`` (which adds the adversarial battery and
  every runbook).
- ``policy-drift``: service.drift over the store (fields outside the schema, JSON keys no rule
  names), as the watch's role (which must be raw). A key name that looks like a value (an
  address, an e-mail, an account id, an access key) is shown as ``<value-like key>``.

A check runs for an actor holding ``watches:manage`` (the built-in health watches run as admin).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from trailmask.errors import NotFound
from trailmask.masking.canary import LeakScanner
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.drift import drift
from trailmask.service.engine import run_plan
from trailmask.service.prepare import prepare
from trailmask.service.verify import canary_store

CANARY_SQL = "SELECT * FROM events"
_VALUE_LIKE = re.compile(
    r"@|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b\d{12}\b|\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b|[0-9a-fA-F]{0,4}:[0-9a-fA-F]{0,4}:"
)


def _masking_canary(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """One row per canary a masked role can read (none when the masking holds)."""
    del actor  # the check reads canaries only, never the store
    policy = ctx.policy
    found: list[dict[str, Any]] = []
    with canary_store(ctx, policy) as (canary_ctx, canaries):
        scanner = LeakScanner(canaries)
        for role in sorted(name for name, r in policy.roles.items() if not r.raw):
            plan = prepare(canary_ctx, role, CANARY_SQL, {})
            rows = run_plan(canary_ctx.engine, plan, timeout_s=ctx.settings.query_timeout_s, max_rows=100_000)
            table = [list(row) for row in rows.rows]
            for leak in scanner.scan_rows(list(rows.columns), table, CANARY_SQL):
                found.append({"role": role, "check": "canary", "field": leak.canary.label, "form": leak.form})
    return sorted(found, key=lambda r: (r["role"], r["field"], r["form"]))


def _safe_path(path: str) -> str:
    return "<value-like key>" if _VALUE_LIKE.search(path) else path


def _policy_drift(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """One row per field or JSON key the policy does not classify, with the events holding it."""
    rows = [f.to_dict() for f in drift(ctx, actor)]
    return [{**r, "path": _safe_path(str(r["path"]))} for r in rows]


CHECKS: dict[str, Callable[[AppContext, Actor], list[dict[str, Any]]]] = {
    "masking-canary": _masking_canary,
    "policy-drift": _policy_drift,
}


def run_check(ctx: AppContext, actor: Actor, name: str) -> list[dict[str, Any]]:
    """Run one health check for an actor holding ``watches:manage`` (audited as ``health.check``)."""
    with audited(ctx, actor, "health.check", check=name) as audit:
        require(ctx, actor, "watches:manage")
        if name not in CHECKS:
            raise NotFound(f"no health check named '{name}'", hint="checks: " + ", ".join(sorted(CHECKS)))
        rows = CHECKS[name](ctx, actor)
        audit.rows = len(rows)
    return rows
