"""CSV and JSON-lines exports (one file each), streamed batch by batch.

CSV cells hold text: nested values (structs, lists) become JSON, timestamps ISO-8601 UTC. JSON lines
keep nesting; the columns named in ``json_columns`` (CloudTrail's free-form objects and the raw
record, stored as JSON text) are embedded as JSON values rather than as strings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from trailmask.export.target import ExportResult


def _plain(value: Any) -> Any:
    """A JSON-ready value: datetimes as ISO-8601 UTC (``Z``), containers recursively."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text + "Z" if value.tzinfo is None else text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def _embedded(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a masked or redacted value that is no longer JSON stays text


def _rows(reader: pa.RecordBatchReader, result: ExportResult) -> Iterator[dict[str, Any]]:
    for batch in reader:
        result.rows += batch.num_rows
        yield from batch.to_pylist()


def write_jsonl(reader: pa.RecordBatchReader, directory: Path, *, json_columns: Collection[str] = ()) -> ExportResult:
    result = ExportResult("json", Path(directory))
    path = Path(directory) / "events.jsonl"
    embedded = set(json_columns) & set(reader.schema.names)
    with path.open("w", encoding="utf-8") as handle:
        for row in _rows(reader, result):
            for name in embedded:
                row[name] = _embedded(row[name])
            handle.write(json.dumps(_plain(row), ensure_ascii=False, separators=(",", ":")) + "\n")
    result.files.append(path)
    return result


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime | date | bytes):
        return _plain(value)
    return value


def write_csv(reader: pa.RecordBatchReader, directory: Path) -> ExportResult:
    result = ExportResult("csv", Path(directory))
    path = Path(directory) / "events.csv"
    names = reader.schema.names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for row in _rows(reader, result):
            writer.writerow([_cell(row[name]) for name in names])
    result.files.append(path)
    return result
