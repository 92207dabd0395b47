"""Watch state that survives restarts: runs, high-water marks, alerts per dedup key, the outbox.

One SQLite file (WAL; each call its own short transaction). Exactly-once alerting is an outbox:

1. :meth:`WatchState.record_match` stores the dedup key and one ``pending`` outbox row per
   destination in ONE transaction; a key already stored records nothing (no second alert).
2. a deliverer reads :meth:`pending` rows and, after the destination accepted one, calls
   :meth:`mark_delivered` (or :meth:`mark_dead` after the last retry).

A process killed between 1 and 2 leaves the rows pending; the next process delivers them, so no
match is dropped. A kill after the destination accepted but before step 2 resends the same row:
every row carries a stable ``delivery_id`` (webhook header, PagerDuty dedup_key) for receivers to
drop the repeat. Payloads are the role-masked rows only; no secret is ever stored here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trailmask.errors import StoreError

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS watch_runs (
        watch TEXT NOT NULL, started_at TEXT NOT NULL, window_start TEXT, window_end TEXT NOT NULL,
        outcome TEXT NOT NULL, rows INTEGER NOT NULL, matches INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS watch_marks (watch TEXT PRIMARY KEY, high_water TEXT NOT NULL)""",
    # when the scheduler first saw a watch that never ran: a cron watch waits for its first time after it
    """CREATE TABLE IF NOT EXISTS watch_seen (watch TEXT PRIMARY KEY, first_seen TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS watch_alerts (
        watch TEXT NOT NULL, dedup_key TEXT NOT NULL, first_at TEXT NOT NULL,
        generation INTEGER NOT NULL DEFAULT 1, resolved_at TEXT, PRIMARY KEY (watch, dedup_key))""",
    """CREATE TABLE IF NOT EXISTS watch_outbox (
        delivery_id TEXT PRIMARY KEY, watch TEXT NOT NULL, dedup_key TEXT NOT NULL, destination TEXT NOT NULL,
        payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, done_at TEXT, last_error TEXT)""",
)


# Columns added after the first release, added to an older state file on open.
MIGRATIONS = {
    "watch_alerts": (("generation", "INTEGER NOT NULL DEFAULT 1"), ("resolved_at", "TEXT")),
}


def incident_id(watch: str, destination: str, dedup_key: str, generation: int) -> str:
    """The delivery id of an alert (PagerDuty dedup_key): a key alerting again after it resolved is
    a new incident (``#2``, ``#3`` ...)."""
    return f"{watch}:{destination}:{dedup_key}" + (f"#{generation}" if generation > 1 else "")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    watch: str
    dedup_key: str
    destination: str
    payload: dict[str, Any]
    attempts: int


def state_path(db: Path) -> Path:
    """The watch state file of the store ``db``: ``<db>.watches.sqlite`` beside it."""
    return db.with_name(db.name + ".watches.sqlite")


class WatchState:
    """The state file of the watches of one store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the watch state file {self.path} ({type(exc).__name__})") from None
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            for statement in SCHEMA:
                conn.execute(statement)
            for table, columns in MIGRATIONS.items():
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns:
                    if name not in have:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"the watch state file {self.path} failed ({type(exc).__name__}: {exc})") from None
        finally:
            conn.close()

    # ---- high-water mark and runs ----

    def high_water(self, watch: str) -> str | None:
        with self._tx() as conn:
            row = conn.execute("SELECT high_water FROM watch_marks WHERE watch = ?", (watch,)).fetchone()
        return None if row is None else str(row["high_water"])

    def finish_run(
        self, watch: str, window_start: str | None, window_end: str, *, outcome: str, rows: int, matches: int
    ) -> None:
        """Record a run; a successful one moves the high-water mark to ``window_end``."""
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO watch_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (watch, _now(), window_start, window_end, outcome, rows, matches),
            )
            if outcome == "ok":
                conn.execute(
                    "INSERT INTO watch_marks VALUES (?, ?)"
                    " ON CONFLICT (watch) DO UPDATE SET high_water = excluded.high_water",
                    (watch, window_end),
                )

    def first_seen(self, watch: str, now: str) -> str:
        """When the scheduler first saw ``watch`` (``now`` the first time it asks)."""
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO watch_seen VALUES (?, ?)", (watch, now))
            row = conn.execute("SELECT first_seen FROM watch_seen WHERE watch = ?", (watch,)).fetchone()
        return str(row["first_seen"])

    def history(self, watch: str, limit: int = 50) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT * FROM watch_runs WHERE watch = ? ORDER BY rowid DESC LIMIT ?", (watch, limit)
            ).fetchall()
        return [dict(r) for r in rows]

    # ---- alerts and the outbox ----

    def record_match(self, watch: str, dedup_key: str, payload: dict[str, Any], destinations: Sequence[str]) -> bool:
        """Store a new alert and its pending deliveries atomically; False while the key's alert is open.

        A key whose alert was resolved (:meth:`resolve_cleared`) alerts again, as a new incident.
        """
        body = json.dumps(payload, sort_keys=True, default=str)
        with self._tx() as conn:
            row = conn.execute(
                "SELECT generation, resolved_at FROM watch_alerts WHERE watch = ? AND dedup_key = ?", (watch, dedup_key)
            ).fetchone()
            if row is not None and row["resolved_at"] is None:
                return False
            generation = 1 if row is None else int(row["generation"]) + 1
            conn.execute(
                "INSERT INTO watch_alerts (watch, dedup_key, first_at, generation) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (watch, dedup_key) DO UPDATE SET"
                " first_at = excluded.first_at, generation = excluded.generation, resolved_at = NULL",
                (watch, dedup_key, _now(), generation),
            )
            for destination in destinations:
                self._enqueue(conn, incident_id(watch, destination, dedup_key, generation), watch, dedup_key,
                              destination, body)  # fmt: skip
        return True

    def resolve_cleared(
        self, watch: str, matched: set[str], alert: dict[str, Any], destinations: Sequence[str]
    ) -> list[str]:
        """Resolve every open alert of ``watch`` whose key is not in ``matched`` (the condition cleared):
        mark it resolved and queue a ``resolved`` delivery per destination, in one transaction."""
        resolved = []
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT dedup_key, generation FROM watch_alerts WHERE watch = ? AND resolved_at IS NULL ORDER BY 1",
                (watch,),
            ).fetchall()
            for row in rows:
                key, generation = str(row["dedup_key"]), int(row["generation"])
                if key in matched:
                    continue
                conn.execute(
                    "UPDATE watch_alerts SET resolved_at = ? WHERE watch = ? AND dedup_key = ?", (_now(), watch, key)
                )
                for destination in destinations:
                    incident = incident_id(watch, destination, key, generation)
                    payload = {**alert, "dedup_key": key, "incident": incident, "resolved": True, "rows": []}
                    body = json.dumps(payload, sort_keys=True, default=str)
                    self._enqueue(conn, incident + ":resolved", watch, key, destination, body)
                resolved.append(key)
        return resolved

    @staticmethod
    def _enqueue(conn: sqlite3.Connection, delivery_id: str, watch: str, key: str, destination: str, body: str) -> None:
        conn.execute(
            "INSERT INTO watch_outbox (delivery_id, watch, dedup_key, destination, payload, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'pending', ?)",
            (delivery_id, watch, key, destination, body, _now()),
        )

    def pending(self, watch: str | None = None) -> list[Delivery]:
        query = "SELECT * FROM watch_outbox WHERE status = 'pending'" + (" AND watch = ?" if watch else "")
        with self._tx() as conn:
            rows = conn.execute(query + " ORDER BY created_at, rowid", (watch,) if watch else ()).fetchall()
        return [
            Delivery(
                r["delivery_id"], r["watch"], r["dedup_key"], r["destination"], json.loads(r["payload"]), r["attempts"]
            )
            for r in rows
        ]

    def note_attempt(self, delivery_id: str, error: str | None) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE watch_outbox SET attempts = attempts + 1, last_error = ? WHERE delivery_id = ?",
                (error, delivery_id),
            )

    def mark_delivered(self, delivery_id: str) -> None:
        self._finish(delivery_id, "delivered")

    def mark_dead(self, delivery_id: str) -> None:
        """The dead-letter record: every retry failed; kept for inspection, never resent by itself."""
        self._finish(delivery_id, "dead")

    def _finish(self, delivery_id: str, status: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "UPDATE watch_outbox SET status = ?, done_at = ? WHERE delivery_id = ? AND status = 'pending'",
                (status, _now(), delivery_id),
            )

    # ---- inspection and reset ----

    def summary(self, watch: str) -> dict[str, Any]:
        """What a watch's state holds (keys, counts per delivery status), no payloads."""
        with self._tx() as conn:
            mark = conn.execute("SELECT high_water FROM watch_marks WHERE watch = ?", (watch,)).fetchone()
            alerts = conn.execute(
                "SELECT dedup_key, resolved_at FROM watch_alerts WHERE watch = ? ORDER BY 1", (watch,)
            ).fetchall()
            keys = [r[0] for r in alerts]
            open_keys = [r[0] for r in alerts if r[1] is None]
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM watch_outbox WHERE watch = ? GROUP BY 1", (watch,)
                ).fetchall()
            )
        return {
            "watch": watch,
            "high_water": mark[0] if mark else None,
            "alerted_keys": keys,
            "open_keys": open_keys,
            "deliveries": statuses,
        }

    def reset(self, watch: str, keys: Sequence[str] = ()) -> int:
        """Forget the watch (mark, alerts, outbox) or only ``keys``; returns the alerts forgotten."""
        with self._tx() as conn:
            if keys:
                marks = ",".join("?" * len(keys))
                conn.execute(f"DELETE FROM watch_outbox WHERE watch = ? AND dedup_key IN ({marks})", (watch, *keys))
                return conn.execute(
                    f"DELETE FROM watch_alerts WHERE watch = ? AND dedup_key IN ({marks})", (watch, *keys)
                ).rowcount
            conn.execute("DELETE FROM watch_marks WHERE watch = ?", (watch,))
            conn.execute("DELETE FROM watch_outbox WHERE watch = ?", (watch,))
            return conn.execute("DELETE FROM watch_alerts WHERE watch = ?", (watch,)).rowcount

    def last_runs(self, watches: Sequence[str]) -> list[dict[str, Any]]:
        """Per watch: when it last ran, how that run ended and how many alerts are open (counts
        and times only). Read-only: a state file that does not exist yet is not created."""
        found: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            counters = self.counters()
            runs = {labels["watch"]: (labels["outcome"], at) for labels, at in counters["last_run"]}
            opened = {labels["watch"]: n for labels, n in counters["open"]}
            for watch in watches:
                outcome, at = runs.get(watch, (None, None))
                ran = None if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                found[watch] = {"last_run": ran, "outcome": outcome, "open_alerts": opened.get(watch, 0)}
        empty = {"last_run": None, "outcome": None, "open_alerts": 0}
        return [{"watch": watch, **found.get(watch, empty)} for watch in watches]

    def counters(self) -> dict[str, list[tuple[dict[str, str], int]]]:
        """Totals for /metrics: runs per watch and outcome, matches per watch, deliveries per status."""
        with self._tx() as conn:
            runs = conn.execute(
                "SELECT watch, outcome, count(*), sum(matches) FROM watch_runs GROUP BY 1, 2"
            ).fetchall()
            deliveries = conn.execute(
                "SELECT watch, destination, status, count(*), sum(attempts) FROM watch_outbox GROUP BY 1, 2, 3"
            ).fetchall()
            open_alerts = conn.execute(
                "SELECT watch, count(*) FROM watch_alerts WHERE resolved_at IS NULL GROUP BY 1 ORDER BY 1"
            ).fetchall()
            last = conn.execute(
                "SELECT watch, started_at, outcome FROM watch_runs"
                " WHERE rowid IN (SELECT max(rowid) FROM watch_runs GROUP BY watch) ORDER BY 1"
            ).fetchall()
        matches: dict[str, int] = {}
        for r in runs:
            matches[r[0]] = matches.get(r[0], 0) + int(r[3] or 0)
        return {
            "runs": [({"watch": r[0], "outcome": r[1]}, int(r[2])) for r in runs],
            "matches": [({"watch": w}, n) for w, n in sorted(matches.items())],
            "deliveries": [({"watch": r[0], "destination": r[1], "status": r[2]}, int(r[3])) for r in deliveries],
            "attempts": [({"watch": r[0], "destination": r[1], "status": r[2]}, int(r[4] or 0)) for r in deliveries],
            "open": [({"watch": r[0]}, int(r[1])) for r in open_alerts],
            "last_run": [({"watch": r[0], "outcome": r[2]}, _epoch(r[1])) for r in last],
        }


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
