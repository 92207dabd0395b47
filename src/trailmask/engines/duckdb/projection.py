"""Masked projections: a role's masked ``events`` materialised in a DuckDB file of its own.

Layout, beside the store (``<store>.projections/``, 0700; files 0600):

- ``<digest>.json``: the manifest (:class:`Manifest`): which projection file is current, the
  ingest batches (and raw row count) it covers, the policy digest and key fingerprint it was built
  under, the roles that share it;
- ``<digest>.<version>.duckdb``: the projection itself, one table ``events`` with the role's masked
  columns (row filter applied when it was built); nothing else, in particular no raw value and no key;
- ``<digest>.lock``: held (flock) by the one process building that projection.

A build never writes a file a reader may have open: it copies the current version (or starts an
empty one) to ``<digest>.<version>.duckdb.tmp``, inserts the new rows there (the raw store attached
read-only), checkpoints, renames it into place and then replaces the manifest (write + fsync +
rename). A process killed at any point leaves the previous manifest and its file intact; the next
build removes the leftovers (``*.tmp``, versions no manifest names). Readers open the version the
manifest names, read-only, hardened like every query session (:class:`ProjectionEngine`); the raw
store is never attached to them.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from trailmask.engines.base import TempTables
from trailmask.engines.duckdb.served import ServedStore
from trailmask.engines.duckdb.session import QuerySession
from trailmask.engines.duckdb.store import Store, connect_with_retry
from trailmask.errors import StoreError

FORMAT = 1
RAW_CATALOG = "tm_raw_store"  # the raw store's name inside a build connection (never in a query session)
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Manifest:
    """What one projection file holds (see the module docstring)."""

    digest: str
    file: str
    policy_digest: str
    key_fingerprint: str
    roles: tuple[str, ...]
    batches: frozenset[str]
    raw_rows: int
    rows: int
    built_at: str
    build_ms: float
    format: int = FORMAT

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["roles"], data["batches"] = list(self.roles), sorted(self.batches)
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["roles"], data["batches"] = tuple(data["roles"]), frozenset(data["batches"])
        return cls(**data)


def projections_root(store_path: Path) -> Path:
    """``<store>.projections``: the folder of a store's projections."""
    return store_path.with_name(store_path.name + ".projections")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class ProjectionDir:
    """The projections folder of one store."""

    root: Path
    _seen: dict[str, tuple[tuple[int, int], Manifest | None]] = field(default_factory=dict, repr=False)

    def manifest_path(self, digest: str) -> Path:
        return self.root / f"{digest}.json"

    def file_path(self, manifest: Manifest) -> Path:
        return self.root / manifest.file

    def read_manifest(self, digest: str) -> Manifest | None:
        """The manifest of ``digest`` (cached while the file is unchanged), or None (absent, unreadable,
        another format, or naming a file that is not there)."""
        path = self.manifest_path(digest)
        try:
            status = path.stat()
        except OSError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._seen.get(digest)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            manifest: Manifest | None = Manifest.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            manifest = None
        if manifest is not None and (manifest.format != FORMAT or manifest.digest != digest):
            manifest = None
        self._seen[digest] = (stamp, manifest)
        return manifest

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically (write, fsync, rename, fsync the folder)."""
        path = self.manifest_path(manifest.digest)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(manifest.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_dir(self.root)

    @contextmanager
    def building(self, digest: str) -> Iterator[bool]:
        """Hold ``<digest>.lock`` (True), or yield False when another process is building it."""
        self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        fd = os.open(self.root / f"{digest}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def clean(self, digest: str) -> None:
        """Remove what a build of ``digest`` left behind (call with the build lock held)."""
        manifest = self.read_manifest(digest)
        keep = manifest.file if manifest else None
        for path in self.root.glob(f"{digest}.*"):
            name = path.name
            stale_version = name.endswith(".duckdb") and name != keep
            if name.endswith((".tmp", ".tmp.wal")) or stale_version or (name.endswith(".wal") and keep is None):
                path.unlink(missing_ok=True)

    def size(self, manifest: Manifest) -> int:
        return self.file_path(manifest).stat().st_size


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Built:
    """One build: the new version file (None when nothing was new), and what it covers."""

    file: str | None
    rows: int
    batches: frozenset[str]
    raw_rows: int


SqlFor = Callable[[frozenset[str] | None, str | None], str]


def _build_connection(store: Store, spill: Path, memory_limit: str) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """The connection a build runs on, and the catalog its raw store is under (None: the default).

    A store served by ``trailmask serve`` (served.ServedStore) is already open in this process and
    DuckDB refuses a second instance on the file: the build runs on a cursor of the served
    instance (hardened, its projections folder readable: service.serving), where the store is the
    default catalog. Otherwise a private in-memory connection attaches the store read-only.
    """
    if isinstance(store, ServedStore):
        return store.reader(), None
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
        "temp_directory": str(spill),
    }
    conn = duckdb.connect(":memory:", config=config)
    try:
        attach = f"ATTACH {_literal(str(store.path))} AS {RAW_CATALOG} (READ_ONLY)"
        connect_with_retry(lambda: conn.execute(attach), store.path, store.lock_wait_s)
    except BaseException:
        conn.close()
        raise
    return conn, RAW_CATALOG


def build_version(
    directory: ProjectionDir,
    store: Store,
    digest: str,
    previous: Manifest | None,
    sql_for: SqlFor,
    temp_tables: TempTables,
    *,
    memory_limit: str = "2GB",
) -> Built:
    """A new version file of ``digest``: the previous one's rows plus those of the batches it lacks.

    The raw store is read on a build connection (:func:`_build_connection`); the batches it holds
    are read there, so what the build inserts and what the manifest will say it covers come from
    the same snapshot. ``sql_for(batches, catalog)`` is the role's masked SELECT over
    ``<catalog>.main.events`` (catalog None: ``main.events``) narrowed to ``batches`` (None: every
    row); ``temp_tables`` (the masking key) are bound as session values, as in a query session.
    When the previous version covers batches the store no longer holds, the projection is built
    again from nothing.
    """
    store.require_exists()
    directory.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    spill = directory.root / f".spill-{uuid.uuid4().hex[:8]}"
    tmp: Path | None = None
    target = f"tm_proj_{uuid.uuid4().hex[:12]}"
    try:
        conn, catalog = _build_connection(store, spill, memory_limit)
    except duckdb.Error as exc:
        raise StoreError(f"cannot build the masked projection: {type(exc).__name__}") from None
    events = f"{catalog}.main.events" if catalog else "main.events"
    try:
        rows = conn.execute(f"SELECT tm_batch, count(*) FROM {events} GROUP BY 1").fetchall()
        batches, raw_rows = frozenset(str(r[0]) for r in rows), sum(int(r[1]) for r in rows)
        if previous is not None and not previous.batches <= batches:
            previous = None  # the store lost batches the projection holds: start again
        if previous is not None and previous.batches == batches:
            return Built(None, previous.rows, batches, raw_rows)
        for table, values in temp_tables.items():
            columns = ", ".join(f"? AS {column}" for column in values)
            conn.execute(f"CREATE TEMP TABLE {table} AS SELECT {columns}", list(values.values()))
            for column, value in values.items():
                conn.execute(f"SET VARIABLE {table}__{column} = ?", [value])
        name = f"{digest}.{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.duckdb"
        tmp = directory.root / (name + ".tmp")
        if previous is not None:
            shutil.copyfile(directory.file_path(previous), tmp)
            os.chmod(tmp, PRIVATE_FILE)
        conn.execute(f"ATTACH {_literal(str(tmp))} AS {target}")
        if previous is None:
            conn.execute(f"CREATE TABLE {target}.main.events AS {sql_for(None, catalog)}")
        else:
            conn.execute(f"INSERT INTO {target}.main.events BY NAME {sql_for(batches - previous.batches, catalog)}")
        count = int(conn.execute(f"SELECT count(*) FROM {target}.main.events").fetchall()[0][0])
        conn.execute(f"CHECKPOINT {target}")
        conn.execute(f"DETACH {target}")
    except duckdb.Error as exc:
        raise StoreError(f"cannot build the masked projection: {type(exc).__name__}") from None
    finally:
        with suppress(duckdb.Error):  # never leave the file attached, nor the key, in a served instance
            conn.execute(f"DETACH DATABASE IF EXISTS {target}")
            for table, values in temp_tables.items():
                conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
                for column in values:
                    conn.execute(f"RESET VARIABLE {table}__{column}")
        conn.close()
        shutil.rmtree(spill, ignore_errors=True)
    assert tmp is not None
    os.chmod(tmp, PRIVATE_FILE)
    _fsync_file(tmp)
    os.replace(tmp, directory.root / name)
    _fsync_dir(directory.root)
    return Built(name, count, batches, raw_rows)


class ProjectionSession(QuerySession):
    """A hardened read-only session on one projection file: the only data it can reach is that
    file's masked ``events`` (an :class:`~trailmask.engines.base.EngineSession`)."""

    def __init__(self, path: Path, *, memory_limit: str = "2GB", threads: int = 2) -> None:
        self._path = path
        super().__init__(Store(path), temp_tables=None, memory_limit=memory_limit, threads=threads)

    def _connect(self, config: Mapping[str, str | bool | int | float | list[str]]) -> duckdb.DuckDBPyConnection:
        if not self._path.exists():
            raise StoreError(f"masked projection {self._path.name} is gone (replaced by a newer one)")
        settings: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            **config,
        }
        return connect_with_retry(
            lambda: duckdb.connect(str(self._path), read_only=True, config=settings), self._path, 5.0
        )


class ProjectionEngine:
    """Sessions over one projection file (an :class:`~trailmask.engines.base.Engine`).

    ``temp_tables`` are refused: a projection holds masked values already, so its sessions never
    receive the masking key.
    """

    name = "duckdb"

    def __init__(self, path: Path, digest: str, *, memory_limit: str = "2GB") -> None:
        self.path = path
        self.digest = digest
        self.memory_limit = memory_limit

    def session(self, *, temp_tables: TempTables | None = None) -> ProjectionSession:
        if temp_tables:
            raise ValueError("a projection session takes no session values (no masking key)")
        return ProjectionSession(self.path, memory_limit=self.memory_limit)
