"""The same queries and runbooks give the same rows on DuckDB and on Spark, for every role.

Both engines run through service.query.run_query (authorize, prepare, execute, audit); Spark reads
the Parquet export of the same store. Rows are compared order-insensitively; pseudonym tokens must
be byte-identical (the keyed hash is the same SQL on both engines). Spark runs are submitted from
a few threads, as a server would, to keep the module fast on a small machine; tests.spark.matrix
says which roles run which runbooks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.spark.compare import difference
from tests.spark.conftest import ScaleEnv
from tests.spark.matrix import runbook_pairs
from tests.spark.runs import THREADS, attempt

from trailmask.masking.canary import LeakScanner
from trailmask.masking.operators import keyed_digest_py
from trailmask.models import Actor, QueryRequest, QueryResult
from trailmask.service.catalog import catalog
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SQL_ROLES = ("admin", "investigator")  # viewer: runbooks only
QUERIES = {
    "count": "SELECT count(*) AS n FROM events",
    "by service": "SELECT eventSource, count(*) AS n FROM events GROUP BY eventSource",
    "principals": "SELECT userIdentity.arn AS arn, userIdentity.principalId AS pid, count(*) AS n "
    "FROM events GROUP BY ALL",
    "identities": "SELECT eventID, userIdentity, sourceIPAddress, recipientAccountId, eventTime FROM events",
    "free text": "SELECT eventID, errorMessage, userAgent, requestParameters FROM events "
    "WHERE requestParameters IS NOT NULL OR errorMessage IS NOT NULL",
    "resources": "SELECT eventID, resources FROM events WHERE len(resources) > 0",
    "json": "SELECT eventID, requestParameters ->> '$.userName' AS u, json_extract_string(responseElements, "
    "'$.ConsoleLogin') AS login FROM events WHERE eventSource IN ('iam.amazonaws.com', 'signin.amazonaws.com')",
    "window": "SELECT eventName, eventTime, rank() OVER (PARTITION BY eventSource ORDER BY eventTime) AS rn, "
    "count(*) OVER (PARTITION BY eventSource) AS per_service "
    "FROM events WHERE eventTime >= TIMESTAMP '2019-01-01 00:00:00'",
    "parameters": "SELECT eventName, count(*) AS n FROM events WHERE eventTime >= $since AND eventName <> $name "
    "GROUP BY eventName",
    "time functions": "SELECT date_trunc('day', eventTime) AS d, count(*) AS n FROM events "
    "WHERE eventTime IS NOT NULL GROUP BY 1",
}
PARAMS: dict[str, dict[str, Any]] = {"parameters": {"since": "2018-06-01T00:00:00", "name": "ConsoleLogin"}}


def _actor(role: str) -> Actor:
    return Actor(name="parity", role=role, via="cli-owner")


def _query(env: ScaleEnv, engine: str, role: str, label: str) -> QueryResult:
    ctx = env.spark if engine == "spark" else env.duck
    params = PARAMS.get(label, {})
    if "since" in params:
        from datetime import datetime

        params = {**params, "since": datetime.fromisoformat(params["since"])}
    return run_query(ctx, _actor(role), QueryRequest(sql=QUERIES[label], params=params))


def _runbook(env: ScaleEnv, engine: str, role: str, runbook: Any) -> QueryResult | str:
    return attempt(env.spark if engine == "spark" else env.duck, _actor(role), runbook)


def test_queries_match(scale_env: ScaleEnv) -> None:
    jobs = [(role, label) for role in SQL_ROLES for label in QUERIES]
    expected = {job: _query(scale_env, "duckdb", *job) for job in jobs}
    with ThreadPoolExecutor(THREADS) as pool:
        actual = dict(zip(jobs, pool.map(lambda job: _query(scale_env, "spark", *job), jobs), strict=True))
    problems = [
        f"{role} / {label}: {difference(expected[(role, label)], actual[(role, label)])}" for role, label in jobs
    ]
    failures = [p for p in problems if not p.endswith(": ")]
    assert not failures, "\n".join(failures)
    assert expected[("admin", "count")].rows[0]["n"] == scale_env.events


def test_pseudonyms_are_byte_identical(scale_env: ScaleEnv) -> None:
    """The investigator's tokens are the same strings on both engines, and are the keyed hash."""
    sql = "SELECT DISTINCT userIdentity.principalId AS token FROM events WHERE userIdentity.principalId IS NOT NULL"
    raw_sql = sql.replace("AS token", "AS value")
    duck = run_query(scale_env.duck, _actor("investigator"), QueryRequest(sql=sql))
    spark = run_query(scale_env.spark, _actor("investigator"), QueryRequest(sql=sql))
    tokens = sorted(row["token"] for row in duck.rows)
    assert tokens == sorted(row["token"] for row in spark.rows)
    assert len(tokens) > 20
    raw = run_query(scale_env.spark, _actor("admin"), QueryRequest(sql=raw_sql))
    key = scale_env.duck.masking_key.reveal()
    digests = {keyed_digest_py(row["value"], "principal", key) for row in raw.rows}
    assert {token.rsplit("_", 1)[-1] for token in tokens} == digests


def test_every_runbook_matches(scale_env: ScaleEnv) -> None:
    """Every runbook as admin, and as masked roles per tests.spark.matrix (all with ...=full)."""
    runbooks = sorted(catalog(scale_env.duck), key=lambda r: r.id)

    def prepared_size(role: str, runbook: Any) -> int | None:
        if role != "admin" and "PermissionDenied" in str(_runbook(scale_env, "duckdb", role, runbook)):
            return None  # the role may not run it (e.g. a raw indicator search without 'indicator')
        return len(prepare(scale_env.duck, role, runbook.sql, dict.fromkeys(runbook.placeholders)).sql)

    jobs = runbook_pairs(runbooks, prepared_size)
    assert sum(role != "admin" for role, _ in jobs) >= 8
    expected = [_runbook(scale_env, "duckdb", role, runbook) for role, runbook in jobs]
    with ThreadPoolExecutor(THREADS) as pool:
        actual = list(pool.map(lambda job: _runbook(scale_env, "spark", *job), jobs))
    problems = []
    scanner = LeakScanner(scale_env.canaries)
    ran = 0
    for (role, runbook), want, got in zip(jobs, expected, actual, strict=True):
        where = f"{runbook.id} as {role}"
        if isinstance(want, str) or isinstance(got, str):
            got_text = got if isinstance(got, str) else "ok"
            problems.append(f"{where}: duckdb {want if isinstance(want, str) else 'ok'} / spark {got_text}")
            continue
        ran += 1
        if diff := difference(want, got):
            problems.append(f"{where}: {diff}")
        if role != "admin":
            cells = [[row.get(c) for c in got.columns] for row in got.rows]
            problems += [
                f"{where}: canary {leak.canary.label} ({leak.form})"
                for leak in scanner.scan_rows(got.columns, cells, where)
            ]
    assert not problems, "\n".join(problems)  # a runbook failing on both engines is a problem too
    assert ran == len(jobs)
