"""Top-N queries mask only the rows they can return; the answers are those of masking every row."""

from __future__ import annotations

import pytest
from tests.masking.masking_support import ask

from trailmask.engines.duckdb.session import QuerySession
from trailmask.masking.compiler import compile_relation, pass_through_columns
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare
from trailmask.sqlkit.render import to_sql
from trailmask.sqlkit.rewrite import bind_relation, raw_window, raw_windows, referenced_columns
from trailmask.sqlkit.sandbox import check_query

# (query without LIMIT, limit, offset). The first two columns are the ORDER BY keys, equal in both
# answers; real data has ties on them (reused eventIDs, equal times), so tied rows may differ:
# each must then come from the full answer.
QUERIES = [
    (
        "SELECT eventTime, eventID, userIdentity.arn, sourceIPAddress FROM events ORDER BY eventTime DESC, eventID",
        25,
        0,
    ),
    (
        "SELECT eventTime, eventID, * FROM events WHERE eventSource = 'iam.amazonaws.com' ORDER BY eventTime, eventID",
        10,
        3,
    ),
    (
        "SELECT e.eventTime, e.eventID, errorMessage FROM events e WHERE e.errorCode IS NOT NULL "
        "ORDER BY e.eventTime DESC, e.eventID",
        7,
        0,
    ),
    (
        "SELECT eventID, eventTime, requestParameters FROM events WHERE eventName = $name ORDER BY eventID, eventTime",
        5,
        0,
    ),
]
PARAMS = {"name": "ConsoleLogin"}


def _every_candidate(ctx: AppContext, role: str, sql: str) -> list[list[object]]:
    """The query without LIMIT, masking every row (no window): every row it may return."""
    checked = check_query(sql)
    relation = compile_relation(ctx.policy, role, columns=referenced_columns(checked))
    plan = prepare(ctx, role, sql, PARAMS if "$name" in sql else {})
    with QuerySession(ctx.store, temp_tables=plan.temp_tables) as session:
        return [list(r) for r in session.execute(to_sql(bind_relation(checked, relation)), plan.params).rows]


@pytest.mark.parametrize(("sql", "limit", "offset"), QUERIES)
@pytest.mark.parametrize("role", ["investigator", "viewer"])
def test_same_rows_as_masking_everything(real_store: AppContext, role: str, sql: str, limit: int, offset: int) -> None:
    top_n = f"{sql} LIMIT {limit} OFFSET {offset}"
    params = PARAMS if "$name" in sql else {}
    assert "tm_w" in prepare(real_store, role, top_n, params).sql  # the window is used
    optimised = ask(real_store, role, top_n, params).rows
    everything = _every_candidate(real_store, role, sql)
    assert optimised
    assert [row[:2] for row in optimised] == [row[:2] for row in everything[offset : offset + limit]]
    assert all(row in everything for row in optimised)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM events WHERE sourceIPAddress LIKE '10.%' ORDER BY eventTime LIMIT 5",  # a masked column
        "SELECT * FROM events ORDER BY userIdentity.userName LIMIT 5",
        "SELECT * FROM events ORDER BY 1 LIMIT 5",
        "SELECT eventName, count(*) FROM events GROUP BY 1 ORDER BY 2 LIMIT 5",
        "SELECT userIdentity.userName AS eventTime FROM events ORDER BY eventTime LIMIT 5",
        "SELECT * FROM events WHERE eventID IN (SELECT eventID FROM events) ORDER BY eventTime LIMIT 5",
        "SELECT * FROM events ORDER BY eventTime",
    ],
)
def test_no_window_when_it_could_change_the_answer(real_store: AppContext, sql: str) -> None:
    policy = real_store.policy
    assert raw_window(check_query(sql), pass_through_columns(policy, "investigator")) is None


def test_pass_through_columns_follow_the_policy(real_store: AppContext) -> None:
    policy = real_store.policy
    investigator = pass_through_columns(policy, "investigator")
    assert {"eventtime", "eventname", "eventsource", "errorcode", "readonly"} <= investigator
    assert not investigator & {"sourceipaddress", "recipientaccountid", "useridentity", "errormessage", "tm_raw"}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT eventName, sourceIPAddress, count(*) AS n FROM events WHERE eventSource = 'iam.amazonaws.com' "
        "AND sourceIPAddress IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        "SELECT errorMessage, count(*) AS n FROM events WHERE errorCode IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
        "SELECT eventID, userIdentity.arn FROM events WHERE eventName = 'ConsoleLogin' "
        "UNION ALL SELECT eventID, userIdentity.arn FROM events e WHERE e.readOnly ORDER BY 1, 2",
        "WITH f AS (SELECT * FROM events WHERE eventSource = 's3.amazonaws.com') "
        "SELECT requestParameters, count(*) AS n FROM f GROUP BY 1 ORDER BY 2 DESC, 1",
    ],
)
@pytest.mark.parametrize("role", ["investigator", "viewer"])
def test_filters_narrow_the_raw_rows_without_changing_answers(real_store: AppContext, role: str, sql: str) -> None:
    plan = prepare(real_store, role, sql, {})
    assert "tm_w" in plan.sql  # a filter on columns seen as stored is applied to raw rows first
    checked = check_query(sql)
    relation = compile_relation(real_store.policy, role, columns=referenced_columns(checked))
    with QuerySession(real_store.store, temp_tables=plan.temp_tables) as session:
        narrowed = session.execute(plan.sql).rows
        everything = session.execute(to_sql(bind_relation(checked, relation))).rows
    assert narrowed and narrowed == everything


def test_only_conjuncts_on_columns_seen_as_stored_are_pushed(real_store: AppContext) -> None:
    policy = real_store.policy
    sql = "SELECT * FROM events WHERE eventName = 'A' AND sourceIPAddress = 'x' AND (readOnly OR errorCode = 'y')"
    windows = raw_windows(check_query(sql), pass_through_columns(policy, "investigator"))
    assert len(windows) == 1 and windows[0] is not None
    assert to_sql(windows[0].where) == "eventName = 'A' AND (readOnly OR errorCode = 'y')"
    joined = "SELECT * FROM events a JOIN events b USING (eventID) WHERE a.eventName = 'A'"
    assert raw_windows(check_query(joined), pass_through_columns(policy, "investigator")) == [None, None]
