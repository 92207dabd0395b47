"""The Spark engine behind the CLI and the service: limits, time-outs, errors, the key's secrecy."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import Cli
from tests.spark.conftest import MASKING_KEY, ScaleEnv

from trailmask.errors import ConfigError, QueryFailed, QueryTimeout
from trailmask.models import Actor, QueryRequest
from trailmask.service.context import AppContext
from trailmask.service.engine import run_plan
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ADMIN = Actor(name="engine-tests", role="admin")
INVESTIGATOR = Actor(name="engine-tests", role="investigator")


def _cli(env: ScaleEnv, *engine: str) -> Cli:
    cli = Cli(env.db)
    return lambda *args: cli("--config", str(env.config), *engine, *args)  # type: ignore[return-value]


def _canonical(row: dict[str, object]) -> str:
    return json.dumps(row, sort_keys=True)


def test_cli_sql_and_runbook_on_spark(scale_env: ScaleEnv) -> None:
    spark = _cli(scale_env, "--engine", "spark", "--dataset", str(scale_env.dataset))
    duck = _cli(scale_env)
    result = spark("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == [{"n": scale_env.events}]
    args = ["runbook", "run", "cis-root-account-usage", "--as", "investigator", "-p", "since=all", "--format", "json"]
    on_spark, on_duck = spark(*args), duck(*args)
    assert on_spark.exit_code == 0, on_spark.stderr
    assert sorted(map(_canonical, on_spark.json())) == sorted(map(_canonical, on_duck.json()))  # ties: any order
    assert len(on_spark.json()) > 5


def test_row_limit_and_parameters(scale_env: ScaleEnv) -> None:
    sql = "SELECT eventTime FROM events WHERE eventTime >= $since ORDER BY eventTime"
    since = datetime(2020, 1, 1, 1, 0, tzinfo=UTC).astimezone()  # an aware value binds as UTC
    result = run_query(scale_env.spark, ADMIN, QueryRequest(sql=sql, params={"since": since}, max_rows=5))
    assert result.truncated
    assert len(result.rows) == 5
    assert all(row["eventTime"] >= "2020-01-01T01:00:00" for row in result.rows)


def test_timeout_cancels_the_job_and_the_session_stays_usable(scale_env: ScaleEnv) -> None:
    slow = (
        "SELECT count(*) AS n FROM events a, events b, events c "
        "WHERE b.eventSource = 'iam.amazonaws.com' AND c.eventSource = 'iam.amazonaws.com' "
        "AND a.eventID <> concat(b.eventID, c.eventID)"
    )
    spark = dataclasses.replace(scale_env.spark.settings.spark, cache=True, timeout_factor=1.0)
    strict = AppContext.from_settings(dataclasses.replace(scale_env.spark.settings, spark=spark))
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        run_query(strict, ADMIN, QueryRequest(sql=slow, timeout_s=0.5))
    assert time.perf_counter() - started < 5  # the caller is answered at the limit, not when Spark stops
    again = run_query(scale_env.spark, ADMIN, QueryRequest(sql="SELECT count(*) AS n FROM events"))
    assert again.rows == [{"n": scale_env.events}]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT k FROM events",
        "SELECT tm_k.k FROM events",
        "SELECT tm_mask_key__k FROM events",
        "SELECT CAST(userIdentity.userName AS INTEGER) AS x FROM events",
    ],
)
def test_masked_errors_name_no_value_and_no_key(scale_env: ScaleEnv, sql: str) -> None:
    """Unknown names never resolve to the key (no session variables); errors show no engine text."""
    with pytest.raises(QueryFailed) as failure:
        run_query(scale_env.spark, INVESTIGATOR, QueryRequest(sql=sql))
    message = str(failure.value)
    assert MASKING_KEY not in message
    assert message.startswith("the engine could not run the query (")


def test_the_key_is_a_view_never_sql_text(scale_env: ScaleEnv) -> None:
    sql = "SELECT userIdentity.arn AS arn FROM events WHERE userIdentity.arn IS NOT NULL LIMIT 3"
    plan = prepare(scale_env.spark, "investigator", sql, {})
    assert MASKING_KEY not in plan.sql
    rows = run_plan(scale_env.spark.engine, plan, timeout_s=60, max_rows=10)
    assert len(rows.rows) == 3
    assert all(MASKING_KEY not in str(row) for row in rows.rows)
    explain = Cli(scale_env.db)(
        "--config", str(scale_env.config), "explain", sql, "--as", "investigator", "--dialect", "spark"
    )
    assert explain.exit_code == 0, explain.stderr
    assert MASKING_KEY not in explain.stdout
    assert "CROSS JOIN tm_mask_key AS tm_k" in explain.stdout


def test_missing_or_empty_dataset_is_a_config_error(scale_env: ScaleEnv, tmp_path: Path) -> None:
    for dataset in (None, tmp_path / "absent", tmp_path):
        settings = dataclasses.replace(scale_env.spark.settings, dataset=dataset)
        with pytest.raises(ConfigError):
            run_query(AppContext.from_settings(settings), ADMIN, QueryRequest(sql="SELECT 1 AS one FROM events"))
