"""Issue 12.5: ``--format table`` piped is plain tab-separated text (no box drawing, nothing wrapped);
on a terminal it stays a Rich table; an empty result says ``0 rows`` and the span searched.
Runs the real console script (stdout a pipe, or a pseudo-terminal)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from trailmask.config import load_settings
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest

CONSOLE = Path(sys.executable).parent / "trailmask"
LONG_AGENT = "aws-cli/2.15.0 " + "x" * 300 + "\tend"
BOX = set("│┃━┏┓└┘┡┩╇")


def _event(event_id: str, hour: int) -> dict[str, object]:
    return {
        "eventVersion": "1.09",
        "eventTime": f"2024-03-0{hour}T10:00:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "ListUsers",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": LONG_AGENT,
        "eventID": event_id,
        "userIdentity": {"type": "IAMUser", "userName": "alice"},
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pipe")
    source = root / "events.jsonl"
    source.write_text("".join(json.dumps(_event(f"e{i}", i)) + "\n" for i in (1, 2)), encoding="utf-8")
    store = root / "store.duckdb"
    ctx = AppContext.from_settings(load_settings({"db": str(store)}, env={}))
    assert not ingest(ctx, Actor("owner", "admin"), [str(source)]).rejected
    return store


def _piped(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE), "--db", str(db), *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip


def test_piped_table_is_tab_separated_and_never_wrapped(db: Path) -> None:
    sql = "SELECT eventID, userAgent, userIdentity.userName AS name FROM events ORDER BY eventID"
    out = _piped(db, "sql", sql, "--as", "investigator")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert not BOX & set(out.stdout)
    assert lines[0] == "eventID\tuserAgent\tname"  # headers whole, even at 80 columns
    assert len(lines) == 3
    event_id, agent, name = lines[1].split("\t")
    assert event_id == "e1" and agent == LONG_AGENT.replace("\t", "\\t") and name.startswith("user_")


def test_terminal_table_is_still_a_table(db: Path) -> None:
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [str(CONSOLE), "--db", str(db), "sql", "SELECT eventID FROM events", "--as", "investigator"],
            stdout=secondary, stderr=subprocess.PIPE, timeout=120, check=False,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )  # fmt: skip
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert done.returncode == 0, done.stderr
    assert BOX & set(shown.decode("utf-8", "replace"))


def test_empty_result_says_0_rows_and_the_span_searched(db: Path) -> None:
    out = _piped(db, "sql", "SELECT eventID FROM events WHERE eventName = 'Nothing'", "--as", "investigator")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "eventID\n"
    assert "0 rows; the 2 events your role can query span 2024-03-01 10:00:00 to 2024-03-02 10:00:00 UTC" in out.stderr
    machine = _piped(db, "sql", "SELECT eventID FROM events WHERE eventName = 'Nothing'", "--as", "admin",
                     "--format", "json")  # fmt: skip
    assert machine.stdout.strip() == "[]" and "0 rows" not in machine.stderr


@pytest.mark.parametrize("role", ["viewer", "investigator"])
def test_an_empty_runbook_result_says_0_rows_and_the_span_the_store_covers(db: Path, role: str) -> None:
    """As sql does: the span comes from the data status every role may read (a viewer has no `sql`)."""
    args = ("runbook", "run", "failed-api-calls-by-service", "--as", role, "-p", "service=iam.amazonaws.com")
    out = _piped(db, *args, "--format", "table")
    assert out.returncode == 0, out.stderr
    assert "0 rows; the store's 2 events span 2024-03-01 10:00:00 to 2024-03-02 10:00:00 UTC" in out.stderr
    machine = _piped(db, *args, "--format", "json")
    assert machine.stdout.strip() == "[]" and "0 rows" not in machine.stderr
