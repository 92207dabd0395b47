"""``GET /metrics`` in the Prometheus text format (0.0.4): watch runs, matches, deliveries and open
alerts, the built-in health watches, query latency per role, and events and ingest per region.

Needs a token of a role holding ``watches:manage`` (Prometheus: ``authorization: {credentials: ...}``
in the scrape config). Only counts and names are exported, never alert content.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
from trailmask.monitor.latency import BUCKETS_S
from trailmask.service.watches import watch_counters

router = APIRouter(tags=["monitoring"])
CurrentActor = Annotated[Actor, Depends(current_actor)]
METRICS = {
    "runs": ("trailmask_watch_runs_total", "Watch runs by outcome."),
    "matches": ("trailmask_watch_matches_total", "New alerts (dedup keys) found by watch runs."),
    "deliveries": (
        "trailmask_watch_deliveries",
        "Outbox entries by destination and status (pending, delivered, dead).",
    ),
    "attempts": ("trailmask_watch_delivery_attempts_total", "Delivery attempts by destination and final status."),
}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


GAUGES = {
    "open": ("trailmask_watch_open_alerts", "Alerts (dedup keys) alerted and not resolved, per watch."),
    "last_run": ("trailmask_watch_last_run_timestamp_seconds", "When each watch last ran, with its outcome."),
    "health": ("trailmask_health_ok", "1 when a built-in health watch last ran ok with no open alert, else 0."),
}
INGEST = (
    ("trailmask_store_events", "Events in the store per region (rate() of it is the ingest rate).", 1),
    ("trailmask_last_event_timestamp_seconds", "The newest eventTime per region.", 2),
    ("trailmask_last_ingest_timestamp_seconds", "When the newest batch per region was loaded.", 3),
)
LATENCY = "trailmask_query_duration_seconds"


def _labels(labels: dict[str, str]) -> str:
    return ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def render(counters: dict[str, Any]) -> str:
    lines: list[str] = []
    for key, (name, help_text) in (METRICS | GAUGES).items():
        kind = "counter" if key in ("runs", "matches", "attempts") else "gauge"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in counters.get(key, []):
            lines.append(f"{name}{{{_labels(labels)}}} {value}")
    now = time.time()
    for name, help_text, index in INGEST:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for row in counters.get("ingest", []):
            if row[index] is not None:
                lines.append(f'{name}{{region="{_label(row[0])}"}} {_number(row[index])}')
    lag = "trailmask_ingest_lag_seconds"
    lines += [f"# HELP {lag} Seconds since the newest event per region (delivery plus ingest lag)."]
    lines += [f"# TYPE {lag} gauge"]
    for row in counters.get("ingest", []):
        if row[2] is not None:
            lines.append(f'{lag}{{region="{_label(row[0])}"}} {_number(max(now - row[2], 0.0))}')
    lines += [f"# HELP {LATENCY} Query latency per role and kind (from the audit log).", f"# TYPE {LATENCY} histogram"]
    for (role, kind), histogram in sorted(counters.get("latency", {}).items()):
        base = {"role": role, "kind": kind}
        for bound, count in zip(BUCKETS_S, histogram.buckets, strict=True):
            lines.append(f"{LATENCY}_bucket{{{_labels({**base, 'le': str(bound)})}}} {count}")
        lines.append(f"{LATENCY}_bucket{{{_labels({**base, 'le': '+Inf'})}}} {histogram.count}")
        lines.append(f"{LATENCY}_sum{{{_labels(base)}}} {_number(histogram.total_s)}")
        lines.append(f"{LATENCY}_count{{{_labels(base)}}} {histogram.count}")
    return "\n".join(lines) + "\n"


@router.get("/metrics", response_class=PlainTextResponse, responses=responses(401, 403, 429, 503, plain_route=True))
async def metrics(request: Request, actor: CurrentActor) -> PlainTextResponse:
    counters = await in_thread(request, watch_counters, api_state(request).ctx, actor)
    return PlainTextResponse(render(counters), media_type="text/plain; version=0.0.4; charset=utf-8")
