"""``trailmask demo``: one command from nothing to a served, populated store with demo tokens."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.conftest import Cli


def test_demo_without_serving_is_idempotent_and_prints_tokens(tmp_path: Path) -> None:
    tm = Cli(tmp_path / "demo.duckdb")
    first = tm("demo", "--no-serve", "--events", "600", "--format", "json")
    assert first.exit_code == 0, first.stderr
    setup = json.loads(first.stdout)
    assert setup["events"] == 600
    assert {u["role"] for u in setup["users"]} == {"admin", "investigator", "viewer"}
    assert all(u["token"].startswith("tm_") for u in setup["users"])
    again = json.loads(tm("demo", "--no-serve", "--events", "600", "--format", "json").stdout)
    assert again["events"] == 0  # nothing new on a re-run
    old = {u["name"]: u["token"] for u in setup["users"]}
    assert all(old[u["name"]] != u["token"] for u in again["users"])  # fresh tokens each run
    count = tm("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json").json()
    assert count == [{"n": 600}]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_demo_serves_the_api_with_the_printed_tokens(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAILMASK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "trailmask", "demo", "--events", "500", "--port", str(port), "--format", "json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        setup = json.loads(process.stdout.readline())
        assert setup["url"] == f"http://127.0.0.1:{port}/"
        tokens = {u["role"]: u["token"] for u in setup["users"]}
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{setup['url']}healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "demo server did not come up"
            time.sleep(0.2)
        who = httpx.get(f"{setup['url']}api/whoami", headers={"Authorization": f"Bearer {tokens['investigator']}"})
        assert who.status_code == 200
        assert who.json()["role"] == "investigator"
        assert httpx.get(f"{setup['url']}api/whoami").status_code == 401
        page = httpx.get(setup["url"])
        assert page.status_code == 200
        assert "<html" in page.text.lower()
        assert (tmp_path / "trailmask-demo" / "trailmask.duckdb").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert code == 0
