"""A real ``trailmask serve`` on 127.0.0.1: the CLI in client mode, approvals over the CLI, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.api.conftest import OWNER
from tests.api.server import ServerProcess
from tests.conftest import Cli

from trailmask.config import Settings
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

pytestmark = pytest.mark.slow
SLOW_SQL = (
    "SELECT count(*) AS n FROM events a, events b, (SELECT * FROM events LIMIT 16) c "
    "WHERE md5(concat(a.eventTime, b.eventTime, c.eventTime)) < '1'"
)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, loaded_store: Path
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    db = tmp_path_factory.mktemp("served") / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    ctx = AppContext.from_settings(Settings(db=db))
    tokens = {
        n: add_user(ctx, OWNER, n, r)[1] for n, r in [("ana", "admin"), ("ian", "investigator"), ("val", "viewer")]
    }
    with ServerProcess(db, {"rate_limit": {"per_second": 1000}}) as server:
        yield server, tokens


def _client_cli(server: ServerProcess, token: str, tmp_path: Path) -> Cli:
    # the client uses no store of its own: point --db somewhere empty to prove it
    return Cli(tmp_path / "unused.duckdb", env={"TRAILMASK_SERVER": server.url, "TRAILMASK_TOKEN": token})


def test_cli_sql_against_server(served: tuple[ServerProcess, dict[str, str]], tmp_path: Path) -> None:
    server, tokens = served
    cli = _client_cli(server, tokens["ian"], tmp_path)
    result = cli("sql", "SELECT eventName FROM events ORDER BY eventName LIMIT 2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len(result.json()) == 2 and "eventName" in result.json()[0]
    assert not (tmp_path / "unused.duckdb").exists()
    refused = cli("sql", "SELECT 1", "--as", "admin")
    assert refused.exit_code == 2 and "--as cannot be used with --server" in refused.stderr
    viewer = _client_cli(server, tokens["val"], tmp_path)("sql", "SELECT 1 AS x FROM events")
    assert viewer.exit_code == 6 and "lacks permission 'sql'" in viewer.stderr
    bad = _client_cli(server, "tm_000000000000_" + "x" * 43, tmp_path)("sql", "SELECT 1")
    assert bad.exit_code == 5
    down = Cli(tmp_path / "u.duckdb", env={"TRAILMASK_SERVER": "http://127.0.0.1:9", "TRAILMASK_TOKEN": "t"})
    assert "cannot reach the trailmask server" in down("sql", "SELECT 1").stderr


def test_approval_flow_over_cli(served: tuple[ServerProcess, dict[str, str]], tmp_path: Path) -> None:
    server, tokens = served
    ian, ana = _client_cli(server, tokens["ian"], tmp_path), _client_cli(server, tokens["ana"], tmp_path)
    sql = "SELECT sourceIPAddress FROM events WHERE sourceIPAddress IS NOT NULL LIMIT 1"
    asked = ian("approval", "request", "--sql", sql, "--justification", "INC-7 source address", "--format", "json")
    assert asked.exit_code == 0, asked.stderr
    ident = asked.json()["id"]
    assert ian("approval", "approve", ident).exit_code == 6
    pending = ana("approval", "list", "--status", "pending", "--format", "json").json()
    assert ident in [a["id"] for a in pending]
    assert ana("approval", "approve", ident, "--comment", "ok").exit_code == 0
    ran = ian("approval", "run", ident, "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    assert len(ran.json()) == 1
    assert ian("approval", "run", ident).exit_code == 11
    local = Cli(tmp_path / "x.duckdb")("approval", "list")
    assert local.exit_code == 2 and "need a server" in local.stderr


def test_graceful_shutdown_finishes_requests_in_flight(loaded_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    token = add_user(AppContext.from_settings(Settings(db=db)), OWNER, "ana", "admin")[1]
    server = ServerProcess(db, {"graceful_timeout_s": 60}).start()
    outcome: dict[str, Any] = {}

    def slow() -> None:
        try:
            response = httpx.post(
                f"{server.url}/api/sql",
                json={"sql": SLOW_SQL},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            outcome["status"], outcome["body"] = response.status_code, response.json()
        except httpx.HTTPError as exc:
            outcome["error"] = repr(exc)

    worker = threading.Thread(target=slow)
    worker.start()
    try:
        time.sleep(1.0)  # the request reaches the server at once; its query then runs for seconds
        code = server.stop(timeout_s=60)
    finally:
        worker.join(60)
        server.stop()
    assert outcome.get("status") == 200, outcome
    assert outcome["body"]["rows"][0]["n"] >= 0
    assert code == 0  # a clean exit after the graceful shutdown
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{server.url}/healthz", timeout=2)
