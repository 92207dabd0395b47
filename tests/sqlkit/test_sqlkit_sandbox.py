"""The SQL sandbox: what it accepts (investigation SQL) and what it refuses, with which message."""

from __future__ import annotations

import pytest

from trailmask.errors import QueryRejected
from trailmask.sqlkit.render import to_sql
from trailmask.sqlkit.sandbox import check_condition, check_query

ACCEPTED = [
    "SELECT * FROM events",
    "SELECT eventName, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    "FROM events SELECT eventName",
    "SELECT e.userIdentity.sessionContext.sessionIssuer.arn FROM events AS e",
    "SELECT userIdentity.userName, min(eventTime), max(eventTime) FROM events GROUP BY ALL",
    "WITH a AS (SELECT * FROM events), b AS (SELECT eventName FROM a) SELECT * FROM b",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t",
    "SELECT eventName FROM events UNION SELECT errorCode FROM events",
    "SELECT eventName FROM events INTERSECT SELECT eventName FROM events",
    "SELECT eventName FROM events EXCEPT SELECT eventName FROM events WHERE readOnly",
    "SELECT a.eventID FROM events a JOIN events b USING (eventID) LEFT JOIN events c ON a.eventID = c.eventID",
    "SELECT (SELECT count(*) FROM events) AS n, EXISTS (SELECT 1 FROM events) AS any",
    "SELECT eventName FROM events WHERE eventTime BETWEEN TIMESTAMP '2024-01-01' AND now() - INTERVAL 1 DAY",
    "SELECT eventName FROM events WHERE sourceIPAddress LIKE '10.%' OR errorCode ILIKE 'access%'",
    "SELECT eventName FROM events WHERE eventName IN ('A', 'B') AND errorCode IS NOT NULL",
    "SELECT r.ARN FROM events, unnest(resources) AS t(r)",
    "SELECT list_transform(resources, lambda r: r.ARN) FROM events",
    "SELECT requestParameters->>'$.bucketName', json_extract_string(requestParameters, '$.key') FROM events",
    "SELECT json_keys(requestParameters), requestParameters -> '$.items[0]' FROM events",
    "SELECT row_number() OVER (PARTITION BY eventName ORDER BY eventTime) FROM events",
    "SELECT eventName FROM events QUALIFY row_number() OVER (PARTITION BY eventName ORDER BY eventTime) = 1",
    "SELECT count(*) FILTER (WHERE errorCode IS NOT NULL) FROM events",
    "SELECT string_agg(DISTINCT eventName, ',' ORDER BY eventName) FROM events",
    "SELECT date_trunc('hour', eventTime), strftime(eventTime, '%Y'), epoch(eventTime) FROM events",
    "SELECT md5(userIdentity.arn), sha256(userIdentity.arn), reverse(upper(eventName)) FROM events",
    "SELECT CASE WHEN readOnly THEN 'r' ELSE 'w' END, coalesce(errorCode, 'ok') FROM events",
    "SELECT CAST(eventTime AS DATE), TRY_CAST(eventVersion AS DOUBLE), eventTime::VARCHAR FROM events",
    "SELECT regexp_extract(userAgent, '^([^/]+)', 1), regexp_matches(userAgent, 'aws-cli') FROM events",
    "SELECT struct_pack(a := eventName), {'b': eventSource}, [1, 2, 3][1] FROM events",
    "SELECT * EXCLUDE (tm_raw) FROM events",
    "SELECT * FROM events WHERE eventName = $name AND eventTime >= $start",
    "SELECT * FROM (VALUES (1), (2)) AS v(x)",
    "SELECT eventName FROM events ORDER BY eventTime DESC NULLS LAST LIMIT 5 OFFSET 5",
    "SELECT approx_count_distinct(sourceIPAddress), arg_max(eventName, eventTime), list(eventName) FROM events",
    "SELECT 1;",
]

# (query, a fragment of the message)
REJECTED = [
    ("SELECT * FROM duckdb_tables()", "table functions are not allowed"),
    ("SELECT * FROM read_csv('/etc/passwd')", "table functions are not allowed"),
    ("SELECT * FROM read_parquet('x.parquet')", "table functions are not allowed"),
    ("SELECT * FROM glob('/*')", "table functions are not allowed"),
    ("SELECT * FROM range(10)", "table functions are not allowed"),
    ("SELECT * FROM 'data.csv'", "unknown relation 'data.csv'"),
    ("SELECT * FROM information_schema.tables", "qualified table names are not allowed"),
    ("SELECT * FROM main.events", "qualified table names are not allowed"),
    ("SELECT * FROM tm_files", "unknown relation 'tm_files'"),
    ("SELECT * FROM tm_mask_key", "unknown relation 'tm_mask_key'"),
    ("SELECT current_setting('memory_limit')", "function current_setting() is not allowed"),
    ("SELECT getvariable('tm_mask_key__k')", "function getvariable() is not allowed"),
    ("SELECT query('SELECT 1')", "function query() is not allowed"),
    ("SELECT json_execute_serialized_sql('x')", "function json_execute_serialized_sql() is not allowed"),
    ("SELECT version()", "is not allowed"),
    ("PRAGMA database_list", "only SELECT queries are allowed, not PRAGMA"),
    ("SET threads = 1", "only SELECT queries are allowed, not SET"),
    ("ATTACH 'x.db' AS x", "only SELECT queries are allowed, not ATTACH"),
    ("COPY events TO 'x.csv'", "only SELECT queries are allowed, not COPY"),
    ("INSTALL httpfs", "only SELECT queries are allowed"),
    ("LOAD httpfs", "only SELECT queries are allowed, not LOAD"),
    ("CALL pragma_version()", "only SELECT queries are allowed, not CALL"),
    ("EXPORT DATABASE 'x'", "could not be parsed"),
    ("DESCRIBE events", "only SELECT queries are allowed"),
    ("CREATE TABLE x AS SELECT 1", "only SELECT queries are allowed"),
    ("SELECT 1; SELECT 2", "exactly one statement, got 2"),
    ("", "exactly one statement, got 0"),
    ("WITH events AS (SELECT 1 AS x) SELECT * FROM events", "reserved name"),
    ("WITH tm_mask_key AS (SELECT 'k' AS k) SELECT * FROM events", "reserved name"),
    ("SELECT * FROM events WHERE eventName = ?", "only named parameters"),
    ("SELECT * FROM events WHERE eventName = $1", "only named parameters"),
    ("SELECT * FROM events TABLESAMPLE 10%", "table modifiers are not allowed"),
    ("SELECT * FROM events AT (VERSION => 1)", "table modifiers are not allowed"),
    ("SELECT * FROM events, LATERAL (SELECT 1)", "LATERAL is not allowed"),
    ("SELECT * FROM eventz", "unknown relation 'eventz'"),
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_accepts_investigation_sql(sql: str) -> None:
    checked = check_query(sql)
    assert to_sql(checked.tree)  # the checked tree renders back to SQL


@pytest.mark.parametrize(("sql", "fragment"), REJECTED)
def test_rejects_with_a_precise_message(sql: str, fragment: str) -> None:
    with pytest.raises(QueryRejected) as caught:
        check_query(sql)
    assert fragment in str(caught.value)
    assert caught.value.exit_code == 7


def test_a_cte_name_is_visible_only_in_its_scope() -> None:
    """A CTE defined inside a subquery does not make its name readable elsewhere: out of its scope
    the name would reach a real table of the store."""
    sql = "SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT * FROM x) AS s JOIN x ON true"
    with pytest.raises(QueryRejected, match="unknown relation 'x'"):
        check_query(sql)


def test_counts_relation_references_and_parameters() -> None:
    checked = check_query("SELECT * FROM events a JOIN events b USING (eventID) WHERE a.eventName = $n")
    assert checked.relation_refs == 2
    assert checked.parameters == frozenset({"n"})


def test_functions_nested_anywhere_are_checked() -> None:
    for sql in (
        "SELECT eventName FROM events WHERE eventName = current_setting('x')",
        "SELECT eventName FROM events GROUP BY eventName HAVING max(getenv('HOME')) = ''",
        "SELECT list_transform([1], lambda x: current_query())",
        "SELECT eventName FROM events ORDER BY current_setting('x')",
        "WITH a AS (SELECT current_setting('x') AS v) SELECT * FROM a",
    ):
        with pytest.raises(QueryRejected, match="is not allowed"):
            check_query(sql)


def test_messages_do_not_echo_long_inputs() -> None:
    with pytest.raises(QueryRejected, match="characters long"):
        check_query("SELECT '" + "x" * 200_000 + "'")


def test_row_filter_condition() -> None:
    assert check_condition("recipientAccountId IN ('111122223333') AND awsRegion <> 'us-east-1'") is not None
    with pytest.raises(QueryRejected, match="plain condition"):
        check_condition("eventName IN (SELECT eventName FROM events)")
    with pytest.raises(QueryRejected, match="without a table qualifier"):
        check_condition("events.eventName = 'x'")
    with pytest.raises(QueryRejected):
        check_condition("1 = 1) UNION SELECT * FROM tm_files --")
