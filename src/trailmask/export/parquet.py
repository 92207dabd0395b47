"""A Hive-partitioned Parquet dataset (``account=.../region=.../date=.../part-N.parquet``).

Columns keep their types (structs, lists, booleans, timestamps); top-level timestamps are written
as UTC instants (``isAdjustedToUTC``), which Athena, Spark and DuckDB read as timestamps. Partition
columns live in folder names only, as Hive, Athena and Spark expect; values are URI-encoded and a
missing value is ``__HIVE_DEFAULT_PARTITION__``. See docs/export.md for the Athena DDL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from trailmask.errors import UsageError
from trailmask.export.target import ExportResult, make_private

PARTITIONS = ("account", "region", "date")
MAX_PARTITIONS = 1_000_000
MAX_ROWS_PER_FILE = 1_000_000


def utc_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with naive top-level timestamps marked as UTC."""
    fields = []
    for item in schema:
        if pa.types.is_timestamp(item.type) and item.type.tz is None:
            item = item.with_type(pa.timestamp(item.type.unit, tz="UTC"))
        fields.append(item)
    return pa.schema(fields, metadata=schema.metadata)


def _cast(reader: pa.RecordBatchReader, schema: pa.Schema, result: ExportResult) -> Iterator[pa.RecordBatch]:
    for batch in reader:
        result.rows += batch.num_rows
        yield batch.cast(schema)


def write_parquet(
    reader: pa.RecordBatchReader,
    directory: Path,
    *,
    partitions: Sequence[str] = PARTITIONS,
    overwrite: bool = False,
) -> ExportResult:
    """Stream ``reader`` into a partitioned dataset under ``directory`` (already prepared)."""
    schema = utc_schema(reader.schema)
    missing = [name for name in partitions if name not in schema.names]
    if missing:
        raise UsageError(f"export rows lack partition column {missing[0]}")
    result = ExportResult("parquet", Path(directory))
    ds.write_dataset(
        _cast(reader, schema, result),
        str(directory),
        schema=schema,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([schema.field(p) for p in partitions]), flavor="hive"),
        basename_template="part-{i}.parquet",
        existing_data_behavior="delete_matching" if overwrite else "overwrite_or_ignore",
        max_partitions=MAX_PARTITIONS,
        max_rows_per_file=MAX_ROWS_PER_FILE,
        max_rows_per_group=min(MAX_ROWS_PER_FILE, 128 * 1024),
        file_options=ds.ParquetFileFormat().make_write_options(compression="snappy"),
        file_visitor=lambda written: result.files.append(Path(written.path)),
    )
    make_private(Path(directory), result.files)
    return result
