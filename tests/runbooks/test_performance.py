"""Every built-in runbook on 1,000,000 events: one scan each, no per-row subqueries.

The store is built from 100,000 realistic synthetic records (trailmask.synth) ingested through
the service, then copied nine times inside DuckDB with eventTime shifted by a week per copy (and
new event keys), giving 1,000,000 rows over ten weeks. Each runbook runs over all of it as the raw
`admin` role, and over one day as the masked `investigator` role (masked relations compute keyed
pseudonyms and detectors per row, so their cost is per row in the window).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from trailmask.config import load_settings
from trailmask.engines.duckdb.store import Store
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.service import runbooks as service
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.synth import DEFAULT_START, write_jsonl

EVENTS = 1_000_000
BASE = 100_000
REQUIRED = {
    "principal": "arn:aws:iam::111122223333:user/alice",
    "ip": "198.51.100.7",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "service": "s3.amazonaws.com",
    "cidr": "10.0.0.0/8",
}
RAW_BUDGET_S = 10.0
MASKED_DAY_BUDGET_S = 15.0


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    folder = tmp_path_factory.mktemp("million")
    source = write_jsonl(folder / "base.jsonl", BASE)
    ctx = AppContext.from_settings(load_settings({"db": str(folder / "store.duckdb")}, env={}))
    assert not ingest(ctx, Actor(name="bench", role="admin"), [str(source)]).rejected
    source.unlink()
    with Store(ctx.settings.db).writer() as conn:
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'events' ORDER BY ordinal_position"
            ).fetchall()
        ]
        shifted = {
            "eventTime": "eventTime + INTERVAL (k * 7) DAY",
            "eventID": "eventID || '-' || k",
            "tm_event_key": "tm_event_key || '-' || k",
        }
        select = ", ".join(shifted.get(c, f'"{c}"') for c in columns)
        conn.execute(f"INSERT INTO events SELECT {select} FROM events, range(1, {EVENTS // BASE}) AS copies(k)")
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (EVENTS,)
    return AppContext.from_settings(ctx.settings)


def params_for(runbook: Runbook, window: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = dict(window)
    for param in runbook.parameters:
        if param.required:
            values[param.name] = REQUIRED[param.name]
    return values


def timed(ctx: AppContext, role: str, window: dict[str, str]) -> dict[str, float]:
    seconds = {}
    for runbook in service.list_runbooks(ctx):
        started = time.perf_counter()
        service.run_runbook(ctx, Actor(name="bench", role=role), runbook.id, params_for(runbook, window), max_rows=10)
        seconds[runbook.id] = time.perf_counter() - started
    return seconds


@pytest.mark.slow
def test_raw_role_runs_every_runbook_over_a_million_events_quickly(million: AppContext) -> None:
    seconds = timed(million, "admin", {"since": "all"})
    print("\nadmin, 1,000,000 events:", {k: round(v, 2) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])})
    slow = {k: round(v, 2) for k, v in seconds.items() if v > RAW_BUDGET_S}
    assert not slow, slow


@pytest.mark.slow
def test_masked_role_runs_every_runbook_over_one_day_quickly(million: AppContext) -> None:
    day = DEFAULT_START + timedelta(days=3)
    window = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    seconds = timed(million, "investigator", window)
    print(
        "\ninvestigator, one day of 1,000,000 events:",
        {k: round(v, 2) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])},
    )
    slow = {k: round(v, 2) for k, v in seconds.items() if v > MASKED_DAY_BUDGET_S}
    assert not slow, slow
