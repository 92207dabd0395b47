"""A store owned by a long-running server: one DuckDB instance, opened once, shared by every session.

``trailmask serve`` opens the store file read-write once (:class:`ServedStore`) and keeps it: query
sessions are cursors of that instance (no file open per request; each cursor has its own temporary
tables and variables), and ingest runs in the same process on a cursor that holds the instance's
write lock (:meth:`ServedStore.writer`, one writer at a time). DuckDB's MVCC lets queries read the
last committed snapshot while a batch is being written, so ingest never stalls queries; a query
started after a batch commits sees it.

The instance is hardened once, before any cursor exists: extensions are never installed or
loaded, file and network access are off except for the store's private spool folder
``<db>.spool/`` (0700) and any ``readable_dirs`` (a projection builder's folder), and the
configuration is locked. The loader reads its inputs from the
spool: :meth:`ServedStore.readable` hard-links (or copies) each input file there, and the links
of a load are removed when its writer ends.

:attr:`ServedStore.generation` grows by one each time a writer ends; :meth:`data_version` adds the
store file's and WAL's size and modification times, so a commit anywhere in a long ingest is seen
at once by the result cache (trailmask.engines.result_cache).
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from trailmask.engines.duckdb.store import Store, migrate
from trailmask.errors import StoreError

PRIVATE_DIR = 0o700
Config = dict[str, str | bool | int | float | list[str]]


def spool_dir(path: Path) -> Path:
    """Where a served store's loader reads its inputs (hard links or copies), beside the store."""
    return path.parent / (path.name + ".spool")


def _private_dir(path: Path) -> None:
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise StoreError(f"{path} is not a folder", hint="remove it; trailmask serve keeps its spool there")
    os.chmod(path, PRIVATE_DIR)


class ServedStore(Store):
    """The store of a running server (see the module docstring); close it when the server stops."""

    def __init__(
        self, path: Path, *, memory_limit: str = "3GB", threads: int | None = None, readable_dirs: Sequence[Path] = ()
    ) -> None:
        super().__init__(path, writer_memory_limit=memory_limit)
        self.generation = 0
        self._write_lock = threading.Lock()
        self._cursor_lock = threading.Lock()
        self._staged: list[Path] = []
        self._listeners: list[Callable[[], None]] = []
        self.spool = spool_dir(self.path)
        self.path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        _private_dir(self.spool)
        for leftover in self.spool.iterdir():  # links of a load the previous server did not finish
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        config: Config = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit,
            "threads": threads or os.cpu_count() or 2,
        }
        try:
            self._root = duckdb.connect(str(self.path), config=config)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open store {self.path} for serving: {type(exc).__name__}",
                hint="is another trailmask process (an ingest or a server) using it?",
            ) from None
        try:
            for own in (self.path, self.path.with_name(self.path.name + ".wal")):
                if own.exists() and not own.is_symlink():
                    own.chmod(0o600)
            migrate(self._root, self.path)
            allowed = [str(self.spool) + os.sep, *(str(Path(d)) + os.sep for d in readable_dirs)]
            self._root.execute("SET allowed_directories = ?", [allowed])
            self._root.execute("SET enable_external_access = false")
            self._root.execute("SET lock_configuration = true")
        except BaseException:
            self._root.close()
            raise

    def on_write(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after each writer ends (the result cache drops what it holds)."""
        self._listeners.append(listener)

    def data_version(self) -> tuple[int, int, int, int]:
        """Changes whenever committed data may have changed (generation, file and WAL stat)."""
        wal = self.path.with_name(self.path.name + ".wal")
        try:
            main = self.path.stat()
            log = wal.stat() if wal.exists() else None
        except OSError:
            return (self.generation, -1, -1, -1)
        return (self.generation, main.st_mtime_ns, log.st_size if log else 0, log.st_mtime_ns if log else 0)

    def readable(self, path: Path) -> Path:
        """A path under the spool with ``path``'s content (hard link, else a private copy)."""
        folder = self.spool / uuid.uuid4().hex[:16]
        _private_dir(folder)
        target = folder / (path.name or "input")
        self._staged.append(folder)
        try:
            os.link(path, target, follow_symlinks=True)
        except OSError:
            with path.open("rb") as src, open(target, "xb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            os.chmod(target, 0o600)
        if not stat.S_ISREG(target.stat().st_mode):
            raise StoreError(f"ingest input {path} is not a regular file")
        return target

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the served instance holding its write lock; spool links go when it ends."""
        with self._write_lock:
            conn = self._cursor()
            try:
                yield conn
            finally:
                conn.close()
                for folder in self._staged:
                    shutil.rmtree(folder, ignore_errors=True)
                self._staged.clear()
                self.generation += 1
                for listener in self._listeners:
                    listener()

    def reader(self, config: Config | None = None) -> duckdb.DuckDBPyConnection:
        """A new cursor: the instance is already hardened, so ``config`` asks for nothing it lacks."""
        return self._cursor()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._cursor_lock:
            return self._root.cursor()

    def close(self) -> None:
        """Close the instance (every cursor with it): after the server stopped taking requests."""
        with self._cursor_lock:
            self._root.close()
