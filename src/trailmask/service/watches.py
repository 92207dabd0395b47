"""Watches through the service: each run is the runbook run AS the watch's role (masked, audited).

A run (``watch.run`` audit entry) covers the window from the watch's high-water mark to now, so a
schedule missed while the server was down is caught up by the next run. Rows passing the
condition are grouped by the dedup columns (masked values: pseudonyms group like the raw values);
each new key is recorded with its pending deliveries in one transaction (monitor.state), then the
outbox is delivered, every attempt audited as ``watch.delivery`` (watch, destination, attempt,
outcome; never the content).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trailmask.errors import ConfigError, NotFound, TrailmaskError
from trailmask.models import Actor
from trailmask.monitor.deliver import deliver_with_retries
from trailmask.monitor.latency import query_latency
from trailmask.monitor.spec import FEED_CHECKS, Destination, Watch, parse_monitoring
from trailmask.monitor.state import Delivery, WatchState, state_path
from trailmask.service.audited import audited
from trailmask.service.auditing import record_event
from trailmask.service.authz import require, require_not_stronger, role_names
from trailmask.service.catalog import get_runbook
from trailmask.service.context import AppContext
from trailmask.service.health import Window, run_check
from trailmask.service.runbooks import run_runbook


def monitoring(ctx: AppContext) -> tuple[dict[str, Watch], dict[str, Destination]]:
    """The configured watches and destinations, validated (fails closed with a ConfigError)."""
    watches, destinations = parse_monitoring(ctx.settings.watches, ctx.settings.destinations)
    base = ctx.settings.config_file.parent if ctx.settings.config_file else None
    for name, destination in destinations.items():
        path = destination.options.get("path")
        if base is not None and path and not Path(str(path)).expanduser().is_absolute():
            destinations[name] = replace(destination, options={**destination.options, "path": str(base / str(path))})
    roles = role_names(ctx)
    for watch in list(watches.values()):
        if watch.role not in roles:
            if watch.builtin:  # a policy without the built-in's role: the health watch is left out
                del watches[watch.name]
                continue
            raise ConfigError(f"watch '{watch.name}' runs as unknown role '{watch.role}'", hint=f"roles: {roles}")
        if watch.check:
            continue
        try:
            get_runbook(ctx, watch.runbook)
        except NotFound:
            raise ConfigError(f"watch '{watch.name}' names unknown runbook '{watch.runbook}'") from None
    return watches, destinations


def watch_state(ctx: AppContext) -> WatchState:
    """``<db>.watches.sqlite`` beside the store."""
    return WatchState(state_path(ctx.settings.db))


def watch_actor(watch: Watch) -> Actor:
    return Actor(name=f"watch:{watch.name}", role=watch.role, via="watch")


def get_watch(ctx: AppContext, name: str) -> tuple[Watch, dict[str, Destination]]:
    watches, destinations = monitoring(ctx)
    if name not in watches:
        raise NotFound(f"no watch named '{name}'", hint="configured: " + (", ".join(sorted(watches)) or "none"))
    return watches[name], destinations


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _key_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def dedup_key(watch: Watch, row: dict[str, Any]) -> str:
    if watch.dedup:
        return "|".join(f"{c}={_key_text(row.get(c))}" for c in watch.dedup)
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()[:32]


def run_watch(
    ctx: AppContext, caller: Actor, name: str, *, now: datetime | None = None, manual: bool = False
) -> dict[str, Any]:
    """Run one watch over [high-water, now) and deliver its new alerts; returns the run's counts.

    ``manual`` (``watch run-once``, the API): the caller must hold ``watches:manage``; the
    scheduler runs watches as the system.
    """
    if manual:  # the permission check and the lookup are on record, an unknown name included
        with audited(ctx, caller, "watch.run-once", watch=name):
            require(ctx, caller, "watches:manage")
            watch, destinations = get_watch(ctx, name)
    else:
        watch, destinations = get_watch(ctx, name)
    actor = watch_actor(watch)
    state = watch_state(ctx)
    end = now or datetime.now(UTC)
    start = state.high_water(watch.name)
    params = {**watch.params, "end": _iso(end)} | ({"start": start} if start else {})
    with audited(ctx, caller, "watch.run", watch=watch.name, role=watch.role) as audit:
        try:
            if watch.check:
                window = Window(datetime.fromisoformat(start.replace("Z", "+00:00")) if start else None, end)
                rows = run_check(ctx, actor, watch.check, window)
                row_count = len(rows)
            else:
                result = run_runbook(ctx, actor, watch.runbook, params, now=end)
                rows, row_count = result.rows, result.row_count
        except Exception:
            state.finish_run(watch.name, start, _iso(end), outcome="failed", rows=0, matches=0)
            raise
        if watch.threshold is not None:
            rows = [r for r in rows if watch.threshold.holds(r.get(watch.threshold.column))]
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(dedup_key(watch, row), []).append(row)
        new = 0
        base = {"watch": watch.name, "runbook": watch.runbook or f"check:{watch.check}", "role": watch.role}
        for key, matched in groups.items():
            new += state.record_match(watch.name, key, {**base, "dedup_key": key, "rows": matched}, watch.destinations)
        resolved = state.resolve_cleared(watch.name, set(groups), base, watch.destinations) if watch.resolve else []
        delivered, dead = deliver_pending(ctx, destinations, state, watch.name)
        state.finish_run(watch.name, start, _iso(end), outcome="ok", rows=row_count, matches=new)
        counts = {"rows": row_count, "matches": new, "resolved": len(resolved), "delivered": delivered}
        counts["dead"] = dead
        audit.details.update(counts)
    return {"watch": watch.name, "window_start": start, "window_end": _iso(end), **counts}


def deliver_pending(
    ctx: AppContext, destinations: dict[str, Destination], state: WatchState, watch: str | None = None
) -> tuple[int, int]:
    """Deliver the outbox (this watch's, or all); returns (delivered, dead-lettered)."""
    delivered = dead = 0
    for item in state.pending(watch):
        destination = destinations.get(item.destination)
        if destination is None:
            continue  # removed from the config: kept pending until it is back or the watch is reset
        if deliver_with_retries(destination, item.payload, item.delivery_id, on_attempt=_recorder(ctx, state, item)):
            state.mark_delivered(item.delivery_id)
            delivered += 1
        else:
            state.mark_dead(item.delivery_id)
            dead += 1
    return delivered, dead


def _recorder(ctx: AppContext, state: WatchState, item: Delivery) -> Callable[[int, str | None], None]:
    """Audit one delivery attempt: watch, destination, attempt, outcome (never the content)."""
    actor = Actor(name=f"watch:{item.watch}", role=str(item.payload.get("role", "")), via="watch")

    def attempt(number: int, error: str | None) -> None:
        state.note_attempt(item.delivery_id, error)
        outcome = "ok" if error is None else "failed"
        details = {"watch": item.watch, "destination": item.destination, "attempt": number, "error": error}
        record_event(ctx, actor, "watch.delivery", outcome=outcome, **details)

    return attempt


def manage(ctx: AppContext, actor: Actor, action: str, name: str, keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """``state`` / ``history`` / ``reset`` of one watch for a caller holding ``watches:manage`` (audited)."""
    with audited(ctx, actor, f"watch.{action}", watch=name, keys=len(keys) or None):
        require(ctx, actor, "watches:manage")
        watch = get_watch(ctx, name)[0]
        state = watch_state(ctx)
        if action == "show":
            return describe(watch)
        if action == "state":
            require_not_stronger(ctx, actor, watch.role)  # its alert keys are values as the watch's role sees them
            return state.summary(name)
        if action == "history":
            return {"watch": name, "runs": state.history(name)}
        if action == "reset":
            return {"watch": name, "forgotten": state.reset(name, keys)}
        raise NotFound(f"unknown watch action '{action}'")


def describe(watch: Watch) -> dict[str, Any]:
    """A watch as shown by ``watch list/show`` and the API (no secret: destinations by name only)."""
    condition = (
        {"threshold": {"column": watch.threshold.column, "op": watch.threshold.op, "value": watch.threshold.value}}
        if watch.threshold
        else {"any_new_row": True}
    )
    return {
        "name": watch.name,
        "runbook": watch.runbook or None,
        "check": watch.check,
        "builtin": watch.builtin,
        "params": dict(watch.params),
        "schedule": watch.schedule.describe(),
        "role": watch.role,
        "condition": condition,
        "dedup": list(watch.dedup),
        "destinations": list(watch.destinations),
        "enabled": watch.enabled,
        "resolve": watch.resolve,
    }


def list_watches(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """Every configured watch with its high-water mark, for a caller holding ``watches:manage``."""
    with audited(ctx, actor, "watch.list") as audit:
        require(ctx, actor, "watches:manage")
        watches, _ = monitoring(ctx)
        state = watch_state(ctx)
        listed = [{**describe(w), "high_water": state.high_water(w.name)} for w in watches.values()]
        audit.rows = len(listed)
    return listed


SCHEDULER = Actor(name="watch-scheduler", role="admin", via="watch")


def due_watches(ctx: AppContext, now: datetime) -> list[str]:
    """Enabled watches whose next scheduled time after their last run is not after ``now``.

    A watch that never ran is due at once when it runs at an interval; a cron watch waits for its
    first time after the scheduler first saw it (the daily ``health-verify`` does not run the
    minutes-long verify on every new server's first tick)."""
    watches, _ = monitoring(ctx)
    state = watch_state(ctx)
    names = []
    for watch in watches.values():
        runs = state.history(watch.name, limit=1)
        if not watch.enabled:
            continue
        schedule = watch.schedule
        if not runs and schedule.cron is None:
            names.append(watch.name)
            continue
        since = str(runs[0]["window_end"]) if runs else state.first_seen(watch.name, _iso(now))
        last = datetime.fromisoformat(since.replace("Z", "+00:00"))
        if schedule.cron is not None:
            upcoming = schedule.cron.next_after(last.replace(tzinfo=None)).replace(tzinfo=UTC)
        else:
            upcoming = last + timedelta(seconds=schedule.every_s or 0)
        if upcoming <= now:
            names.append(watch.name)
    return names


def run_due(ctx: AppContext, now: datetime | None = None) -> list[dict[str, Any]]:
    """One scheduler tick: deliver what a previous process left pending, then run every due watch.

    A watch that fails is recorded (its run entry and audit entry) and does not stop the others.
    """
    now = now or datetime.now(UTC)
    _, destinations = monitoring(ctx)
    deliver_pending(ctx, destinations, watch_state(ctx))
    results = []
    for name in due_watches(ctx, now):
        try:
            results.append(run_watch(ctx, SCHEDULER, name, now=now))
        except TrailmaskError as exc:
            results.append({"watch": name, "error": exc.kind})
    return results


def watch_counters(ctx: AppContext, actor: Actor) -> dict[str, Any]:
    """The figures of /metrics, for a caller holding ``watches:manage`` (audited): watch totals,
    health watches, query latency per role (audit log) and the store's ingest per region."""
    with audited(ctx, actor, "metrics.read"):
        require(ctx, actor, "watches:manage")
        counters: dict[str, Any] = dict(watch_state(ctx).counters())
        watches, _ = monitoring(ctx)
        open_alerts = {labels["watch"]: n for labels, n in counters["open"]}
        last = {labels["watch"]: labels["outcome"] for labels, _ in counters["last_run"]}
        counters["health"] = [  # a feed's alerts (raw access) stay open: they are news, not a fault
            (
                {"watch": w.name},
                int(last.get(w.name) == "ok" and (w.check in FEED_CHECKS or not open_alerts.get(w.name))),
            )
            for w in watches.values()
            if w.builtin
        ]
        counters["latency"] = query_latency(ctx.audit_log.path)
        counters["ingest"] = _ingest_figures(ctx)
        return counters


def _ingest_figures(ctx: AppContext) -> list[tuple[str, int, float | None, float | None]]:
    """(region, events, last eventTime, last ingest) as epoch seconds; regions only: no identity."""
    if not ctx.settings.db.exists():
        return []
    sql = (
        "SELECT coalesce(awsRegion, ''), count(*), epoch(max(eventTime)), epoch(max(tm_ingested_at))"
        " FROM events GROUP BY 1 ORDER BY 1"
    )
    with ctx.store_engine.session() as session:
        rows = session.execute(sql, timeout_s=ctx.settings.query_timeout_s, max_rows=10_000).rows
    return [(str(r[0]), int(r[1]), _float(r[2]), _float(r[3])) for r in rows]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
