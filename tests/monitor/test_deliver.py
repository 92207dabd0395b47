"""Each destination type delivers to a real receiver on 127.0.0.1: bodies, signatures, retries, secrets."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from tests.monitor.receivers import http_receiver

from trailmask.errors import ConfigError
from trailmask.monitor.deliver import deliver_with_retries
from trailmask.monitor.spec import parse_destination

ALERT: dict[str, Any] = {
    "watch": "root",
    "runbook": "root-account-activity",
    "role": "investigator",
    "dedup_key": "acct=tok_abc",
    "rows": [{"recipientAccountId": "tok_abc", "events": 3}],
}
SECRET = "hook-shared-secret-1234"


def _send(raw: dict[str, Any], alert: dict[str, Any] = ALERT) -> tuple[bool, list[tuple[int, str | None]]]:
    attempts: list[tuple[int, str | None]] = []
    ok = deliver_with_retries(
        parse_destination("d", raw),
        alert,
        "root:d:acct=tok_abc",
        on_attempt=lambda n, e: attempts.append((n, e)),
        sleep=lambda _s: None,
    )
    return ok, attempts


def test_webhook_signature_verifies_and_secret_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    with http_receiver() as receiver:
        ok, attempts = _send({"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET"})
    assert ok and attempts == [(1, None)]
    [request] = receiver.requests
    timestamp = request.headers["X-Trailmask-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Trailmask-Signature"] == "sha256=" + expected
    assert request.headers["X-Trailmask-Delivery"] == "root:d:acct=tok_abc"
    assert json.loads(request.body) == ALERT
    assert SECRET not in request.body.decode() and SECRET not in json.dumps(request.headers)


def test_webhook_retries_500_then_200() -> None:
    with http_receiver(statuses=[500]) as receiver:
        ok, attempts = _send({"type": "webhook", "url": receiver.url, "retries": 2})
    assert ok and attempts == [(1, "HTTP 500"), (2, None)]
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body


def test_last_failure_reports_dead_letter() -> None:
    with http_receiver(statuses=[500, 503]) as receiver:
        ok, attempts = _send({"type": "webhook", "url": receiver.url, "retries": 1})
    assert not ok and attempts == [(1, "HTTP 500"), (2, "HTTP 503")]


def test_slack_block_kit_message() -> None:
    with http_receiver() as receiver:
        assert _send({"type": "slack", "url": receiver.url})[0]
    body = json.loads(receiver.requests[0].body)
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "section", "context"]
    assert "tok_abc" in body["blocks"][2]["text"]["text"]


def test_pagerduty_trigger_and_resolve_with_dedup_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PD_KEY", "R0UTINGKEY")
    with http_receiver() as receiver:
        raw = {"type": "pagerduty", "url": receiver.url, "secret_env": "PD_KEY", "severity": "critical"}
        assert _send(raw)[0]
        assert _send(raw, {**ALERT, "resolved": True})[0]
    trigger, resolve = (json.loads(r.body) for r in receiver.requests)
    assert trigger["event_action"] == "trigger" and trigger["routing_key"] == "R0UTINGKEY"
    assert trigger["payload"]["severity"] == "critical"
    assert resolve == {"routing_key": "R0UTINGKEY", "dedup_key": trigger["dedup_key"], "event_action": "resolve"}


def test_pagerduty_without_a_routing_key_names_the_fix() -> None:
    with pytest.raises(ConfigError, match="needs secret_env or secret_file"):
        _send({"type": "pagerduty", "url": "http://127.0.0.1:9/"})


class _Sink:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def test_email_over_smtp() -> None:
    sink = _Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        raw = {
            "type": "email",
            "host": "127.0.0.1",
            "port": port,
            "sender": "tm@example.org",
            "to": ["oncall@example.org"],
        }
        assert _send(raw)[0]
    finally:
        controller.stop()
    [message] = sink.messages
    assert b"root:d:acct=tok_abc" in message and b"tok_abc" in message


def test_file_sink_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    assert _send({"type": "file", "path": str(path)})[0]
    assert _send({"type": "file", "path": str(path)})[0]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 2 and lines[0]["delivery_id"] == "root:d:acct=tok_abc" and lines[0]["rows"] == ALERT["rows"]
