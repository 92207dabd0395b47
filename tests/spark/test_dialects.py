"""sqlkit.dialects: prepared DuckDB SQL for Spark and Athena (Trino), without running an engine."""

from __future__ import annotations

import random
import re

import pytest
import sqlglot

from trailmask.sqlkit.backtracking import unroll_loops
from trailmask.sqlkit.dialects import NotPortable, transpile

KEYED = (
    "SELECT 'user_' || substr(sha256(getvariable('tm_mask_key__k') || ':p:' || x), 1, 12) AS t FROM main.events AS tm_s"
)


def test_spark_reads_the_key_from_a_joined_view() -> None:
    out = transpile(KEYED, "spark", tables={"main.events": "global_temp.tm_events_1"})
    assert "FROM global_temp.tm_events_1 AS tm_s CROSS JOIN tm_mask_key AS tm_k" in out.sql
    assert "SHA2(tm_k.k || ':p:' || x, 256)" in out.sql
    assert "getvariable" not in out.sql.lower()
    assert out.parameters == ()


def test_athena_takes_the_key_as_the_first_prepared_statement_parameter() -> None:
    sql = KEYED + " WHERE y = $since AND z = $name AND w = $since"
    out = transpile(sql, "athena", tables={"main.events": "cloudtrail_trailmask"})
    assert out.parameters == ("tm_mask_key__k", "since", "name", "since")
    assert out.sql.count("?") == 4
    assert out.sql.startswith("WITH tm_mask_key AS (SELECT CAST(? AS VARCHAR) AS k)")
    assert "LOWER(TO_HEX(SHA256(TO_UTF8(CONCAT(CAST(tm_k.k AS VARCHAR), CAST(':p:' AS VARCHAR)" in out.sql
    tree = sqlglot.parse_one(out.sql, read="trino")
    assert tree.sql("trino") == out.sql  # round-trips


def test_spark_parameters_are_named() -> None:
    out = transpile("SELECT a FROM main.events AS tm_s WHERE a > $since AND b = $name", "spark")
    assert ":since" in out.sql
    assert ":name" in out.sql
    assert out.parameters == ("since", "name")


def test_a_session_value_beside_select_star_fails_closed() -> None:
    with pytest.raises(NotPortable):
        transpile("SELECT *, getvariable('tm_mask_key__k') AS k FROM main.events", "spark")


@pytest.mark.parametrize(
    ("duckdb", "spark"),
    [
        ("coalesce(j -> '$.a[*]', [])", "FROM_JSON(GET_JSON_OBJECT(j, '$.a'), 'array<variant>')"),
        ("j ->> '$.a[*]'", "FROM_JSON(GET_JSON_OBJECT(j, '$.a'), 'array<string>')"),
        ("j ->> '$.a.b'", "GET_JSON_OBJECT(j, '$.a.b')"),
        ("json_exists(j, '$.a')", "NOT GET_JSON_OBJECT(j, '$.a') IS NULL"),
        ("json_valid(j)", "NOT TRY_PARSE_JSON(j) IS NULL"),
        ("json_type(j, '$.a')", "SCHEMA_OF_VARIANT(VARIANT_GET(TRY_PARSE_JSON(j), '$.a'))"),
        ("TRY_CAST(j AS JSON)", "TRY_PARSE_JSON(j)"),
        ("CAST(NULL AS JSON)", "CAST(NULL AS STRING)"),
        ("len(list_filter(l, lambda v: v > 1))", "SIZE(FILTER(l, v -> v > 1))"),
        ("len(name)", "LENGTH(name)"),
        ("str_split(a, '/')[-2]", "TRY_ELEMENT_AT(SPLIT(a, CONCAT('\\\\Q', '/', '\\\\E')), -2)"),
        ("list_sort(l)[1:15]", "SLICE(ARRAY_SORT(l), 1, 15)"),
        ("list_reduce(l, lambda acc, v: acc || v, '')", "AGGREGATE(l, '', (acc, v) -> acc || v)"),
    ],
)
def test_duckdb_spellings_for_spark(duckdb: str, spark: str) -> None:
    assert spark in transpile(f"SELECT {duckdb} AS v FROM main.events AS tm_s", "spark").sql


@pytest.mark.parametrize("dialect", ["spark", "athena"])
def test_to_days_becomes_a_day_interval_times_n(dialect: str) -> None:
    sql = "SELECT a FROM main.events AS tm_s WHERE ts >= CAST(b AS TIMESTAMP) - to_days(CAST(n AS INTEGER))"
    out = transpile(sql, dialect).sql
    assert "TO_DAYS" not in out.upper()
    assert "- (INTERVAL '1' DAY * (CAST(n AS INT" in out
    assert sqlglot.parse_one(out, read="trino" if dialect == "athena" else "spark") is not None


def test_json_arrow_inside_a_call_is_json_not_a_lambda() -> None:
    out = transpile("SELECT coalesce(requestParameters -> '$.a', 'x') AS v FROM main.events", "spark")
    assert "COALESCE(GET_JSON_OBJECT(requestParameters, '$.a'), 'x')" in out.sql


def test_nested_ctes_with_one_name_get_distinct_names() -> None:
    inner = "(WITH tm_i AS NOT MATERIALIZED (SELECT 1 AS v) SELECT tm_i.v FROM tm_i)"
    out = transpile(f"SELECT * FROM {inner} AS a, {inner} AS b", "spark").sql
    names = re.findall(r"(tm_i_\d+) AS \(", out)
    assert len(set(names)) == 2
    assert "MATERIALIZED" not in out
    assert "FROM tm_i_" in out


def test_group_by_all_becomes_ordinals_for_athena() -> None:
    out = transpile("SELECT a, b, count(*) AS n FROM main.events GROUP BY ALL", "athena").sql
    assert out.endswith("GROUP BY 1, 2")
    assert "GROUP BY ALL" in transpile("SELECT a, count(*) FROM main.events GROUP BY ALL", "spark").sql


def test_athena_struct_values_are_typed_rows() -> None:
    out = transpile("SELECT {'m': a, 'r': {'x': b}} AS s FROM main.events", "athena").sql
    assert 'CAST(ROW(a, CAST(ROW(b) AS ROW("x" VARCHAR))) AS ROW("m" VARCHAR, "r" ROW("x" VARCHAR)))' in out


def test_unknown_dialect_and_bad_sql() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        transpile("SELECT 1", "oracle")
    with pytest.raises(NotPortable):
        transpile("SELECT FROM WHERE", "spark")
    with pytest.raises(NotPortable, match="trailing"):
        transpile("SELECT j -> '$.a[*].b' AS v FROM main.events", "spark")


def test_unrolled_loops_match_the_same_text() -> None:
    patterns = [
        r'"(?:[^"\\\x1f]|\\.)*"',
        r"\{(?:[^{}\x1f]|\{[^{}\x1f]*\})*\}",
        r"\[(?:[^\[\]\x1f]|\[[^\[\]\x1f]*\])*\]",
    ]
    rng = random.Random(7)
    alphabet = ['"', "\\", "{", "}", "[", "]", "a", ":", "\x1f"]
    for pattern in patterns:
        unrolled = unroll_loops(pattern)
        assert unrolled != pattern
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
            assert re.findall(pattern, text) == re.findall(unrolled, text)
    assert unroll_loops(r"(?:[^a]|a)*") == r"(?:[^a]|a)*"  # branches that overlap are left alone
