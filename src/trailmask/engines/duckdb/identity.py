"""Which staged records are new: identity is a record's content, looked up only in its own days.

A record's identity is its content: two records are one event when their JSON values are equal,
objects compared key by key whatever the key order (the same event read from an S3 delivery file
and from LookupEvents, or written by a tool that sorts keys, is stored once). Records that differ
in any value are distinct events, even when they share an eventID.

Deciding it costs what the batch holds, not what the store holds:

1. ``k``, the SHA-256 of the record's minified text, settles the common cases: equal text is equal
   content (a redelivery, a re-ingest). Stored rows are looked up only where a copy of a staged
   record could be: rows whose ``eventTime`` falls on one of the batch's UTC days (the identity
   index is ``events`` itself, clustered by event time, so the scan reads only those days' row
   groups) and, if the batch has untimed records, rows without an eventTime.
2. Records whose text differs but that agree on ``eventTime`` and the fields of ``c``
   (stage.CANDIDATE_FIELDS) with a stored or another staged record are compared by content:
   ``json_normalize`` (keys sorted at every depth) of both, hashed. Such candidates are rare, so
   the normalisation runs on a few rows, never on the batch.

The batch's rows are already inserted (uncommitted, in the loader's transaction) when this runs;
``tm_batch`` names them. The result is the temp table ``tm_new (r, src)``: the rows to keep, the
first copy of each event in the batch (ordered by source) that the store did not hold before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from trailmask.engines.duckdb.stage import candidate_hash, literal

MAX_RANGES = 64
DAY = timedelta(days=1)
_EPOCH = "TIMESTAMP '0001-01-01 00:00:00'"  # join key of untimed records (only ever a candidate)
Ranges = list[tuple[datetime, datetime]]


def _ranges(days: list[datetime]) -> Ranges:
    """Consecutive days merged into [start, end) ranges; at most MAX_RANGES (closest gaps merged)."""
    ranges: Ranges = []
    for day in sorted(days):
        if ranges and ranges[-1][1] >= day:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], day + DAY))
        else:
            ranges.append((day, day + DAY))
    while len(ranges) > MAX_RANGES:
        gaps = [ranges[i + 1][0] - ranges[i][1] for i in range(len(ranges) - 1)]
        i = gaps.index(min(gaps))
        ranges[i : i + 2] = [(ranges[i][0], ranges[i + 1][1])]
    return ranges


def _known_sql(ranges: Ranges, untimed: bool, columns: str, batch: str) -> str:
    """Stored rows in the batch's days: one scan per range, so each keeps its zone-map pruning."""
    other = f"tm_batch <> {literal(batch)}"
    parts = [
        f"SELECT {columns} FROM events WHERE eventTime >= TIMESTAMP '{a.isoformat(sep=' ')}' "
        f"AND eventTime < TIMESTAMP '{b.isoformat(sep=' ')}' AND {other}"
        for a, b in ranges
    ]
    if untimed:
        parts.append(f"SELECT {columns} FROM events WHERE eventTime IS NULL AND {other}")
    return "\nUNION ALL\n".join(parts)


def mark_new(conn: duckdb.DuckDBPyConnection, batch: str, after_rowid: int) -> None:
    """Fill ``tm_new`` from the rows of ``batch`` (all after ``after_rowid``) that are new events."""
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE tm_ok AS
        SELECT rowid AS r, tm_source AS src, tm_event_key AS k, coalesce(eventTime, {_EPOCH}) AS tk,
               {candidate_hash()} AS c
        FROM events WHERE rowid > {after_rowid} AND tm_batch = {literal(batch)}"""
    )
    rows = conn.execute(f"SELECT DISTINCT date_trunc('day', tk) FROM tm_ok WHERE tk <> {_EPOCH}").fetchall()
    ranges = _ranges([row[0] for row in rows])
    untimed = bool(conn.execute(f"SELECT count(*) FROM tm_ok WHERE tk = {_EPOCH}").fetchall()[0][0])
    columns = f"rowid AS er, coalesce(eventTime, {_EPOCH}) AS tk, tm_event_key AS k, {candidate_hash()} AS c"
    known = _known_sql(ranges, untimed, columns, batch)
    empty = "SELECT 0::BIGINT AS er, NULL::TIMESTAMP AS tk, ''::VARCHAR AS k, 0::UBIGINT AS c WHERE false"
    conn.execute("CREATE OR REPLACE TEMP TABLE tm_known AS " + (known or empty))
    _compare_candidates(conn, ranges, untimed, batch)
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE tm_new AS
        SELECT r, src FROM (
          SELECT o.r, o.src,
                 row_number() OVER (PARTITION BY coalesce(n.nk, o.k) ORDER BY o.src, o.r) AS nth,
                 (o.k IN (SELECT k FROM tm_known)) IS TRUE OR (n.nk IN (SELECT nk FROM tm_known_norm)) IS TRUE AS stored
          FROM tm_ok o LEFT JOIN tm_norm n ON n.r = o.r
        ) WHERE nth = 1 AND NOT stored"""
    )


def _compare_candidates(conn: duckdb.DuckDBPyConnection, ranges: Ranges, untimed: bool, batch: str) -> None:
    """``tm_norm (r, nk)``: content keys of the batch's candidates; ``tm_known_norm (nk)``: of stored ones."""
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE tm_pairs AS
        SELECT o.r, e.er FROM tm_ok o JOIN tm_known e ON e.tk = o.tk AND e.c = o.c AND e.k <> o.k
        WHERE o.k NOT IN (SELECT k FROM tm_known)"""
    )
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE tm_cand AS
        SELECT r FROM tm_pairs
        UNION
        SELECT o.r FROM tm_ok o
        JOIN (SELECT tk, c FROM tm_ok GROUP BY tk, c HAVING count(DISTINCT k) > 1) g ON g.tk = o.tk AND g.c = o.c"""
    )
    if not conn.execute("SELECT count(*) FROM tm_cand").fetchall()[0][0]:
        conn.execute("CREATE OR REPLACE TEMP TABLE tm_norm (r BIGINT, nk VARCHAR)")
        conn.execute("CREATE OR REPLACE TEMP TABLE tm_known_norm (nk VARCHAR)")
        return
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE tm_norm AS
        SELECT rowid AS r, sha256(json_normalize(tm_raw)) AS nk FROM events
        WHERE tm_batch = {literal(batch)} AND rowid IN (SELECT r FROM tm_cand)"""
    )
    raw = _known_sql(ranges, untimed, "rowid AS er, tm_raw", batch)
    if not raw or not conn.execute("SELECT count(*) FROM tm_pairs").fetchall()[0][0]:
        conn.execute("CREATE OR REPLACE TEMP TABLE tm_known_norm (nk VARCHAR)")
        return
    conn.execute(
        f"""CREATE OR REPLACE TEMP TABLE tm_known_norm AS
        SELECT sha256(json_normalize(tm_raw)) AS nk FROM ({raw}) WHERE er IN (SELECT er FROM tm_pairs)"""
    )


TEMP_TABLES = ("tm_ok", "tm_known", "tm_pairs", "tm_cand", "tm_norm", "tm_known_norm", "tm_new")
