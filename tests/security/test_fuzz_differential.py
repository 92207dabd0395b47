"""Differential fuzz test: random queries from a grammar of allowed SQL never show a canary.

Queries are drawn from a small grammar of what the sandbox allows (selects, filters, aggregates,
GROUP BY, string functions, casts, JSON extraction, self-joins, window functions, CTEs, subqueries,
UNION) over the verify canary store (masking.canary: a secret planted in every sensitive position).
Each query runs as every masked role of the default policy: no canary, in any form the leak scanner
knows (case, reversed, hashes, encodings, split across rows or columns), may appear in any output
cell or error message. The same query also runs as admin (raw): the test counts how often the raw
answer holds a canary, and fails if it never does, so a grammar that cannot reach the canaries
(or a scanner that cannot see them) fails instead of passing vacuously.

Bounded for CI: ``TRAILMASK_FUZZ_EXAMPLES`` (default 30) queries, well under a minute; set it to
e.g. 2000 for a long run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.masking.masking_support import KEY, Answer, ask, context_for

from trailmask.errors import QueryRejected, TrailmaskError
from trailmask.masking.battery import JSON_COLUMNS, JSON_PATHS, leaf_expressions
from trailmask.masking.canary import Canary, LeakScanner
from trailmask.service.context import AppContext
from trailmask.service.verify import canary_store

EXAMPLES = int(os.environ.get("TRAILMASK_FUZZ_EXAMPLES", "30"))
LEAVES = [sql for _, sql in leaf_expressions()]

# ---- the grammar -----------------------------------------------------------------------------

json_values = st.builds(
    lambda column, path, form: form.format(c=column, p=path),
    st.sampled_from(JSON_COLUMNS),
    st.sampled_from(JSON_PATHS),
    st.sampled_from(
        [
            "json_extract_string({c}, '{p}')",
            "CAST(json_extract({c}, '{p}') AS VARCHAR)",
            "{c} ->> '{p}'",
            "CAST({c} -> '{p}' AS VARCHAR)",
        ]
    ),
)
leaves = st.one_of(
    st.sampled_from(LEAVES), json_values, st.sampled_from([f"CAST({c} AS VARCHAR)" for c in JSON_COLUMNS])
)
UNARY = [
    "upper({})", "lower({})", "reverse({})", "trim({})", "substr({}, 1, 8)", "substr({}, 3)", "left({}, 12)",
    "right({}, 12)", "md5({})", "sha256({})", "hex({})", "to_base64(encode({}))", "replace({}, '_', '')",
    "regexp_replace({}, '[^0-9A-Za-z]', '', 'g')", "regexp_extract({}, '[0-9]{{12}}')", "coalesce({}, 'none')",
    "array_to_string(string_split({}, ':'), '')", "CAST({} AS VARCHAR)", "TRY_CAST({} AS JSON)::VARCHAR",
    "concat({}, '|')", "lpad({}, 40, '*')", "split_part({}, '/', 2)", "CAST(length({}) AS VARCHAR)",
]  # fmt: skip
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda f, e: f.format(e), st.sampled_from(UNARY), inner),
        st.builds(lambda a, b: f"concat({a}, {b})", inner, inner),
        st.builds(lambda a, b: f"coalesce({a}, {b})", inner, inner),
        st.builds(lambda c, a, b: f"CASE WHEN {c} IS NULL THEN {a} ELSE {b} END", inner, inner, inner),
    ),
    max_leaves=3,
)
conditions = st.one_of(
    st.builds(lambda e: f"{e} IS NOT NULL", expressions),
    st.builds(lambda e, n: f"length({e}) > {n}", expressions, st.integers(0, 40)),
    st.builds(lambda e, s: f"{e} LIKE '%{s}%'", expressions, st.sampled_from(["a", "1", "AKIA", "_", "@", "arn"])),
    st.builds(lambda e: f"TRY_CAST({e} AS BIGINT) IS NULL", expressions),
    st.just("eventName IS NOT NULL"),
)
AGGREGATES = ["string_agg({}, ',')", "max({})", "min({})", "list({})::VARCHAR", "any_value({})", "first({})"]
WINDOWS = [
    "first_value({e}) OVER (ORDER BY eventTime)",
    "lag({e}) OVER (PARTITION BY eventSource ORDER BY eventTime)",
    "string_agg({e}, ',') OVER (PARTITION BY eventName)",
    "last_value({e}) OVER (ORDER BY eventID ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
]


@st.composite
def queries(draw: st.DrawFn) -> str:
    e = draw(expressions)
    where = f" WHERE {draw(conditions)}" if draw(st.booleans()) else ""
    shape = draw(st.sampled_from(["plain", "group", "aggregate", "window", "self join", "cte", "subquery", "union"]))
    if shape == "plain":
        return f"SELECT {e} AS v, eventName FROM events{where} ORDER BY 1 LIMIT {draw(st.integers(1, 50))}"
    if shape == "group":
        return f"SELECT {e} AS v, count(*) AS n FROM events{where} GROUP BY 1"
    if shape == "aggregate":
        return f"SELECT {draw(st.sampled_from(AGGREGATES)).format(e)} AS v FROM events{where}"
    if shape == "window":
        return f"SELECT {draw(st.sampled_from(WINDOWS)).format(e=e)} AS v FROM events{where}"
    if shape == "self join":
        other = draw(expressions).replace("events.", "")
        return (
            f"SELECT a.v, b.w FROM (SELECT eventID, {e} AS v FROM events{where}) AS a "
            f"JOIN (SELECT eventID, {other} AS w FROM events) AS b ON a.eventID = b.eventID"
        )
    if shape == "cte":
        return f"WITH c AS (SELECT * FROM events{where}) SELECT {e} AS v FROM c"
    if shape == "subquery":
        return f"SELECT v FROM (SELECT {e} AS v FROM events{where}) AS s WHERE v IS NOT NULL"
    return f"SELECT {e} AS v FROM events{where} UNION ALL SELECT {draw(expressions)} AS v FROM events"


# ---- the store and the runs ------------------------------------------------------------------

Canaries = tuple[AppContext, list[Canary], LeakScanner, list[str]]


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAILMASK_MASKING_KEY", KEY)
        ctx = context_for(tmp_path_factory.mktemp("fuzz") / "unused.duckdb")
        policy = ctx.policy
        masked = [name for name, role in policy.roles.items() if not role.raw]
        with canary_store(ctx, policy) as (canary_ctx, found):
            yield canary_ctx, found, LeakScanner(found), masked


def _outcome(ctx: AppContext, role: str, sql: str) -> tuple[Answer | None, str]:
    """The answer, or the error message the caller would see."""
    try:
        return ask(ctx, role, sql), ""
    except QueryRejected as exc:
        return None, str(exc)
    except TrailmaskError as exc:
        return None, f"{exc} {getattr(exc, 'hint', '') or ''}"


def _leaks(scanner: LeakScanner, answer: Answer | None, message: str, where: str) -> list[str]:
    found = scanner.scan(message, where) if message else []
    if answer is not None:
        found += scanner.scan_rows(answer.columns, answer.rows, where)
    return [f"{leak.canary.label} ({leak.form})" for leak in found]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
def _fuzz(canary: Canaries, raw_hits: list[str], sql: str) -> None:
    ctx, _, scanner, masked = canary
    raw, raw_message = _outcome(ctx, "admin", sql)
    if _leaks(scanner, raw, raw_message, sql):
        raw_hits.append(sql)
    for role in masked:
        answer, message = _outcome(ctx, role, sql)
        leaks = _leaks(scanner, answer, message, sql)
        assert not leaks, (role, sql, leaks)


def test_no_canary_for_any_masked_role(canary: Canaries) -> None:
    """Every generated query, every masked role: no canary; and as admin the grammar does reach
    the canaries (often), so the fuzzing cannot pass because it never touched a secret."""
    raw_hits: list[str] = []
    _fuzz(canary, raw_hits)
    assert len(raw_hits) >= max(2, EXAMPLES // 10), raw_hits


def test_self_check_the_scanner_sees_raw_canaries(canary: Canaries) -> None:
    """The same shapes as admin show canaries: the test can fail."""
    ctx, _, scanner, masked = canary
    assert masked, "the default policy has masked roles"
    for sql in [
        "SELECT reverse(CAST(userIdentity.arn AS VARCHAR)) AS v FROM events",
        "SELECT string_agg(json_extract_string(requestParameters, '$.password'), ',') AS v FROM events",
        "SELECT a.v FROM (SELECT eventID, upper(sourceIPAddress) AS v FROM events) a JOIN events b USING (eventID)",
    ]:
        raw, message = _outcome(ctx, "admin", sql)
        assert _leaks(scanner, raw, message, sql), sql
        for role in masked:
            answer, message = _outcome(ctx, role, sql)
            assert not _leaks(scanner, answer, message, sql), (role, sql)
