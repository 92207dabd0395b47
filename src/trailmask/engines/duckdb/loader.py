"""Bulk loading of CloudTrail files into ``events``, one atomic transaction per batch.

DuckDB does the work in SQL; the Python side only plans batches. Per batch, in one transaction:
the files are streamed straight into ``events``, each record parsed once (trailmask.engines.
duckdb.stage: no staging copy, so memory does not grow with the batch); each file is validated
from its inserted rows and an invalid file's rows are removed; duplicates are chosen by content
identity, looked up only in the batch's own days (trailmask.engines.duckdb.identity), and removed;
the bookkeeping rows are written; then COMMIT. Rows stored before the batch are never touched.
A file DuckDB cannot read rolls the transaction back; each file is then probed alone (nothing
written) and the batch is loaded again without the unreadable ones, which are rejected by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from trailmask.engines.duckdb import identity, stage
from trailmask.errors import StoreError
from trailmask.models import FileOutcome
from trailmask.schema import REQUIRED_FIELDS

# Largest JSON document (one delivery file's uncompressed Records object) read in one piece:
# (writer memory limit - MEMORY_BASE) / MEMORY_PER_OBJECT, between 1 and 256 MiB (3GB, which
# DuckDB reports as 2.7 GiB: 84 MiB). DuckDB allocates a read buffer of twice the cap up front, and
# reading, keying and typing a document took 16 to 32 times its size on top of a fixed ~60 MiB
# (measured, docs/ingest.md), so a document under the cap fits the limit; larger files are
# rejected. A file that still needs more (one giant field costs more copies) fails with an
# out-of-memory error, and that rejects the file, never the batch.
MAX_OBJECT_BYTES = 256 * 1024 * 1024
MIN_OBJECT_BYTES = 1024 * 1024
MEMORY_BASE = 64 * 1024 * 1024
MEMORY_PER_OBJECT = 32
_UNITS = {"": 1, "b": 1, "bytes": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_FILE_ERRORS = stage.FILE_ERRORS
_TEMP_TABLES = ("tm_names", *identity.TEMP_TABLES)


@dataclass(frozen=True)
class InputFile:
    """A file to load: ``local`` is read, ``source`` is what users see (a path or an s3:// URI)."""

    local: Path
    source: str


def memory_limit_bytes(conn: duckdb.DuckDBPyConnection) -> int:
    """The connection's DuckDB memory limit in bytes (DuckDB shows it as ``2.7 GiB``)."""
    text = str(conn.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        return MEMORY_BASE + MAX_OBJECT_BYTES * MEMORY_PER_OBJECT
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def max_object_bytes(memory_limit: int) -> int:
    """The per-document cap for a writer with ``memory_limit`` bytes (see MEMORY_PER_OBJECT)."""
    return max(MIN_OBJECT_BYTES, min(MAX_OBJECT_BYTES, (memory_limit - MEMORY_BASE) // MEMORY_PER_OBJECT))


def _describe(conn: duckdb.DuckDBPyConnection, exc: duckdb.Error) -> str:
    limit = memory_limit_bytes(conn)
    return stage.describe_read_error(exc, max_object_bytes(limit), limit)


# Checks use the inserted typed columns; the raw text is parsed again only for the rare rows that
# lack eventName (CASE evaluates its branch only for the rows that need it).
_MISSING = " OR ".join(f"{f} IS NULL" for f in REQUIRED_FIELDS)
_VALIDATE = f"""
SELECT tm_source,
  count(*) AS n,
  count(*) FILTER (WHERE CASE WHEN eventName IS NULL THEN json_type(tm_raw) <> 'OBJECT' ELSE false END) AS not_object,
  count(*) FILTER (WHERE ({_MISSING}) AND insightDetails IS NULL) AS missing,
  count(*) FILTER (WHERE CASE WHEN eventName IS NULL
                         THEN json_exists(tm_raw, '$.eventname') OR json_exists(tm_raw, '$.EventName')
                         ELSE false END) AS wrong_case,
  count(*) FILTER (WHERE eventTime IS NULL) AS untimed
FROM events WHERE rowid > $after AND tm_batch = $batch GROUP BY tm_source
"""


def _validation_reason(n: int, not_object: int, missing: int, wrong_case: int) -> str:
    required = ", ".join(REQUIRED_FIELDS)
    if not_object:
        return f"not CloudTrail: {not_object} of {n} records are not JSON objects"
    if wrong_case:
        return (
            f"not CloudTrail's key casing: {wrong_case} of {n} records use keys such as 'eventname' "
            "instead of 'eventName' (an Athena/Glue export?); CloudTrail keys are camelCase"
        )
    if missing:
        return f"not CloudTrail: {missing} of {n} records lack a required field ({required})"
    return ""


def load_batch(conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile], batch: str) -> list[FileOutcome]:
    """Load ``files``; returns one outcome per file, in input order.

    Files are read and checked into connection-local temp tables first; then one transaction
    inserts the new events and the bookkeeping rows. A process killed at any point leaves the store
    as it was before the batch or with the whole batch. An engine error a file's content causes
    (_FILE_ERRORS: out of memory, a value DuckDB cannot convert) rolls the batch back and loads its
    files one by one, so that it rejects the file that causes it, with the reason, and the others load.
    """
    try:
        return _load(conn, files, batch)
    except duckdb.IOException as exc:
        raise StoreError(
            f"cannot write to store: {type(exc).__name__}", hint="check free disk space and the store's folder"
        ) from None
    except _FILE_ERRORS as exc:
        if len(files) > 1:
            return [outcome for item in files for outcome in load_batch(conn, [item], batch)]
        return _reject(conn, files, batch, _describe(conn, exc))


def _load(conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile], batch: str) -> list[FileOutcome]:
    limit = memory_limit_bytes(conn)
    cap = max_object_bytes(limit)
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE tm_names (src VARCHAR, source VARCHAR)")
        _insert_columns(conn, "tm_names", [[str(f.local) for f in files], [f.source for f in files]])
        groups, unreadable = stage.group_by_compression([item.local for item in files])
        try:
            return _transaction(conn, files, batch, groups, unreadable, cap)
        except stage.READ_ERRORS:
            failures = stage.probe_files(conn, groups, cap, lambda exc: _describe(conn, exc))
            if not failures:
                raise  # not a file's fault, or only when loaded with the others: load_batch decides
            readable = {c: [p for p in paths if str(p) not in failures] for c, paths in groups.items()}
            return _transaction(conn, files, batch, readable, unreadable | failures, cap)
    finally:
        for table in _TEMP_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def _transaction(
    conn: duckdb.DuckDBPyConnection,
    files: Sequence[InputFile],
    batch: str,
    groups: dict[str, list[Path]],
    unreadable: dict[str, str],
    cap: int,
) -> list[FileOutcome]:
    """Insert, check, deduplicate and record the batch in one transaction (see the module doc)."""
    after = int(conn.execute("SELECT coalesce(max(rowid), -1) FROM events").fetchall()[0][0])
    conn.execute("BEGIN TRANSACTION")
    try:
        stage.insert_files(conn, {c: paths for c, paths in groups.items() if paths}, cap, batch)
        outcomes = _check_and_keep_new(conn, files, batch, after, unreadable)
        _record(conn, outcomes, batch)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return outcomes


def _reject(conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile], batch: str, reason: str) -> list[FileOutcome]:
    outcomes = [FileOutcome(item.source, "rejected", reason=reason) for item in files]
    conn.execute("BEGIN TRANSACTION")
    try:
        _record(conn, outcomes, batch)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return outcomes


def _check_and_keep_new(
    conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile], batch: str, after: int, unreadable: dict[str, str]
) -> list[FileOutcome]:
    """Reject invalid files and drop duplicates among the batch's rows; one outcome per file."""
    reasons = {item.source: unreadable[str(item.local)] for item in files if str(item.local) in unreadable}
    counts: dict[str, tuple[int, int]] = {}
    for source, n, not_object, missing, wrong_case, untimed in conn.execute(
        _VALIDATE, {"after": after, "batch": batch}
    ).fetchall():
        counts[source] = (n, untimed)
        reason = _validation_reason(n, not_object, missing, wrong_case)
        if reason:
            reasons[source] = reason
    for item in files:
        if item.source not in reasons and not counts.get(item.source, (0, 0))[0]:
            reasons[item.source] = "empty: no CloudTrail records in the file"
    rejected = [s for s in reasons if s in counts]
    if rejected:
        conn.execute(
            "DELETE FROM events WHERE rowid > ? AND tm_batch = ? AND list_contains(?, tm_source)",
            [after, batch, rejected],
        )
    identity.mark_new(conn, batch, after)
    new_counts = {str(s): int(n) for s, n in conn.execute("SELECT src, count(*) FROM tm_new GROUP BY src").fetchall()}
    kept = sum(n for source, (n, _) in counts.items() if source not in reasons)
    if sum(new_counts.values()) != kept:
        conn.execute(
            "DELETE FROM events WHERE rowid > ? AND tm_batch = ? AND rowid NOT IN (SELECT r FROM tm_new)",
            [after, batch],
        )
    outcomes = []
    for item in files:
        if item.source in reasons:
            outcomes.append(FileOutcome(item.source, "rejected", reason=reasons[item.source]))
            continue
        (total, untimed), new = counts.get(item.source, (0, 0)), new_counts.get(item.source, 0)
        outcomes.append(
            FileOutcome(item.source, "loaded", events=total, new=new, duplicates=total - new, untimed=untimed)
        )
    return outcomes


def _insert_columns(
    conn: duckdb.DuckDBPyConnection, table: str, columns: Sequence[Sequence[object]], extra: str = ""
) -> None:
    """Insert rows given column-wise in one statement (executemany costs a round trip per row)."""
    unnested = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    conn.execute(f"INSERT INTO {table} SELECT {unnested}{extra}", [list(c) for c in columns])


def _record(conn: duckdb.DuckDBPyConnection, outcomes: Sequence[FileOutcome], batch: str) -> None:
    loaded = [o for o in outcomes if o.status == "loaded"]
    rejected = [o for o in outcomes if o.status == "rejected"]
    if loaded:
        files: list[Sequence[object]] = [[o.path for o in loaded], [batch] * len(loaded)]
        files += [[o.events for o in loaded], [o.new for o in loaded], [o.duplicates for o in loaded]]
        _insert_columns(conn, "tm_files", files, ", now()::TIMESTAMP")
    if rejected:
        reasons: list[Sequence[object]] = [[o.path for o in rejected], [o.reason for o in rejected]]
        _insert_columns(conn, "tm_rejections", [*reasons, [batch] * len(rejected)], ", now()::TIMESTAMP")
