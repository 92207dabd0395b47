"""CSV and JSON-lines exports (one file each), streamed batch by batch.

CSV cells hold text, encoded by ``export.csvcell`` (the one cell encoder of every CSV trailmask
writes: nested values as JSON, timestamps ISO-8601 UTC, text that a spreadsheet would evaluate as
a formula prefixed with ``'``). JSON lines keep nesting; the columns named in ``json_columns``
(CloudTrail's free-form objects and the raw record, stored as JSON text) are embedded as JSON
values rather than as strings.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from trailmask.export.csvcell import csv_cell, csv_writer, plain
from trailmask.export.target import ExportResult, private_file


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
    with private_file(path) as handle:
        for row in _rows(reader, result):
            for name in embedded:
                row[name] = _embedded(row[name])
            handle.write(json.dumps(plain(row), ensure_ascii=False, separators=(",", ":")) + "\n")
    result.files.append(path)
    return result


def write_csv(reader: pa.RecordBatchReader, directory: Path) -> ExportResult:
    result = ExportResult("csv", Path(directory))
    path = Path(directory) / "events.csv"
    names = reader.schema.names
    with private_file(path) as handle:
        writer = csv_writer(handle)
        writer.writerow(names)
        for row in _rows(reader, result):
            writer.writerow([csv_cell(row[name]) for name in names])
    result.files.append(path)
    return result
