"""The one engine interface: an :class:`Engine` opens :class:`EngineSession` objects that run SQL.

Every engine (DuckDB over the store file, Spark over the exported dataset) gives the same three
operations on a session, with the same limits and the same error contract:

- ``execute(sql, params, timeout_s=, max_rows=)`` -> :class:`Rows` (at most ``max_rows``; ``truncated``
  says whether more existed); past ``timeout_s`` the query is stopped with QueryTimeout;
- ``stream(sql, params, batch_rows=)`` -> an Arrow ``RecordBatchReader`` without a row limit (exports);
- ``close()`` (sessions are context managers).

A session that can write a query's rows as a Hive-partitioned Parquet dataset itself (Spark: the
executors write the files, nothing passes through the driver) is also a :class:`PartitionedWriter`.

An engine error is a :class:`~trailmask.errors.QueryFailed` naming the engine's error class only;
the engine's own message (which can quote SQL text and values) is kept on the error's
``engine_message`` field for the callers allowed to show it (raw roles). ``temp_tables`` are
session values (the masking key) handed to the session as data, never as SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

TempTables = Mapping[str, Mapping[str, str]]
Params = Sequence[Any] | Mapping[str, Any] | None


@dataclass
class Rows:
    """One query's rows as the engine returned them (Python values, one tuple per row)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float


class EngineSession(Protocol):
    """One query session of an engine (see the module docstring)."""

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        """Run one statement with a time and a row limit."""
        ...

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Run one statement and return its rows as Arrow record batches, without a row limit."""
        ...

    def close(self) -> None:
        """Release the session (its temporary tables or views go with it)."""
        ...

    def __enter__(self) -> EngineSession: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


class Engine(Protocol):
    """Something that opens sessions over one data source (``name`` is ``duckdb`` or ``spark``)."""

    name: str

    def session(self, *, temp_tables: TempTables | None = None) -> EngineSession:
        """A new session; ``temp_tables`` become session values readable by the SQL, not SQL text."""
        ...


@dataclass
class WrittenDataset:
    """What :meth:`PartitionedWriter.write_partitioned` wrote: the new Parquet files and their rows."""

    rows: int
    files: list[Path]


@runtime_checkable
class PartitionedWriter(Protocol):
    """A session that writes a query's rows into ``directory`` as ``p1=.../p2=.../*.parquet``."""

    def write_partitioned(
        self, sql: str, params: Params, directory: Path, partitions: Sequence[str], *, overwrite: bool
    ) -> WrittenDataset:
        """Write every row of ``sql`` (``partitions`` are its last columns, kept in folder names only);
        ``overwrite`` replaces the partitions written, else files are added to ``directory``."""
        ...
