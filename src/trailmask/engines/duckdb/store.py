"""The DuckDB store file: opening, locking, schema versions and migrations.

The file holds ``events`` (see trailmask.schema) and trailmask's bookkeeping tables, all prefixed
``tm_``: ``tm_meta`` (schema version), ``tm_files`` (one row per ingested input) and
``tm_rejections`` (each rejected input with its reason). Migrations are forward-only SQL lists keyed
by the version they produce; a store written by a newer trailmask is refused, never modified.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from trailmask.engines.duckdb.types import events_ddl
from trailmask.errors import StoreError

SCHEMA_VERSION = 2

MIGRATIONS: dict[int, list[str]] = {
    1: [
        events_ddl("events"),
        "CREATE TABLE IF NOT EXISTS tm_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE IF NOT EXISTS tm_files (
            source VARCHAR, batch VARCHAR, events BIGINT, new_events BIGINT,
            duplicates BIGINT, ingested_at TIMESTAMP)""",
        """CREATE TABLE IF NOT EXISTS tm_rejections (
            source VARCHAR, reason VARCHAR, batch VARCHAR, rejected_at TIMESTAMP)""",
    ],
    # S3 incremental sync: one row per object already taken (loaded or rejected), written only
    # after the batch that read it committed (see trailmask.ingest.s3_state).
    2: [
        """CREATE TABLE IF NOT EXISTS tm_s3_objects (
            bucket VARCHAR, key VARCHAR, etag VARCHAR, size BIGINT, status VARCHAR,
            batch VARCHAR, recorded_at TIMESTAMP, PRIMARY KEY (bucket, key))""",
    ],
}

LOCK_WAIT_S = 30.0


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "Conflicting lock" in text or "in use" in text.lower()


def connect_with_retry(
    connect: Callable[[], duckdb.DuckDBPyConnection], path: Path, wait_s: float
) -> duckdb.DuckDBPyConnection:
    """Open ``path``, waiting up to ``wait_s`` while another process holds its lock."""
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return connect()
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise StoreError(
                    f"cannot open store {path}: {type(exc).__name__}", hint="is it a DuckDB file written by trailmask?"
                ) from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"store {path} is locked by another process",
                    hint="wait for the running ingest or server to finish, or use another --db",
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


class Store:
    """One DuckDB store file."""

    def __init__(self, path: Path, *, lock_wait_s: float = LOCK_WAIT_S, writer_memory_limit: str = "3GB") -> None:
        self.path = Path(path)
        self.lock_wait_s = lock_wait_s
        # bounds ingest memory whatever the input size (DuckDB spills to <db>.tmp beyond it)
        self.writer_memory_limit = writer_memory_limit

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def require_exists(self) -> None:
        if not self.exists:
            raise StoreError(
                f"no store at {self.path}",
                hint="run `trailmask ingest SOURCE` or `trailmask demo` first, or point --db / TRAILMASK_DB at a store",
            )

    def readable(self, path: Path) -> Path:
        """The path the writer's loader reads for input ``path`` (a served store stages it: served.py)."""
        return path

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection on a migrated store; closed (lock released) on exit."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": self.writer_memory_limit,
        }
        conn = connect_with_retry(lambda: duckdb.connect(str(self.path), config=config), self.path, self.lock_wait_s)
        try:
            for own in (self.path, self.path.with_name(self.path.name + ".wal")):
                if own.exists() and not own.is_symlink():
                    own.chmod(0o600)  # DuckDB creates them with the process umask (the CLI sets 077)
            migrate(conn, self.path)
            yield conn
        finally:
            conn.close()

    def reader(
        self, config: dict[str, str | bool | int | float | list[str]] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """A read-only connection (callers harden it; see session.QuerySession)."""
        self.require_exists()
        settings: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
        settings.update(config or {})
        conn = connect_with_retry(
            lambda: duckdb.connect(str(self.path), read_only=True, config=settings), self.path, self.lock_wait_s
        )
        version = schema_version(conn)
        if version != SCHEMA_VERSION:
            conn.close()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.path} has schema version {version}, newer than this trailmask ({SCHEMA_VERSION})",
                    hint="upgrade trailmask",
                )
            raise StoreError(
                f"store {self.path} has schema version {version}",
                hint="run `trailmask ingest` (or any write) once to migrate it",
            )
        return conn


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    # fetchall() drains each result: a pending result would block the relation API (exports)
    has_meta = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'tm_meta' AND schema_name = 'main'"
    ).fetchall()
    if not has_meta or not has_meta[0][0]:
        return 0
    rows = conn.execute("SELECT value FROM tm_meta WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def migrate(conn: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Bring the store to SCHEMA_VERSION, one transaction per step; refuse newer stores."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"store {path} has schema version {current}, newer than this trailmask ({SCHEMA_VERSION})",
            hint="upgrade trailmask",
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO tm_meta VALUES ('schema_version', ?)", [str(version)])
            conn.execute("COMMIT")
        except duckdb.Error:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION
