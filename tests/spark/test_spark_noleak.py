"""No canary leaks on Spark: the adversarial battery of ``trailmask verify`` run on the Spark engine.

The dataset holds the canary trail (masking.canary) next to the third-party events. Each battery
query goes through service.prepare and the Spark backend exactly as run_query does (verify skips
authorization so that roles without ad-hoc SQL are tested too): output cells, rows, columns and
error messages must hold no canary in any form, probes must count zero, sandbox cases must be
refused. Queries DuckDB accepts but Spark cannot express are refused with a message (no leak);
the test insists that most of the battery really runs on Spark.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.spark.conftest import ScaleEnv
from tests.spark.matrix import battery_pairs

from trailmask.errors import QueryRejected, TrailmaskError
from trailmask.masking.battery import BatteryQuery, battery
from trailmask.masking.canary import Canary, LeakScanner
from trailmask.models import Actor, QueryRequest
from trailmask.service.engine import run_plan
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query

pytestmark = [pytest.mark.spark, pytest.mark.slow]
NOT_PORTABLE = "the query cannot be expressed for spark"


def _raw_keys(env: ScaleEnv) -> list[Canary]:
    sql = "SELECT tm_event_key FROM events WHERE eventID LIKE 'canary-event-%'"
    result = run_query(env.duck, Actor(name="noleak", role="admin"), QueryRequest(sql=sql))
    return [Canary("tm_event_key (raw)", row["tm_event_key"]) for row in result.rows]


def _check(env: ScaleEnv, role: str, query: BatteryQuery, scanner: LeakScanner) -> tuple[str, list[str]]:
    """(outcome, findings) of one battery query on Spark: outcome is ran, refused or failed."""
    try:
        plan = prepare(env.spark, role, query.sql, {})
        rows = run_plan(env.spark.engine, plan, timeout_s=120, max_rows=10_000)
    except QueryRejected as exc:
        if query.expect == "rejected" or str(exc).startswith(NOT_PORTABLE):
            return "refused", [f"{leak.canary.label} in the refusal" for leak in scanner.scan(str(exc), query.label)]
        return "refused", [f"rejected unexpectedly: {exc}"]
    except TrailmaskError as exc:
        found = [f"{leak.canary.label} ({leak.form}) in the error" for leak in scanner.scan(str(exc), query.label)]
        return "failed", found + (["accepted by the sandbox"] if query.expect == "rejected" else [])
    if query.expect == "rejected":
        return "ran", ["accepted by the sandbox"]
    cells = [list(row) for row in rows.rows]
    if query.expect == "zero":
        values = cells[0] if cells else []
        return "ran", [
            f"probe {c} matched" for c, v in zip(rows.columns, values, strict=False) if v not in (0, False, None)
        ]
    return "ran", [f"{leak.canary.label} ({leak.form})" for leak in scanner.scan_rows(rows.columns, cells, query.label)]


def test_battery_does_not_leak_on_spark(scale_env: ScaleEnv) -> None:
    found = [*scale_env.canaries, *_raw_keys(scale_env)]
    scanner = LeakScanner(found)
    jobs = battery_pairs(battery(found))
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(lambda job: _check(scale_env, job[0], job[1], scanner), jobs))
    findings = [
        f"{role} / {query.label}: {f}" for (role, query), (_, fs) in zip(jobs, outcomes, strict=True) for f in fs
    ]
    assert not findings, "\n".join(findings)
    executable = [
        i for i, (_, q) in enumerate(jobs) if q.expect != "rejected" and not q.label.startswith("error message")
    ]
    ran = [i for i in executable if outcomes[i][0] == "ran"]
    assert len(ran) >= 0.75 * len(executable), f"only {len(ran)} of {len(executable)} battery queries ran on Spark"
