"""The one engine interface (issue 9.3) and the typed application context (issue 9.4)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from tests.conftest import awsdocs_events, write_jsonl

from trailmask.config import Settings
from trailmask.engines.base import Engine, Rows
from trailmask.engines.duckdb import DuckDBEngine, QuerySession, Store
from trailmask.errors import ConfigError, QueryFailed
from trailmask.ingest.local import ingest_paths
from trailmask.models import Actor, PreparedQuery
from trailmask.service.context import AppContext
from trailmask.service.engine import SparkEngine, run_plan, select_engine
from trailmask.service.export import export

SECRETISH = "SELECT CAST('AKIAIOSFODNN7EXAMPLE' AS INTEGER) AS n"


@pytest.fixture
def ctx(tmp_path: Path) -> AppContext:
    write_jsonl(tmp_path / "e.jsonl", awsdocs_events())
    context = AppContext.from_settings(Settings(db=tmp_path / "s.duckdb"))
    ingest_paths(context.store, [tmp_path / "e.jsonl"])
    return context


def test_engine_message_is_a_field_not_a_monkeypatch(ctx: AppContext) -> None:
    """Regression: the message was set with ``error.engine_message = ...`` and probed with hasattr."""
    assert QueryFailed("x").engine_message is None
    with ctx.store_engine.session() as session, pytest.raises(QueryFailed) as raised:
        session.execute(SECRETISH)
    assert "AKIA" not in str(raised.value)
    assert raised.value.engine_message is not None and "AKIA" in raised.value.engine_message


def test_duckdb_engine_sessions_execute_and_stream(ctx: AppContext) -> None:
    engine: Engine = ctx.engine
    assert isinstance(engine, DuckDBEngine) and engine.name == "duckdb"
    with engine.session(temp_tables={"tm_k": {"k": "v"}}) as session:
        assert isinstance(session, QuerySession)
        rows = session.execute("SELECT count(*) AS n FROM events", max_rows=5)
        reader = session.stream("SELECT eventName FROM events", batch_rows=2)
        streamed = sum(batch.num_rows for batch in reader)
    assert isinstance(rows, Rows) and rows.columns == ["n"]
    assert streamed == rows.rows[0][0] == len(awsdocs_events())


@pytest.mark.parametrize(("raw", "shown"), [(True, True), (False, False)])
def test_run_plan_shows_the_engine_message_to_raw_plans_only(ctx: AppContext, raw: bool, shown: bool) -> None:
    plan = PreparedQuery(sql=SECRETISH, params={}, profile="raw" if raw else "masked:x", raw_errors=raw)
    with pytest.raises(QueryFailed) as raised:
        run_plan(ctx.engine, plan, timeout_s=10, max_rows=10)
    assert ("AKIA" in str(raised.value)) is shown


def test_the_engine_is_chosen_once_from_the_settings(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert isinstance(select_engine(Settings(db=store.path), store), DuckDBEngine)
    spark = select_engine(Settings(db=store.path, engine="spark", dataset=tmp_path), store)
    assert isinstance(spark, SparkEngine) and spark.name == "spark"  # no pyspark import until a session opens
    with pytest.raises(ConfigError, match="--dataset"):
        select_engine(Settings(db=store.path, engine="spark"), store)
    context = AppContext.from_settings(Settings(db=store.path))
    assert context.engine is context.engine and context.store_engine is context.store_engine


def test_context_has_typed_parts_and_no_string_keyed_cache(ctx: AppContext) -> None:
    assert not hasattr(ctx, "cache")
    assert ctx.policy is ctx.policy  # built once
    assert ctx.catalog is ctx.catalog
    assert ctx.audit_log.path == ctx.settings.db.with_name("s.duckdb.audit.jsonl")


def test_for_store_derives_a_duckdb_context_sharing_what_does_not_depend_on_the_store(
    ctx: AppContext, tmp_path: Path
) -> None:
    dataset = tmp_path / "dataset"
    export(ctx, Actor(name="admin", role="admin"), "parquet", dataset)  # its manifest binds the store's key
    spark_ctx = AppContext.from_settings(dataclasses.replace(ctx.settings, engine="spark", dataset=dataset))
    key = spark_ctx.masking_key
    assert key.reveal() == ctx.masking_key.reveal()
    derived = spark_ctx.for_store(tmp_path / "other" / "f.duckdb")
    assert derived.settings.db == tmp_path / "other" / "f.duckdb"
    assert derived.settings.engine == "duckdb"  # a fixture or canary store is a DuckDB file, whatever the parent runs
    assert isinstance(derived.engine, DuckDBEngine)
    assert derived.policy is spark_ctx.policy and derived.catalog is spark_ctx.catalog
    assert derived.relations is spark_ctx.relations and derived.masking_key is key
    assert derived.audit_log.path == tmp_path / "other" / "f.duckdb.audit.jsonl"  # its own log, beside it


def test_a_toolkit_failure_while_transpiling_is_a_query_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like prepare, the Spark/Athena transpile step maps a non-trailmask error to QueryRejected."""
    from trailmask.errors import QueryRejected
    from trailmask.service import engine

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("Unsupported expression type JSONPathRecursive")

    monkeypatch.setattr(engine, "transpile", broken)
    with pytest.raises(QueryRejected, match=r"cannot be expressed for athena \(ValueError\)"):
        engine.transpiled("SELECT 1", "athena", "t")
