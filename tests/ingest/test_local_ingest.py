"""Local ingest: every real third-party event stored faithfully, idempotence, formats, bad files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import (
    THIRD_PARTY,
    Cli,
    awsdocs_events,
    awsdocs_record_files,
    panther_events,
    read_jsonl,
    write_jsonl,
)


def canonical(event: dict[str, Any]) -> str:
    """Identity of a record as trailmask defines it: its content, whatever the key order.

    Real test data holds records that differ only in key order (an AWS user-guide record and
    Panther's sorted copy of it): they are one event and stored once.
    """
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def all_real_events() -> list[dict[str, Any]]:
    events = panther_events() + awsdocs_events()
    for document in awsdocs_record_files():
        events.extend(document["Records"])
    return events


def stored_raw(tm: Cli) -> list[dict[str, Any]]:
    rows = tm("sql", "SELECT tm_raw FROM events", "--as", "admin", "--format", "json", "--max-rows", "100000").json()
    return [json.loads(row["tm_raw"]) for row in rows]


def test_every_distinct_real_event_is_stored_and_round_trips(tm: Cli, third_party_dir: Path) -> None:
    result = tm("ingest", str(third_party_dir), "--format", "json")
    assert result.exit_code == 0, result.stderr
    expected = {canonical(e) for e in all_real_events()}
    as_text = {json.dumps(e, separators=(",", ":")) for e in all_real_events()}
    assert len(as_text) > len(expected)  # real pairs differing only in key order: stored once
    stored = stored_raw(tm)
    assert len(stored) == len(expected)
    assert {canonical(e) for e in stored} == expected
    summary = json.loads(result.stdout)
    assert summary["new_events"] == len(expected)
    assert summary["files_rejected"] == 0
    # real test data has events without eventTime or with "redacted": kept, with a NULL eventTime
    untimed = sum(1 for e in stored if e.get("eventTime") in (None, "redacted", "..."))
    assert summary["untimed"] == untimed > 0


def test_reingest_adds_nothing(tm: Cli, third_party_dir: Path) -> None:
    assert tm("ingest", str(third_party_dir)).exit_code == 0
    before = tm("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json").json()[0]["n"]
    again = tm("ingest", str(third_party_dir), "--format", "json")
    assert again.exit_code == 0
    summary = json.loads(again.stdout)
    assert summary["new_events"] == 0
    assert summary["duplicates"] == summary["events"] > 0
    after = tm("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json").json()[0]["n"]
    assert after == before


def test_distinct_events_sharing_an_event_id_are_all_kept(tm: Cli, tmp_path: Path) -> None:
    events = [e for e in panther_events() if e.get("eventID") == "1"]
    distinct = {canonical(e) for e in events}
    assert len(distinct) > 50  # real test data reuses eventID "1"
    write_jsonl(tmp_path / "in" / "same_id.jsonl", events)
    assert tm("ingest", str(tmp_path / "in")).exit_code == 0
    rows = tm("sql", "SELECT count(*) AS n FROM events WHERE eventID = '1'", "--as", "admin", "--format", "json").json()
    assert rows[0]["n"] == len(distinct)


def test_exact_duplicates_within_one_file_are_stored_once(tm: Cli, tmp_path: Path) -> None:
    event = awsdocs_events()[0]
    write_jsonl(tmp_path / "dup.jsonl", [event, event, event])
    summary = json.loads(tm("ingest", str(tmp_path / "dup.jsonl"), "--format", "json").stdout)
    assert (summary["events"], summary["new_events"], summary["duplicates"]) == (3, 1, 2)


def test_typed_columns_follow_cloudtrail(tm: Cli, tmp_path: Path) -> None:
    record = {
        "eventVersion": "1.10",
        "eventTime": "2024-05-01T12:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "sourceIPAddress": "AWS Internal",
        "readOnly": True,
        "managementEvent": False,
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/R/s",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2024-05-01T11:00:00Z"}},
            "onBehalfOf": {
                "userId": "u-1",
                "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-1",
            },
        },
        "resources": [{"ARN": "arn:aws:s3:::bucket/key", "accountId": "111122223333", "type": "AWS::S3::Object"}],
        "requestParameters": {"bucketName": "bucket", "key": "key"},
        "responseElements": None,
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "keyExchange": "x25519"},
        "someFutureField": {"nested": [1, 2]},
    }
    write_jsonl(tmp_path / "one.jsonl", [record])
    assert tm("ingest", str(tmp_path / "one.jsonl")).exit_code == 0
    sql = """SELECT eventTime, readOnly, managementEvent, sourceIPAddress,
                    userIdentity.sessionContext.attributes.mfaAuthenticated AS mfa,
                    userIdentity.onBehalfOf.userId AS obo, resources[1].ARN AS arn,
                    json_extract_string(requestParameters, '$.key') AS k,
                    responseElements, tlsDetails.keyExchange AS kx, typeof(eventTime) AS t, typeof(readOnly) AS tb,
                    json_extract(tm_raw, '$.someFutureField') AS future
             FROM events"""
    row = tm("sql", sql, "--as", "admin", "--format", "json").json()[0]
    assert row["eventTime"] == "2024-05-01T12:00:00"
    assert (row["readOnly"], row["managementEvent"], row["mfa"]) == (True, False, "false")
    assert row["sourceIPAddress"] == "AWS Internal"
    assert (row["obo"], row["arn"], row["k"], row["kx"]) == ("u-1", "arn:aws:s3:::bucket/key", "key", "x25519")
    assert row["responseElements"] is None
    assert (row["t"], row["tb"]) == ("TIMESTAMP", "BOOLEAN")
    assert json.loads(row["future"]) == {"nested": [1, 2]}  # nothing AWS adds is lost


def test_formats_records_gzip_jsonl_array_and_lookup_events(tm: Cli, tmp_path: Path) -> None:
    events = awsdocs_events()[:8]
    folder = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2024" / "05" / "01"
    folder.mkdir(parents=True)
    with gzip.open(folder / "111122223333_CloudTrail_us-east-1_20240501T0000Z_abc.json.gz", "wt") as handle:
        json.dump({"Records": events[:2]}, handle)
    (folder / "plain.json").write_text(json.dumps({"Records": events[2:3]}))
    write_jsonl(tmp_path / "lines.jsonl", events[3:5])
    (tmp_path / "array.json").write_text(json.dumps([events[5]]))
    page = {"Events": [{"EventId": "x", "EventName": events[6]["eventName"], "CloudTrailEvent": json.dumps(events[6])}]}
    (tmp_path / "lookup_page.json").write_text(json.dumps(page))
    write_jsonl(tmp_path / "lookup_lines.jsonl", [{"EventId": "y", "CloudTrailEvent": json.dumps(events[7])}])
    digest = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail-Digest" / "us-east-1" / "d.json.gz"
    digest.parent.mkdir(parents=True)
    digest.write_bytes(gzip.compress(b'{"digestStartTime": "x"}'))
    result = tm("ingest", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert {canonical(e) for e in stored_raw(tm)} == {canonical(e) for e in events}
    assert json.loads(result.stdout)["files"] == 6  # the digest file is not an event file


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "corrupt.json.gz": (gzip.compress(b'{"Records": []}')[:12], "gzip"),
    "truncated.json": (b'{"Records": [{"eventName": "A", "eventSource": "s"', "truncated JSON"),
    "not_cloudtrail.json": (b'{"hello": "world", "items": [1, 2]}', "lack a required field"),
    "empty.json": (b"", "empty"),
    "empty_records.json": (b'{"Records": []}', "empty"),
    "missing_fields.jsonl": (b'{"eventName": "A", "eventSource": "s"}\n{"eventName": "B"}\n', "1 of 2 records lack"),
    "numbers.json": (b"[1, 2, 3]", "not JSON objects"),
}


def test_bad_files_are_named_with_reasons_while_good_files_load(tm: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    lower = read_jsonl(THIRD_PARTY / "panther-analysis" / "panther_cloudtrail_rule_tests_nonstandard_keys.jsonl")
    write_jsonl(folder / "lower_case_keys.jsonl", [row["event"] for row in lower])
    good = awsdocs_events()[:3]
    write_jsonl(folder / "good.jsonl", good)
    result = tm("ingest", str(folder), "--format", "json")
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    reasons = {Path(r["path"]).name: r["reason"] for r in summary["rejected"]}
    assert set(reasons) == {*BAD_FILES, "lower_case_keys.jsonl"}
    for name, (_, expected) in BAD_FILES.items():
        assert expected in reasons[name], (name, reasons[name])
    assert "eventname" in reasons["lower_case_keys.jsonl"]
    assert summary["new_events"] == 3
    assert {canonical(e) for e in stored_raw(tm)} == {canonical(e) for e in good}
    quarantined = list((tmp_path / "store.duckdb.quarantine").rglob("*"))
    assert {p.name for p in quarantined if p.is_file() and p.name != "rejections.jsonl"} == set(reasons)


def test_rejection_messages_do_not_echo_file_content(tm: Cli, tmp_path: Path) -> None:
    secret = "AKIASECRETVALUE12345"
    (tmp_path / "bad.json").write_text('{"Records": [{"eventName": "' + secret + '", "eventSource": ')
    result = tm("ingest", str(tmp_path / "bad.json"))
    assert result.exit_code == 3
    assert secret not in result.stdout + result.stderr


def test_missing_source_is_a_clear_error(tm: Cli, tmp_path: Path) -> None:
    result = tm("ingest", str(tmp_path / "nope"))
    assert result.exit_code == 4
    assert "nope" in result.stderr and "does not exist" in result.stderr


def test_query_before_any_ingest_names_the_store(tm: Cli) -> None:
    result = tm("sql", "SELECT 1", "--as", "admin")
    assert result.exit_code == 12
    assert "no store at" in result.stderr and "trailmask ingest" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_sql_output_formats(tm: Cli, tmp_path: Path, fmt: str) -> None:
    write_jsonl(tmp_path / "e.jsonl", awsdocs_events()[:2])
    tm("ingest", str(tmp_path / "e.jsonl"))
    result = tm("sql", "SELECT eventName FROM events ORDER BY eventName", "--as", "admin", "--format", fmt)
    assert result.exit_code == 0
    names = sorted(e["eventName"] for e in awsdocs_events()[:2])
    if fmt == "json":
        assert [r["eventName"] for r in json.loads(result.stdout)] == names
    elif fmt == "csv":
        assert result.stdout.splitlines() == ["eventName", *names]
    else:
        assert all(name in result.stdout for name in names)
