"""Indicator search as a masked role: a raw runbook value converted to the role's view before the run.

A masked role compares masked values: ``sourceIPAddress = '203.0.113.10'`` never matches a column
the role sees as ``203.0.113.xxx``. So a raw value of an identity type (``ip``, ``principal``,
``arn``, ``account_id``, ``access_key_id``; runbooks.params) is converted here, by trusted code:
the role's own compiled masking expression of the matching events field
(masking.compiler.masked_value_query) is evaluated on the bound value in a keyed session of the
query engine, so the value bound to the query is exactly what the masked view shows for it. A
value already in the role's masked form (a token, ``203.0.113.xxx``) is used as given.

A conversion is an indicator lookup:

- it needs the permission ``indicator`` (the default investigator has it, the viewer not:
  every identity class is redacted for the viewer, docs/runbooks.md);
- it is rate-limited per identity (:data:`PER_HOUR` values an hour, counted in the server state,
  shared by CLI processes and server threads): converting guessed names is a dictionary attack
  on pseudonyms, which the limit and the audit make slow and visible;
- it is audited (action ``indicator``: runbook, parameter, type and field, never the raw value);
- the result says what was matched (``QueryResult.notices``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trailmask.errors import PermissionDenied, RateLimited, StoreError, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, masked_value_query
from trailmask.masking.model import Operator
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.params import indicator_field
from trailmask.service.audited import audited
from trailmask.service.authz import decide
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect
from trailmask.sqlkit.render import to_sql

PER_HOUR = 300
PERMISSION = "indicator"
_VALUE = "tm_indicator"
_USES = "CREATE TABLE IF NOT EXISTS indicator_uses (actor TEXT NOT NULL, via TEXT NOT NULL, at REAL NOT NULL)"
_HIDING = ("redact", "nullify")


@dataclass
class Mapped:
    """The values to bind (raw indicators replaced by the role's view) and what to tell the caller."""

    params: dict[str, Any]
    notices: list[str] = field(default_factory=list)


def _seen_as(operator: Operator, value: str) -> str:
    """How the role sees a field masked by ``operator``, for the notice."""
    if operator.name == "ip_truncate":
        prefix = operator.option("ipv6_prefix", 48) if ":" in value else operator.option("ipv4_prefix", 24)
        return f"/{prefix} networks"
    if operator.name == "pseudonym":
        return "pseudonym tokens"
    if operator.name == "arn":
        return f"ARNs with {'pseudonymised' if operator.option('names', '') == 'pseudonym' else 'masked'} names"
    return f"values masked by {operator.name}"


def _operator(ctx: AppContext, role: str, path: str) -> Operator:
    policy = ctx.policy
    return policy.role(role).operator_for(policy.class_of(path))


def _wanted(ctx: AppContext, runbook: Runbook, role: str, params: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(parameter, type, field) of every supplied raw identity value the role sees masked."""
    wanted = []
    for param in runbook.parameters:
        kind = param.items if param.type == "list" else param.type
        value = params.get(param.name)
        if kind is None or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            path = indicator_field(kind, str(item))
            if path is not None and _operator(ctx, role, path).name != "keep":
                wanted.append((param.name, kind, path))
                break
    return wanted


def _count(ctx: AppContext, actor: Actor, values: int) -> None:
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


def _convert(ctx: AppContext, role: str, path: str, value: str) -> str | None:
    """``value`` as the role's view shows it in ``path`` (the compiled expression, keyed session)."""
    sql = to_sql(masked_value_query(ctx.policy, role, path, _VALUE))
    temp = {KEY_TABLE: {KEY_COLUMN: ctx.masking_key.reveal()}}
    with ctx.engine.session(temp_tables=temp) as session:
        rows = session.execute(sql, {_VALUE: value}, timeout_s=ctx.settings.query_timeout_s, max_rows=1)
    return None if not rows.rows or rows.rows[0][0] is None else str(rows.rows[0][0])


def map_indicators(ctx: AppContext, actor: Actor, runbook: Runbook, params: dict[str, Any]) -> Mapped:
    """Replace each raw identity value the role sees masked by the role's view of it (see above)."""
    wanted = _wanted(ctx, runbook, actor.role, params)
    if not wanted:
        return Mapped(params=params)
    names = [name for name, _, _ in wanted]
    fields = sorted({path for _, _, path in wanted})
    with audited(ctx, actor, "indicator", runbook=runbook.id, parameters=names, fields=fields) as audit:
        if not decide(ctx, actor, PERMISSION).allowed:
            raise PermissionDenied(
                f"role {actor.role!r} may not search by a raw indicator (permission {PERMISSION!r})",
                hint="pass the value as your role's results show it, or ask for a role with 'indicator'",
            )
        hidden = [(name, path) for name, _, path in wanted if _operator(ctx, actor.role, path).name in _HIDING]
        if hidden:
            raise UsageError(
                f"parameter '{hidden[0][0]}': your role sees {hidden[0][1]} redacted, so a raw value cannot be matched",
                hint="ask someone whose role sees the field",
            )
        raw = [(name, kind, item) for name, kind, _ in wanted for item in _items(params[name])]
        raw = [(name, kind, item) for name, kind, item in raw if indicator_field(kind, item) is not None]
        _count(ctx, actor, len(raw))
        mapped = dict(params)
        notices: list[str] = []
        for name, kind, _ in wanted:
            converted = [_view(ctx, actor.role, name, kind, item, notices) for item in _items(params[name])]
            mapped[name] = converted if isinstance(params[name], list) else converted[0]
        audit.details["values"] = len(raw)
    return Mapped(params=mapped, notices=notices)


def _view(ctx: AppContext, role: str, name: str, kind: str, item: str, notices: list[str]) -> str:
    """``item`` as the role sees it (unchanged when already in a masked form), noting the match."""
    path = indicator_field(kind, item)
    if path is None:
        return item
    view = _convert(ctx, role, path, item)
    if view is None:
        raise UsageError(f"parameter '{name}': your role's view of this value is empty")
    notices.append(f"{name} matched as {view}: your role sees {_seen_as(_operator(ctx, role, path), item)}")
    return view


def _items(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
