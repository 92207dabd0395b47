"""The audit log's anchor in the server state: the log's path and the hash of its first entry.

Deleting the log together with its head and key files leaves nothing in the log's folder that
says a log existed; the anchor, in the state file beside the store (service.statedb), does. It is
written once per log, when the first entry is written (or, for a log older than the anchor, the
first time a process appends to it), and never overwritten: a log deleted and started again
no longer begins with the anchored entry, and ``trailmask audit verify`` says so.

An entry can be written while the same thread holds the state's write transaction (user admin
records its event inside it), so the anchor is written on a connection of its own that does not
wait for that lock: when the state is busy the anchor is written by a later append.
"""

from __future__ import annotations

import sqlite3

from trailmask.audit import AuditLog
from trailmask.errors import StoreError
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect, now, read, state_path

_TABLE = """CREATE TABLE IF NOT EXISTS audit_anchor (
    log TEXT PRIMARY KEY, first_hash TEXT NOT NULL, started_at TEXT NOT NULL)"""


def _key(log: AuditLog) -> str:
    return str(log.path.resolve())


def started_hash(ctx: AppContext, log: AuditLog) -> str | None:
    """The first entry's hash the state recorded for ``log``, or None if none was recorded."""
    with connect(ctx) as conn:
        conn.execute(_TABLE)
    with read(ctx) as conn:
        row = conn.execute("SELECT first_hash FROM audit_anchor WHERE log = ?", (_key(log),)).fetchone()
    return str(row["first_hash"]) if row else None


def ensure_anchor(ctx: AppContext, log: AuditLog, seq: int, digest: str) -> None:
    """Record the log's first entry hash once (``seq``/``digest``: the entry just appended)."""
    if ctx.anchored_log == _key(log):
        return
    if seq == 1:
        first = digest
    else:
        entry = next(log.entries(), None)
        if entry is None:
            return
        first = str(entry.get("hash", ""))
    path = state_path(ctx)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            with connect(ctx):
                pass  # creates the file 0600 with its schema
        conn = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        try:
            conn.execute(_TABLE)
            conn.execute(
                "INSERT OR IGNORE INTO audit_anchor (log, first_hash, started_at) VALUES (?, ?, ?)",
                (_key(log), first, now()),
            )
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return  # the state's writer is this very request (or another): a later append anchors
        raise StoreError(f"cannot record the audit anchor in {path} ({type(exc).__name__})") from None
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot record the audit anchor in {path} ({type(exc).__name__})") from None
    ctx.anchored_log = _key(log)
