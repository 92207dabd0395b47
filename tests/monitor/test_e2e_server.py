"""End to end through `trailmask serve` (a child process): the server's scheduler runs a watch and
delivers one masked alert per match to a real webhook (HMAC verified), a real SMTP server and a
file; the server is killed (-9) in the middle of the webhook delivery and restarted: nothing is
dropped, nothing is sent twice, and a later restart and run alert nothing new."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from tests.api.server import ServerProcess, free_port
from tests.monitor.test_runner import OWNER, RUNBOOK, _event, _ingest

from trailmask.config import load_settings
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

SECRET = "e2e-hook-secret-5521"
CANARY_USER = "e2e-canary-user-9917"


@contextmanager
def hanging_hook() -> Iterator[dict[str, Any]]:
    """A webhook that holds its first request unanswered (and unrecorded) until ``release`` is set."""
    seen: dict[str, Any] = {"requests": [], "hung": threading.Event(), "release": threading.Event()}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not seen["hung"].is_set():
                seen["hung"].set()
                seen["release"].wait(60)
                return  # never acknowledged: the sender must try again
            seen["requests"].append((dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen["url"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield seen
    finally:
        seen["release"].set()
        server.shutdown()
        server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


def _wait(condition: Any, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_server_alerts_once_per_match_across_a_kill_during_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TM_E2E_HOOK_SECRET", SECRET)
    books = tmp_path / "books"
    books.mkdir()
    (books / "calls-by-user.yaml").write_text(RUNBOOK, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    ctx = AppContext.from_settings(load_settings({"db": str(db)}, env={}))
    recent = datetime.now(UTC) - timedelta(hours=1)
    times = [(recent + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(3)]
    _ingest(ctx, tmp_path, [_event("CreateUser", CANARY_USER, t) for t in times], "a")
    admin = add_user(ctx, OWNER, "boss", "admin")[1]
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    sink = tmp_path / "alerts.jsonl"
    try:
        with hanging_hook() as hook:
            config = {
                "runbooks": [str(books)],
                "destinations": {
                    "hook": {"type": "webhook", "url": hook["url"], "secret_env": "TM_E2E_HOOK_SECRET",
                             "timeout_s": 30, "retries": 0},
                    "mail": {"type": "email", "host": "127.0.0.1", "port": smtp.port, "sender": "tm@example.org",
                             "to": ["soc@example.org"]},
                    "sink": {"type": "file", "path": str(sink)},
                },
                "watches": [
                    {"name": "iam-calls", "runbook": "calls-by-user", "schedule": {"every": "1h"},
                     "role": "investigator", "condition": {"threshold": {"column": "calls", "op": ">=", "value": 2}},
                     "dedup": ["principal", "eventName"], "destinations": ["hook", "mail", "sink"]},
                    {"name": "health-masking", "enabled": False},
                    {"name": "health-policy-drift", "enabled": False},
                    {"name": "health-delivery-gaps", "enabled": False},
                ],
            }  # fmt: skip
            server = ServerProcess(db, {"rate_limit": {"per_second": 1000}}, config)
            server.start()
            assert hook["hung"].wait(60), "the scheduler never delivered to the webhook"
            assert server.proc is not None
            server.proc.kill()  # -9 in the middle of the webhook delivery: mail and file not sent yet
            server.proc.wait()
            hook["release"].set()
            assert not mailbox.messages and not sink.exists()
            server.start()  # the first tick delivers what the killed process left pending
            _wait(lambda: len(hook["requests"]) == 1 and len(mailbox.messages) == 1 and sink.exists())
            time.sleep(1)
            server.stop()
            server.start()  # a graceful restart and a run now: nothing new, nothing repeated
            headers = {"Authorization": f"Bearer {admin}"}
            ran = httpx.post(f"{server.url}/api/watches/iam-calls/run", headers=headers, timeout=60)
            assert ran.status_code == 200, ran.text
            assert ran.json()["matches"] == 0
            state = httpx.get(f"{server.url}/api/watches/iam-calls/state", headers=headers, timeout=30).json()
            server.stop()
            requests = list(hook["requests"])
    finally:
        smtp.stop()
    assert len(requests) == 1 and len(mailbox.messages) == 1 and len(sink.read_text().splitlines()) == 1
    assert state["deliveries"] == {"delivered": 3} and len(state["alerted_keys"]) == 1
    sent_headers, body = requests[0]
    signature = (
        "sha256="
        + hmac.new(
            SECRET.encode(), sent_headers["X-Trailmask-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
    )
    assert hmac.compare_digest(signature, sent_headers["X-Trailmask-Signature"])
    alert = json.loads(body)
    assert alert["rows"][0]["calls"] == 3 and alert["role"] == "investigator"
    for text in (body.decode(), mailbox.messages[0].decode(), sink.read_text()):
        assert CANARY_USER not in text and "111122223333" not in text
        assert "iam-calls" in text
