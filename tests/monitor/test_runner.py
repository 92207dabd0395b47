"""The watch runner: the runbook runs as the watch's role (masked), each dedup key alerts once,
the window catches up from the high-water mark, every run and delivery attempt is audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.monitor.receivers import http_receiver

from trailmask.config import load_settings, with_sections
from trailmask.errors import ConfigError, PermissionDenied
from trailmask.models import Actor
from trailmask.service import watches as service
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest

OWNER = Actor(name="owner", role="admin")
RAW_USER = "mallory-canary-7731"
RUNBOOK = """
id: calls-by-user
title: Calls by user
description: Calls per principal and event name in the window.
when: In tests.
indicates: Nothing in particular.
window: 24h
sql: |
  SELECT userIdentity.arn AS principal, eventName, count(*) AS calls
  FROM events
  WHERE ($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)
  GROUP BY ALL ORDER BY principal, eventName
output:
  - {name: principal, description: Who.}
  - {name: eventName, description: What.}
  - {name: calls, description: How often.}
"""


def _event(name: str, user: str, time: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": time,
        "eventSource": "iam.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": f"arn:aws:iam::111122223333:user/{user}"},
        "eventID": f"{name}-{user}-{time}",
    }


def _ingest(ctx: AppContext, tmp_path: Path, events: list[dict[str, Any]], tag: str) -> None:
    source = tmp_path / f"events-{tag}.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    assert not ingest(ctx, OWNER, [str(source)]).rejected


@pytest.fixture
def ctx_and_hook(tmp_path: Path) -> Any:
    books = tmp_path / "books"
    books.mkdir()
    (books / "calls-by-user.yaml").write_text(RUNBOOK, encoding="utf-8")
    with http_receiver() as hook:
        settings = load_settings({"db": str(tmp_path / "s.duckdb"), "runbook_paths": [str(books)]}, env={})
        settings = with_sections(
            settings,
            destinations={
                "hook": {"type": "webhook", "url": hook.url},
                "sink": {"type": "file", "path": str(tmp_path / "a.jsonl")},
            },
            watches=[
                {
                    "name": "iam-calls",
                    "runbook": "calls-by-user",
                    "schedule": {"every": "5m"},
                    "role": "investigator",
                    "condition": {"threshold": {"column": "calls", "op": ">=", "value": 2}},
                    "dedup": ["principal", "eventName"],
                    "destinations": ["hook", "sink"],
                }
            ],
        )
        yield AppContext.from_settings(settings), hook, tmp_path / "a.jsonl"


def test_alerts_once_per_key_masked_for_the_role_and_catches_up(ctx_and_hook: Any, tmp_path: Path) -> None:
    ctx, hook, sink = ctx_and_hook
    _ingest(ctx, tmp_path, [_event("CreateUser", RAW_USER, f"2024-05-01T10:0{i}:00Z") for i in range(3)], "a")
    first = service.run_watch(ctx, OWNER, "iam-calls", now=datetime(2024, 5, 1, 11, tzinfo=UTC))
    assert (first["matches"], first["delivered"]) == (1, 2)
    again = service.run_watch(ctx, OWNER, "iam-calls", now=datetime(2024, 5, 1, 12, tzinfo=UTC))
    assert again["window_start"] == "2024-05-01T11:00:00Z" and again["matches"] == 0
    # events that arrived inside a window the server missed are caught up by the next run
    _ingest(ctx, tmp_path, [_event("DeleteUser", RAW_USER, f"2024-05-01T12:3{i}:00Z") for i in range(2)], "b")
    later = service.run_watch(ctx, OWNER, "iam-calls", now=datetime(2024, 5, 1, 18, tzinfo=UTC))
    assert later["matches"] == 1
    bodies = [r.body.decode() for r in hook.requests] + sink.read_text().splitlines()
    assert len(hook.requests) == 2 and len(sink.read_text().splitlines()) == 2
    for body in bodies:
        assert RAW_USER not in body and "111122223333" not in body
        assert json.loads(body)["role"] == "investigator"
    entries = [json.loads(line) for line in ctx.audit_log.path.read_text().splitlines()]
    runbook_runs = [e for e in entries if e.get("action") == "runbook" and e.get("runbook") == "calls-by-user"]
    assert runbook_runs and all(e["role"] == "investigator" and e["actor"] == "watch:iam-calls" for e in runbook_runs)
    attempts = [e for e in entries if e.get("action") == "watch.delivery"]
    assert len(attempts) == 4 and all("rows" not in e and RAW_USER not in json.dumps(e) for e in attempts)


def test_state_reset_needs_watches_manage(ctx_and_hook: Any, tmp_path: Path) -> None:
    ctx, _hook, _sink = ctx_and_hook
    _ingest(ctx, tmp_path, [_event("CreateUser", RAW_USER, f"2024-05-01T10:0{i}:00Z") for i in range(2)], "a")
    service.run_watch(ctx, OWNER, "iam-calls", now=datetime(2024, 5, 1, 11, tzinfo=UTC))
    with pytest.raises(PermissionDenied, match="watches:manage"):
        service.manage(ctx, Actor(name="ivy", role="investigator"), "state", "iam-calls")
    summary = service.manage(ctx, OWNER, "state", "iam-calls")
    assert len(summary["alerted_keys"]) == 1 and summary["deliveries"] == {"delivered": 2}
    assert service.manage(ctx, OWNER, "reset", "iam-calls", tuple(summary["alerted_keys"]))["forgotten"] == 1


def test_unknown_role_or_runbook_fails_closed(tmp_path: Path) -> None:
    base = load_settings({"db": str(tmp_path / "s.duckdb")}, env={})
    watch = {"name": "w", "runbook": "cis-root-account-usage", "schedule": {"every": "1h"}, "destinations": ["s"]}
    sink = {"s": {"type": "file", "path": str(tmp_path / "x")}}
    with pytest.raises(ConfigError, match="unknown role 'auditor'"):
        service.monitoring(
            AppContext.from_settings(with_sections(base, destinations=sink, watches=[{**watch, "role": "auditor"}]))
        )
    ctx = AppContext.from_settings(
        with_sections(base, destinations=sink, watches=[{**watch, "role": "viewer", "runbook": "nope"}])
    )
    with pytest.raises(ConfigError, match="unknown runbook 'nope'"):
        service.monitoring(ctx)


def test_cli_watch_commands(ctx_and_hook: Any, tmp_path: Path) -> None:
    from tests.conftest import Cli

    ctx, _hook, _sink = ctx_and_hook
    _ingest(ctx, tmp_path, [_event("CreateUser", RAW_USER, "2024-05-01T10:00:00Z")], "a")
    config = tmp_path / "tm.yaml"
    watch = {"name": "w1", "runbook": "cis-root-account-usage", "schedule": {"cron": "*/5 * * * *"}}
    body = {**watch, "role": "investigator", "destinations": ["sink"], "dedup": ["recipientAccountId"]}
    config.write_text(
        json.dumps({"destinations": {"sink": {"type": "file", "path": "alerts.jsonl"}}, "watches": [body]}),
        encoding="utf-8",
    )
    tm = Cli(ctx.settings.db)
    listed = tm("--config", str(config), "watch", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert listed.json()[0]["name"] == "w1" and listed.json()[0]["schedule"] == "cron */5 * * * *"
    ran = tm("--config", str(config), "watch", "run-once", "w1", "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    assert ran.json()["matches"] == 0
    history = tm("--config", str(config), "watch", "history", "w1", "--format", "json")
    assert [r["outcome"] for r in history.json()["runs"]] == ["ok"]
    assert tm("--config", str(config), "watch", "reset", "w1", "--format", "json").json() == {
        "watch": "w1",
        "forgotten": 0,
    }
    missing = tm("--config", str(config), "watch", "show", "nope")
    assert missing.exit_code == 4 and "no watch named 'nope'" in missing.stderr


def test_scheduler_runs_due_watches_and_catches_up(ctx_and_hook: Any, tmp_path: Path) -> None:
    ctx, hook, _sink = ctx_and_hook
    _ingest(ctx, tmp_path, [_event("CreateUser", RAW_USER, f"2024-05-01T10:0{i}:00Z") for i in range(2)], "a")
    start = datetime(2024, 5, 1, 11, tzinfo=UTC)
    ran = service.run_due(ctx, start)  # the built-in health watches are due on their first tick too
    # health-verify, a daily cron watch, waits for its first time
    assert [r["watch"] for r in ran] == [
        "iam-calls", "health-masking", "health-policy-drift", "health-delivery-gaps", "health-audit-chain",
        "health-raw-access",
    ]  # fmt: skip
    assert all("error" not in r for r in ran), ran
    assert service.run_due(ctx, datetime(2024, 5, 1, 11, 4, tzinfo=UTC)) == []  # every 5m: not yet due
    # the server was down for hours: the next tick runs once over the whole missed window
    _ingest(ctx, tmp_path, [_event("DeleteUser", RAW_USER, f"2024-05-01T13:0{i}:00Z") for i in range(2)], "b")
    late = next(r for r in service.run_due(ctx, datetime(2024, 5, 1, 17, tzinfo=UTC)) if r["watch"] == "iam-calls")
    assert late["window_start"] == "2024-05-01T11:00:00Z" and late["matches"] == 1
    assert len(hook.requests) == 2
