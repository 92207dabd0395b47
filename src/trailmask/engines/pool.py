"""Long-lived engine sessions for a server: a pool over any :class:`~trailmask.engines.base.Engine`.

:class:`SessionPool` is itself an Engine. ``session(temp_tables=)`` hands out a lease on an idle
session of the same *lane*, or opens a new one; closing the lease returns the session to its lane
instead of closing it. At most ``max_active`` leases exist at once (the server's query slots); a
caller that cannot get one within ``wait_s`` gets :class:`~trailmask.errors.ServerBusy` (503 with
Retry-After).

Isolation. A session carries state set when it was opened: the ``temp_tables`` (the masking key)
and their session variables. User SQL cannot change that state (one sandboxed SELECT), but a
session is still only ever reused inside its lane: the role the caller runs as (:func:`lane`, set
by the interface for the request) plus a digest of the temp tables' names and values (the values
themselves are not kept). A masked role's session is therefore never handed to another role, nor
to the same role under another key. Work that runs without a lane (a scheduled watch, a CLI)
gets sessions with temp tables that are closed after use, never pooled. A session whose query
raised anything but a QueryFailed, or that streamed (its reader may not be drained), is closed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType

import pyarrow as pa

from trailmask.engines.base import Engine, EngineSession, Params, Rows, TempTables
from trailmask.errors import QueryFailed, ServerBusy

_LANE: ContextVar[str | None] = ContextVar("trailmask_session_lane", default=None)
Lane = tuple[str | None, str]


@contextmanager
def lane(name: str | None) -> Iterator[None]:
    """Run the block's engine sessions in lane ``name`` (the caller's role)."""
    token = _LANE.set(name)
    try:
        yield
    finally:
        _LANE.reset(token)


def current_lane() -> str | None:
    return _LANE.get()


def tables_digest(temp_tables: TempTables | None) -> str:
    """A digest of the temp tables' names and values: equal digests, equal session state."""
    canonical = json.dumps({t: dict(v) for t, v in (temp_tables or {}).items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class SessionPool:
    """Pooled sessions of ``inner`` (see the module docstring); an Engine itself."""

    def __init__(self, inner: Engine, *, max_active: int, wait_s: float, max_idle: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_active = max(1, max_active)
        self.wait_s = wait_s
        self.max_idle = max_idle if max_idle is not None else self.max_active
        self._slots = threading.BoundedSemaphore(self.max_active)
        self._lock = threading.Lock()
        self._idle: OrderedDict[tuple[Lane, int], EngineSession] = OrderedDict()
        self._serial = 0
        self.opened = 0
        self.reused = 0

    def session(self, *, temp_tables: TempTables | None = None) -> EngineSession:
        if not self._slots.acquire(timeout=self.wait_s):
            raise ServerBusy(f"all {self.max_active} query slots stayed busy for {self.wait_s:g} s", hint="retry later")
        try:
            key: Lane = (current_lane(), tables_digest(temp_tables))
            poolable = key[0] is not None or not temp_tables
            inner = self._take(key) if poolable else None
            if inner is None:
                inner = self.inner.session(temp_tables=temp_tables)
                self.opened += 1
            else:
                self.reused += 1
            return _Lease(self, inner, key if poolable else None)
        except BaseException:
            self._slots.release()
            raise

    def _take(self, key: Lane) -> EngineSession | None:
        with self._lock:
            for slot in self._idle:
                if slot[0] == key:
                    return self._idle.pop(slot)
        return None

    def _give_back(self, key: Lane | None, inner: EngineSession, healthy: bool) -> None:
        try:
            evicted: list[EngineSession] = []
            if key is not None and healthy:
                with self._lock:
                    self._serial += 1
                    self._idle[(key, self._serial)] = inner
                    while len(self._idle) > self.max_idle:
                        evicted.append(self._idle.popitem(last=False)[1])
            else:
                evicted.append(inner)
            for session in evicted:
                session.close()
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close every idle session (leases out keep theirs until they end)."""
        with self._lock:
            idle = list(self._idle.values())
            self._idle.clear()
        for session in idle:
            session.close()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"opened": self.opened, "reused": self.reused, "idle": len(self._idle)}


class _Lease:
    """One use of a pooled session; ``close()`` returns it to its lane (or closes it)."""

    def __init__(self, pool: SessionPool, inner: EngineSession, key: Lane | None) -> None:
        self._pool = pool
        self._inner: EngineSession | None = inner
        self._key = key
        self._healthy = True
        self.started = time.monotonic()

    def _session(self) -> EngineSession:
        if self._inner is None:
            raise RuntimeError("the session was closed")
        return self._inner

    def execute(self, sql: str, params: Params = None, *, timeout_s: float = 30.0, max_rows: int = 10_000) -> Rows:
        try:
            return self._session().execute(sql, params, timeout_s=timeout_s, max_rows=max_rows)
        except QueryFailed:
            raise
        except BaseException:
            self._healthy = False
            raise

    def stream(self, sql: str, params: Params = None, *, batch_rows: int = 65_536) -> pa.RecordBatchReader:
        self._healthy = False  # the reader may be left undrained: never hand this session out again
        return self._session().stream(sql, params, batch_rows=batch_rows)

    def close(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            self._pool._give_back(self._key, inner, self._healthy)

    def __enter__(self) -> _Lease:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
