"""A context for a long-running server: the store owned by the process, pooled sessions, a result cache.

:func:`start_serving` turns the CLI's context into the server's (docs/server.md):

- the store is a :class:`~trailmask.engines.duckdb.served.ServedStore`: opened once, read-write,
  hardened; every query session is a cursor of that one DuckDB instance;
- the engines are :class:`~trailmask.engines.result_cache.CachedEngine` over
  :class:`~trailmask.engines.pool.SessionPool` (``serve.max_concurrent_queries`` sessions at once,
  reused per lane: role plus masking key digest; ``serve.queue_wait_s`` to get one, else 503);
- the server file ``<db>.server.json`` (0600, like the store) tells ``trailmask ingest`` on this
  machine that a server owns the store, where it listens, and the owner credential that lets it
  hand its sources to :func:`server_ingest` (``POST /api/ingest``) instead of waiting for the
  store's lock. Whoever can read that file can read the store itself.

:func:`server_ingest` is the audited operation behind that route: the store owner (the server
file's credential) may load any source; a token user needs the ``ingest`` permission and may load
only ``s3://`` and ``lookup-events`` sources (a local path would be a file on the server's disk).
One ingest runs at a time; queries go on during it and see each batch once it commits.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trailmask.engines.base import Engine
from trailmask.engines.duckdb import DuckDBEngine
from trailmask.engines.duckdb.served import ServedStore
from trailmask.engines.pool import SessionPool, lane
from trailmask.engines.result_cache import CachedEngine, ResultCache
from trailmask.errors import PermissionDenied
from trailmask.models import Actor, IngestSummary
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.engine import select_engine
from trailmask.service.ingest import LOOKUP_SOURCE, IngestOptions, ingest

__all__ = ["OWNER_VIA", "ServerInfo", "Serving", "find_server", "lane", "server_ingest", "start_serving"]

OWNER_VIA = "server-owner"
DEFAULT_CACHE_TTL_S = 5.0
_INGEST = threading.Lock()


def server_file(db: Path) -> Path:
    return db.with_name(db.name + ".server.json")


@dataclass(frozen=True)
class ServerInfo:
    """What ``<db>.server.json`` says: the server's process, its URL and the owner credential."""

    pid: int
    url: str
    secret: str = field(repr=False)


@dataclass(eq=False)
class Serving:
    """The server's hold on its store (see the module docstring); :meth:`close` when it stops."""

    store: ServedStore
    cache: ResultCache
    pools: list[SessionPool]
    secret: str = field(repr=False)
    file: Path | None = None

    def publish(self, url: str) -> None:
        """Write the server file (0600): ``trailmask ingest`` on this machine hands its sources here."""
        target = server_file(self.store.path)
        text = json.dumps({"pid": os.getpid(), "url": url, "secret": self.secret})
        temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)
        self.file = target

    def close(self) -> None:
        """Remove the server file (if still ours), close the pooled sessions and the store."""
        if self.file is not None:
            found = find_server(self.store.path)
            if found is not None and found.pid == os.getpid():
                self.file.unlink(missing_ok=True)
            self.file = None
        for pool in self.pools:
            pool.close()
        self.cache.clear()
        self.store.close()

    def stats(self) -> dict[str, object]:
        return {"cache": self.cache.stats(), "pools": [p.stats() for p in self.pools], "writes": self.store.generation}


def start_serving(ctx: AppContext, *, cache_ttl_s: float = DEFAULT_CACHE_TTL_S) -> tuple[AppContext, Serving]:
    """The server's context over ``ctx``'s settings (see the module docstring)."""
    settings = ctx.settings
    options = settings.serve
    projections = settings.db.with_name(settings.db.name + ".projections")  # a projection builder reads there
    store = ServedStore(settings.db, memory_limit=ctx.store.writer_memory_limit, readable_dirs=[projections])
    cache = ResultCache(cache_ttl_s)
    store.on_write(cache.clear)
    pools: list[SessionPool] = []

    def layered(engine: Engine) -> Engine:
        pool = SessionPool(engine, max_active=options.max_concurrent_queries, wait_s=options.queue_wait_s)
        pools.append(pool)
        return CachedEngine(pool, cache, store.data_version)

    store_engine = layered(DuckDBEngine(store, memory_limit=settings.memory_limit))
    engine = store_engine if settings.engine == "duckdb" else layered(select_engine(settings, store))
    served = dataclasses.replace(ctx, store=store, _engine=engine, _store_engine=store_engine)
    return served, Serving(store=store, cache=cache, pools=pools, secret=secrets.token_urlsafe(32))


def find_server(db: Path) -> ServerInfo | None:
    """The live server owning store ``db``, from its server file (None: no file, or its process is gone)."""
    try:
        raw = json.loads(server_file(db).read_text(encoding="utf-8"))
        info = ServerInfo(pid=int(raw["pid"]), url=str(raw["url"]), secret=str(raw["secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another account's process
    return info


def owner_actor() -> Actor:
    """The store owner handing sources to the server (named after the server's OS account)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = f"uid-{os.getuid()}"
    return Actor(name=f"local:{user}", role="admin", via=OWNER_VIA)


def _is_remote(source: str) -> bool:
    return source.startswith("s3://") or source == LOOKUP_SOURCE


def server_ingest(
    ctx: AppContext,
    actor: Actor,
    sources: Sequence[str],
    *,
    batch_files: int | None = None,
    options: IngestOptions | None = None,
) -> IngestSummary:
    """Load ``sources`` into the served store (see the module docstring); one ingest at a time."""
    with audited(ctx, actor, "ingest", sources=len(sources)) as audit:
        require(ctx, actor, "ingest")
        if actor.via != OWNER_VIA and any(not _is_remote(s) for s in sources):
            raise PermissionDenied(
                "only the store's owner may ingest local paths through the server",
                hint="run `trailmask ingest` on the server's machine, or ingest s3:// or lookup-events sources",
            )
        audit.delegate()
        with _INGEST:
            return ingest(ctx, actor, sources, batch_files=batch_files, options=options)
