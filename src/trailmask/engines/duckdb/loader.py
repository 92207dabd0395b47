"""Bulk loading of CloudTrail files into ``events``, one atomic transaction per batch.

DuckDB parses the files (``read_json_objects``), unwraps the known envelopes, validates each file
and inserts typed rows plus the raw record, all in SQL: the Python side only plans batches.

Envelopes recognised per JSON document: native delivery ``{"Records": [...]}``; a LookupEvents
response page ``{"Events": [{"CloudTrailEvent": "<json>"}, ...]}``; one LookupEvents event
``{"CloudTrailEvent": "<json>", ...}``; a top-level array of records; a bare record (JSON lines).

Identity: a record's key is the SHA-256 of its minified JSON text. A record already stored (or seen
earlier in the batch) is a duplicate and is not inserted again; records that differ in any byte are
distinct events even when they share an eventID.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from trailmask.engines.duckdb.types import EVENT_FIELDS_AS_TEXT, ddl_type, record_structure_json, typed_select
from trailmask.errors import StoreError
from trailmask.models import FileOutcome
from trailmask.schema import REQUIRED_FIELDS

GZIP_MAGIC = b"\x1f\x8b"
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
# Errors a file's content causes (too large for memory, a value DuckDB cannot convert, JSON it
# cannot parse): they reject that file. Any other engine error (a store that cannot be written, a
# fatal or internal error, an interrupt, a bug) stops the ingest and rejects nothing, so that an
# S3 sync never marks good objects as rejected because of the machine it ran on.
_FILE_ERRORS: tuple[type[duckdb.Error], ...] = (
    duckdb.OutOfMemoryException,
    duckdb.InvalidInputException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
)
_READ_ERRORS: tuple[type[duckdb.Error], ...] = (*_FILE_ERRORS, duckdb.IOException)


@dataclass(frozen=True)
class InputFile:
    """A file to load: ``local`` is read, ``source`` is what users see (a path or an s3:// URI)."""

    local: Path
    source: str


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _compression(path: Path) -> str:
    with path.open("rb") as handle:
        return "gzip" if handle.read(2) == GZIP_MAGIC else "none"


_UNWRAP = """
CASE
  WHEN json_type(doc) = 'OBJECT' AND json_exists(doc, '$.Records')
    THEN coalesce(json_extract(doc, '$.Records[*]'), [])
  WHEN json_type(doc) = 'OBJECT' AND json_exists(doc, '$.Events')
    THEN list_transform(coalesce(json_extract(doc, '$.Events[*]'), []),
         lambda e: CASE WHEN json_type(e, '$.CloudTrailEvent') = 'VARCHAR'
                   THEN json(e ->> 'CloudTrailEvent') ELSE e END)
  WHEN json_type(doc) = 'OBJECT' AND json_type(doc, '$.CloudTrailEvent') = 'VARCHAR'
    THEN [json(doc ->> 'CloudTrailEvent')]
  ELSE [doc]
END
"""


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


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def _stage_sql(paths: Sequence[Path], compression: str, cap: int) -> str:
    """Read, unwrap, key and parse every record once (json_transform gives all typed fields)."""
    listing = "[" + ", ".join(_literal(str(p)) for p in paths) + "]"
    return f"""
INSERT INTO tm_stage
SELECT src, rec, sha256(rec) AS k, json_transform(rec, {_literal(record_structure_json())}) AS t FROM (
  SELECT src, json(unnest({_UNWRAP})) AS rec FROM (
    SELECT filename AS src, json AS doc
    FROM read_json_objects({listing}, format = 'auto', filename = true,
                           compression = {_literal(compression)}, maximum_object_size = {cap})
  )
)"""


def _describe_read_error(exc: duckdb.Error, cap: int, memory_limit: int) -> str:
    """A reason for a file DuckDB could not read, without quoting its content."""
    text = str(exc)
    if isinstance(exc, duckdb.OutOfMemoryException):
        return (
            f"loading it needs more memory than the ingest memory limit ({_mib(memory_limit)}): "
            "it holds a very large record or field; split the file or raise the limit"
        )
    if "maximum_object_size" in text:
        return (
            f"a JSON document in the file is larger than {_mib(cap)} uncompressed "
            f"(the cap follows the ingest memory limit, {_mib(memory_limit)}; see docs/ingest.md)"
        )
    if "GZIP" in text or "gzip" in text:
        return "not a readable gzip file (corrupt or truncated compressed data)"
    match = re.search(r"at byte (\d+)", text)
    if "Malformed JSON" in text:
        where = f" at byte {match.group(1)}" if match else ""
        if "unexpected end of data" in text:
            return f"truncated JSON{where} (the file ends in the middle of a value)"
        return f"malformed JSON{where}"
    if "CloudTrailEvent" in text or "json" in text.lower():
        return "a LookupEvents CloudTrailEvent field is not valid JSON"
    return f"unreadable ({type(exc).__name__})"


def _stage_files(conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile]) -> dict[str, str]:
    """Read every file into tm_stage; returns {local path: reason} for files that could not be read."""
    failures: dict[str, str] = {}
    groups: dict[str, list[Path]] = {}
    limit = memory_limit_bytes(conn)
    cap = max_object_bytes(limit)
    for item in files:
        try:
            groups.setdefault(_compression(item.local), []).append(item.local)
        except OSError as exc:
            failures[str(item.local)] = f"cannot open ({exc.strerror or type(exc).__name__})"
    for compression, paths in groups.items():
        try:
            conn.execute(_stage_sql(paths, compression, cap))
        except _READ_ERRORS:
            conn.execute("DELETE FROM tm_stage WHERE list_contains(?, src)", [[str(p) for p in paths]])
            for path in paths:
                try:
                    conn.execute(_stage_sql([path], compression, cap))
                except _READ_ERRORS as exc:
                    conn.execute("DELETE FROM tm_stage WHERE src = ?", [str(path)])
                    failures[str(path)] = _describe_read_error(exc, cap, limit)
    return failures


# Checks use the parsed struct ``t``; the raw text is parsed again only for the rare rows that
# lack eventName (CASE evaluates its branch only for the rows that need it).
_MISSING = " OR ".join(f"t.{f} IS NULL" for f in REQUIRED_FIELDS)
_VALIDATE = f"""
SELECT src,
  count(*) AS n,
  count(*) FILTER (WHERE CASE WHEN t.eventName IS NULL THEN json_type(rec) <> 'OBJECT' ELSE false END) AS not_object,
  count(*) FILTER (WHERE ({_MISSING}) AND t.insightDetails IS NULL) AS missing,
  count(*) FILTER (WHERE CASE WHEN t.eventName IS NULL
                         THEN json_exists(rec, '$.eventname') OR json_exists(rec, '$.EventName')
                         ELSE false END) AS wrong_case,
  count(*) FILTER (WHERE TRY_CAST(t.eventTime AS TIMESTAMP) IS NULL) AS untimed
FROM tm_stage GROUP BY src
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
        limit = memory_limit_bytes(conn)
        return _reject(conn, files, batch, _describe_read_error(exc, max_object_bytes(limit), limit))


def _load(conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile], batch: str) -> list[FileOutcome]:
    try:
        reasons, counts = _stage_and_validate(conn, files)
        conn.execute("BEGIN TRANSACTION")
        try:
            outcomes = _insert(conn, files, batch, reasons, counts)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        for table in ("tm_stage", "tm_marked", "tm_reject", "tm_names"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
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


def _stage_and_validate(
    conn: duckdb.DuckDBPyConnection, files: Sequence[InputFile]
) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE tm_stage (src VARCHAR, rec JSON, k VARCHAR, t {ddl_type(EVENT_FIELDS_AS_TEXT)})"
    )
    reasons = _stage_files(conn, files)
    counts: dict[str, tuple[int, int]] = {}
    for src, n, not_object, missing, wrong_case, untimed in conn.execute(_VALIDATE).fetchall():
        counts[src] = (n, untimed)
        reason = _validation_reason(n, not_object, missing, wrong_case)
        if reason:
            reasons[src] = reason
    for item in files:
        key = str(item.local)
        if key not in reasons and not counts.get(key, (0, 0))[0]:
            reasons[key] = "empty: no CloudTrail records in the file"
    return reasons, counts


def _insert(
    conn: duckdb.DuckDBPyConnection,
    files: Sequence[InputFile],
    batch: str,
    reasons: dict[str, str],
    counts: dict[str, tuple[int, int]],
) -> list[FileOutcome]:
    conn.execute("CREATE OR REPLACE TEMP TABLE tm_reject (src VARCHAR)")
    if reasons:
        _insert_columns(conn, "tm_reject", [list(reasons)])
    conn.execute(
        """CREATE OR REPLACE TEMP TABLE tm_marked AS
        SELECT s.src, s.rec, s.k, s.t,
               (row_number() OVER (PARTITION BY s.k ORDER BY s.src) = 1 AND e.tm_event_key IS NULL) AS is_new
        FROM tm_stage s
        LEFT JOIN (SELECT DISTINCT tm_event_key FROM events) e ON e.tm_event_key = s.k
        WHERE s.src NOT IN (SELECT src FROM tm_reject)"""
    )
    new_counts = dict(conn.execute("SELECT src, count(*) FILTER (WHERE is_new) FROM tm_marked GROUP BY src").fetchall())
    conn.execute("CREATE OR REPLACE TEMP TABLE tm_names (src VARCHAR, source VARCHAR)")
    _insert_columns(conn, "tm_names", [[str(f.local) for f in files], [f.source for f in files]])
    columns = ",\n  ".join(typed_select("t"))
    conn.execute(
        f"""INSERT INTO events
        SELECT {columns}, m.k, m.rec, n.source, ?, now()::TIMESTAMP
        FROM (SELECT * FROM tm_marked WHERE is_new) m
        JOIN tm_names n ON n.src = m.src""",
        [batch],
    )
    outcomes = []
    for item in files:
        key = str(item.local)
        if key in reasons:
            outcomes.append(FileOutcome(item.source, "rejected", reason=reasons[key]))
            continue
        (total, untimed), new = counts.get(key, (0, 0)), new_counts.get(key, 0)
        outcomes.append(
            FileOutcome(item.source, "loaded", events=total, new=new, duplicates=total - new, untimed=untimed)
        )
    _record(conn, outcomes, batch)
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
