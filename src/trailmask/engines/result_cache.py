"""A short-lived result cache in front of any :class:`~trailmask.engines.base.Engine` (dashboards, watches).

:class:`CachedEngine` answers ``execute`` from :class:`ResultCache` when the same statement ran
moments ago on the same data under the same masking, and otherwise runs it on the inner engine
(a session is taken only on a miss). An entry's key is

- the data version (``version()``: for a served store, its write generation plus the store and
  WAL file stat, so a committed ingest batch changes it at once; entries under an older version
  are never read again and are dropped when a writer ends);
- the lane (the role the caller runs as, engines.pool.lane) and a digest of the session's temp
  tables (the masking key: never kept in clear);
- the SQL text as it runs (the role's masking compiled into it, or its projection's relation),
  the bound parameters (typed: ``1`` and ``'1'`` differ) and ``max_rows``.

So an entry is only ever read by the same role under the same masking policy, key and data; work
without a lane is not cached. Entries live ``ttl_s`` seconds; the cache holds at most
``max_entries`` results and ``max_rows`` rows in all (least recently used go first); results
larger than a tenth of ``max_rows`` are not kept. Streams (exports) are never cached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import pyarrow as pa

from trailmask.engines.base import Engine, EngineSession, Params, Rows, TempTables
from trailmask.engines.pool import current_lane, tables_digest

Version = Callable[[], Hashable]


def _typed(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), _typed(v)) for k, v in value.items())))
    return (type(value).__qualname__, repr(value))


def params_key(params: Params) -> Hashable:
    """Bound parameters as a hashable key that keeps their types."""
    if params is None:
        return None
    return _typed(params)


@dataclass
class _Entry:
    rows: Rows
    expires: float


class ResultCache:
    """Thread-safe, time- and size-bounded results (see the module docstring)."""

    def __init__(self, ttl_s: float, *, max_entries: int = 512, max_rows: int = 500_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.max_rows = max_rows
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    def get(self, key: Hashable) -> Rows | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires <= now:
                if entry is not None:
                    self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.rows

    def put(self, key: Hashable, rows: Rows) -> None:
        if not self.enabled or len(rows.rows) > self.max_rows // 10:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(rows, time.monotonic() + self.ttl_s)
            self._rows += len(rows.rows)
            while self._entries and (len(self._entries) > self.max_entries or self._rows > self.max_rows):
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        self._rows -= len(entry.rows.rows)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._rows = 0

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "rows": self._rows, "hits": self.hits, "misses": self.misses}


class CachedEngine:
    """``inner`` behind ``cache``; ``version()`` is the data version (see the module docstring)."""

    def __init__(self, inner: Engine, cache: ResultCache, version: Version) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache = cache
        self.version = version

    def session(self, *, temp_tables: TempTables | None = None) -> EngineSession:
        return _CachedSession(self, temp_tables)


class _CachedSession:
    """Answers from the cache, or opens the inner session on the first miss."""

    def __init__(self, engine: CachedEngine, temp_tables: TempTables | None) -> None:
        self._engine = engine
        self._temp_tables = temp_tables
        self._lane = current_lane()
        self._digest = tables_digest(temp_tables)
        self._inner: EngineSession | None = None

    def _session(self) -> EngineSession:
        if self._inner is None:
            self._inner = self._engine.inner.session(temp_tables=self._temp_tables)
        return self._inner

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        cache = self._engine.cache
        if self._lane is None or not cache.enabled:
            return self._session().execute(sql, params, timeout_s=timeout_s, max_rows=max_rows)
        started = time.perf_counter()
        key = (self._engine.version(), self._lane, self._digest, sql, params_key(params), max_rows)
        found = cache.get(key)
        if found is not None:
            elapsed = (time.perf_counter() - started) * 1000
            return Rows(list(found.columns), list(found.rows), found.truncated, elapsed)
        rows = self._session().execute(sql, params, timeout_s=timeout_s, max_rows=max_rows)
        cache.put(key, Rows(list(rows.columns), list(rows.rows), rows.truncated, rows.elapsed_ms))
        return rows

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        return self._session().stream(sql, params, batch_rows=batch_rows)

    def close(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            inner.close()

    def __enter__(self) -> _CachedSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
