"""Binding a checked query to a relation, column-use analysis, and per-engine rendering."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import RenderedRelation, java_replacement, render_relation, to_sql
from trailmask.sqlkit.rewrite import bind_relation, bind_relation_sql, referenced_columns
from trailmask.sqlkit.sandbox import check_query


def test_every_reference_becomes_the_relation_with_its_alias() -> None:
    checked = check_query("SELECT e.eventName, events.eventID FROM events e JOIN events USING (eventID)")
    relation = sx.select([sx.alias(sx.lit("x"), "eventName"), sx.alias(sx.lit("1"), "eventID")], sx.table("t"))
    sql = to_sql(bind_relation(checked, relation))
    assert sql.count("(SELECT 'x' AS \"eventName\"") == 2
    assert ") AS e" in sql and ") AS events" in sql
    assert "FROM events" not in sql


def _relation(sql: str) -> RenderedRelation:
    return render_relation(sqlglot.parse_one(sql, read="duckdb"))


def test_bind_sql_prints_the_rendered_relation_in_place_and_keeps_parameters() -> None:
    checked = check_query("SELECT eventName FROM events WHERE eventName = $name")
    sql = bind_relation_sql(checked, _relation("SELECT 'a' AS eventName"), pretty=False)
    assert " ".join(sql.split()) == "SELECT eventName FROM (SELECT 'a' AS eventName) AS events WHERE eventName = $name"
    assert duckdb.connect().execute(sql, {"name": "a"}).fetchall() == [("a",)]


def test_user_text_that_looks_like_a_relation_marker_stays_as_written() -> None:
    # Text splicing replaced a marker in the printed SQL; the tree holds the relation as a node, so
    # nothing the user writes (a string, an alias) can ever be where a relation is printed.
    checked = check_query("SELECT 'tm_relation_0' AS tm_relation_1, eventName FROM events AS tm_relation_2")
    sql = bind_relation_sql(checked, _relation("SELECT 'a' AS eventName"), pretty=False)
    assert duckdb.connect().execute(sql).fetchall() == [("tm_relation_0", "a")]


def test_one_relation_per_reference_in_order() -> None:
    checked = check_query("SELECT a.eventName FROM events a JOIN events b ON a.eventName <> b.eventName")
    relations = [_relation("SELECT 'x' AS eventName"), _relation("SELECT 'y' AS eventName")]
    assert duckdb.connect().execute(bind_relation_sql(checked, relations)).fetchall() == [("x",)]
    with pytest.raises(ValueError, match="2 references to events, 1 relations"):
        bind_relation_sql(checked, relations[:1])


def test_a_line_break_in_a_literal_is_never_indented() -> None:
    # Pretty printing indents the lines of a nested relation; a string literal holding a line
    # break would change value, so such a relation is printed on one line and never re-indented.
    relation = _relation("SELECT 'a' || chr(10) || 'b' AS eventName, E'c\\n  d' AS x")
    literal = _relation("SELECT 'line one\n  line two' AS eventName")
    assert relation.args["indentable"] and not literal.args["indentable"]
    checked = check_query("SELECT eventName FROM (SELECT * FROM (SELECT * FROM events)) AS t")
    sql = bind_relation_sql(checked, literal)
    assert duckdb.connect().execute(sql).fetchall() == [("line one\n  line two",)]


@pytest.mark.parametrize(
    ("sql", "names", "whole"),
    [
        ("SELECT eventName, count(*) FROM events GROUP BY 1", {"eventname"}, {"eventname"}),
        (
            "SELECT userIdentity.sessionContext.sessionIssuer.arn FROM events",
            {"useridentity", "sessioncontext", "sessionissuer", "arn"},
            {"arn"},
        ),
        ("SELECT e.userIdentity FROM events e", {"useridentity"}, {"useridentity"}),
        ("SELECT struct_extract(tlsDetails, 'x') FROM events", {"tlsdetails"}, {"tlsdetails"}),
        ("SELECT userIdentity['userName'] FROM events", {"useridentity"}, {"useridentity"}),
    ],
)
def test_column_use(sql: str, names: set[str], whole: set[str]) -> None:
    use = referenced_columns(check_query(sql))
    assert use is not None
    assert names <= use.names
    assert whole <= use.whole
    assert "useridentity" not in use.whole or "useridentity" in whole


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM events",
        "SELECT e.* FROM events e",
        "SELECT e FROM events e",
        "SELECT to_json(events) FROM events",
        "SELECT COLUMNS('user.*') FROM events",
        "SELECT count(*) FROM events NATURAL JOIN events e2",
    ],
)
def test_queries_that_read_unnamed_columns_need_everything(sql: str) -> None:
    assert referenced_columns(check_query(sql)) is None


def test_count_star_reads_no_column() -> None:
    use = referenced_columns(check_query("SELECT count(*) FROM events"))
    assert use is not None and not use.wants("userIdentity")


@pytest.mark.parametrize(
    ("re2", "java"),
    [("\\1.xxx", "$1.xxx"), ("masked@\\1", "masked@$1"), ("cost $5", "cost \\$5"), ("a\\\\b", "a\\\\b"), ("", "")],
)
def test_replacement_backreferences_per_engine(re2: str, java: str) -> None:
    assert java_replacement(re2) == java


def test_engine_specific_fixes() -> None:
    value = sx.column("v")
    replaced = sx.regexp_replace(value, "^(a)b", "\\1x")
    assert to_sql(replaced, "duckdb") == "REGEXP_REPLACE(\"v\", '^(a)b', '\\1x', 'g')"
    assert to_sql(replaced, "spark") == "REGEXP_REPLACE(`v`, '^(a)b', '$1x')"
    assert to_sql(replaced, "trino") == "REGEXP_REPLACE(\"v\", '^(a)b', '$1x')"
    digest = sx.sha256_hex(value)
    assert to_sql(digest, "spark") == "SHA2(`v`, 256)"
    assert to_sql(digest, "trino") == 'LOWER(TO_HEX(SHA256(TO_UTF8("v"))))'
    folded = sx.reduce_list(sx.column("l"), value, "acc", "m", sx.concat(sx.var("acc"), sx.var("m")))
    assert to_sql(folded, "trino").endswith("tm_r -> tm_r)")
    key = sx.session_value("tm_mask_key", "k")
    assert to_sql(key, "duckdb") == "GETVARIABLE('tm_mask_key__k')"
    assert to_sql(key, "trino") == "(SELECT k FROM tm_mask_key)"


def test_hand_built_arithmetic_keeps_its_precedence() -> None:
    total = sx.mod(sx.add(sx.lit(7), sx.lit(5)), sx.lit(10))
    assert duckdb.connect().execute(f"SELECT {to_sql(total)}").fetchone() == (2,)
