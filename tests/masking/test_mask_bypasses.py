"""One named regression test per known way around dynamic masking, on the canary store.

The canary store has a secret planted in every sensitive position (masking.canary); the scanner
finds a canary in any case, reversed, hashed, base64/hex-encoded, or split across cells.
``test_control_admin_sees_the_canaries`` proves the scanner finds them when they are there.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from tests.masking.masking_support import KEY, Answer, ask

from trailmask.engines.duckdb.session import DATA_ERROR
from trailmask.errors import QueryFailed, QueryRejected
from trailmask.masking.canary import ACCESS_KEY, ACCOUNT, EMAIL, IPV4, PASSWORD, Canary, LeakScanner
from trailmask.masking.compiler import KEY_TABLE
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.explain import explain

MASKED = ("investigator", "viewer")
Canaries = tuple[AppContext, list[Canary], LeakScanner]


def assert_clean(scanner: LeakScanner, answer: Answer, label: str) -> None:
    leaks = scanner.scan_rows(answer.columns, answer.rows, label)
    assert not leaks, [f"{leak.canary.label} ({leak.form})" for leak in leaks]


def run_clean(canary: Canaries, sql: str) -> None:
    ctx, _, scanner = canary
    for role in MASKED:
        answer = ask(ctx, role, sql)
        assert answer.rows, f"{role}: {sql} returned nothing (the test would prove nothing)"
        assert_clean(scanner, answer, f"{role}: {sql}")


def test_control_admin_sees_the_canaries(canary: Canaries) -> None:
    ctx, found, scanner = canary
    answer = ask(ctx, "admin", "SELECT * FROM events")
    leaked = {leak.canary.secret for leak in scanner.scan_rows(answer.columns, answer.rows, "admin")}
    assert len(leaked) >= len(found) * 0.9  # the raw role sees (nearly) every canary: the scanner works
    assert {ACCOUNT, ACCESS_KEY, IPV4, PASSWORD} <= leaked


def test_select_star(canary: Canaries) -> None:
    run_clean(canary, "SELECT * FROM events")


def test_row_as_a_value_and_as_json(canary: Canaries) -> None:
    run_clean(canary, "SELECT e, to_json(e) AS j FROM events e")


def test_nested_struct_fields(canary: Canaries) -> None:
    run_clean(
        canary,
        "SELECT userIdentity, userIdentity.sessionContext.sessionIssuer.arn, "
        "userIdentity.sessionContext.sessionIssuer, userIdentity.onBehalfOf.userId, userIdentity.inScopeOf, "
        "tlsDetails, addendum FROM events",
    )


def test_list_of_structs(canary: Canaries) -> None:
    run_clean(canary, "SELECT r.ARN, r.accountId, unnest(resources) AS u FROM events, unnest(resources) AS t(r)")


def test_json_functions(canary: Canaries) -> None:
    run_clean(
        canary,
        "SELECT requestParameters->>'$.password' AS a, json_extract(requestParameters, '$.credentials') AS b, "
        "requestParameters->>'$.deep.level2.unknownKeyZ' AS c, json_extract_string(responseElements, '$.jwt') AS d, "
        "json_keys(additionalEventData) AS e, requestParameters->'$.deep.level2.list' AS f, "
        "json_extract_string(requestParameters, '$.accountNumber') AS g FROM events",
    )


@pytest.mark.parametrize("function", ["upper({})", "lower({})", "reverse({})", "substr({}, 2, 9)", "substr({}, 10)"])
def test_string_functions(canary: Canaries, function: str) -> None:
    columns = [
        "userIdentity.userName",
        "userIdentity.accessKeyId",
        "sourceIPAddress",
        "errorMessage",
        "CAST(requestParameters AS VARCHAR)",
    ]
    run_clean(canary, "SELECT " + ", ".join(function.format(c) for c in columns) + " FROM events")


def test_characters_one_per_row(canary: Canaries) -> None:
    """Split across rows: one character per row, in order; the scanner joins each column."""
    run_clean(
        canary, "SELECT unnest(string_split(userIdentity.accessKeyId || '|' || sourceIPAddress, '')) AS ch FROM events"
    )


def test_hashes_differ_from_precomputed_raw_hashes(canary: Canaries) -> None:
    ctx, _, scanner = canary
    raw_md5 = hashlib.md5(ACCESS_KEY.encode()).hexdigest()
    raw_sha = hashlib.sha256(ACCOUNT.encode()).hexdigest()
    for role in MASKED:
        answer = ask(
            ctx,
            role,
            f"SELECT count(*) FILTER (WHERE md5(userIdentity.accessKeyId) = '{raw_md5}') AS a, "
            f"count(*) FILTER (WHERE sha256(recipientAccountId) = '{raw_sha}') AS b, "
            "list(md5(userIdentity.accessKeyId)) AS c, list(sha256(recipientAccountId)) AS d FROM events",
        )
        assert answer.rows[0][:2] == [0, 0]
        assert_clean(scanner, answer, role)


def test_aggregates_string_agg_and_list(canary: Canaries) -> None:
    run_clean(
        canary,
        "SELECT string_agg(userIdentity.userName, '') AS a, list(sourceIPAddress) AS b, "
        "string_agg(CAST(requestParameters AS VARCHAR), '') AS c, histogram(recipientAccountId) AS d FROM events",
    )


def test_joins(canary: Canaries) -> None:
    run_clean(
        canary,
        "SELECT a.userIdentity.accessKeyId, b.sourceIPAddress, c.errorMessage FROM events a "
        "JOIN events b ON a.eventID = b.eventID LEFT JOIN events c ON c.recipientAccountId = a.recipientAccountId",
    )


def test_ctes_and_subqueries(canary: Canaries) -> None:
    run_clean(
        canary,
        "WITH x AS (SELECT * FROM events), y AS (SELECT userIdentity AS u, requestParameters AS r FROM x) "
        "SELECT u.*, r, (SELECT max(sourceIPAddress) FROM events) AS ip FROM y",
    )


def test_union(canary: Canaries) -> None:
    run_clean(
        canary,
        "SELECT userIdentity.userName AS v FROM events UNION SELECT sourceIPAddress FROM events "
        "UNION SELECT CAST(responseElements AS VARCHAR) FROM events",
    )


def test_where_like_between_probes_are_no_oracle(canary: Canaries) -> None:
    """SQL Server's DDM lets WHERE see raw values; here every predicate sees masked ones."""
    ctx, _, _ = canary
    probes = [
        f"sourceIPAddress = '{IPV4}'",
        f"sourceIPAddress BETWEEN '{IPV4}' AND '{IPV4}'",
        "sourceIPAddress LIKE '198.51.100.1%'",
        f"userIdentity.accessKeyId = '{ACCESS_KEY}'",
        "userIdentity.accessKeyId LIKE 'AKIAQ7%'",
        f"recipientAccountId = '{ACCOUNT}'",
        f"recipientAccountId > '{int(ACCOUNT) - 1}' AND recipientAccountId < '{int(ACCOUNT) + 1}'",
        "CAST(requestParameters AS VARCHAR) LIKE '%Hunter2%'",
        f"contains(CAST(requestParameters AS VARCHAR), '{EMAIL}')",
        "requestParameters->>'$.password' = 'Hunter2Canary!pw7q'",
    ]
    columns = ", ".join(f"count(*) FILTER (WHERE {p}) AS p{i}" for i, p in enumerate(probes))
    raw = ask(ctx, "admin", f"SELECT {columns} FROM events")
    assert all(count > 0 for count in raw.rows[0])  # each probe would reveal something on raw data
    for role in MASKED:
        assert ask(ctx, role, f"SELECT {columns} FROM events").rows[0] == [0] * len(probes), role


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM duckdb_tables()",
        "SELECT * FROM duckdb_views()",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM information_schema.columns",
        "SELECT current_setting('threads')",
        "SELECT getvariable('tm_mask_key__k')",
        "SELECT * FROM tm_mask_key",
        "SELECT * FROM temp.main.tm_mask_key",
        "SELECT * FROM main.events",
        "PRAGMA show_tables",
    ],
)
def test_catalog_introspection_is_rejected(canary: Canaries, sql: str) -> None:
    ctx, _, _ = canary
    for role in (*MASKED, "admin"):
        with pytest.raises(QueryRejected):
            ask(ctx, role, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_csv_auto('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM read_json('x.json')",
        "SELECT * FROM glob('/*')",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.duckdb' AS x",
    ],
)
def test_file_reading_and_writing_is_rejected(canary: Canaries, sql: str) -> None:
    ctx, _, _ = canary
    for role in (*MASKED, "admin"):
        with pytest.raises(QueryRejected):
            ask(ctx, role, sql)


def test_error_messages_do_not_echo_data(canary: Canaries) -> None:
    ctx, _, scanner = canary
    for sql in (
        "SELECT CAST(userIdentity.userName AS INTEGER) FROM events",
        "SELECT CAST(sourceIPAddress AS DATE) FROM events",
        "SELECT json_extract(errorMessage, '$.a') FROM events",
    ):
        for role in MASKED:
            with pytest.raises(QueryFailed) as caught:
                ask(ctx, role, sql)
            assert not scanner.scan(str(caught.value), sql)
            # one generic message, never the engine's text (which quotes the values) nor its class
            assert str(caught.value) == DATA_ERROR  # issue 10 finding 10


def test_raw_record_source_and_event_key_are_not_readable(canary: Canaries) -> None:
    ctx, _, scanner = canary
    raw_keys = ask(ctx, "admin", "SELECT tm_event_key FROM events").column("tm_event_key")
    for role in MASKED:
        answer = ask(ctx, role, "SELECT tm_raw, tm_source, tm_event_key FROM events")
        assert set(answer.column("tm_raw")) == {None}
        assert not any(ACCOUNT in str(v) for v in answer.column("tm_source"))
        assert not set(answer.column("tm_event_key")) & set(raw_keys)  # SHA-256 of the record: an oracle
        assert_clean(scanner, answer, role)


def test_the_key_is_never_in_sql_text_or_explain(canary: Canaries) -> None:
    ctx, _, _ = canary
    from trailmask.service.prepare import prepare

    plan = prepare(ctx, "investigator", "SELECT * FROM events", {})
    assert KEY not in plan.sql
    assert plan.temp_tables == {KEY_TABLE: {"k": KEY}}
    text = explain(ctx, Actor(name="t", role="investigator"), "SELECT userIdentity.userName FROM events")
    assert KEY not in text and "getvariable" in text.lower()


def test_a_user_cte_cannot_replace_the_key(canary: Canaries) -> None:
    ctx, _, _ = canary
    for sql in (
        "WITH tm_mask_key AS (SELECT 'known' AS k) SELECT userIdentity.userName FROM events",
        "WITH tm_s AS (SELECT 1) SELECT userIdentity.userName FROM events",
    ):
        with pytest.raises(QueryRejected, match="reserved name"):
            ask(ctx, "investigator", sql)


def test_pseudonyms_are_keyed_not_plain_hashes(canary: Canaries) -> None:
    ctx, _, _ = canary
    answer = ask(ctx, "investigator", "SELECT DISTINCT recipientAccountId FROM events")
    plain = {hashlib.sha256(a.encode()).hexdigest()[:12] for a in (ACCOUNT, "482915730264")}
    digests = {v.removeprefix("acct_") for v in answer.column("recipientAccountId")}
    assert digests and not digests & plain
    assert all(re.fullmatch(r"acct_[0-9a-f]{12}", v) for v in answer.column("recipientAccountId"))


def test_viewer_sees_redactions_investigator_sees_tokens(canary: Canaries) -> None:
    ctx, _, _ = canary
    sql = (
        "SELECT userIdentity.userName AS u, sourceIPAddress AS ip, recipientAccountId AS a "
        "FROM events WHERE eventName = 'CreateUser'"
    )
    viewer = ask(ctx, "viewer", sql).dicts()[0]
    assert viewer == {"u": "XXXXX", "ip": "XXXXX", "a": "XXXXX"}
    investigator = ask(ctx, "investigator", sql).dicts()[0]
    assert investigator["u"].startswith("user_") and investigator["a"].startswith("acct_")
    assert investigator["ip"] in ("198.51.100.xxx", "2001:db8:c4a7::")


def test_aws_hidden_values_stay_as_they_are(canary: Canaries) -> None:
    ctx, _, _ = canary
    answer = ask(
        ctx, "investigator", "SELECT requestParameters->>'$.value' AS v FROM events WHERE eventName = 'PutParameter'"
    )
    assert sorted(answer.column("v")) == ["HIDDEN_DUE_TO_SECURITY_REASONS", "[REDACTED:json_key]"]
