"""Property-based tests (hypothesis): generated queries over the schema never let a canary out.

Queries combine a random leaf (struct paths, list elements, JSON paths), a random chain of string,
hash and encoding functions, and a random query shape (plain, WHERE probe, GROUP BY, aggregate,
CTE, subquery, UNION, self-join, window). Every one runs as every masked role on the canary store;
its rows, joined per row and per column, must hold no canary in any form. Probes against raw
canary values must match nothing.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.masking.masking_support import Answer, ask
from tests.masking.test_mask_detectors import masked_many

from trailmask.errors import QueryFailed
from trailmask.masking.battery import JSON_PATHS, leaf_expressions
from trailmask.masking.canary import Canary, LeakScanner
from trailmask.service.context import AppContext

pytestmark = pytest.mark.slow
Canaries = tuple[AppContext, list[Canary], LeakScanner]
LEAVES = [sql for _, sql in leaf_expressions()]
JSON_LEAVES = [
    f"json_extract_string({column}, '{path}')"
    for column in ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")
    for path in JSON_PATHS
]
FUNCTIONS = [
    "upper({})",
    "lower({})",
    "reverse({})",
    "substr({}, 1, 6)",
    "substr({}, 5)",
    "md5({})",
    "sha256({})",
    "hex({})",
    "to_base64(encode({}))",
    "replace({}, '_', '')",
    "regexp_replace({}, '[^0-9]', '', 'g')",
    "concat({}, '|', {})",
    "array_to_string(string_split({}, ''), '')",
    "trim({})",
    "left({}, 12)",
    "right({}, 12)",
    "coalesce({}, 'none')",
]
SHAPES = [
    "SELECT {e} AS v FROM events",
    "SELECT {e} AS v, count(*) AS n FROM events GROUP BY 1",
    "SELECT string_agg({e}, ',') AS v FROM events",
    "SELECT list({e}) AS v FROM events",
    "WITH c AS (SELECT * FROM events) SELECT {e} AS v FROM c",
    "SELECT v FROM (SELECT {e} AS v FROM events) AS s WHERE v IS NOT NULL",
    "SELECT {e} AS v FROM events UNION ALL SELECT {e} AS v FROM events",
    "SELECT a.v FROM (SELECT eventID, {e} AS v FROM events) a JOIN events b ON a.eventID = b.eventID",
    "SELECT first_value({e}) OVER (ORDER BY eventTime) AS v FROM events",
    "SELECT max({e}) AS v, min({e}) AS w FROM events",
]

expressions = st.builds(
    lambda leaf, chain: _apply(leaf, chain),
    st.sampled_from(LEAVES + JSON_LEAVES),
    st.lists(st.sampled_from(FUNCTIONS), max_size=3),
)


def _apply(leaf: str, chain: list[str]) -> str:
    expression = leaf
    for function in chain:
        expression = function.format(*([expression] * function.count("{}")))
    return expression


def _run(ctx: AppContext, role: str, sql: str) -> Answer | None:
    """The answer, or None when the engine refused the types (a hash of a list...): no rows at all."""
    try:
        return ask(ctx, role, sql)
    except QueryFailed:
        return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=expressions, shape=st.sampled_from(SHAPES), role=st.sampled_from(["investigator", "viewer"]))
def test_generated_queries_leak_no_canary(canary: Canaries, expression: str, shape: str, role: str) -> None:
    ctx, _, scanner = canary
    sql = shape.format(e=expression)
    answer = _run(ctx, role, sql)
    if answer is not None:
        leaks = scanner.scan_rows(answer.columns, answer.rows, sql)
        assert not leaks, (sql, [f"{leak.canary.label} ({leak.form})" for leak in leaks])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    expression=expressions,
    comparison=st.sampled_from(["{e} = {v}", "{e} LIKE {v}", "contains({e}, {v})", "{e} BETWEEN {v} AND {v}"]),
    data=st.data(),
)
def test_generated_probes_match_nothing(
    canary: Canaries, expression: str, comparison: str, data: st.DataObject
) -> None:
    """A probe comparing a masked value with a raw canary (or its transform) never matches."""
    ctx, found, _ = canary
    secret = data.draw(st.sampled_from([c.secret for c in found if len(c.secret) >= 8 and "'" not in c.secret]))
    raw_sql = _apply(f"'{secret}'", [])
    condition = comparison.format(e=expression, v=raw_sql)
    for role in ("investigator", "viewer"):
        answer = _run(ctx, role, f"SELECT count(*) AS n FROM events WHERE {condition}")
        assert answer is None or answer.rows == [[0]], condition


@settings(max_examples=10, deadline=None)
@given(st.lists(st.ip_addresses(v=4), min_size=20, max_size=100), st.lists(st.ip_addresses(v=6), max_size=50))
def test_ip_truncation_keeps_only_the_network(v4: list[ipaddress.IPv4Address], v6: list[ipaddress.IPv6Address]) -> None:
    """In free text, every IPv4 shows its /24 and every IPv6 its /48 (default investigator), no more."""
    texts = [f"from {a} now" for a in v4] + [f"from {a} now" for a in v6]
    outputs = masked_many(texts)
    for address, out in zip(v4, outputs, strict=False):
        assert out == f"from {'.'.join(str(address).split('.')[:3])}.xxx now"
    for address, out in zip(v6, outputs[len(v4) :], strict=True):
        shown = out.removeprefix("from ").removesuffix(" now")
        network = ipaddress.IPv6Network(f"{address}/48", strict=False).network_address
        if int(address) == 0:
            assert shown == "::"
            continue
        assert shown.endswith("::") and ipaddress.IPv6Address(shown) == network, (str(address), out)
