"""Incremental S3 sync state: which objects (bucket, key, ETag) the store already took.

An object is recorded only after the batch that read it has committed (``record`` runs in its own
transaction once ``load_inputs`` returned), so a crash can at worst make the next run fetch an
object again, which the loader's content deduplication turns into a no-op. An object whose ETag
changed since it was recorded (overwritten in place) is fetched again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from trailmask.engines.duckdb.store import Store


class Connection(Protocol):
    def execute(self, query: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, query: str, parameters: Any = ..., /) -> Any: ...


@dataclass(frozen=True)
class Taken:
    """One object to remember: its S3 identity, the URI used as the file's source, and the outcome."""

    key: str
    etag: str
    size: int
    source: str
    status: str  # "loaded" or "rejected"


def known(store: Store, bucket: str, prefix: str) -> dict[str, str]:
    """``{key: etag}`` of objects under ``prefix`` already taken from ``bucket``."""
    with store.writer() as conn:
        rows = conn.execute(
            "SELECT key, etag FROM tm_s3_objects WHERE bucket = ? AND starts_with(key, ?)", [bucket, prefix]
        ).fetchall()
    return {str(key): str(etag) for key, etag in rows}


@contextmanager
def _transaction(conn: Connection) -> Iterator[None]:
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def record(store: Store, bucket: str, taken: Iterable[Taken]) -> int:
    """Remember committed objects; the batch id is looked up from the file bookkeeping tables."""
    rows = [[bucket, t.key, t.etag, t.size, t.status, t.source] for t in taken]
    if not rows:
        return 0
    with store.writer() as conn, _transaction(conn):
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE tm_s3_taken (bucket VARCHAR, key VARCHAR, etag VARCHAR,"
            " size BIGINT, status VARCHAR, source VARCHAR)"
        )
        conn.executemany("INSERT INTO tm_s3_taken VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute(
            """INSERT OR REPLACE INTO tm_s3_objects
            SELECT t.bucket, t.key, t.etag, t.size, t.status,
                   coalesce((SELECT arg_max(f.batch, f.ingested_at) FROM tm_files f WHERE f.source = t.source),
                            (SELECT arg_max(r.batch, r.rejected_at) FROM tm_rejections r WHERE r.source = t.source)),
                   now()::TIMESTAMP
            FROM tm_s3_taken t"""
        )
        conn.execute("DROP TABLE tm_s3_taken")
    return len(rows)


def summary(store: Store) -> Mapping[str, int]:
    """Objects remembered per status (for reports and tests)."""
    with store.writer() as conn:
        return dict(conn.execute("SELECT status, count(*) FROM tm_s3_objects GROUP BY status").fetchall())
