"""Per-query Spark sessions: session values as one-row views, bound parameters, time and row limits.

Each query runs in a new session of the process's SparkSession (``newSession()``: shared context
and caches, separate temporary views), so one query's views never meet another's. The caller's
session values (the masking key) become temporary views built from in-memory rows, never from SQL
text; the SQL reads them by joining (see trailmask.sqlkit.dialects). Parameters are bound by Spark
(``spark.sql(sql, args=...)``, ``:name`` markers). Time is bounded by cancelling the query's job
group from a timer; rows by taking at most ``max_rows + 1``.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from py4j.protocol import Py4JError  # type: ignore[import-untyped]
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType, TimestampNTZType

from trailmask.engines.base import Params, Rows, TempTables, WrittenDataset
from trailmask.engines.control import current_control
from trailmask.engines.spark.types import quote
from trailmask.errors import QueryCancelled, QueryFailed, QueryTimeout


def _plain(value: Any) -> Any:
    """Spark values as DuckDB's Python client gives them: structs as dicts, arrays as lists."""
    if isinstance(value, Row):
        return {name: _plain(item) for name, item in zip(value.__fields__, value, strict=True)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _one_row(spark: SparkSession, values: Mapping[str, str]) -> DataFrame:
    """A one-row DataFrame held in the driver (a ``LocalRelation``, whose plans never print data).

    Built through the JVM API so that no job is needed to read it and no value passes through SQL
    text or a Python worker.
    """
    jvm = spark.sparkContext._jvm
    gateway = spark.sparkContext._gateway
    assert jvm is not None
    assert gateway is not None
    cells = gateway.new_array(jvm.java.lang.Object, len(values))
    for index, value in enumerate(values.values()):
        cells[index] = value
    rows = jvm.java.util.ArrayList()
    rows.add(jvm.org.apache.spark.sql.RowFactory.create(cells))
    schema = StructType([StructField(name, StringType(), nullable=False) for name in values])
    java_schema = spark._jsparkSession.parseDataType(schema.json())
    return DataFrame(spark._jsparkSession.createDataFrame(rows, java_schema), spark)


def bindable(value: Any) -> Any:
    """A parameter value as Spark binds it: aware datetimes become naive UTC (TIMESTAMP_NTZ)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _named(params: Params) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise QueryFailed("the spark engine binds named parameters only")
    return {name: bindable(value) for name, value in params.items()}


class SparkQuerySession:
    """One query's session (an :class:`~trailmask.engines.base.EngineSession`)."""

    def __init__(self, spark: SparkSession, *, temp_tables: TempTables | None = None) -> None:
        self._spark = spark.newSession()
        for table, values in (temp_tables or {}).items():
            _one_row(self._spark, values).createOrReplaceTempView(table)
        self._views = list(temp_tables or {})

    def __enter__(self) -> SparkQuerySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for view in self._views:
            self._spark.catalog.dropTempView(view)
        self._views = []

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        """Run one query; engine errors become QueryFailed naming the error class only.

        The engine's message can quote the SQL text and values; it is kept aside as
        ``engine_message`` for callers that may show it (raw roles). The query runs in a worker
        thread under its own job group: at the time limit the caller gets QueryTimeout at once and
        the group's jobs are cancelled (tasks stop at their next interruption check).
        """
        group = f"trailmask-{uuid.uuid4().hex}"
        outcome: dict[str, Any] = {}
        args = _named(params)
        worker = threading.Thread(target=self._run, args=(sql, args, max_rows, group, outcome), daemon=True)
        started = time.perf_counter()
        control = current_control()  # the run's owner may cancel it: the group's jobs are cancelled
        with control.attached(lambda: self._spark.sparkContext.cancelJobGroup(group)) if control else nullcontext():
            worker.start()
            worker.join(timeout_s)
        if worker.is_alive() and not (control is not None and control.cancelled):
            self._spark.sparkContext.cancelJobGroup(group)
            raise QueryTimeout(
                f"query stopped after the {timeout_s:g} s time limit", hint="narrow the time window or add filters"
            )
        if control is not None and control.cancelled:
            raise QueryCancelled("the query was cancelled by its owner; it did not finish")
        if "error" in outcome:
            raise _failure(outcome["error"])
        elapsed = (time.perf_counter() - started) * 1000
        fetched: list[Row] = outcome["rows"]
        rows = [tuple(_plain(v) for v in row) for row in fetched[:max_rows]]
        return Rows(outcome["columns"], rows, len(fetched) > max_rows, elapsed)

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """The whole result as Arrow record batches (collected on the driver by ``toArrow``)."""
        try:
            table = self._spark.sql(sql, args=_named(params)).toArrow()
        except (PySparkException, Py4JError) as exc:
            raise _failure(exc) from None
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=batch_rows))

    def write_partitioned(
        self, sql: str, params: Params, directory: Path, partitions: Sequence[str], *, overwrite: bool
    ) -> WrittenDataset:
        """The rows of ``sql`` written by the executors as a Hive-partitioned Parquet dataset.

        As the DuckDB export writes it: snappy, top-level timestamps as UTC instants
        (``TIMESTAMP_MICROS``, ``isAdjustedToUTC``), NULL partition values as
        ``__HIVE_DEFAULT_PARTITION__``; ``overwrite`` replaces only the partitions written (dynamic
        partition overwrite). Hadoop's ``_SUCCESS`` marker and ``.crc`` side files are removed.
        """
        target = Path(directory)
        before = set(target.rglob("*.parquet"))
        try:
            frame = self._spark.sql(sql, args=_named(params))
            columns = [
                F.col(quote(f.name)).cast("timestamp_ltz").alias(f.name)
                if isinstance(f.dataType, TimestampNTZType)
                else F.col(quote(f.name))
                for f in frame.schema.fields
            ]
            self._spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            self._spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
            writer = frame.select(*columns).write.partitionBy(*partitions).option("compression", "snappy")
            writer.mode("overwrite" if overwrite else "append").parquet(str(target))
        except (PySparkException, Py4JError) as exc:
            raise _failure(exc) from None
        for side in [*target.rglob("*.crc"), *target.rglob("_SUCCESS")]:
            side.unlink(missing_ok=True)
        written = _uri_encoded(target, sorted(set(target.rglob("*.parquet")) - before))
        if overwrite:  # a partition Spark wrote under its own folder name replaces the encoded one's files
            folders = {path.parent for path in written}
            for old in before:
                if old.parent in folders and old.exists():
                    old.unlink()
        rows = sum(pq.ParquetFile(path).metadata.num_rows for path in written)
        return WrittenDataset(rows, written)

    def _run(self, sql: str, args: dict[str, Any], max_rows: int, group: str, outcome: dict[str, Any]) -> None:
        """The worker: analysis and the job both run under ``group`` (a thread-local property)."""
        context = self._spark.sparkContext
        context.setJobGroup(group, "trailmask query", interruptOnCancel=True)
        try:
            frame = self._spark.sql(sql, args=args)
            outcome["rows"] = frame.take(max_rows + 1)
            outcome["columns"] = list(frame.columns)
        except (PySparkException, Py4JError) as exc:
            outcome["error"] = exc


_SPARK_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _segment(name: str) -> str:
    """A ``key=value`` folder as Spark wrote it (only a few characters %-escaped) in the form the
    DuckDB export (pyarrow's ``uri`` encoding: all but ``A-Za-z0-9-._~``) and the Athena DDL use."""
    key, sep, value = name.partition("=")
    if not sep or value == DEFAULT_PARTITION:
        return name
    plain = _SPARK_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return f"{key}={urllib.parse.quote(plain, safe='')}"


def _uri_encoded(target: Path, files: list[Path]) -> list[Path]:
    """``files`` moved into partition folders named as the DuckDB export names them."""
    moved = []
    for path in files:
        parts = path.relative_to(target).parts
        wanted = target.joinpath(*[_segment(p) for p in parts[:-1]], parts[-1])
        if wanted != path:
            wanted.parent.mkdir(parents=True, exist_ok=True)
            path.rename(wanted)
            folder = path.parent
            while folder != target and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        moved.append(wanted)
    return sorted(moved)


def _failure(exc: Exception) -> QueryFailed:
    kind = type(exc).__name__
    condition = exc.getCondition() if isinstance(exc, PySparkException) else None
    detail = f"{kind}: {condition}" if condition else kind
    return QueryFailed(f"the engine could not run the query ({detail})", engine_message=str(exc))
