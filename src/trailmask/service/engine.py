"""The engine a context queries, chosen once from the settings, and the one way a plan runs on it.

- ``duckdb`` (default): :class:`~trailmask.engines.duckdb.DuckDBEngine` over the store file.
- ``spark``: :class:`SparkEngine` over the Parquet dataset ``settings.dataset``. service.prepare
  renders every query as DuckDB SQL over ``main.events``; this engine's sessions transpile it
  (trailmask.sqlkit.dialects) to Spark SQL over the dataset's internal view, bind only the
  parameters the transpiled text uses, and scale every time limit by ``spark.timeout_factor``
  (Spark spends seconds planning a masked query that DuckDB starts at once). The masking key goes
  to the Spark session as a one-row view, never as SQL text. See docs/scale.md.

Both are :class:`~trailmask.engines.base.Engine` objects: a masked-projection session (or any
other kind) is one more implementation of the same interface. :func:`run_plan` is how every
service path runs a prepared query: the engine's own error text is shown only for raw plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from trailmask.config import Settings
from trailmask.engines.base import Engine, EngineSession, Params, PartitionedWriter, Rows, TempTables, WrittenDataset
from trailmask.engines.duckdb import DuckDBEngine, Store
from trailmask.errors import ConfigError, QueryFailed, QueryRejected, TrailmaskError
from trailmask.masking.compiler import RAW_TABLE
from trailmask.models import PreparedQuery
from trailmask.sqlkit.dialects import NotPortable, Transpiled, transpile

INTERNAL_TABLE = ".".join(RAW_TABLE)
SCALE_HINT = 'see "Scale: Spark and Athena" in the trailmask documentation'


def transpiled(sql: str, dialect: str, table: str, *, pretty: bool = False) -> Transpiled:
    """``sql`` (DuckDB, over ``main.events``) in ``dialect`` over ``table``; QueryRejected if not portable."""
    try:
        return transpile(sql, dialect, tables={INTERNAL_TABLE: table}, pretty=pretty)
    except NotPortable as exc:
        raise QueryRejected(f"the query cannot be expressed for {dialect}: {exc}", hint=SCALE_HINT) from None
    except TrailmaskError:
        raise
    except Exception as exc:  # the toolkit failing on a construct: a clear refusal, never a 500
        raise QueryRejected(
            f"the query cannot be expressed for {dialect} ({type(exc).__name__})", hint=SCALE_HINT
        ) from None


class _SparkSession:
    """A Spark session that takes the store's (DuckDB) SQL: transpiled per statement."""

    def __init__(self, inner: EngineSession, view: str, timeout_factor: float) -> None:
        self._inner = inner
        self._view = view
        self._factor = timeout_factor

    def _text(self, sql: str, params: Params) -> tuple[str, dict[str, Any]]:
        text = transpiled(sql, "spark", self._view)
        given = dict(params) if isinstance(params, dict) else {}
        return text.sql, {name: given.get(name) for name in text.parameters}

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        text, bound = self._text(sql, params)
        return self._inner.execute(text, bound, timeout_s=timeout_s * self._factor, max_rows=max_rows)

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        text, bound = self._text(sql, params)
        return self._inner.stream(text, bound, batch_rows=batch_rows)

    def write_partitioned(
        self, sql: str, params: Params, directory: Path, partitions: Sequence[str], *, overwrite: bool
    ) -> WrittenDataset:
        """``sql`` transpiled, its rows written by Spark (engines.spark.session); exports on Spark."""
        if not isinstance(self._inner, PartitionedWriter):  # pragma: no cover - the Spark session is one
            raise QueryFailed("this engine session cannot write a dataset")
        text, bound = self._text(sql, params)
        return self._inner.write_partitioned(text, bound, directory, partitions, overwrite=overwrite)

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> _SparkSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class SparkEngine:
    """The Spark engine over ``settings.dataset`` (pyspark is imported on the first session)."""

    name = "spark"

    def __init__(self, settings: Settings) -> None:
        if settings.dataset is None:
            raise ConfigError(
                "--engine spark needs --dataset DIR (env TRAILMASK_DATASET)",
                hint="write the dataset with `trailmask export --format parquet DIR`",
            )
        self.dataset = settings.dataset
        self.options = settings.spark

    def session(self, *, temp_tables: TempTables | None = None) -> EngineSession:
        try:
            from trailmask.engines.spark.dataset import register_dataset
            from trailmask.engines.spark.runtime import spark_session
            from trailmask.engines.spark.session import SparkQuerySession
        except ImportError:
            raise ConfigError("the spark engine needs pyspark", hint="pip install 'trailmask[spark]'") from None
        spark = spark_session(self.options.properties, log_level=self.options.log_level)
        view = register_dataset(spark, self.dataset, cache=self.options.cache)
        inner = SparkQuerySession(spark, temp_tables=temp_tables)
        return _SparkSession(inner, view, self.options.timeout_factor)


def select_engine(settings: Settings, store: Store) -> Engine:
    """The query engine ``settings.engine`` names (checked by trailmask.config)."""
    if settings.engine == "spark":
        return SparkEngine(settings)
    return DuckDBEngine(store, memory_limit=settings.memory_limit)


def run_plan(engine: Engine, plan: PreparedQuery, *, timeout_s: float, max_rows: int) -> Rows:
    """Run ``plan`` in a new session of ``engine``; the engine's message is shown for raw plans only."""
    try:
        with engine.session(temp_tables=plan.temp_tables) as session:
            return session.execute(plan.sql, plan.params, timeout_s=timeout_s, max_rows=max_rows)
    except QueryFailed as exc:
        if plan.raw_errors and exc.engine_message is not None:
            shown: str | None = exc.engine_message
        else:  # query and schema only: the same for every role (issue 12.4), without candidates from
            # the masked relation, which holds only the columns the query names
            lines = (exc.schema_message or "").splitlines()
            shown = "\n".join(x for x in lines if not x.startswith("Candidate bindings")) or None
        if shown is not None:
            raise QueryFailed(
                f"the engine could not run the query: {shown}",
                engine_message=exc.engine_message,
                schema_message=exc.schema_message,
            ) from None
        raise
