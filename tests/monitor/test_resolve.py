"""Resolve when a watch's condition clears: PagerDuty gets `resolve` for the incident its trigger
opened, a key that matches again opens a new incident, and a watch without `resolve` never resolves."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.monitor.receivers import http_receiver
from tests.monitor.test_runner import OWNER, RUNBOOK, _event, _ingest

from trailmask.config import load_settings, with_sections
from trailmask.errors import ConfigError
from trailmask.monitor.spec import parse_monitoring
from trailmask.monitor.state import WatchState
from trailmask.service import watches as service
from trailmask.service.context import AppContext

USER = "resolve-canary-4410"


def _ctx(tmp_path: Path, url: str, *, resolve: bool) -> AppContext:
    books = tmp_path / "books"
    books.mkdir(exist_ok=True)
    (books / "calls-by-user.yaml").write_text(RUNBOOK, encoding="utf-8")
    settings = load_settings({"db": str(tmp_path / "s.duckdb"), "runbook_paths": [str(books)]}, env={})
    settings = with_sections(
        settings,
        destinations={"pd": {"type": "pagerduty", "url": url, "secret_env": "TM_TEST_PD_KEY", "retries": 0}},
        watches=[
            {
                "name": "busy",
                "runbook": "calls-by-user",
                "schedule": {"every": "1h"},
                "role": "investigator",
                "condition": {"threshold": {"column": "calls", "op": ">=", "value": 2}},
                "dedup": ["principal", "eventName"],
                "destinations": ["pd"],
                "resolve": resolve,
            }
        ],
    )
    return AppContext.from_settings(settings)


def _hour(h: int) -> datetime:
    return datetime(2024, 5, 1, h, tzinfo=UTC)


def test_pagerduty_trigger_resolve_and_retrigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TM_TEST_PD_KEY", "pd-routing-key-xyz")
    with http_receiver() as pd:
        ctx = _ctx(tmp_path, pd.url, resolve=True)
        _ingest(ctx, tmp_path, [_event("CreateUser", USER, f"2024-05-01T10:0{i}:00Z") for i in range(3)], "a")
        first = service.run_watch(ctx, OWNER, "busy", now=_hour(11))
        assert (first["matches"], first["resolved"]) == (1, 0)
        # one call in the next hour: below the threshold, the condition cleared
        _ingest(ctx, tmp_path, [_event("CreateUser", USER, "2024-05-01T11:30:00Z")], "b")
        cleared = service.run_watch(ctx, OWNER, "busy", now=_hour(12))
        assert (cleared["matches"], cleared["resolved"], cleared["delivered"]) == (0, 1, 1)
        assert service.run_watch(ctx, OWNER, "busy", now=_hour(13))["resolved"] == 0  # resolved once
        _ingest(ctx, tmp_path, [_event("CreateUser", USER, f"2024-05-01T13:1{i}:00Z") for i in range(2)], "c")
        again = service.run_watch(ctx, OWNER, "busy", now=_hour(14))
        assert again["matches"] == 1
        events = [json.loads(r.body) for r in pd.requests]
    assert [e["event_action"] for e in events] == ["trigger", "resolve", "trigger"]
    assert events[0]["dedup_key"] == events[1]["dedup_key"] != events[2]["dedup_key"]
    assert events[2]["dedup_key"] == events[0]["dedup_key"] + "#2"
    assert "payload" not in events[1] and all(e["routing_key"] == "pd-routing-key-xyz" for e in events)
    assert USER not in json.dumps(events)
    summary = service.manage(ctx, OWNER, "state", "busy")
    assert summary["open_keys"] == summary["alerted_keys"] and summary["deliveries"] == {"delivered": 3}


def test_without_resolve_an_alert_stays_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TM_TEST_PD_KEY", "k")
    with http_receiver() as pd:
        ctx = _ctx(tmp_path, pd.url, resolve=False)
        _ingest(ctx, tmp_path, [_event("CreateUser", USER, f"2024-05-01T10:0{i}:00Z") for i in range(2)], "a")
        service.run_watch(ctx, OWNER, "busy", now=_hour(11))
        assert service.run_watch(ctx, OWNER, "busy", now=_hour(12))["resolved"] == 0
        assert [json.loads(r.body)["event_action"] for r in pd.requests] == ["trigger"]
    assert service.manage(ctx, OWNER, "show", "busy")["resolve"] is False


def test_resolve_must_be_a_boolean() -> None:
    watch: dict[str, Any] = {"name": "w", "runbook": "r", "schedule": {"every": "1h"}, "role": "admin"}
    with pytest.raises(ConfigError, match="'resolve'"):
        parse_monitoring([{**watch, "destinations": ["f"], "resolve": "yes"}], {"f": {"type": "file", "path": "x"}})


def test_resolve_is_atomic_with_its_outbox_rows_and_old_state_files_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.watches.sqlite"
    with sqlite3.connect(path) as conn:  # the schema before resolve existed, with one open alert
        conn.execute("CREATE TABLE watch_alerts (watch TEXT NOT NULL, dedup_key TEXT NOT NULL,"
                     " first_at TEXT NOT NULL, PRIMARY KEY (watch, dedup_key))")  # fmt: skip
        conn.execute("INSERT INTO watch_alerts VALUES ('w', 'k1', '2024-01-01T00:00:00Z')")
    state = WatchState(path)
    assert state.summary("w")["open_keys"] == ["k1"]
    assert not state.record_match("w", "k1", {"rows": [1]}, ["a"])  # still open: no second alert
    assert state.resolve_cleared("w", {"k2"}, {"watch": "w"}, ["a", "b"]) == ["k1"]
    assert [d.delivery_id for d in state.pending("w")] == ["w:a:k1:resolved", "w:b:k1:resolved"]
    assert all(d.payload["resolved"] and d.payload["incident"] == d.delivery_id[:-9] for d in state.pending("w"))
    assert state.resolve_cleared("w", set(), {"watch": "w"}, ["a"]) == []
    assert state.record_match("w", "k1", {"rows": [1]}, ["a"])  # alerts again, as incident #2
    assert state.pending("w")[-1].delivery_id == "w:a:k1#2"
