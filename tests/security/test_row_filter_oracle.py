"""Finding 3: no error oracle over rows a role's row filter hides.

A role limited by ``row_filter`` (``where``, ``accounts`` or ``regions``) must not learn anything
about the rows it cannot see. If a query's own condition is evaluated on a hidden row, whether the
query fails tells the role whether such a row exists (``CAST(eventName AS INTEGER)`` fails on a
hidden ``DescribeAccount``), and time bounds bisect the hidden event's time. The row filter is
applied before any user expression runs: with and without a hidden row, the query answers alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.conftest import write_jsonl
from tests.masking.masking_support import Answer, ask, context_for

from trailmask.errors import QueryFailed
from trailmask.models import Actor
from trailmask.service.ingest import ingest
from trailmask.service.prepare import prepare

DEFAULT_POLICY = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"
VISIBLE_ACCOUNT, HIDDEN_ACCOUNT = "111111111111", "222222222222"

FILTERS = {
    "where": "row_filter: {where: \"eventSource <> 'sts.amazonaws.com'\"}",
    "accounts": f'row_filter: {{accounts: ["{VISIBLE_ACCOUNT}"]}}',
    "regions": 'row_filter: {regions: ["eu-west-1"]}',
}


def _event(number: int, name: str, account: str, region: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": f"2024-04-02T08:{number:02d}:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "eventID": f"f3000000-{number:04d}",
        "recipientAccountId": account,
        "userAgent": "aws-cli/2.15",
    }


def _visible() -> list[dict[str, Any]]:
    return [
        _event(1, "ListAccounts", VISIBLE_ACCOUNT, "eu-west-1"),
        _event(2, "ListRoots", VISIBLE_ACCOUNT, "eu-west-1"),
    ]


def _hidden(kind: str) -> dict[str, Any]:
    """A DescribeAccount event the role's filter excludes (and only that filter)."""
    if kind == "where":
        return {**_event(30, "DescribeAccount", VISIBLE_ACCOUNT, "eu-west-1"), "eventSource": "sts.amazonaws.com"}
    if kind == "accounts":
        return _event(30, "DescribeAccount", HIDDEN_ACCOUNT, "eu-west-1")
    return _event(30, "DescribeAccount", VISIBLE_ACCOUNT, "us-east-1")


def store_with(tmp_path: Path, events: list[dict[str, Any]], **settings: Any) -> Any:
    write_jsonl(tmp_path / "in" / "events.jsonl", events)
    ctx = context_for(tmp_path / "store.duckdb", **settings)
    ingest(ctx, Actor(name="test", role="admin"), [str(tmp_path / "in")])
    return ctx


def _store(tmp_path: Path, kind: str, hidden: bool, raw: bool) -> Any:
    tmp_path.mkdir(parents=True, exist_ok=True)
    policy = tmp_path / "policy.yaml"
    operators = "raw: true" if raw else "operators: {public: keep, time: keep, free_text: detect}"
    policy.write_text(
        DEFAULT_POLICY.read_text(encoding="utf-8")
        + f"""
  limited:
    description: sees part of the rows
    permissions: [sql]
    {FILTERS[kind]}
    {operators}
""",
        encoding="utf-8",
    )
    events = _visible() + ([_hidden(kind)] if hidden else [])
    return store_with(tmp_path, events, policy_file=str(policy))


def _outcome(ctx: Any, sql: str) -> str | Answer:
    try:
        return ask(ctx, "limited", sql)
    except QueryFailed as exc:
        return f"failed: {exc}"


ORACLES = [
    # the error depends on a hidden row's value
    "SELECT count(*) AS n FROM events WHERE eventName = 'DescribeAccount' AND CAST(eventName AS INTEGER) = 1",
    "SELECT eventName FROM events WHERE eventName = 'DescribeAccount' AND CAST(eventName AS INTEGER) = 1",
    # ... and on a hidden row's time (bisection)
    "SELECT count(*) AS n FROM events WHERE eventTime > TIMESTAMP '2024-04-02 08:20:00' "
    "AND CAST(eventName AS INTEGER) = 1",
    # a top-N query over pass-through columns
    "SELECT eventName FROM events WHERE eventName = 'DescribeAccount' AND CAST(eventName AS INTEGER) = 1 "
    "ORDER BY eventTime LIMIT 1",
    # the same conditions in a subquery, a CTE and an aggregate
    "SELECT count(*) AS n FROM (SELECT * FROM events) AS t WHERE CAST(t.eventName AS INTEGER) = 1 "
    "AND t.eventName = 'DescribeAccount'",
    "WITH x AS (SELECT eventName FROM events) SELECT count(*) AS n FROM x WHERE eventName = 'DescribeAccount' "
    "AND CAST(eventName AS INTEGER) = 1",
    "SELECT sum(CASE WHEN eventName = 'DescribeAccount' THEN CAST(eventName AS INTEGER) ELSE 0 END) AS n FROM events",
]


@pytest.mark.parametrize("raw", [False, True], ids=["masked", "raw"])
@pytest.mark.parametrize("kind", list(FILTERS))
def test_a_hidden_row_changes_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, raw: bool) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f03-masking-key-0123456789")
    without = _store(tmp_path / "without", kind, hidden=False, raw=raw)
    with_hidden = _store(tmp_path / "with", kind, hidden=True, raw=raw)
    for sql in ORACLES:
        assert _outcome(with_hidden, sql) == _outcome(without, sql), sql


@pytest.mark.parametrize("kind", list(FILTERS))
def test_the_filter_still_shows_the_visible_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f03-masking-key-0123456789")
    ctx = _store(tmp_path, kind, hidden=True, raw=False)
    answer = ask(ctx, "limited", "SELECT eventName FROM events WHERE eventName LIKE 'List%' ORDER BY eventTime LIMIT 5")
    assert answer.column("eventName") == ["ListAccounts", "ListRoots"]
    assert ask(ctx, "limited", "SELECT count(*) AS n FROM events").rows == [[2]]


FILTER_MARKS = {"where": "sts.amazonaws.com", "accounts": VISIBLE_ACCOUNT, "regions": "eu-west-1"}
USER_MARK = "DescribeAccount"


def _plan(ctx: Any, sql: str) -> dict[str, Any]:
    """DuckDB's physical plan (JSON) of the SQL ``prepare`` builds for the limited role."""
    plan = prepare(ctx, "limited", sql, {})
    connection = duckdb.connect(str(ctx.settings.db), read_only=True)
    try:
        for table, values in plan.temp_tables.items():
            for name, value in values.items():
                connection.execute(f"CREATE TEMP TABLE {table} AS SELECT ? AS {name}", [value])
                connection.execute(f"SET VARIABLE {table}__{name} = ?", [value])
        rows = connection.execute("EXPLAIN (FORMAT json) " + plan.sql).fetchall()
    finally:
        connection.close()
    nodes = json.loads(rows[0][1])
    return {"name": "ROOT", "children": nodes, "extra_info": {}}


def _text(node: dict[str, Any]) -> str:
    return json.dumps(node.get("extra_info", {}))


def _below(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("children", []):
        found += _below(child)
    return found


@pytest.mark.parametrize("raw", [False, True], ids=["masked", "raw"])
@pytest.mark.parametrize("kind", list(FILTERS))
def test_no_condition_of_the_query_runs_at_or_below_the_row_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, raw: bool
) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f03-masking-key-0123456789")
    ctx = _store(tmp_path, kind, hidden=True, raw=raw)
    for sql in ORACLES[:4]:
        filters = [n for n in _below(_plan(ctx, sql)) if FILTER_MARKS[kind] in _text(n)]
        assert filters, f"the row filter is not in the plan of {sql}"
        for operator in filters:
            reached = [n["name"] for n in _below(operator) if USER_MARK in _text(n) or "CAST" in _text(n)]
            assert not reached, f"{sql}: a condition of the query runs with or below the row filter ({reached})"
