"""Free-text and JSON detectors, evaluated in DuckDB exactly as the masked relation does."""

from __future__ import annotations

import json
import re
from typing import Any

import duckdb
import pytest
from tests.masking.masking_support import KEY, ask

from trailmask.masking.compiler import key_expression
from trailmask.masking.detectors import DETECTORS
from trailmask.masking.loader import default_policy
from trailmask.masking.operators import MaskContext
from trailmask.masking.scanner import Scanner
from trailmask.service.context import AppContext
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import to_sql

POLICY = default_policy()


def masked_many(texts: list[str], role: str = "investigator") -> list[Any]:
    """Free-text masking of many plain texts in one query."""
    ctx = MaskContext(key_expression(), POLICY.role(role))
    scanner = Scanner(ctx, POLICY.detectors, POLICY.json_keys)
    value = sx.column("v")
    expression = scanner.mask(scanner.prepare_text(value))
    connection = duckdb.connect()
    connection.execute("SET VARIABLE tm_mask_key__k = ?", [KEY])
    sql = f"SELECT {to_sql(expression)} FROM (SELECT unnest(?) AS v, generate_subscripts(?, 1) AS i) ORDER BY i"
    return [row[0] for row in connection.execute(sql, [texts, texts]).fetchall()]


def masked(
    text: str | None,
    role: str = "investigator",
    *,
    as_json: bool = False,
    event: tuple[str, str] = ("iam.amazonaws.com", "X"),
) -> Any:
    ctx = MaskContext(key_expression(), POLICY.role(role))
    scanner = Scanner(ctx, POLICY.detectors, POLICY.json_keys)
    value = sx.column("v")
    columns = {"eventSource": sx.column("s"), "eventName": sx.column("n")}
    prepared = scanner.prepare_json(value, columns) if as_json else scanner.prepare_text(value)
    expression = scanner.mask(prepared)
    connection = duckdb.connect()
    connection.execute("SET VARIABLE tm_mask_key__k = ?", [KEY])
    sql = f"SELECT {to_sql(expression)} FROM (SELECT CAST(? AS VARCHAR) AS v, ? AS s, ? AS n)"
    row = connection.execute(sql, [text, *event]).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ip 198.51.100.23 here", "ip 198.51.100.xxx here"),
        ("v6 2001:db8:85a3:8d3:1319:8a2e:370:7348!", "v6 2001:db8:85a3::!"),
        ("mail alice@example.com now", "mail masked@example.com now"),
        ("card 4539 1488 0343 6467.", "card [REDACTED:card]."),
        ("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end", "key [REDACTED:aws_secret_key] end"),
        ("api Zx9Qw3Er7Ty2Ui8Op4As6Df1Gh5Jk0L end", "api [REDACTED:high_entropy] end"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln end", "jwt [REDACTED:jwt] end"),
        ("tok IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ end", "tok [REDACTED:session_token] end"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "[REDACTED:private_key]"),
        ("login password=hunter2 ok", "login password=[REDACTED:kv_secret] ok"),
        ("AWS Internal", "AWS Internal"),
    ],
)
def test_detected_values_are_masked_by_their_class(text: str, expected: str) -> None:
    assert masked(text) == expected


def test_identifiers_become_the_same_tokens_as_structured_fields() -> None:
    out = masked("User: arn:aws:iam::123456789012:user/alice used AKIAIOSFODNN7EXAMPLE from acct 123456789012")
    assert re.fullmatch(
        r"User: arn:aws:iam::acct_[0-9a-f]{12}:user/user_[0-9a-f]{12} used key_AKIA_[0-9a-f]{12} "
        r"from acct acct_[0-9a-f]{12}",
        out,
    )
    account = re.findall(r"acct_[0-9a-f]{12}", out)
    assert account[0] == account[1]  # the account inside the ARN and alone: one token
    principal = masked("id AIDAJQABLZS4A3QDU576Q")
    assert re.fullmatch(r"id user_[0-9a-f]{12}", principal)


@pytest.mark.parametrize(
    "text",
    [
        "aws-cli/2.15.30 Python/3.11.8 Linux/5.10.205-195.807.amzn2.x86_64 exe/x86_64.amzn.2",
        "aws-internal/3 aws-sdk-java/1.12.124 Linux/4.9.273-0.1.ac.226.84.332.metal1.x86_64 "
        "OpenJDK_64-Bit_Server_VM/25.312-b07",
        "requestId 3b0e3d1c-5f2a-4d0e-9e3b-7d9f2c1a0b4e",
        "instance i-0abcd1234efgh5678 in sg-0123456789abcdef0",
        "time 2024-01-15T10:20:30Z at 12:34:56",
        "1700000000001 is not a card",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0.0.0 Safari/537.36",
        "AccessDenied: User is not authorized to perform: s3:GetObject",
        "HIDDEN_DUE_TO_SECURITY_REASONS",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert masked(text) == text


def test_null_stays_null() -> None:
    assert masked(None) is None


def test_viewer_redacts_what_investigator_pseudonymises() -> None:
    out = masked("arn:aws:iam::123456789012:user/alice from 198.51.100.23 key AKIAIOSFODNN7EXAMPLE", role="viewer")
    assert out == "arn:aws:iam::XXXXX:user/XXXXX from [REDACTED:ipv4] key [REDACTED:access_key]"


def test_json_secrets_by_key_name_any_depth_any_type() -> None:
    document = {
        "Password": "hunter2",
        "config": {"masterUserPassword": "p@ss", "clientSecret": {"nested": [1, 2]}, "apiKey": 12345},
        "variables": "kept here: no lambda event",
        "hidden": {"password": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        "removed": {"userData": "<sensitiveDataRemoved>"},
        "tags": [{"key": "env", "value": "prod"}],
    }
    out = json.loads(masked(json.dumps(document), as_json=True))
    assert out["Password"] == "[REDACTED:json_key]"
    assert out["config"] == {
        "masterUserPassword": "[REDACTED:json_key]",
        "clientSecret": "[REDACTED:json_key]",
        "apiKey": "[REDACTED:json_key]",
    }
    assert out["hidden"] == {"password": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    assert out["removed"] == {"userData": "<sensitiveDataRemoved>"}
    assert out["tags"] == [{"key": "env", "value": "prod"}]
    assert out["variables"] == "kept here: no lambda event"


def test_event_specific_keys_only_in_their_events() -> None:
    document = json.dumps({"name": "/prod/db", "value": "s3cr3t-value", "type": "String"})
    ssm = json.loads(masked(document, as_json=True, event=("ssm.amazonaws.com", "PutParameter")))
    assert ssm["value"] == "[REDACTED:json_key]"
    other = json.loads(masked(document, as_json=True, event=("ssm.amazonaws.com", "GetParameter")))
    assert other["value"] == "s3cr3t-value"
    hidden = json.dumps({"name": "/p", "value": "HIDDEN_DUE_TO_SECURITY_REASONS"})
    kept = json.loads(masked(hidden, as_json=True, event=("ssm.amazonaws.com", "PutParameter")))
    assert kept["value"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    lam = json.dumps({"environment": {"variables": {"DB_PASSWORD": "x", "MODE": "fast"}}})
    out = json.loads(masked(lam, as_json=True, event=("lambda.amazonaws.com", "CreateFunction20150331")))
    assert out["environment"] == {"variables": "[REDACTED:json_key]"}


def test_json_keys_rule_pseudonymises_names_and_emails() -> None:
    out = json.loads(masked(json.dumps({"userName": "alice", "user": {"emailAddress": "bob"}}), as_json=True))
    assert re.fullmatch(r"user_[0-9a-f]{12}", out["userName"])
    assert out["user"]["emailAddress"] == "XXXXX"  # not an e-mail at all: redacted


def test_json_numbers_that_are_account_ids_keep_the_json_valid() -> None:
    document = json.dumps({"ownerId": 123456789012.0, "ids": [123456789012, 210987654321], "note": "x,123456789012"})
    out = json.loads(masked(document, as_json=True))
    assert re.fullmatch(r"acct_[0-9a-f]{12}\.0", out["ownerId"])
    assert all(re.fullmatch(r"acct_[0-9a-f]{12}", v) for v in out["ids"])
    assert re.fullmatch(r"x,acct_[0-9a-f]{12}", out["note"])


def test_every_detector_has_a_positive_case_above() -> None:
    covered = {"ipv4", "ipv6", "email", "card", "high_entropy", "jwt", "session_token", "private_key", "kv_secret"}
    covered |= {"arn", "access_key", "account_id", "principal_id", "ua_version"}
    assert {d.name for d in DETECTORS} == covered


def test_masked_json_of_all_real_events_stays_valid(real_store: AppContext) -> None:
    """Every JSON value of every third-party event is still JSON for every masked role."""
    nulls = ", ".join(
        f"count(*) FILTER (WHERE {c} IS NULL) AS {c}"
        for c in ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")
    )
    raw = ask(real_store, "admin", f"SELECT {nulls} FROM events")
    for role in ("investigator", "viewer"):
        answer = ask(real_store, role, f"SELECT {nulls} FROM events")
        assert answer.rows == raw.rows, role  # no value became NULL because masking broke it
