"""The served store, its session pool and its result cache, on a real DuckDB store (issue 11.4)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.api.conftest import OWNER
from tests.conftest import awsdocs_events, write_jsonl

from trailmask.config import Settings
from trailmask.engines.duckdb import DuckDBEngine
from trailmask.engines.duckdb.served import ServedStore
from trailmask.engines.pool import SessionPool, lane
from trailmask.engines.result_cache import CachedEngine, ResultCache, params_key
from trailmask.errors import QueryFailed, ServerBusy
from trailmask.models import QueryRequest
from trailmask.service.context import AppContext
from trailmask.service.query import run_query
from trailmask.service.serving import Serving, owner_actor, server_ingest, start_serving

KEY_A = {"tm_mask_key": {"k": "key-a"}}
KEY_B = {"tm_mask_key": {"k": "key-b"}}
READ_KEY = "SELECT getvariable('tm_mask_key__k') AS k"


@pytest.fixture
def served(loaded_store: Path, tmp_path: Path) -> Iterator[ServedStore]:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    store = ServedStore(db, memory_limit="1GB", threads=2)
    yield store
    store.close()


def _pool(store: ServedStore, *, max_active: int = 4, wait_s: float = 5.0) -> SessionPool:
    return SessionPool(DuckDBEngine(store, memory_limit="1GB"), max_active=max_active, wait_s=wait_s)


def test_sessions_are_reused_within_a_lane_only(served: ServedStore) -> None:
    pool = _pool(served)
    with lane("investigator"):
        with pool.session(temp_tables=KEY_A) as first:
            assert first.execute(READ_KEY).rows == [("key-a",)]
        with pool.session(temp_tables=KEY_A) as again:
            assert again.execute(READ_KEY).rows == [("key-a",)]
    assert pool.stats()["opened"] == 1 and pool.stats()["reused"] == 1
    with lane("viewer"), pool.session(temp_tables=KEY_A) as other_role:  # same key, other role: a new session
        other_role.execute(READ_KEY)
    with lane("investigator"), pool.session(temp_tables=KEY_B) as other_key:
        assert other_key.execute(READ_KEY).rows == [("key-b",)]
    assert pool.stats()["opened"] == 3


def test_masked_sessions_without_a_lane_are_never_pooled(served: ServedStore) -> None:
    pool = _pool(served)
    for _ in range(2):
        with pool.session(temp_tables=KEY_A) as session:
            session.execute(READ_KEY)
    assert pool.stats() == {"opened": 2, "reused": 0, "idle": 0}
    for _ in range(2):  # raw sessions (no temp tables) hold no state: pooled
        with pool.session() as session:
            session.execute("SELECT 1")
    assert pool.stats()["reused"] == 1


def test_a_session_whose_query_broke_is_closed(served: ServedStore) -> None:
    pool = _pool(served)
    with lane("admin"), pool.session() as session, pytest.raises(QueryFailed):
        session.execute("SELECT * FROM no_such_table")
    assert pool.stats()["idle"] == 1  # an engine error of the query: the session is fine
    with lane("admin"), pool.session() as session:
        session.stream("SELECT 1")
    assert pool.stats() == {"opened": 1, "reused": 1, "idle": 0}  # a streamed session is not handed out again
    with lane("admin"), pool.session() as session:
        session.execute("SELECT 1")
    assert pool.stats()["opened"] == 2


def test_no_free_slot_within_the_wait_is_server_busy(served: ServedStore) -> None:
    pool = _pool(served, max_active=1, wait_s=0.2)
    held = pool.session()
    started = time.monotonic()
    with pytest.raises(ServerBusy):
        pool.session()
    assert 0.15 < time.monotonic() - started < 2
    held.close()
    pool.session().close()


def test_served_store_reads_files_only_in_its_spool(served: ServedStore, tmp_path: Path) -> None:
    outside = write_jsonl(tmp_path / "outside.jsonl", awsdocs_events()[:1])
    with served.reader() as conn:
        with pytest.raises(Exception, match="Permission"):
            conn.execute("SELECT * FROM read_json_objects(?)", [str(outside)]).fetchall()
        with pytest.raises(Exception, match=r"lock|configuration"):
            conn.execute("SET enable_external_access = true")
    with served.writer() as conn:
        staged = served.readable(outside)
        assert staged.parent.parent == served.spool and staged.read_bytes() == outside.read_bytes()
        assert conn.execute("SELECT count(*) FROM read_json_objects(?)", [str(staged)]).fetchall() == [(1,)]
    assert not staged.exists() and list(served.spool.iterdir()) == []  # links go when the writer ends


def test_cache_answers_within_a_lane_and_data_version(served: ServedStore) -> None:
    cache = ResultCache(60)
    engine = CachedEngine(_pool(served), cache, served.data_version)
    sql = "SELECT count(*) AS n FROM events WHERE eventName <> $x"
    with lane("investigator"):
        for _ in range(3):
            with engine.session(temp_tables=KEY_A) as session:
                first = session.execute(sql, {"x": "nothing"})
    assert cache.stats()["hits"] == 2
    with lane("viewer"), engine.session(temp_tables=KEY_A) as session:  # another role: its own entry
        session.execute(sql, {"x": "nothing"})
    with lane("investigator"), engine.session(temp_tables=KEY_B) as session:  # another key: its own entry
        session.execute(sql, {"x": "nothing"})
    assert cache.stats()["hits"] == 2 and cache.stats()["entries"] == 3
    with engine.session(temp_tables=KEY_A) as session:  # no lane: not cached
        session.execute(sql, {"x": "nothing"})
    assert cache.stats()["entries"] == 3
    with served.writer() as conn:
        conn.execute("DELETE FROM events WHERE eventName = (SELECT min(eventName) FROM events)")
    with lane("investigator"), engine.session(temp_tables=KEY_A) as session:
        after = session.execute(sql, {"x": "nothing"})
    assert after.rows[0][0] < first.rows[0][0], "a write is seen at once, not after the cache's time"


def test_commit_inside_a_long_writer_changes_the_data_version(served: ServedStore) -> None:
    before = served.data_version()
    with served.writer() as conn:
        conn.execute("CREATE TABLE tm_probe AS SELECT 1 AS x")
        inside = served.data_version()
        assert inside != before, "a committed statement changes the version before the writer ends"
    assert served.data_version() not in (before, inside)


def test_typed_parameters_are_distinct_keys() -> None:
    assert params_key({"x": 1}) != params_key({"x": "1"})
    assert params_key([1, "a"]) == params_key([1, "a"])
    assert params_key(None) is None


def test_cache_expires_and_bounds_its_rows() -> None:
    from trailmask.engines.base import Rows

    cache = ResultCache(0.2, max_entries=2, max_rows=100)
    cache.put("a", Rows(["x"], [(1,)], False, 1.0))
    cache.put("b", Rows(["x"], [(1,)] * 11, False, 1.0))  # more than a tenth of max_rows: not kept
    cache.put("c", Rows(["x"], [(2,)], False, 1.0))
    cache.put("d", Rows(["x"], [(3,)], False, 1.0))
    assert cache.get("a") is None and cache.get("b") is None  # evicted (least recent), too large
    assert cache.get("d") is not None
    time.sleep(0.25)
    assert cache.get("c") is None and cache.get("d") is None


@pytest.fixture
def serving(loaded_store: Path, tmp_path: Path) -> Iterator[tuple[AppContext, Serving]]:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    ctx, handle = start_serving(AppContext.from_settings(Settings(db=db)))
    yield ctx, handle
    handle.close()


def test_ingest_through_the_server_is_seen_by_the_next_query(
    serving: tuple[AppContext, Serving], tmp_path: Path
) -> None:
    ctx, handle = serving
    count = QueryRequest(sql="SELECT count(*) AS n FROM events")
    with lane("investigator"):
        before = run_query(ctx, OWNER, count).rows[0]["n"]
        assert run_query(ctx, OWNER, count).rows[0]["n"] == before
    assert handle.cache.stats()["hits"] == 1
    events = [dict(e, eventID=f"00000000-0000-4000-8000-{i:012d}") for i, e in enumerate(awsdocs_events())]
    summary = server_ingest(ctx, owner_actor(), [str(write_jsonl(tmp_path / "new.jsonl", events))])
    assert summary.totals()["new_events"] == len(events)
    with lane("investigator"):
        assert run_query(ctx, OWNER, count).rows[0]["n"] == before + len(events)
    assert list(handle.store.spool.iterdir()) == []


def test_queries_go_on_while_a_batch_is_written(serving: tuple[AppContext, Serving]) -> None:
    ctx, handle = serving
    count = QueryRequest(sql="SELECT count(*) AS n FROM events")
    with handle.store.writer() as conn:
        conn.execute("BEGIN TRANSACTION")
        conn.execute("INSERT INTO events SELECT * FROM events")
        answers: list[int] = []
        reader = threading.Thread(target=lambda: answers.append(run_query(ctx, OWNER, count).rows[0]["n"]))
        reader.start()
        reader.join(10)
        assert answers, "a query during an open write transaction answers at once"
        conn.execute("COMMIT")
    assert run_query(ctx, OWNER, count).rows[0]["n"] == 2 * answers[0]
