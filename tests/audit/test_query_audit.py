"""Every query through the service path is audited before the answer; a failed write fails it."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from tests.conftest import Cli, awsdocs_events, write_jsonl

from trailmask.audit import AuditLog, verify


@pytest.fixture
def loaded(tm: Cli, tmp_path: Path) -> Cli:
    source = write_jsonl(tmp_path / "events.jsonl", awsdocs_events())
    assert tm("ingest", str(source)).exit_code == 0
    return tm


def _log(store_path: Path) -> AuditLog:
    return AuditLog(store_path.with_name(store_path.name + ".audit.jsonl"))


def test_allowed_query_recorded_without_literals(loaded: Cli, store_path: Path) -> None:
    sql = "SELECT eventName FROM events WHERE sourceIPAddress = '203.0.113.99'"
    result = loaded("sql", sql, "--as", "admin", "--format", "json")
    assert result.exit_code == 0, result.stderr
    entries = list(_log(store_path).entries())
    entry = entries[-1]
    assert entry["actor"] == f"local:{getpass.getuser()}"  # the OS user at the keyboard (issue 12.5)
    assert entry["via"] == "cli-owner"
    assert entry["role"] == "admin"
    assert entry["action"] == "sql"
    assert entry["outcome"] == "ok"
    assert entry["rows"] == len(result.json())
    assert entry["sql_shape"] == "select eventname from events where sourceipaddress = ?"
    assert "203.0.113.99" not in _log(store_path).path.read_text()
    assert verify(_log(store_path)).ok


def test_denied_query_recorded(loaded: Cli, store_path: Path) -> None:
    result = loaded("sql", "SELECT 1 FROM events", "--as", "viewer")
    assert result.exit_code == 6
    assert "lacks permission 'sql'" in result.stderr
    entry = list(_log(store_path).entries())[-1]
    assert (entry["role"], entry["outcome"]) == ("viewer", "forbidden")


def test_failed_audit_write_fails_the_request(loaded: Cli, store_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    blocked = tmp_path / "not-a-file"
    blocked.mkdir()
    config.write_text(json.dumps({"audit": {"path": str(blocked)}}))
    result = loaded("--config", str(config), "sql", "SELECT count(*) AS n FROM events", "--as", "admin")
    assert result.exit_code == 10, result.stdout
    assert "could not write the audit log" in result.stderr
    assert result.stdout == ""  # no rows were shown
