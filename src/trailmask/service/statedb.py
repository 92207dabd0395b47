"""The server's own state (users, approvals, cases, saved queries) in a small SQLite file beside the store.

Not in the events DuckDB file: the server opens that read-only, per query, with a hardened
session, and a DuckDB file can be open read-write by one process only, while user admin (CLI) and
the server must both write this state. SQLite in WAL mode lets the CLI and the server read and
write it concurrently; every operation opens its own short connection, so threads share nothing.
The file is created 0600: it holds token hashes and the SQL of pending break-glass requests.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from trailmask.errors import StoreError
from trailmask.service.context import AppContext

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, token_id TEXT UNIQUE NOT NULL, token_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, rotated_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS approvals (
        id TEXT PRIMARY KEY, requester TEXT NOT NULL, requester_via TEXT NOT NULL, requester_role TEXT NOT NULL,
        kind TEXT NOT NULL, runbook TEXT, sql TEXT, params TEXT NOT NULL, justification TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL, decided_by TEXT, decided_at TEXT, comment TEXT,
        executed_at TEXT, audit_id TEXT)""",
    """CREATE TABLE IF NOT EXISTS saved_queries (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, owner_via TEXT NOT NULL, name TEXT NOT NULL, sql TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (owner, owner_via, name))""",
    """CREATE TABLE IF NOT EXISTS cases (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, owner_role TEXT NOT NULL, title TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS case_items (
        id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), position INTEGER NOT NULL,
        kind TEXT NOT NULL, created_at TEXT NOT NULL, note TEXT, audit_id TEXT, action TEXT, runbook TEXT,
        params TEXT, sql TEXT, run_at TEXT, profile TEXT, columns TEXT, rows TEXT, row_count INTEGER)""",
    "CREATE INDEX IF NOT EXISTS case_items_by_case ON case_items (case_id, position)",
)
BUSY_TIMEOUT_MS = 10_000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def state_path(ctx: AppContext) -> Path:
    """``serve: {state_file: ...}`` (docs/server.md), else ``<db>.state.sqlite`` beside the store."""
    configured = ctx.settings.serve.state_file
    if configured:
        return configured
    db = ctx.settings.db
    return db.with_name(db.name + ".state.sqlite")


def _prepare(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


@contextmanager
def connect(ctx: AppContext) -> Iterator[sqlite3.Connection]:
    """A connection in one transaction (committed on success, rolled back on error)."""
    path = state_path(ctx)
    try:
        _prepare(path)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the server state file {path} ({type(exc).__name__})") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise StoreError(f"the server state file {path} failed ({type(exc).__name__})") from None
    finally:
        conn.close()


@contextmanager
def read(ctx: AppContext) -> Iterator[sqlite3.Connection]:
    """A connection for reads only (no write lock taken)."""
    path = state_path(ctx)
    if not path.exists():
        with connect(ctx):
            pass
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the server state file {path} ({type(exc).__name__})") from None
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    except sqlite3.Error as exc:
        raise StoreError(f"the server state file {path} failed ({type(exc).__name__})") from None
    finally:
        conn.close()
