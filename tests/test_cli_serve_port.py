"""``trailmask serve`` on a port already in use (issue 12.5): a clear error and exit 2 before any
"serving" line or server-start audit entry; a free port still serves (the real console script)."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

from tests.api.server import ServerProcess
from tests.conftest import tm_process

from trailmask.errors import UsageError


def test_port_in_use_fails_before_serving(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = tm_process("--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port), timeout=60)
    assert result.returncode == UsageError.exit_code == 2, result.stderr
    assert f"error: cannot listen on 127.0.0.1:{port}: already in use" in result.stderr
    assert "--port" in result.stderr  # says what to do
    assert "serving" not in result.stderr and "Traceback" not in result.stderr
    audit = Path(str(db) + ".audit.jsonl")
    starts = [json.loads(line) for line in audit.read_text().splitlines()] if audit.exists() else []
    assert not [e for e in starts if e["action"] == "server.start"]


def test_free_port_serves(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "store.duckdb").start()
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.stop()
