"""``GET /metrics``: watch runs, matches and deliveries in the Prometheus text format (0.0.4).

Needs a token of a role holding ``watches:manage`` (Prometheus: ``authorization: {credentials: ...}``
in the scrape config). Only counts and names are exported, never alert content.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from trailmask.api.auth import current_actor
from trailmask.api.errors import responses
from trailmask.api.state import api_state, in_thread
from trailmask.models import Actor
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


def render(counters: dict[str, list[tuple[dict[str, str], int]]]) -> str:
    lines: list[str] = []
    for key, (name, help_text) in METRICS.items():
        kind = "gauge" if key == "deliveries" else "counter"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in counters.get(key, []):
            text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {value}")
    return "\n".join(lines) + "\n"


@router.get("/metrics", response_class=PlainTextResponse, responses=responses(401, 403, 429, 503, plain_route=True))
async def metrics(request: Request, actor: CurrentActor) -> PlainTextResponse:
    counters = await in_thread(request, watch_counters, api_state(request).ctx, actor)
    return PlainTextResponse(render(counters), media_type="text/plain; version=0.0.4; charset=utf-8")
