"""``trailmask ingest`` (another process) loads new events while the server answers queries."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import OWNER
from tests.api.server import ServerProcess
from tests.conftest import awsdocs_events, run_subprocess, write_jsonl

from trailmask.config import Settings
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

pytestmark = pytest.mark.slow
COUNT_SQL = "SELECT count(*) AS n FROM events"


def _fresh_events(tmp_path: Path) -> Path:
    """Copies of the AWS doc events with a new eventID and time: distinct records the store does not hold."""
    events = []
    for index, event in enumerate(awsdocs_events() * 20):
        changed = dict(event)
        changed["eventID"] = f"00000000-0000-4000-8000-{index:012d}"
        changed["eventTime"] = "2030-01-01T00:00:00Z"
        events.append(changed)
    return write_jsonl(tmp_path / "new" / "events.jsonl", events)


def test_ingest_runs_while_queries_are_served(loaded_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    token = add_user(AppContext.from_settings(Settings(db=db)), OWNER, "ana", "admin")[1]
    source = _fresh_events(tmp_path)
    statuses: Counter[int] = Counter()
    counts: list[int] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            while not stop.is_set():
                response = http.post(f"{server.url}/api/sql", json={"sql": COUNT_SQL})
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    counts.append(response.json()["rows"][0]["n"])

    with ServerProcess(db, {"rate_limit": {"per_second": 100000}}) as server:
        workers = [threading.Thread(target=client) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        started = time.monotonic()
        ingest = run_subprocess(["--db", str(db), "ingest", str(source), "--format", "json"], timeout=120)
        ingest_s = time.monotonic() - started
        time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(60)
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout and '"new_events": ' in ingest.stdout
    assert set(statuses) == {200}, statuses
    assert counts[0] < counts[-1], "queries after the ingest see the new events"
    assert ingest_s < 60, ingest_s
