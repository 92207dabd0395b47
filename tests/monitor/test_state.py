"""The watch state file: dedup, high-water marks, reset, and the outbox across a real kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from trailmask.monitor.state import WatchState


def test_a_dedup_key_alerts_once_and_queues_one_delivery_per_destination(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "watches.sqlite")
    assert state.record_match("w", "acct=1", {"rows": [{"n": 1}]}, ["a", "b"])
    assert not state.record_match("w", "acct=1", {"rows": [{"n": 2}]}, ["a", "b"])
    assert [d.destination for d in state.pending("w")] == ["a", "b"]
    state.mark_delivered("w:a:acct=1")
    state.note_attempt("w:b:acct=1", "HTTP 500")
    state.mark_dead("w:b:acct=1")
    assert state.pending() == []
    assert state.summary("w")["deliveries"] == {"delivered": 1, "dead": 1}


def test_high_water_moves_only_on_success_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "watches.sqlite"
    WatchState(path).finish_run("w", None, "2024-01-01T00:05:00Z", outcome="ok", rows=2, matches=1)
    WatchState(path).finish_run(
        "w", "2024-01-01T00:05:00Z", "2024-01-01T00:10:00Z", outcome="failed", rows=0, matches=0
    )
    reopened = WatchState(path)
    assert reopened.high_water("w") == "2024-01-01T00:05:00Z"
    assert [r["outcome"] for r in reopened.history("w")] == ["failed", "ok"]


def test_reset_per_key_and_whole(tmp_path: Path) -> None:
    state = WatchState(tmp_path / "watches.sqlite")
    for key in ("k1", "k2"):
        state.record_match("w", key, {}, ["a"])
    state.finish_run("w", None, "2024-01-01T00:00:00Z", outcome="ok", rows=2, matches=2)
    assert state.reset("w", ["k1"]) == 1
    assert state.summary("w")["alerted_keys"] == ["k2"]
    assert state.record_match("w", "k1", {}, ["a"])  # alerts again after its reset
    assert state.reset("w") == 2
    assert state.summary("w") == {
        "watch": "w",
        "high_water": None,
        "alerted_keys": [],
        "open_keys": [],
        "deliveries": {},
    }


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from trailmask.monitor.state import WatchState
    state = WatchState(Path(sys.argv[1]))
    received = Path(sys.argv[2])
    state.record_match("w", "k", {"rows": [{"x": 1}]}, ["first", "second"])
    for delivery in state.pending():
        if delivery.destination == "second":
            print("in-delivery", flush=True)
            time.sleep(60)  # killed here: the match is recorded, this delivery is not done
        with received.open("a") as out:
            out.write(delivery.delivery_id + "\\n")
        state.mark_delivered(delivery.delivery_id)
    """
)


def test_kill_during_delivery_neither_drops_nor_repeats(tmp_path: Path) -> None:
    path, received = tmp_path / "watches.sqlite", tmp_path / "received.txt"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(path), str(received)], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "in-delivery"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    assert received.read_text().splitlines() == ["w:first:k"]
    # the restarted process: the same match is not recorded twice, the unfinished delivery resumes
    state = WatchState(path)
    assert not state.record_match("w", "k", {"rows": [{"x": 1}]}, ["first", "second"])
    pending = state.pending()
    assert [d.delivery_id for d in pending] == ["w:second:k"]
    assert pending[0].payload == {"rows": [{"x": 1}]}
    for delivery in pending:
        with received.open("a") as out:
            out.write(delivery.delivery_id + "\n")
        state.mark_delivered(delivery.delivery_id)
    assert received.read_text().splitlines() == ["w:first:k", "w:second:k"]
    assert json.dumps(state.summary("w")["deliveries"]) == json.dumps({"delivered": 2})
