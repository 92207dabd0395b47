"""A real ``kill -9`` in the middle of an ingest leaves the store as it was before that batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.conftest import awsdocs_events

FILES = 120
EVENTS_PER_FILE = 400


def _write_inputs(folder: Path) -> int:
    base = awsdocs_events()
    folder.mkdir()
    for f in range(FILES):
        lines = []
        for i in range(EVENTS_PER_FILE):
            event = dict(base[i % len(base)])
            event["eventID"] = f"crash-{f}-{i}"
            lines.append(json.dumps(event))
        (folder / f"part-{f:04d}.jsonl").write_text("\n".join(lines) + "\n")
    return FILES * EVENTS_PER_FILE


def _ingest(db: Path, folder: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "trailmask", "--db", str(db), "ingest", str(folder), "--batch-files", "6"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _check_consistent(db: Path) -> int:
    """Every committed batch is whole, nothing of an uncommitted batch is visible."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        events = conn.execute("SELECT count(*) FROM events").fetchone()
        recorded = conn.execute("SELECT coalesce(sum(new_events), 0) FROM tm_files").fetchone()
        assert events is not None and recorded is not None
        assert events[0] == recorded[0]
        orphans = conn.execute(
            "SELECT count(*) FROM events WHERE tm_batch NOT IN (SELECT batch FROM tm_files)"
        ).fetchone()
        assert orphans == (0,)
        partial = conn.execute(
            "SELECT count(*) FROM (SELECT tm_source, count(*) AS n FROM events GROUP BY 1) WHERE n <> ?",
            [EVENTS_PER_FILE],
        ).fetchone()
        assert partial == (0,)
        return int(events[0])
    finally:
        conn.close()


def _kill_after(db: Path, folder: Path, seconds: float) -> None:
    process = _ingest(db, folder)
    time.sleep(seconds)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_kill_9_mid_ingest_then_rerun_completes(tmp_path: Path) -> None:
    total = _write_inputs(tmp_path / "in")
    started = time.monotonic()
    _ingest(tmp_path / "timing.duckdb", tmp_path / "in").wait()
    full = time.monotonic() - started
    # kill part-way through (retry at other points if the kill landed before the first or after the last commit)
    for attempt, fraction in enumerate((0.5, 0.7, 0.35, 0.85)):
        db = tmp_path / f"store{attempt}.duckdb"
        _kill_after(db, tmp_path / "in", full * fraction)
        loaded = _check_consistent(db)
        if 0 < loaded < total:
            break
    assert 0 < loaded < total, "could not kill the ingest between two batches"
    rerun = subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), "ingest", str(tmp_path / "in"), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["new_events"] == total - loaded
    assert summary["duplicates"] == loaded
    assert _check_consistent(db) == total
