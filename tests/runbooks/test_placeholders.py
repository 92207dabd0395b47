"""sqlkit.placeholders: named placeholders found by parsing; what is not one query is refused."""

from __future__ import annotations

import pytest

from trailmask.sqlkit.placeholders import StatementError, named_placeholders


def test_named_placeholders_in_first_use_order_without_duplicates() -> None:
    sql = "SELECT * FROM events WHERE ($start IS NULL OR eventTime >= $start) AND b = $beta AND a = $alpha"
    assert named_placeholders(sql) == ("start", "beta", "alpha")


def test_placeholders_inside_ctes_subqueries_and_lambdas_are_found() -> None:
    sql = """WITH t AS (SELECT * FROM events WHERE eventName = $name)
             SELECT list_filter([1, 2], lambda x: x > $n) FROM t WHERE x IN (SELECT 1 WHERE $flag)"""
    assert set(named_placeholders(sql)) == {"name", "n", "flag"}


def test_dollar_signs_in_strings_and_comments_are_not_placeholders() -> None:
    sql = "SELECT '$notme', $$also $not$$ FROM events -- $comment\nWHERE a = $real"
    assert named_placeholders(sql) == ("real",)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT ?", "positional placeholder '?'"),
        ("SELECT $1", "positional placeholder '$1'"),
        ("SELECT 1; SELECT 2", "exactly one statement, found 2"),
        ("DROP TABLE events", "expected a SELECT query, found DROP"),
        ("INSERT INTO events VALUES (1)", "expected a SELECT query, found INSERT"),
        ("SELECT (", "SQL does not parse"),
        ("SELEC x", "expected a SELECT query"),
    ],
)
def test_refusals_say_why(sql: str, message: str) -> None:
    with pytest.raises(StatementError, match=message.replace("$", r"\$").replace("?", r"\?").replace("(", r"\(")):
        named_placeholders(sql)


def test_window_bounds_are_cast_in_code_only() -> None:
    from trailmask.sqlkit.typed_placeholders import cast_placeholders

    sql = (
        "SELECT '$start' AS s, $start - INTERVAL 1 DAY AS d -- $end\nFROM events WHERE $startx = 1 AND eventTime < $end"
    )
    typed = cast_placeholders(sql, {"start": "TIMESTAMP", "end": "TIMESTAMP"})
    assert typed == (
        "SELECT '$start' AS s, CAST($start AS TIMESTAMP) - INTERVAL 1 DAY AS d -- $end\n"
        "FROM events WHERE $startx = 1 AND eventTime < CAST($end AS TIMESTAMP)"
    )


def test_a_runbook_keeps_its_written_sql_and_runs_the_typed_one() -> None:
    from trailmask.runbooks.catalog import load_catalog

    book = load_catalog().get("anomaly-destructive-burst")
    assert book is not None
    assert "CAST($start AS TIMESTAMP) IS NOT NULL" in book.sql
    assert "$start IS NOT NULL" in book.written_sql and "CAST(CAST(" in book.sql
