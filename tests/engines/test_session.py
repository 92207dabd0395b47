"""Hardened query sessions: no file access, locked configuration, concurrency, limits."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.conftest import awsdocs_events, write_jsonl

from trailmask.engines.duckdb.session import QuerySession
from trailmask.engines.duckdb.store import Store
from trailmask.errors import QueryFailed, StoreError
from trailmask.ingest.local import ingest_paths


@pytest.fixture
def store(tmp_path: Path) -> Store:
    write_jsonl(tmp_path / "e.jsonl", awsdocs_events())
    store = Store(tmp_path / "s.duckdb")
    ingest_paths(store, [tmp_path / "e.jsonl"])
    return store


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "COPY (SELECT 1) TO '/tmp/trailmask-leak.csv'",
        "ATTACH '/tmp/other.duckdb' AS other",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "INSERT INTO events (eventName) VALUES ('x')",
    ],
)
def test_engine_level_hardening_refuses_file_access_settings_and_writes(store: Store, sql: str) -> None:
    with QuerySession(store) as session, pytest.raises(QueryFailed):
        session.execute(sql)
    assert not Path("/tmp/trailmask-leak.csv").exists()


def test_concurrent_sessions_in_one_process(store: Store) -> None:
    errors: list[BaseException] = []
    counts: list[int] = []

    def worker() -> None:
        try:
            with QuerySession(store, temp_tables={"tm_k": {"k": "secret"}}) as session:
                for _ in range(5):
                    counts.append(session.execute("SELECT count(*) FROM events").rows[0][0])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts == [len(awsdocs_events())] * 30


def test_row_limit_and_truncation(store: Store) -> None:
    with QuerySession(store) as session:
        rows = session.execute("SELECT * FROM range(100)", max_rows=10)
    assert len(rows.rows) == 10
    assert rows.truncated


def test_engine_messages_are_kept_aside(store: Store) -> None:
    with QuerySession(store) as session, pytest.raises(QueryFailed) as raised:
        session.execute("SELECT CAST('AKIAIOSFODNN7EXAMPLE' AS INTEGER)")
    assert "AKIA" not in str(raised.value)


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        QuerySession(Store(tmp_path / "none.duckdb"))
