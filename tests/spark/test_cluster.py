"""The Spark engine on a real standalone cluster: a master and two workers on 127.0.0.1.

The cluster is started from the installed pyspark (tests.spark.cluster: ``bin/spark-class``), the
trailmask session connects to it through the config file's ``spark.master``, exactly as a team
configures it (docs/scale.md), and the per-shape runbooks (tests.spark.matrix, the selection the
local-mode parity module uses too) give the rows DuckDB gives, as admin, investigator and viewer,
through the service and through the CLI. The process's local session is stopped first and the
cluster's session last, so the other modules get their local session back.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Cli
from tests.spark.cluster import Cluster, start_cluster, stop_cluster
from tests.spark.compare import difference
from tests.spark.conftest import ScaleEnv
from tests.spark.matrix import ROLES, full_matrix, representative
from tests.spark.runs import THREADS, attempt

from trailmask.config import load_settings
from trailmask.masking.canary import LeakScanner
from trailmask.models import Actor, QueryRequest, QueryResult
from trailmask.service.catalog import catalog
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _actor(role: str) -> Actor:
    return Actor(name="cluster", role=role, via="cli-owner")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, spark_session: Any) -> Iterator[Cluster]:
    from trailmask.engines.spark.runtime import stop_session

    started = start_cluster(tmp_path_factory.mktemp("cluster"), workers=2, worker_memory="1g")
    stop_session()  # this process's local session: one process, one master
    try:
        yield started
    finally:
        stop_session()
        stop_cluster(started)


@pytest.fixture(scope="module")
def cluster_config(scale_env: ScaleEnv, cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parity environment's config with the cluster as ``spark.master`` (its ``spark:`` section is last)."""
    config = tmp_path_factory.mktemp("cluster-config") / "cluster.yaml"
    extra = f"  spark.master: '{cluster.url}'\n  spark.executor.memory: 512m\n"
    config.write_text(scale_env.config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def on_cluster(scale_env: ScaleEnv, cluster_config: Path) -> AppContext:
    settings = load_settings({"db": str(scale_env.db), "config_file": str(cluster_config)}, env={})
    return AppContext.from_settings(dataclasses.replace(settings, engine="spark", dataset=scale_env.dataset))


def _run(ctx: AppContext, role: str, runbook: Any) -> QueryResult | str:
    return attempt(ctx, _actor(role), runbook)


def test_the_session_runs_on_both_workers(cluster: Cluster, on_cluster: AppContext) -> None:
    result = run_query(on_cluster, _actor("admin"), QueryRequest(sql="SELECT count(*) AS n FROM events"))
    assert result.rows[0]["n"] > 0
    from pyspark.sql import SparkSession

    assert SparkSession.builder.getOrCreate().sparkContext.master == cluster.url  # the running session
    state = cluster.state()
    assert cluster.alive_workers() == 2
    apps = [app for app in state.get("activeapps", []) if isinstance(app, dict) and app.get("name") == "trailmask"]
    assert len(apps) == 1 and apps[0].get("cores") == 2, apps  # one executor on each one-core worker


def test_runbooks_match_duckdb_as_every_role(scale_env: ScaleEnv, on_cluster: AppContext) -> None:
    runbooks = sorted(catalog(scale_env.duck), key=lambda r: r.id)
    expected: dict[tuple[str, str], QueryResult | str] = {}

    def size(role: str, runbook: Any) -> int | None:
        want = expected.setdefault((role, runbook.id), _run(scale_env.duck, role, runbook))
        if isinstance(want, str) and want.startswith("PermissionDenied"):
            return None  # the role may not run it at all
        return len(prepare(scale_env.duck, role, runbook.sql, dict.fromkeys(runbook.placeholders)).sql)

    jobs = [
        (role, runbook)
        for role in ROLES
        for runbook in (runbooks if full_matrix() else representative(runbooks, functools.partial(size, role)))
    ]
    assert len(jobs) >= 15
    for role, runbook in jobs:
        size(role, runbook)
    with ThreadPoolExecutor(THREADS) as pool:
        actual = list(pool.map(lambda job: _run(on_cluster, *job), jobs))
    scanner = LeakScanner(scale_env.canaries)
    problems = []
    for (role, runbook), got in zip(jobs, actual, strict=True):
        want, where = expected[(role, runbook.id)], f"{runbook.id} as {role}"
        if isinstance(want, str) or isinstance(got, str):
            problems.append(f"{where}: duckdb {want if isinstance(want, str) else 'ok'} / cluster {got}")
            continue
        if diff := difference(want, got):
            problems.append(f"{where}: {diff}")
        if role != "admin":
            cells = [[row.get(c) for c in got.columns] for row in got.rows]
            problems += [f"{where}: canary {x.canary.label}" for x in scanner.scan_rows(got.columns, cells, where)]
    assert not problems, "\n".join(problems)


def test_cli_with_the_cluster_config(scale_env: ScaleEnv, cluster_config: Path, on_cluster: AppContext) -> None:
    """``trailmask --config cluster.yaml --engine spark --dataset DIR runbook run ...`` (this process's session)."""
    cli = Cli(scale_env.db)
    args = ["runbook", "run", "cis-root-account-usage", "--as", "investigator", "-p", "since=all", "--format", "json"]
    spark = cli("--config", str(cluster_config), "--engine", "spark", "--dataset", str(scale_env.dataset), *args)
    duck = cli("--config", str(scale_env.config), *args)
    assert spark.exit_code == 0, spark.stderr
    assert duck.exit_code == 0, duck.stderr

    def canonical(rows: list[dict[str, object]]) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True) for row in rows)

    assert canonical(spark.json()) == canonical(duck.json())
    assert len(spark.json()) > 5
