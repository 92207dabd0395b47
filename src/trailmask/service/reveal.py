"""Reveal: turn a pseudonym token back into the raw value(s) it stands for, for a role allowed to.

A keyed pseudonym cannot be inverted, only matched: the engine hashes the store's candidate raw
values of the classes the token's prefix can come from, with the key, and keeps those whose digest
equals the token's (masking.reveal). Needs permission ``reveal``. Every attempt, allowed or not, is
audited with the token and the number of matches — never the revealed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trailmask.errors import TrailmaskError, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE
from trailmask.masking.model import Policy
from trailmask.masking.reveal import parse_token, reveal_sql
from trailmask.models import Actor
from trailmask.service.auditing import record_event
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.policy import load_policy, masking_key

MAX_MATCHES = 100


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


def _match(ctx: AppContext, policy: Policy, token: str) -> list[dict[str, str]]:
    parsed = parse_token(token)
    if parsed is None:
        raise UsageError("not a pseudonym token", hint="tokens look like user_3f9a1c2b7d4e or key_AKIA_3f9a1c2b7d4e")
    classes = token_classes(policy, parsed.prefix)
    if not classes:
        raise UsageError(f"no class of the policy makes tokens with prefix {parsed.prefix!r}")
    sql = reveal_sql(policy, sorted(classes), digest_length=len(parsed.digest))
    temp = {KEY_TABLE: {KEY_COLUMN: masking_key(ctx).reveal()}}
    with ctx.store_engine.session(temp_tables=temp) as session:
        rows = session.execute(
            sql, {"digest": parsed.digest}, timeout_s=ctx.settings.query_timeout_s, max_rows=MAX_MATCHES
        )
    found = {(str(cls), str(value)) for cls, value in rows.rows if str(value).startswith(parsed.kept)}
    return [{"class": cls, "value": value} for cls, value in sorted(found)]


def reveal_token(ctx: AppContext, actor: Actor, token: str) -> Revealed:
    """The raw values behind ``token`` (usually one); audited before the answer."""
    try:
        require(ctx, actor, "reveal")
        ctx.store.require_exists()
        matches = _match(ctx, load_policy(ctx), token)
    except TrailmaskError as exc:
        record_event(ctx, actor, "reveal", outcome=exc.kind, token=token[:80])
        raise
    record_event(ctx, actor, "reveal", token=token, matches=len(matches))
    return Revealed(token=token, matches=matches)
