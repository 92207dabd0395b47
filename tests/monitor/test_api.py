"""The watches API: `watches:manage` required (admin yes, investigator no), run/state/reset work."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Any

from trailmask.config import Settings, with_sections
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.users import add_user
from trailmask.service.watches import watch_state as service_state

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

OWNER = Actor(name="owner", role="admin")
ROOT_EVENT = {
    "eventVersion": "1.09",
    "eventTime": "2024-05-01T10:00:00Z",
    "eventSource": "signin.amazonaws.com",
    "eventName": "ConsoleLogin",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "198.51.100.23",
    "recipientAccountId": "111122223333",
    "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"},
    "eventID": "root-1",
}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_watches_api_needs_watches_manage(tmp_path: Path) -> None:
    from trailmask.api import create_app

    watch: dict[str, Any] = {
        "name": "root",
        "runbook": "cis-root-account-usage",
        "params": {"since": "all"},
        "schedule": {"every": "5m"},
        "role": "investigator",
        "dedup": ["recipientAccountId"],
        "destinations": ["sink"],
        "enabled": False,  # the server's scheduler leaves it alone; run-once still runs it
    }
    sink = tmp_path / "a.jsonl"
    settings = with_sections(
        Settings(db=tmp_path / "s.duckdb"),
        destinations={"sink": {"type": "file", "path": str(sink)}},
        watches=[watch],
        serve={"rate_limit": {"per_second": 1000}},
    )
    ctx = AppContext.from_settings(settings)
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(ROOT_EVENT) + "\n", encoding="utf-8")
    assert not ingest(ctx, OWNER, [str(source)]).rejected
    admin = add_user(ctx, OWNER, "boss", "admin")[1]
    ivy = add_user(ctx, OWNER, "ivy", "investigator")[1]
    with TestClient(create_app(ctx)) as client:
        denied = client.get("/api/watches", headers=_auth(ivy))
        assert denied.status_code == 403 and "watches:manage" in denied.json()["message"]
        assert client.post("/api/watches/root/run", headers=_auth(ivy)).status_code == 403
        listed = client.get("/api/watches", headers=_auth(admin)).json()["watches"]
        assert [w["name"] for w in listed] == [
            "root", "health-masking", "health-policy-drift", "health-delivery-gaps", "health-audit-chain",
            "health-raw-access", "health-verify",
        ]  # fmt: skip
        assert [w["builtin"] for w in listed] == [False, True, True, True, True, True, True]
        ran = client.post("/api/watches/root/run", headers=_auth(admin))
        assert ran.status_code == 200, ran.text
        assert ran.json()["matches"] == 1
        state = client.get("/api/watches/root/state", headers=_auth(admin)).json()
        assert state["high_water"] == ran.json()["window_end"] and len(state["alerted_keys"]) == 1
        reset = client.post("/api/watches/root/reset", headers=_auth(admin), params={"key": state["alerted_keys"]})
        assert reset.json() == {"watch": "root", "forgotten": 1}
        assert client.get("/api/watches/nope", headers=_auth(admin)).status_code == 404
    body = sink.read_text(encoding="utf-8")
    assert "111122223333" not in body and "198.51.100.23" not in body


def test_the_server_runs_enabled_watches_on_its_own(tmp_path: Path) -> None:
    from trailmask.api import create_app

    watch: dict[str, Any] = {
        "name": "root",
        "runbook": "cis-root-account-usage",
        "params": {"since": "all"},
        "schedule": {"every": "1h"},
        "role": "viewer",
        "dedup": ["recipientAccountId"],
        "destinations": ["sink"],
    }
    sink = tmp_path / "a.jsonl"
    settings = with_sections(
        Settings(db=tmp_path / "s.duckdb"), destinations={"sink": {"type": "file", "path": str(sink)}}, watches=[watch]
    )
    ctx = AppContext.from_settings(settings)
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(ROOT_EVENT) + "\n", encoding="utf-8")
    assert not ingest(ctx, OWNER, [str(source)]).rejected
    with TestClient(create_app(ctx)):
        deadline = time.monotonic() + 20
        while not (sink.exists() and sink.read_text(encoding="utf-8")) and time.monotonic() < deadline:
            time.sleep(0.2)
    [line] = sink.read_text(encoding="utf-8").splitlines()
    alert = json.loads(line)
    assert alert["watch"] == "root" and alert["role"] == "viewer"
    assert "111122223333" not in line and "198.51.100.23" not in line


def test_metrics_parse_as_prometheus_text_and_need_watches_manage(tmp_path: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from trailmask.api import create_app

    settings = with_sections(Settings(db=tmp_path / "s.duckdb"), serve={"rate_limit": {"per_second": 1000}})
    ctx = AppContext.from_settings(settings)
    state = service_state(ctx)
    state.record_match('w"1', "k", {"role": "viewer"}, ["pager"])
    state.note_attempt('w"1:pager:k', "HTTP 500")
    state.finish_run('w"1', None, "2024-01-01T00:00:00Z", outcome="ok", rows=3, matches=1)
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(ROOT_EVENT) + "\n", encoding="utf-8")
    assert not ingest(ctx, OWNER, [str(source)]).rejected
    admin = add_user(ctx, OWNER, "boss", "admin")[1]
    viewer = add_user(ctx, OWNER, "vic", "viewer")[1]
    ivy = add_user(ctx, OWNER, "ivy", "investigator")[1]
    with TestClient(create_app(ctx)) as client:
        for _ in range(2):  # two queries of the investigator: its latency histogram counts them
            ran = client.post("/api/sql", headers=_auth(ivy), json={"sql": "SELECT eventName FROM events"})
            assert ran.status_code == 200
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=_auth(viewer)).status_code == 403
        answer = client.get("/metrics", headers=_auth(admin))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }
    assert samples[("trailmask_watch_runs_total", (("outcome", "ok"), ("watch", 'w"1')))] == 1
    assert samples[("trailmask_watch_matches_total", (("watch", 'w"1'),))] == 1
    key = (("destination", "pager"), ("status", "pending"), ("watch", 'w"1'))
    assert samples[("trailmask_watch_deliveries", key)] == 1
    assert samples[("trailmask_watch_delivery_attempts_total", key)] == 1
    assert samples[("trailmask_watch_open_alerts", (("watch", 'w"1'),))] == 1
    assert samples[("trailmask_health_ok", (("watch", "health-masking"),))] == 0  # never ran yet
    assert samples[("trailmask_store_events", (("region", "us-east-1"),))] == 1
    assert samples[("trailmask_last_event_timestamp_seconds", (("region", "us-east-1"),))] == 1714557600
    assert samples[("trailmask_ingest_lag_seconds", (("region", "us-east-1"),))] > 0
    role = (("kind", "sql"), ("role", "investigator"))
    assert samples[("trailmask_query_duration_seconds_count", role)] == 2
    assert samples[("trailmask_query_duration_seconds_bucket", (*role[:1], ("le", "+Inf"), role[1]))] == 2
    assert samples[("trailmask_query_duration_seconds_sum", role)] > 0
    assert "111122223333" not in answer.text  # no identity in any label
