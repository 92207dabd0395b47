"""Reveal: turn a pseudonym token back into the raw value(s) it stands for, for a role allowed to.

A keyed pseudonym cannot be inverted, only matched: the engine hashes the store's candidate raw
values of the classes the token's prefix can come from, with the key, and keeps those whose digest
equals the token's (masking.reveal).

Reveal is break-glass for one value, so it is guarded like break-glass (docs/auth.md):

- a **justification** (at least 10 characters) is required, and written to the audit entry;
- it is **rate-limited per identity**: at most :data:`PER_HOUR` attempts that pass the permission
  check in any hour, counted in the server state, so CLI processes and server threads share it;
- its entries are marked ``raw_access`` and listed by ``trailmask audit list --raw-access`` with
  the unmasked runs (the raw-access feed);
- a role **with** permission ``reveal`` reveals directly; a role without it but with
  ``unmask:request`` asks for an approval (``approval request --reveal TOKEN``, kind ``reveal``),
  and reveals once, with ``--approval ID``, after someone with ``approve`` approved it. A policy
  that drops ``reveal`` from a role therefore requires an approval for every reveal of that role.

Every attempt, allowed or not, is audited with the token and the number of matches — never the
revealed value.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from trailmask.errors import PermissionDenied, RateLimited, StoreError, TrailmaskError, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE
from trailmask.masking.model import Policy
from trailmask.masking.reveal import parse_token, require_full_token, reveal_sql
from trailmask.models import Actor
from trailmask.service.approvals import claim_approval
from trailmask.service.auditing import record_event
from trailmask.service.authz import decide, require
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect

MAX_MATCHES = 100
PER_HOUR = 30
MIN_JUSTIFICATION = 10
_USES = "CREATE TABLE IF NOT EXISTS reveal_uses (actor TEXT NOT NULL, via TEXT NOT NULL, at REAL NOT NULL)"


@dataclass(frozen=True)
class Revealed:
    token: str
    matches: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "matches": self.matches}


def token_classes(policy: Policy, prefix: str) -> set[str]:
    """The classes whose pseudonyms carry ``prefix`` under any role of ``policy``."""
    classes: set[str] = set()
    for role in policy.roles.values():
        for cls, operator in role.operators.items():
            if operator.name == "pseudonym" and operator.option("prefix", cls) == prefix:
                classes.add(cls)
            names_hashed = operator.name == "arn" and operator.option("names", "") == "pseudonym"
            if names_hashed and operator.option("prefix", "name") == prefix:
                classes.add("principal")  # names inside ARNs hash in the principal namespace
    return classes


def _match(ctx: AppContext, policy: Policy, token: str, role: str) -> list[dict[str, str]]:
    parsed = parse_token(token)
    if parsed is None:
        raise UsageError("not a pseudonym token", hint="tokens look like user_3f9a1c2b7d4e or key_AKIA_3f9a1c2b7d4e")
    classes = token_classes(policy, parsed.prefix)
    if not classes:
        raise UsageError(f"no class of the policy makes tokens with prefix {parsed.prefix!r}")
    require_full_token(policy, parsed)
    sql = reveal_sql(policy, sorted(classes), digest_length=len(parsed.digest), role=role)
    temp = {KEY_TABLE: {KEY_COLUMN: ctx.masking_key.reveal()}}
    with ctx.store_engine.session(temp_tables=temp) as session:
        rows = session.execute(
            sql, {"digest": parsed.digest}, timeout_s=ctx.settings.query_timeout_s, max_rows=MAX_MATCHES
        )
    found = {(str(cls), str(value)) for cls, value in rows.rows if str(value).startswith(parsed.kept)}
    return [{"class": cls, "value": value} for cls, value in sorted(found)]


def _check_rate(ctx: AppContext, actor: Actor) -> None:
    """Count this attempt; RateLimited when the identity made PER_HOUR attempts in the last hour."""
    limit = PER_HOUR
    now = time.time()
    try:
        with connect(ctx) as conn:
            conn.execute(_USES)
            conn.execute("DELETE FROM reveal_uses WHERE at < ?", (now - 3600,))
            rows = conn.execute(
                "SELECT at FROM reveal_uses WHERE actor = ? AND via = ? ORDER BY at", (actor.name, actor.via)
            ).fetchall()
            if len(rows) >= limit:
                retry = max(1.0, float(rows[0]["at"]) + 3600 - now)
                raise RateLimited(
                    f"at most {limit} reveals per hour", retry_after_s=retry, hint="a reveal is break-glass"
                )
            conn.execute("INSERT INTO reveal_uses (actor, via, at) VALUES (?, ?, ?)", (actor.name, actor.via, now))
    except sqlite3.Error as exc:  # pragma: no cover - statedb wraps these already
        raise StoreError(f"cannot count reveals ({type(exc).__name__})") from None


def _authorise(ctx: AppContext, actor: Actor, token: str, approval_id: str | None) -> str | None:
    """Permission ``reveal``, or an approved ``reveal`` request for this token (claimed once)."""
    if approval_id is None:
        if not decide(ctx, actor, "reveal").allowed and decide(ctx, actor, "unmask:request").allowed:
            raise PermissionDenied(
                f"role {actor.role!r} reveals only with an approval",
                hint="file one: `trailmask approval request --reveal TOKEN --justification ...`",
            )
        require(ctx, actor, "reveal")
        return None
    approval = claim_approval(ctx, actor, approval_id)
    if approval.kind != "reveal" or approval.params.get("token") != token:
        raise PermissionDenied(f"approval {approval_id} is not for revealing this token")
    return approval_id


def reveal_token(
    ctx: AppContext, actor: Actor, token: str, *, justification: str, approval_id: str | None = None
) -> Revealed:
    """The raw values behind ``token`` (usually one); audited (with the justification) before the answer."""
    shown_token = token[:80]
    reason = justification.strip()
    granted: str | None = None
    try:
        if len(reason) < MIN_JUSTIFICATION:
            raise UsageError(
                f"a justification of at least {MIN_JUSTIFICATION} characters is required",
                hint="say why you need the raw value, e.g. `--justification 'INC-42: confirm the account'`",
            )
        granted = _authorise(ctx, actor, token, approval_id)
        _check_rate(ctx, actor)
        ctx.store.require_exists()
        matches = _match(ctx, ctx.policy, token, actor.role)
    except TrailmaskError as exc:
        record_event(
            ctx,
            actor,
            "reveal",
            outcome=exc.kind,
            token=shown_token,
            justification=reason[:500] or None,
            approval_id=granted or approval_id,
        )
        raise
    record_event(
        ctx,
        actor,
        "reveal",
        token=token,
        matches=len(matches),
        justification=reason[:500],
        raw_access=True,
        approval_id=granted,
    )
    return Revealed(token=token, matches=matches)
