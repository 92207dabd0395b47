"""Fixtures for runbook tests: a context on a temporary store, event loading, runbook files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from trailmask.config import load_settings
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest

ADMIN = Actor(name="tester", role="admin", via="cli-owner")

MINIMAL_RUNBOOK = """
id: {id}
title: Test runbook
description: Lists calls of one event name.
when: In tests.
indicates: Nothing in particular.
window: 24h
parameters:
  - name: event_name
    type: string
    required: true
    description: The eventName to list.
sql: |
  SELECT eventTime, eventName, userIdentity.userName AS user_name
  FROM events
  WHERE ($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)
    AND eventName = $event_name
  ORDER BY eventTime
output:
  - {{name: eventTime, description: When.}}
  - {{name: eventName, description: What.}}
  - {{name: user_name, description: Who.}}
fixtures:
  - name: only the chosen event name
    params: {{since: all, event_name: StopLogging}}
    match:
      - eventTime: "2024-01-01T00:00:00Z"
        eventSource: cloudtrail.amazonaws.com
        eventName: StopLogging
        userIdentity: {{type: IAMUser, userName: alice}}
    no_match:
      - eventTime: "2024-01-01T00:01:00Z"
        eventSource: cloudtrail.amazonaws.com
        eventName: StartLogging
        userIdentity: {{type: IAMUser, userName: alice}}
    expect:
      - {{eventName: StopLogging, user_name: alice}}
"""


def event(name: str, *, user: str = "alice", time: str = "2024-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    """A small CloudTrail record."""
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "eventTime": time,
        "eventSource": extra.pop("eventSource", "iam.amazonaws.com"),
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": extra.pop("sourceIPAddress", "203.0.113.10"),
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": f"arn:aws:iam::111122223333:user/{user}"},
        "eventID": extra.pop("eventID", f"{name}-{user}-{time}"),
    }
    record.update(extra)
    return record


@pytest.fixture
def make_ctx(tmp_path: Path) -> Callable[..., AppContext]:
    """A context on a new store under tmp_path; extra settings as keyword arguments."""

    def make(name: str = "store", **overrides: Any) -> AppContext:
        settings = load_settings({"db": str(tmp_path / f"{name}.duckdb"), **overrides}, env={})
        return AppContext.from_settings(settings)

    return make


@pytest.fixture
def load_events(tmp_path: Path) -> Callable[[AppContext, Iterable[dict[str, Any]]], None]:
    """Ingest records into a context's store through the service."""

    def load(ctx: AppContext, events: Iterable[dict[str, Any]]) -> None:
        source = tmp_path / f"events-{id(ctx)}.jsonl"
        source.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
        summary = ingest(ctx, ADMIN, [str(source)])
        assert not summary.rejected, summary.to_dict()

    return load


@pytest.fixture
def runbook_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "team-runbooks"
    folder.mkdir()
    return folder
