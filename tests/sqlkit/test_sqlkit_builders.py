"""Trusted SQL built as trees (sqlkit.builders): the export's partition columns, the drift report."""

from __future__ import annotations

import duckdb

from trailmask.sqlkit.builders import partition_sql, sample_sql

QUERY = (
    "SELECT 'x' AS \"odd\"\"name\", '111111111111' AS \"recipientAccountId\", {'accountId': '2'} AS u, "
    "'eu-west-1' AS r, TIMESTAMP '2024-04-02 08:00:00' AS ts, '2024-05-06T00:00:00Z' AS tt"
)


def test_partition_columns_from_quoted_names() -> None:
    connection = duckdb.connect()
    sql = partition_sql(QUERY, [["recipientAccountId"], ["u", "accountId"]], "r", ("ts", True))
    row = connection.execute(sql).fetchall()[0]
    assert row[-3:] == ("111111111111", "eu-west-1", "2024-04-02")
    text = partition_sql(QUERY, [["u", "accountId"]], None, ("tt", False))
    assert connection.execute(text).fetchall()[0][-3:] == ("2", None, "2024-05-06")
    assert connection.execute(partition_sql(QUERY, [], None, None)).fetchall()[0][-3:] == (None, None, None)
    # a column name with a quote is an identifier node, so it cannot end the quoting early
    assert connection.execute(partition_sql(QUERY, [['odd"name']], None, None)).fetchall()[0][-3] == "x"


def test_the_query_text_is_written_as_it_is() -> None:
    query = "SELECT 'a\n  b' AS v, $p AS w"
    assert sample_sql(query) == f"SELECT * FROM ({query}) AS t LIMIT 0"
    rows = duckdb.connect().execute(partition_sql(query, [], None, None), {"p": 1}).fetchall()
    assert rows == [("a\n  b", 1, None, None, None)]
