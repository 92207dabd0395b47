"""Masked projections answer exactly as the dynamic compile does (issue 11.3).

Every masked role of the default policy runs, twice, on its masked projection (a session with only
the projection file attached) and through the dynamic compile over the store:

- the adversarial battery on the verify canary store (a secret in every sensitive position);
- every runbook (through service.runbooks.run_runbook, routing switched on and off);
- a set of ad-hoc investigation queries on a synthetic store loaded in two ingest batches, so
  the projection compared is one extended incrementally, not only one built from nothing.

The answers must be identical: the same columns and the same rows, pseudonyms byte for byte (rows
compared as a multiset, since SQL without ORDER BY fixes no order); refusals and errors the same
kind. One difference is allowed and checked for what it is: DuckDB names an unaliased output
column by its expression's text, so a column holding a subquery over ``events`` is named with the
relation ``events`` was bound to (the compiled masking on the dynamic path, ``SELECT * FROM
main.events AS tm_p`` on a projection); its values must still be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.masking.masking_support import KEY, context_for

from trailmask.engines.duckdb.projection import Manifest, ProjectionDir
from trailmask.errors import TrailmaskError
from trailmask.masking.battery import battery
from trailmask.masking.canary import Canary, LeakScanner
from trailmask.masking.loader import default_policy
from trailmask.models import Actor, QueryRequest
from trailmask.service import projections
from trailmask.service.context import AppContext
from trailmask.service.engine import run_plan
from trailmask.service.ingest import ingest
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query
from trailmask.service.runbooks import list_runbooks, run_runbook
from trailmask.service.verify import _runbook_params
from trailmask.synth import write_jsonl

pytestmark = pytest.mark.slow

MASKED_ROLES = sorted(name for name, role in default_policy().roles.items() if not role.raw)
PROJECTION_RELATION = "(SELECT * FROM main.events AS tm_p) AS events"

Outcome = tuple[str, Any]

AD_HOC = [
    "SELECT eventName, count(*) AS n FROM events GROUP BY 1",
    "SELECT userIdentity.arn AS who, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20",
    "SELECT sourceIPAddress, count(*) AS n FROM events WHERE errorCode IS NOT NULL GROUP BY 1",
    "SELECT userIdentity.accessKeyId AS k, count(*) AS n, min(eventTime) AS first FROM events GROUP BY 1",
    "SELECT recipientAccountId, awsRegion, count(*) AS n FROM events GROUP BY ALL",
    "SELECT errorCode, errorMessage, count(*) AS n FROM events WHERE errorCode IS NOT NULL GROUP BY 1, 2",
    "SELECT eventTime, eventName, userIdentity.arn, requestParameters FROM events "
    "WHERE eventSource = 'iam.amazonaws.com' AND NOT readOnly",
    "SELECT * FROM events WHERE eventName = 'ConsoleLogin'",
    "SELECT count(*) AS n FROM events WHERE CAST(requestParameters AS VARCHAR) LIKE '%prod%'",
    "SELECT sourceIPAddress, userIdentity.accessKeyId, length(CAST(requestParameters AS VARCHAR)) AS l "
    "FROM events WHERE userAgent LIKE '%boto%'",
    "SELECT userAgent, count(DISTINCT userIdentity.principalId) AS p FROM events GROUP BY 1",
    "SELECT * FROM events ORDER BY eventTime DESC, eventID LIMIT 50",
    "SELECT e.eventName, f.eventName AS next FROM events e JOIN events f "
    "ON e.userIdentity.arn = f.userIdentity.arn AND f.eventTime > e.eventTime "
    "WHERE e.eventName = 'CreateAccessKey'",
    "WITH ips AS (SELECT DISTINCT sourceIPAddress AS ip FROM events WHERE errorCode = 'AccessDenied') "
    "SELECT count(*) AS n FROM events WHERE sourceIPAddress IN (SELECT ip FROM ips)",
    "SELECT json_extract_string(requestParameters, '$.userName') AS u, count(*) AS n FROM events GROUP BY 1",
    "SELECT list(DISTINCT resources[1].ARN) AS arns FROM events WHERE len(resources) > 0",
    "SELECT tm_raw, tm_event_key FROM events WHERE eventName = 'AssumeRole'",
    "SELECT eventName FROM events WHERE sourceIPAddress = '203.0.113.7'",
    "SELECT max(eventTime) - min(eventTime) AS span, count(*) AS n FROM events WHERE eventTime >= $start",
]


def _rows(columns: list[str], rows: list[Any]) -> Outcome:
    return ("rows", (tuple(columns), sorted(repr(tuple(row)) for row in rows)))


def _same(dynamic: Outcome, projection: Outcome) -> bool:
    """Equal outcomes, but for the names of unaliased subquery columns (see the module docstring)."""
    if dynamic[0] != "rows" or projection[0] != "rows":
        return dynamic == projection
    (dyn_columns, dyn_rows), (proj_columns, proj_rows) = dynamic[1], projection[1]
    if dyn_rows != proj_rows or len(dyn_columns) != len(proj_columns):
        return False
    return all(
        d == p or ("main.events AS tm_" in d and PROJECTION_RELATION in p and "main.events AS tm_p" not in d)
        for d, p in zip(dyn_columns, proj_columns, strict=True)
    )


def _dynamic(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> Outcome:
    try:
        result = run_plan(ctx.engine, prepare(ctx, role, sql, params), timeout_s=60, max_rows=100_000)
    except TrailmaskError as exc:
        return ("error", type(exc).__name__)
    return _rows(result.columns, result.rows)


def _projected(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> Outcome:
    try:
        routed = projections.route(ctx, role, sql, params)
        assert routed is not None, "the projection should be fresh"
        result = run_plan(routed.engine, routed.plan, timeout_s=60, max_rows=100_000)
    except TrailmaskError as exc:
        return ("error", type(exc).__name__)
    return _rows(result.columns, result.rows)


@pytest.fixture(scope="module")
def projected(canary: tuple[AppContext, list[Canary], LeakScanner]) -> tuple[AppContext, list[Canary]]:
    ctx, found, _ = canary
    built = projections.refresh(ctx)
    assert {s.state for s in built} == {"built"}
    assert sorted(role for s in built for role in s.roles) == MASKED_ROLES
    return ctx, found


@pytest.fixture(scope="module")
def synth_two_batches(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    """3,000 synthetic events in two ingests; the projections built after the first, extended after
    the second by service.ingest's hook (the store keeps projections: the folder exists)."""
    root = tmp_path_factory.mktemp("projection-synth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAILMASK_MASKING_KEY", KEY)
        ctx = context_for(root / "store.duckdb")
        admin = Actor(name="test", role="admin")
        write_jsonl(root / "a" / "trail.jsonl", 2000, seed=5)
        write_jsonl(root / "b" / "trail.jsonl", 1000, seed=6)
        ingest(ctx, admin, [str(root / "a")])
        first = projections.refresh(ctx)
        assert {s.state for s in first} == {"built"}
        ingest(ctx, admin, [str(root / "b")])
        assert {s.state for s in projections.status(ctx)} == {"fresh"}
        assert all(len(m.batches) == 2 for m in _manifests(ctx, root / "store.duckdb.projections"))
    return ctx


def _manifests(ctx: AppContext, folder: Path) -> list[Manifest]:
    found = [ProjectionDir(folder).read_manifest(s.digest) for s in projections.status(ctx)]
    return [m for m in found if m is not None]


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_battery_is_answered_the_same_on_projection_and_dynamic(
    projected: tuple[AppContext, list[Canary]], role: str
) -> None:
    ctx, found = projected
    queries = battery(found)
    assert len(queries) > 50
    differ, answered = [], 0
    for query in queries:
        dynamic, projection = _dynamic(ctx, role, query.sql, {}), _projected(ctx, role, query.sql, {})
        answered += dynamic[0] == "rows"
        if not _same(dynamic, projection):
            differ.append(f"{query.label}: dynamic {dynamic!r:.300} / projection {projection!r:.300}")
    assert answered > 30  # the rest are refusals (the sandbox), compared as such
    assert not differ, "\n".join(differ[:20])


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_every_runbook_is_answered_the_same(projected: tuple[AppContext, list[Canary]], role: str) -> None:
    ctx, _ = projected
    actor = Actor(name="equivalence", role=role)
    assert projections.route(ctx, role, "SELECT count(*) AS n FROM events", {}) is not None
    ran, differ = 0, []
    for runbook in list_runbooks(ctx):
        outcomes = []
        for enabled in (False, True):
            projections.use_projections(ctx, enabled)
            try:
                result = run_runbook(ctx, actor, runbook.id, _runbook_params(runbook))
                outcomes.append(_rows(result.columns, [[r.get(c) for c in result.columns] for r in result.rows]))
            except TrailmaskError as exc:
                outcomes.append(("error", type(exc).__name__))
            finally:
                projections.use_projections(ctx, True)
        ran += outcomes[0][0] == "rows"
        if not _same(outcomes[0], outcomes[1]):
            differ.append(f"{runbook.id}: dynamic {outcomes[0]!r:.300} / projection {outcomes[1]!r:.300}")
    assert ran > 50
    assert not differ, "\n".join(differ[:20])


@pytest.mark.parametrize("role", MASKED_ROLES)
def test_ad_hoc_queries_are_answered_the_same_on_an_extended_projection(
    synth_two_batches: AppContext, role: str
) -> None:
    ctx, params = synth_two_batches, {"start": "2020-01-01 00:00:00"}
    differ, nonempty = [], 0
    for sql in AD_HOC:
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        dynamic, projection = _dynamic(ctx, role, sql, used), _projected(ctx, role, sql, used)
        nonempty += dynamic[0] == "rows" and bool(dynamic[1][1])
        if not _same(dynamic, projection):
            differ.append(f"{sql[:60]}: dynamic {dynamic!r:.300} / projection {projection!r:.300}")
    assert nonempty >= len(AD_HOC) - 3
    assert not differ, "\n".join(differ[:20])


class _NoStore:
    """An engine that fails any query: run_query must not need it when a projection is fresh."""

    name = "duckdb"

    def session(self, *, temp_tables: Any = None) -> Any:
        raise AssertionError("a masked query reached the store")


def test_run_query_reads_the_projection_not_the_store(synth_two_batches: AppContext) -> None:
    ctx = synth_two_batches
    request = QueryRequest(sql="SELECT sourceIPAddress, count(*) AS n FROM events GROUP BY 1", kind="sql")
    dynamic = run_query(ctx, Actor(name="t", role="investigator"), request)
    saved, ctx._engine = ctx._engine, _NoStore()  # type: ignore[assignment]
    try:
        routed = run_query(ctx, Actor(name="t", role="investigator"), request)
        with pytest.raises(AssertionError, match="reached the store"):
            run_query(ctx, Actor(name="t", role="admin"), request)  # a raw role does read the store
    finally:
        ctx._engine = saved
    assert sorted(map(repr, routed.rows)) == sorted(map(repr, dynamic.rows)) and len(routed.rows) > 3
    assert routed.masking_profile == dynamic.masking_profile


def test_a_projection_query_never_opens_the_store(projected: tuple[AppContext, list[Canary]]) -> None:
    """Physical isolation: the projection session's database list holds the projection file only,
    no key travels with the plan, and the raw record column is empty."""
    ctx, _ = projected
    routed = projections.route(ctx, "investigator", "SELECT count(*) AS n FROM events", {})
    assert routed is not None and routed.plan.temp_tables == {}
    assert "tm_mask_key" not in routed.plan.sql
    with routed.engine.session() as session:
        listed = session.execute("SELECT path FROM duckdb_databases() WHERE path IS NOT NULL").rows
        assert [row[0] for row in listed] == [str(routed.engine.path)]
        tables = session.execute("SELECT table_name FROM duckdb_tables()").rows
        assert tables == [("events",)]
        raw = session.execute("SELECT count(*) FROM events WHERE tm_raw IS NOT NULL").rows
        assert raw == [(0,)]
    with pytest.raises(ValueError, match="no masking key"):
        routed.engine.session(temp_tables={"tm_mask_key": {"k": KEY}})
