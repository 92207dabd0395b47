"""Built-in health watches: every store has them; the masking canary fires (and resolves) when a
policy leaks, drift names the new field, delivery gaps alert masked; a config entry merges over one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.monitor.test_runner import OWNER, _ingest

from trailmask.config import load_settings, with_sections
from trailmask.errors import ConfigError
from trailmask.masking.canary import canaries, canary_events
from trailmask.service import watches as service
from trailmask.service.context import AppContext

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "src" / "trailmask" / "masking" / "default_policy.yaml"
LEAKY = "      arn: {op: arn, names: pseudonym}\n"  # the investigator's ARN operator, replaced by keep


def _ctx(tmp_path: Path, watches: list[dict[str, Any]], policy: Path | None = None) -> AppContext:
    options: dict[str, Any] = {"db": str(tmp_path / "s.duckdb")}
    if policy is not None:
        options["policy_file"] = str(policy)
    settings = with_sections(
        load_settings(options, env={}),
        destinations={"sink": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
        watches=watches,
    )
    return AppContext.from_settings(settings)


def _alerts(tmp_path: Path) -> list[dict[str, Any]]:
    sink = tmp_path / "alerts.jsonl"
    return [json.loads(line) for line in sink.read_text().splitlines()] if sink.exists() else []


def test_a_new_store_has_the_health_watches(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [])
    listed = {w["name"]: w for w in service.list_watches(ctx, OWNER)}
    assert set(listed) == {
        "health-masking", "health-policy-drift", "health-delivery-gaps", "health-audit-chain", "health-raw-access",
        "health-verify",
    }  # fmt: skip
    assert listed["health-masking"]["check"] == "masking-canary" and listed["health-masking"]["destinations"] == []
    assert listed["health-delivery-gaps"]["runbook"] == "health-delivery-gaps"
    assert (listed["health-verify"]["check"], listed["health-verify"]["schedule"]) == ("verify", "cron 30 3 * * *")
    assert all(w["builtin"] and w["resolve"] == (name != "health-raw-access") for name, w in listed.items())
    ran = service.run_watch(ctx, OWNER, "health-masking", manual=True)
    assert (ran["rows"], ran["matches"]) == (0, 0)  # the default policy holds


def test_masking_canary_alerts_on_a_leaking_policy_and_resolves_once_fixed(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert text.count(LEAKY) == 1
    policy.write_text(text.replace(LEAKY, "      arn: keep\n"), encoding="utf-8")
    watch = {"name": "health-masking", "destinations": ["sink"]}
    ctx = _ctx(tmp_path, [watch], policy)
    leaky = service.run_watch(ctx, OWNER, "health-masking", now=datetime(2026, 1, 1, 10, tzinfo=UTC))
    assert leaky["matches"] >= 1 and leaky["delivered"] == leaky["matches"]
    alerts = _alerts(tmp_path)
    assert {row["role"] for a in alerts for row in a["rows"]} == {"investigator"}
    assert any("arn" in row["field"].lower() for a in alerts for row in a["rows"])
    secrets = [c.secret for c in canaries(canary_events(ctx.policy), ctx.policy)]
    body = (tmp_path / "alerts.jsonl").read_text()
    assert secrets and not [s for s in secrets if len(s) > 6 and s in body], "an alert carries a canary value"
    policy.write_text(text, encoding="utf-8")  # fixed: the next run resolves every open alert
    fixed = _ctx(tmp_path, [watch], policy)
    healed = service.run_watch(fixed, OWNER, "health-masking", now=datetime(2026, 1, 1, 11, tzinfo=UTC))
    assert (healed["rows"], healed["resolved"]) == (0, leaky["matches"])
    assert [a.get("resolved", False) for a in _alerts(tmp_path)].count(True) == leaky["matches"]


def test_policy_drift_names_the_new_field(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"name": "health-policy-drift", "destinations": ["sink"]}])
    event = {
        "eventVersion": "1.11",
        "eventTime": "2025-03-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "ListBuckets",
        "awsRegion": "us-east-1",
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/drifter"},
        "brandNewAwsField": {"mode": "x"},
        "eventID": "drift-1",
    }
    _ingest(ctx, tmp_path, [event], "drift")
    ran = service.run_watch(ctx, OWNER, "health-policy-drift", manual=True)
    assert ran["matches"] >= 1
    paths = [row["path"] for a in _alerts(tmp_path) for row in a["rows"]]
    assert any(p.startswith("brandNewAwsField") for p in paths), paths
    assert "drifter" not in (tmp_path / "alerts.jsonl").read_text()


def test_delivery_gap_alerts_masked_and_resolves_when_events_arrive(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"name": "health-delivery-gaps", "destinations": ["sink"]}])

    def event(minute: str, n: int) -> dict[str, Any]:
        return {
            "eventVersion": "1.09",
            "eventTime": f"2024-06-10T{minute}:00Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "ListBuckets",
            "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/app"},
            "eventID": f"gap-{n}",
        }

    _ingest(ctx, tmp_path, [event("08:50", 1), event("08:55", 2), event("09:00", 3)], "a")
    silent = service.run_watch(ctx, OWNER, "health-delivery-gaps", now=datetime(2024, 6, 10, 12, tzinfo=UTC))
    assert silent["matches"] == 1
    [alert] = _alerts(tmp_path)
    assert alert["role"] == "investigator" and "111122223333" not in json.dumps(alert)
    assert alert["rows"][0]["awsRegion"] == "us-east-1" and alert["rows"][0]["silent_minutes"] == 180
    _ingest(ctx, tmp_path, [event("12:05", 4)], "b")
    back = service.run_watch(ctx, OWNER, "health-delivery-gaps", now=datetime(2024, 6, 10, 12, 15, tzinfo=UTC))
    assert (back["matches"], back["resolved"]) == (0, 1)


def test_a_configured_entry_merges_over_a_builtin(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"name": "health-masking", "enabled": False, "schedule": {"every": "6h"}}])
    shown = service.manage(ctx, OWNER, "show", "health-masking")
    assert (shown["enabled"], shown["schedule"], shown["check"]) == (False, "every 21600s", "masking-canary")
    assert "health-masking" not in service.due_watches(ctx, datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(ConfigError, match="'check'"):
        service.monitoring(_ctx(tmp_path, [{"name": "health-masking", "check": "nope"}]))
    with pytest.raises(ConfigError, match="exactly one of 'runbook' or 'check'"):
        service.monitoring(
            _ctx(tmp_path, [{"name": "x", "schedule": {"every": "1h"}, "role": "admin", "destinations": ["sink"]}])
        )


def test_status_reports_the_health_watches_last_runs(tmp_path: Path) -> None:
    """GET /api/status (service.dashboards.data_status) carries each health watch's last run, outcome and
    open alerts, for any role; reading it creates no watch state file."""
    from trailmask.models import Actor
    from trailmask.monitor.state import state_path
    from trailmask.service.dashboards import data_status

    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace(LEAKY, "      arn: keep\n"), encoding="utf-8")
    ctx = _ctx(tmp_path, [], policy)
    event = {
        "eventVersion": "1.11",
        "eventTime": "2025-03-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "ListBuckets",
        "awsRegion": "eu-west-1",
        "eventID": "e-1",
        "recipientAccountId": "111122223333",
    }
    _ingest(ctx, tmp_path, [event], "one")
    viewer = Actor(name="v", role="viewer")
    before = {item["watch"]: item for item in data_status(ctx, viewer)["health"]}
    assert set(before) == {
        "health-masking", "health-policy-drift", "health-delivery-gaps", "health-audit-chain", "health-raw-access",
        "health-verify",
    }  # fmt: skip
    assert (before["health-audit-chain"]["check"], before["health-raw-access"]["check"]) == (
        "audit-chain",
        "raw-access",
    )
    assert all(item["last_run"] is None and item["open_alerts"] == 0 for item in before.values())
    assert before["health-masking"]["check"] == "masking-canary"
    assert not state_path(ctx.settings.db).exists()
    leaky = service.run_watch(ctx, OWNER, "health-masking", now=datetime(2026, 1, 1, 10, tzinfo=UTC))
    after = {item["watch"]: item for item in data_status(ctx, viewer)["health"]}
    assert after["health-masking"]["outcome"] == "ok" and after["health-masking"]["last_run"].endswith("Z")
    assert after["health-masking"]["open_alerts"] == leaky["matches"] >= 1
    assert after["health-policy-drift"]["last_run"] is None
