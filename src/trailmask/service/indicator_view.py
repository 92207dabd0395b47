"""A raw indicator as a masked role sees it: the conversion, its permission and its rate limit.

Shared by the two ways a masked role searches by a raw value: typed runbook parameters
(service.indicators) and ``token(kind, value)`` in ad-hoc SQL (service.token_fn). Both count
against one budget per identity and need the same permission.

- :func:`convert`: the role's own compiled masking expression of the matching events field
  (masking.compiler.masked_value_query) evaluated on the bound value in a keyed session of the
  query engine, so the value is exactly what the masked view shows for it (the masked session
  never needs the key);
- :func:`count_lookups`: at most :data:`PER_HOUR` values an hour per identity, counted in the
  server state (shared by CLI processes and server threads): converting guessed names is a
  dictionary attack on pseudonyms, which the limit and the audit make slow and visible. A value
  costs one lookup per pseudonym its view holds (:func:`disclosed`): an ARN of K names tells K
  names' tokens, so it counts K times, not once;
- :func:`require_permission`: the permission ``indicator`` (the default investigator has it, the
  viewer not: every identity class is redacted for the viewer).
"""

from __future__ import annotations

import re
import sqlite3
import time

from trailmask.errors import PermissionDenied, RateLimited, StoreError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, masked_value_query
from trailmask.masking.model import Operator
from trailmask.models import Actor
from trailmask.service.authz import decide
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect
from trailmask.sqlkit.render import to_sql

PER_HOUR = 300
PERMISSION = "indicator"
HIDING = ("redact", "nullify")
_VALUE = "tm_indicator"
# A pseudonym token inside a converted value (user_3f9a1c2b7d4e, key_AKIA_3f9a1c2b7d4e, acct_...).
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]{0,11}_(?:[A-Za-z0-9]{1,4}_)?[0-9a-f]{8,64}(?![A-Za-z0-9_])")
_USES = "CREATE TABLE IF NOT EXISTS indicator_uses (actor TEXT NOT NULL, via TEXT NOT NULL, at REAL NOT NULL)"


def operator_of(ctx: AppContext, role: str, path: str) -> Operator:
    """The operator ``role`` applies to the events field ``path``."""
    policy = ctx.policy
    return policy.role(role).operator_for(policy.class_of(path))


def seen_as(operator: Operator, value: str) -> str:
    """How the role sees a field masked by ``operator``, for the notice."""
    if operator.name == "ip_truncate":
        prefix = operator.option("ipv6_prefix", 48) if ":" in value else operator.option("ipv4_prefix", 24)
        return f"/{prefix} networks"
    if operator.name == "pseudonym":
        return "pseudonym tokens"
    if operator.name == "arn":
        return f"ARNs with {'pseudonymised' if operator.option('names', '') == 'pseudonym' else 'masked'} names"
    return f"values masked by {operator.name}"


def require_permission(ctx: AppContext, actor: Actor, hint: str) -> None:
    """PermissionDenied unless ``actor``'s role holds :data:`PERMISSION`."""
    if not decide(ctx, actor, PERMISSION).allowed:
        raise PermissionDenied(
            f"role {actor.role!r} may not search by a raw indicator (permission {PERMISSION!r})", hint=hint
        )


def disclosed(view: str | None) -> int:
    """How many lookups a converted value costs: one per pseudonym token it holds, at least one.

    ``arn:aws:iam::acct_…:user/user_…/user_…`` tells the tokens of an account and two names: a
    guessed-name dictionary packed into one ARN's path must cost what converting each name costs.
    """
    return max(1, len(_TOKEN.findall(view or "")))


def count_lookups(ctx: AppContext, actor: Actor, values: int) -> None:
    """Count ``values`` conversions; RateLimited when they would pass PER_HOUR in the last hour."""
    now = time.time()
    try:
        with connect(ctx) as conn:
            conn.execute(_USES)
            conn.execute("DELETE FROM indicator_uses WHERE at < ?", (now - 3600,))
            rows = conn.execute(
                "SELECT at FROM indicator_uses WHERE actor = ? AND via = ? ORDER BY at", (actor.name, actor.via)
            ).fetchall()
            if len(rows) + values > PER_HOUR:
                retry = max(1.0, float(rows[0]["at"]) + 3600 - now) if rows else 3600.0
                raise RateLimited(
                    f"at most {PER_HOUR} indicator values per hour",
                    retry_after_s=retry,
                    hint="each raw indicator converted to your role's view counts",
                )
            conn.executemany(
                "INSERT INTO indicator_uses (actor, via, at) VALUES (?, ?, ?)",
                [(actor.name, actor.via, now)] * values,
            )
    except sqlite3.Error as exc:  # pragma: no cover - statedb wraps these already
        raise StoreError(f"cannot count indicator lookups ({type(exc).__name__})") from None


def convert(ctx: AppContext, role: str, path: str, value: str) -> str | None:
    """``value`` as the role's view shows it in ``path`` (the compiled expression, keyed session)."""
    sql = to_sql(masked_value_query(ctx.policy, role, path, _VALUE))
    temp = {KEY_TABLE: {KEY_COLUMN: ctx.masking_key.reveal()}}
    with ctx.engine.session(temp_tables=temp) as session:
        rows = session.execute(sql, {_VALUE: value}, timeout_s=ctx.settings.query_timeout_s, max_rows=1)
    return None if not rows.rows or rows.rows[0][0] is None else str(rows.rows[0][0])
