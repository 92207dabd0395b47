"""Reading a batch's files straight into ``events``, each record parsed once, nothing staged.

DuckDB reads the files (``read_json_objects``), unwraps the known envelopes, parses each record
once (``json_transform`` into the whole typed structure) and inserts it, with its minified text
(``tm_raw``) and its SHA-256 (``tm_event_key``), in one streaming statement per compression: no
copy of the batch is held in memory. The loader validates and deduplicates the inserted rows
afterwards, inside the same transaction (trailmask.engines.duckdb.loader, .identity).

Envelopes recognised per JSON document: native delivery ``{"Records": [...]}``; a LookupEvents
response page ``{"Events": [{"CloudTrailEvent": "<json>"}, ...]}``; one LookupEvents event
``{"CloudTrailEvent": "<json>", ...}``; a top-level array of records; a bare record (JSON lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from trailmask.engines.duckdb.types import record_structure_json, typed_select

GZIP_MAGIC = b"\x1f\x8b"
# Errors a file's content causes (too large for memory, a value DuckDB cannot convert, JSON it
# cannot parse): they reject that file. Any other engine error (a store that cannot be written, a
# fatal or internal error, an interrupt, a bug) stops the ingest and rejects nothing, so that an
# S3 sync never marks good objects as rejected because of the machine it ran on.
FILE_ERRORS: tuple[type[duckdb.Error], ...] = (
    duckdb.OutOfMemoryException,
    duckdb.InvalidInputException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
)
READ_ERRORS: tuple[type[duckdb.Error], ...] = (*FILE_ERRORS, duckdb.IOException)
# Fields every copy of one event carries with the same values (with eventTime): rows that agree
# on them but not on their text are compared by content (identity.py).
CANDIDATE_FIELDS = ("eventID", "eventName", "eventSource", "awsRegion", "recipientAccountId", "requestID")


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def candidate_hash() -> str:
    """``c``: a hash of CANDIDATE_FIELDS over the columns of ``events``."""
    return "hash(" + ", ".join(CANDIDATE_FIELDS) + ")"


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
  ELSE [json(doc)]
END
"""


def _records(paths: Sequence[Path], compression: str, cap: int) -> str:
    """(src, rec, t): every record of the files, minified and parsed once."""
    listing = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
    return f"""
SELECT src, rec, json_transform(rec, {literal(record_structure_json())}) AS t FROM (
  SELECT src, unnest({_UNWRAP}) AS rec FROM (
    SELECT filename AS src, json AS doc
    FROM read_json_objects({listing}, format = 'auto', filename = true,
                           compression = {literal(compression)}, maximum_object_size = {cap})
  )
)"""


def insert_sql(paths: Sequence[Path], compression: str, cap: int, batch: str) -> str:
    """Insert every record of ``paths`` into ``events`` (sources from the temp table tm_names)."""
    columns = ",\n  ".join(typed_select("r.t"))
    return f"""
INSERT INTO events
SELECT {columns}, sha256(r.rec), r.rec, n.source, {literal(batch)}, now()::TIMESTAMP
FROM ({_records(paths, compression, cap)}) r JOIN tm_names n ON n.src = r.src"""


def probe_sql(path: Path, compression: str, cap: int) -> str:
    """Read and parse one file without writing anything (to name the files a batch cannot read)."""
    return f"SELECT count(*), count(t.eventName) FROM ({_records([path], compression, cap)})"


def mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def describe_read_error(exc: duckdb.Error, cap: int, memory_limit: int) -> str:
    """A reason for a file DuckDB could not read, without quoting its content."""
    text = str(exc)
    if isinstance(exc, duckdb.OutOfMemoryException):
        return (
            f"loading it needs more memory than the ingest memory limit ({mib(memory_limit)}): "
            "it holds a very large record or field; split the file or raise the limit"
        )
    if "maximum_object_size" in text:
        return (
            f"a JSON document in the file is larger than {mib(cap)} uncompressed "
            f"(the cap follows the ingest memory limit, {mib(memory_limit)}; see docs/ingest.md)"
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


def group_by_compression(paths: Sequence[Path]) -> tuple[dict[str, list[Path]], dict[str, str]]:
    """Files by compression (gzip is detected by content), and {path: reason} for unopenable ones."""
    failures: dict[str, str] = {}
    groups: dict[str, list[Path]] = {}
    for path in paths:
        try:
            groups.setdefault(_compression(path), []).append(path)
        except OSError as exc:
            failures[str(path)] = f"cannot open ({exc.strerror or type(exc).__name__})"
    return groups, failures


def insert_files(conn: duckdb.DuckDBPyConnection, groups: dict[str, list[Path]], cap: int, batch: str) -> None:
    """Insert every group (inside the caller's transaction); a read error propagates."""
    for compression, paths in groups.items():
        conn.execute(insert_sql(paths, compression, cap, batch))


def probe_files(
    conn: duckdb.DuckDBPyConnection, groups: dict[str, list[Path]], cap: int, describe: Callable[[duckdb.Error], str]
) -> dict[str, str]:
    """{path: reason} for each file DuckDB cannot read or parse (run outside any transaction)."""
    failures: dict[str, str] = {}
    for compression, paths in groups.items():
        for path in paths:
            try:
                conn.execute(probe_sql(path, compression, cap)).fetchall()
            except READ_ERRORS as exc:
                failures[str(path)] = describe(exc)
    return failures
