"""Spark fixtures: one SparkSession for the whole test session, and one parity environment.

The environment is a DuckDB store holding the third-party CloudTrail events (Panther, AWS docs)
plus the canary trail of ``trailmask verify`` (a secret planted in every sensitive position),
ingested and exported to a Hive-partitioned Parquet dataset exactly as a user would
(service.ingest, service.export as admin). Two application contexts share the store's key and
audit log: ``duck`` (the default engine) and ``spark`` (``--engine spark --dataset DIR``, dataset
cached in memory since every test reads it many times).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import awsdocs_events, awsdocs_record_files, panther_events, write_jsonl

from trailmask.config import load_settings
from trailmask.masking.canary import Canary, canaries, canary_events
from trailmask.masking.loader import default_policy
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.export import export
from trailmask.service.ingest import ingest

ADMIN = Actor(name="spark-tests", role="admin", via="cli-owner")
MASKING_KEY = "spark-parity-key-0123456789abcdef"
# Small data, many distinct queries: interpreted expressions cost less than compiling each
# query's (very large) generated code; one shuffle partition is plenty for 500 rows.
TEST_PROPERTIES = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.shuffle.partitions": "1",
    # Three threads submit masked runbooks whose plans are large; Spark's default 1g driver heap ran
    # out (java.lang.OutOfMemoryError in the dispatcher) once every runbook of a shape ran masked.
    "spark.driver.memory": "3g",
}


def _java() -> str | None:
    try:
        from trailmask.engines.spark.runtime import java_executable
    except ImportError:
        return None
    return java_executable()


@pytest.fixture(scope="session")
def spark_session() -> Any:
    """The process's SparkSession (trailmask's own runtime), started once."""
    if _java() is None:
        pytest.skip("the spark engine needs Java 17+ (no java on PATH or JAVA_HOME)")
    from trailmask.engines.spark.runtime import spark_session as start

    return start(TEST_PROPERTIES)


@dataclass(frozen=True)
class ScaleEnv:
    duck: AppContext
    spark: AppContext
    dataset: Path
    db: Path
    config: Path
    canaries: list[Canary]
    events: int


def _write_sources(root: Path, canary: list[dict[str, Any]]) -> Path:
    sources = root / "sources"
    write_jsonl(sources / "panther.jsonl", panther_events())
    write_jsonl(sources / "awsdocs_events.jsonl", awsdocs_events())
    for index, document in enumerate(awsdocs_record_files()):
        (sources / f"awsdocs_records_{index}.json").write_text(json.dumps(document), encoding="utf-8")
    (sources / "canary.json").write_text(json.dumps({"Records": canary}), encoding="utf-8")
    return sources


@pytest.fixture(scope="session")
def scale_env(tmp_path_factory: pytest.TempPathFactory, spark_session: Any) -> ScaleEnv:
    root = tmp_path_factory.mktemp("scale")
    key_file = root / "masking.key"
    key_file.write_text(MASKING_KEY, encoding="utf-8")
    policy = default_policy()
    planted = canary_events(policy)
    sources = _write_sources(root, planted)
    config = root / "trailmask.yaml"
    properties = "".join(f"  {name}: '{value}'\n" for name, value in TEST_PROPERTIES.items())
    config.write_text(  # the test properties too: a module that stops the session (test_cluster) restarts it
        f"masking_key_file: {key_file}\nquery_timeout: 600\nspark:\n  cache: true\n  timeout_factor: 20\n{properties}",
        encoding="utf-8",
    )
    settings = load_settings({"db": str(root / "store.duckdb"), "config_file": str(config)}, env={})
    duck = AppContext.from_settings(settings)
    summary = ingest(duck, ADMIN, [str(sources)])
    assert not summary.rejected, summary.rejected
    dataset = root / "dataset"
    result = export(duck, ADMIN, "parquet", dataset)
    spark = AppContext.from_settings(dataclasses.replace(settings, engine="spark", dataset=dataset))
    return ScaleEnv(duck, spark, dataset, settings.db, config, canaries(planted, policy), result.rows)
