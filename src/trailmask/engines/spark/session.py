"""Per-query Spark sessions: session values as one-row views, bound parameters, time and row limits.

Each query runs in a new session of the process's SparkSession (``newSession()``: shared context
and caches, separate temporary views), so one query's views never meet another's. The caller's
session values (the masking key) become temporary views built from in-memory rows, never from SQL
text; the SQL reads them by joining (see trailmask.sqlkit.dialects). Parameters are bound by Spark
(``spark.sql(sql, args=...)``, ``:name`` markers). Time is bounded by cancelling the query's job
group from a timer; rows by taking at most ``max_rows + 1``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from py4j.protocol import Py4JError  # type: ignore[import-untyped]
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql.types import StringType, StructField, StructType

from trailmask.errors import QueryFailed, QueryTimeout


@dataclass
class Rows:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float


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


class SparkQuerySession:
    """One query's session; use as a context manager."""

    def __init__(self, spark: SparkSession, *, temp_tables: Mapping[str, Mapping[str, str]] | None = None) -> None:
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

    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None, *, timeout_s: float = 30.0, max_rows: int = 10_000
    ) -> Rows:
        """Run one query; engine errors become QueryFailed naming the error class only.

        The engine's message can quote the SQL text and values; it is kept aside as
        ``engine_message`` for callers that may show it (raw roles).
        """
        context = self._spark.sparkContext
        group = f"trailmask-{uuid.uuid4().hex}"
        fired = threading.Event()

        def cancel() -> None:
            fired.set()
            context.cancelJobGroup(group)

        timer = threading.Timer(timeout_s, cancel)
        started = time.perf_counter()
        context.setJobGroup(group, "trailmask query", interruptOnCancel=True)
        timer.start()
        try:
            frame = self._spark.sql(sql, args={k: bindable(v) for k, v in (params or {}).items()})
            fetched = frame.take(max_rows + 1)
            columns = list(frame.columns)
        except (PySparkException, Py4JError) as exc:
            if fired.is_set() or time.perf_counter() - started >= timeout_s:
                raise QueryTimeout(
                    f"query stopped after the {timeout_s:g} s time limit", hint="narrow the time window or add filters"
                ) from None
            raise _failure(exc) from None
        finally:
            timer.cancel()
            context.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
        elapsed = (time.perf_counter() - started) * 1000
        rows = [tuple(_plain(v) for v in row) for row in fetched[:max_rows]]
        return Rows(columns, rows, len(fetched) > max_rows, elapsed)


def _failure(exc: Exception) -> QueryFailed:
    kind = type(exc).__name__
    condition = exc.getCondition() if isinstance(exc, PySparkException) else None
    error = QueryFailed(f"the engine could not run the query ({kind}{f': {condition}' if condition else ''})")
    error.engine_message = str(exc)  # type: ignore[attr-defined]
    return error
