"""The demo: synthetic CloudTrail → store → demo users, ready to serve.

Re-running is safe: the delivery tree is written once, ingest is idempotent, and existing demo users
get fresh tokens (tokens are shown only when created, so a re-run must rotate them to print them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trailmask.errors import Conflict
from trailmask.models import Actor, IngestSummary
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.users import add_user, rotate_token
from trailmask.synth import write_delivery_tree

DEMO_USERS: tuple[tuple[str, str], ...] = (
    ("demo-admin", "admin"),
    ("demo-investigator", "investigator"),
    ("demo-viewer", "viewer"),
)
DAYS = 7


@dataclass
class DemoSetup:
    logs: Path
    summary: IngestSummary
    tokens: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self, url: str | None) -> dict[str, Any]:
        return {
            "url": url,
            "logs": str(self.logs),
            "events": self.summary.totals()["new_events"],
            "users": self.tokens,
        }


def demo_window_start(now: datetime | None = None) -> datetime:
    """Sample data covers the DAYS days up to the last full hour before now: none of it lies in the future."""
    hour = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return hour - timedelta(days=DAYS)


def _token_for(ctx: AppContext, owner: Actor, name: str, role: str) -> str:
    try:
        _, token = add_user(ctx, owner, name, role)
    except Conflict:
        _, token = rotate_token(ctx, owner, name)
    return token


def setup_demo(ctx: AppContext, owner: Actor, *, events: int, seed: int = 7) -> DemoSetup:
    """Generate (once) and ingest the sample trail, then issue one token per demo role."""
    logs = ctx.store.path.parent / "demo-logs"
    if not (logs / "AWSLogs").exists():
        write_delivery_tree(logs, events, seed=seed, start=demo_window_start(), days=DAYS, events_per_file=200)
    summary = ingest(ctx, owner, [str(logs)])
    setup = DemoSetup(logs=logs, summary=summary)
    for name, role in DEMO_USERS:
        setup.tokens.append({"name": name, "role": role, "token": _token_for(ctx, owner, name, role)})
    return setup
