"""Hardened, read-only DuckDB query sessions.

A session opens the store read-only, creates the temporary tables the caller needs (for example
the masking key, so that no key is ever part of a SQL text that an error message could echo) and
mirrors their values as session variables ``<table>__<column>`` (read with ``getvariable``, which the
planner folds to a constant; user SQL can reach neither: the sandbox allows no such function). File
and network access are off and the configuration is locked from the moment the connection opens.
Time is bounded by interrupting the connection from a timer; rows by fetching at most
``max_rows + 1``; memory by DuckDB's ``memory_limit``. The run's owner can stop a statement the same
way (engines.control: the current RunControl interrupts the connection; QueryCancelled).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import nullcontext

import duckdb
import pyarrow as pa

from trailmask.engines.base import Params, Rows, TempTables
from trailmask.engines.control import current_control
from trailmask.engines.duckdb.store import Store
from trailmask.errors import QueryCancelled, QueryFailed, QueryTimeout

DATA_ERROR = (
    "the engine could not run the query: an error that can depend on data values, such as a conversion "
    "or a number out of range; the audit holds the engine's message"
)


class DuckDBEngine:
    """The DuckDB engine over one store file (an :class:`~trailmask.engines.base.Engine`)."""

    name = "duckdb"

    def __init__(self, store: Store, *, memory_limit: str = "2GB") -> None:
        self.store = store
        self.memory_limit = memory_limit

    def session(self, *, temp_tables: TempTables | None = None) -> QuerySession:
        return QuerySession(self.store, temp_tables=temp_tables, memory_limit=self.memory_limit)


# Errors raised before any row is read: they depend only on the query and the schema.
_SCHEMA_ERRORS = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException)


def _failure(exc: duckdb.Error) -> QueryFailed:
    text = str(exc)
    schema = text.split("\n\nLINE ", 1)[0].strip() if isinstance(exc, _SCHEMA_ERRORS) else None
    return QueryFailed(DATA_ERROR, engine_message=text, schema_message=schema)


class QuerySession:
    """A locked-down read-only connection (an :class:`~trailmask.engines.base.EngineSession`)."""

    def __init__(
        self,
        store: Store,
        *,
        temp_tables: TempTables | None = None,
        memory_limit: str = "2GB",
        threads: int = 2,
    ) -> None:
        # Hardening is part of the connect configuration, not SET statements after it: DuckDB shares
        # one database instance per file in a process, so every concurrent session must open it
        # with the same (already locked) configuration.
        self._store = store
        self._conn = self._connect(
            {
                "memory_limit": memory_limit,
                "threads": threads,
                "enable_external_access": False,
                "lock_configuration": True,
            }
        )
        try:
            for table, values in (temp_tables or {}).items():
                columns = ", ".join(f"? AS {name}" for name in values)
                self._conn.execute(f"CREATE TEMP TABLE {table} AS SELECT {columns}", list(values.values()))
                # The same values as session variables ``table__column`` (getvariable): bound here,
                # never part of SQL text, and constants to the planner (see sqlkit.expr.session_value).
                for name, value in values.items():
                    self._conn.execute(f"SET VARIABLE {table}__{name} = ?", [value])
        except BaseException:
            self._conn.close()
            raise

    def _connect(self, config: Mapping[str, str | bool | int | float | list[str]]) -> duckdb.DuckDBPyConnection:
        """The read-only connection, opened with the hardening ``config`` (a projection session
        opens its projection file instead of the store)."""
        return self._store.reader(dict(config))

    def __enter__(self) -> QuerySession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        """Run one statement; engine errors become QueryFailed with the engine's error class only.

        The engine's message is not passed on: it can quote the SQL text and values. Callers that
        may show it (the raw admin role) read the error's ``engine_message``.
        """
        control = current_control()  # the run's owner may cancel it (engines.control)
        timer = threading.Timer(timeout_s, self._conn.interrupt)
        started = time.perf_counter()
        try:
            with control.attached(self._conn.interrupt) if control is not None else nullcontext():
                timer.start()
                cursor = self._conn.execute(sql, params if params is not None else [])
                description = cursor.description or []
                fetched = cursor.fetchmany(max_rows + 1)
        except duckdb.InterruptException:
            if control is not None and control.cancelled:
                raise QueryCancelled("the query was cancelled by its owner; it did not finish") from None
            raise QueryTimeout(
                f"query stopped after the {timeout_s:g} s time limit", hint="narrow the time window or add filters"
            ) from None
        except duckdb.Error as exc:
            if control is not None and control.cancelled:
                raise QueryCancelled("the query was cancelled by its owner; it did not finish") from None
            if time.perf_counter() - started >= timeout_s:
                raise QueryTimeout(f"query stopped after the {timeout_s:g} s time limit") from None
            raise _failure(exc) from None
        finally:
            timer.cancel()
        elapsed = (time.perf_counter() - started) * 1000
        return Rows([d[0] for d in description], fetched[:max_rows], len(fetched) > max_rows, elapsed)

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        """Stream one statement's result as Arrow record batches (exports), without a row limit.

        Errors are reported as in :meth:`execute` (engine class only; the message is kept aside).
        """
        try:
            relation = self._conn.sql(sql, params=params)
            return relation.to_arrow_reader(batch_rows)
        except duckdb.Error as exc:
            raise _failure(exc) from None
