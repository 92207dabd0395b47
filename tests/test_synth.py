"""Tests of the deterministic synthetic CloudTrail generator (trailmask.synth)."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from trailmask.synth import (
    ACCOUNT_IDS,
    DEFAULT_START,
    ORG_ID,
    ORG_TRAIL_ACCOUNTS,
    PLANTED_EMAILS,
    PLANTED_SECRETS,
    SESSION_TOKEN_PREFIXES,
    generate_events,
    write_delivery_tree,
    write_jsonl,
)

Record = dict[str, Any]
N = 2000
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
LAYOUT_RE = re.compile(
    r"^AWSLogs/(?:(?P<org>o-[a-z0-9]{10})/)?(?P<account>\d{12})/CloudTrail/(?P<region>[a-z]{2}-[a-z]+-\d)/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P=account)_CloudTrail_(?P=region)_"
    r"(?P=y)(?P=m)(?P=d)T\d{4}Z_[A-Za-z0-9]{16}\.json(?P<gz>\.gz)?$"
)
REQUIRED = (
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
)


@pytest.fixture(scope="module")
def events() -> list[Record]:
    return list(generate_events(N))


def dump(records: Iterator[Record]) -> str:
    return "\n".join(json.dumps(r, separators=(",", ":")) for r in records)


def walk(value: Any) -> Iterator[Any]:
    """Every dict and list inside ``value`` (including itself)."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        yield value
        for v in value:
            yield from walk(v)


# --- determinism and counts -------------------------------------------------------------------------------


def test_same_seed_gives_identical_output() -> None:
    assert dump(generate_events(500, seed=3)) == dump(generate_events(500, seed=3))


def test_different_seed_gives_different_output() -> None:
    assert dump(generate_events(500, seed=3)) != dump(generate_events(500, seed=4))


@pytest.mark.parametrize("n", [0, 1, 37, 199, 200, 1000])
def test_count(n: int) -> None:
    assert sum(1 for _ in generate_events(n)) == n


def test_bad_arguments_fail_eagerly() -> None:
    with pytest.raises(ValueError, match="n must be"):
        generate_events(-1)
    with pytest.raises(ValueError, match="days must be"):
        generate_events(5, days=0)


# --- record shape ----------------------------------------------------------------------------------------------


def test_records_have_cloudtrail_shape(events: list[Record]) -> None:
    for e in events:
        assert all(key in e for key in REQUIRED), e
        assert list(e)[:3] == ["eventVersion", "userIdentity", "eventTime"]
        assert e["eventVersion"] in {"1.08", "1.09", "1.10", "1.11"}
        assert TIME_RE.match(e["eventTime"])
        assert UUID_RE.match(e["eventID"])
        assert isinstance(e["readOnly"], bool)
        assert isinstance(e["managementEvent"], bool)
        assert e["eventCategory"] == ("Management" if e["managementEvent"] else "Data")
        assert re.fullmatch(r"\d{12}", e["recipientAccountId"])
        assert e["eventSource"].endswith(".amazonaws.com")
        assert e["eventType"] in {"AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"}
        if "tlsDetails" in e:
            assert set(e["tlsDetails"]) == {"tlsVersion", "cipherSuite", "clientProvidedHostHeader"}
        if "errorCode" in e:
            assert e["responseElements"] is None


def test_event_ids_are_distinct(events: list[Record]) -> None:
    assert len({e["eventID"] for e in events}) == len(events)


def test_records_share_no_mutable_objects(events: list[Record]) -> None:
    seen: set[int] = set()
    for e in events:
        for obj in walk(e):
            assert id(obj) not in seen
            seen.add(id(obj))


def test_mfa_flag_is_a_string(events: list[Record]) -> None:
    flags = [
        e["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"]
        for e in events
        if "attributes" in e["userIdentity"].get("sessionContext", {})
    ]
    assert set(flags) == {"true", "false"}


def test_accounts_and_regions(events: list[Record]) -> None:
    assert 3 <= len(ACCOUNT_IDS) <= 5
    assert {e["recipientAccountId"] for e in events} == set(ACCOUNT_IDS)
    assert len({e["awsRegion"] for e in events}) >= 5
    assert {e["eventSource"].split(".")[0] for e in events} >= {
        "iam", "sts", "s3", "ec2", "lambda", "kms", "ssm", "secretsmanager", "cloudtrail", "guardduty",
        "config", "securityhub", "signin", "organizations", "rds", "logs", "sso",
    }  # fmt: skip


# --- time -------------------------------------------------------------------------------------------------------


def test_event_times_lie_in_the_window_and_ascend() -> None:
    start = datetime(2025, 3, 3, 6, 30, tzinfo=UTC)
    times = [
        datetime.strptime(e["eventTime"], "%Y-%m-%dT%H:%M:%S%z") for e in generate_events(3000, start=start, days=2)
    ]
    assert min(times) >= start
    assert max(times) < start + timedelta(days=2)
    ordered = sum(a <= b for a, b in itertools.pairwise(times))
    assert ordered / (len(times) - 1) > 0.95
    latest = times[0]
    for t in times:
        assert t >= latest - timedelta(minutes=5)
        latest = max(latest, t)


def test_default_start_and_naive_start() -> None:
    first = next(iter(generate_events(50)))["eventTime"]
    assert first.startswith(DEFAULT_START.strftime("%Y-%m-%d"))
    naive = dump(generate_events(50, start=datetime(2025, 1, 1)))
    aware = dump(generate_events(50, start=datetime(2025, 1, 1, tzinfo=UTC)))
    assert naive == aware


def test_demo_window_ends_now_and_keeps_office_hours() -> None:
    """The demo's window ends at the last full hour before now: no event lies in the future."""
    from trailmask.service.demo import DAYS, demo_window_start

    now = datetime(2026, 12, 2, 13, 52, 5, tzinfo=UTC)
    start = demo_window_start(now)
    times = [
        datetime.strptime(e["eventTime"], "%Y-%m-%dT%H:%M:%S%z") for e in generate_events(5000, start=start, days=DAYS)
    ]
    assert max(times) <= now
    assert min(times) >= now - timedelta(days=DAYS, hours=1)
    # A window starting mid-day still puts most activity in UTC office hours (07:00-19:00).
    office = sum(7 <= t.hour < 19 for t in times)
    assert office / len(times) > 0.6


def test_each_error_belongs_to_its_call() -> None:
    """A service-specific error is one the failed call itself can return, naming its own target."""
    from trailmask.synth.catalog import OTHER_ERRORS

    owners: dict[tuple[str, str], list[str]] = {}
    for svc, entries in OTHER_ERRORS.items():
        for names, code, _ in entries:
            owners.setdefault((svc, code), []).append(names)
    seen = 0
    for e in generate_events(60000, seed=11):
        code = e.get("errorCode")
        svc = e["eventSource"].split(".")[0]
        if (svc, code) not in owners:
            continue
        seen += 1
        name = e["eventName"]
        assert any(re.fullmatch(p, name) for p in owners[(svc, code)]), (name, code, e["errorMessage"])
        request = e.get("requestParameters") or {}
        for key in ("userName", "roleName", "groupName"):
            if code.startswith(("NoSuchEntity", "EntityAlreadyExists")) and isinstance(request.get(key), str):
                assert request[key] in e["errorMessage"], (name, e["errorMessage"], request)
    assert seen > 20


def test_activity_follows_office_hours(events: list[Record]) -> None:
    hours = Counter(int(e["eventTime"][11:13]) for e in events)
    assert sum(hours[h] for h in range(9, 17)) > 2 * sum(hours[h] for h in range(0, 8))


# --- identities ---------------------------------------------------------------------------------------------


def test_every_identity_type_appears(events: list[Record]) -> None:
    types = {e["userIdentity"].get("type") for e in events}
    assert types >= {
        "IAMUser", "AssumedRole", "Root", "AWSService", "IdentityCenterUser", "FederatedUser", "AWSAccount",
        "WebIdentityUser",
    }  # fmt: skip


def by_type(events: list[Record], kind: str) -> list[Record]:
    return [e for e in events if e["userIdentity"].get("type") == kind]


def test_identity_details(events: list[Record]) -> None:
    keys = {
        e["userIdentity"]["accessKeyId"][:4] for e in by_type(events, "IAMUser") if e["userIdentity"].get("accessKeyId")
    }
    assert keys == {"AKIA", "ASIA"}
    for e in by_type(events, "AssumedRole"):
        ident = e["userIdentity"]
        issuer = ident["sessionContext"]["sessionIssuer"]
        assert issuer["type"] == "Role" and issuer["principalId"].startswith("AROA")
        assert ident["accessKeyId"] == "" or ident["accessKeyId"].startswith("ASIA")
    for e in by_type(events, "AWSService"):
        assert e["sourceIPAddress"] == e["userIdentity"]["invokedBy"]
        assert e["sourceIPAddress"].endswith(".amazonaws.com") or e["sourceIPAddress"] == "AWS Internal"
    for e in by_type(events, "IdentityCenterUser"):
        ident = e["userIdentity"]
        assert set(ident["onBehalfOf"]) == {"userId", "identityStoreArn"}
        assert ident["credentialId"]
    for e in by_type(events, "AWSAccount"):
        assert e["userIdentity"]["accountId"] != e["recipientAccountId"]
        assert UUID_RE.match(e["sharedEventID"])


# --- scenario categories ------------------------------------------------------------------------------------


def named(*names: str) -> Callable[[Record], bool]:
    return lambda e: e["eventName"] in names and "errorCode" not in e


def req(e: Record, *path: str) -> Any:
    value: Any = e.get("requestParameters") or {}
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _ingress(e: Record) -> set[str]:
    items = (req(e, "ipPermissions", "items") or []) if e["eventName"] == "AuthorizeSecurityGroupIngress" else []
    cidrs = {r.get("cidrIp") for i in items for r in (i["ipRanges"] or {}).get("items", [])}
    return cidrs | {r.get("cidrIpv6") for i in items for r in (i["ipv6Ranges"] or {}).get("items", [])}


def _token(e: Record) -> str:
    creds = (e.get("responseElements") or {}).get("credentials") or {}
    return str(creds.get("sessionToken", ""))


CATEGORIES: dict[str, Callable[[Record], bool]] = {
    "console login success": lambda e: (e.get("responseElements") or {}).get("ConsoleLogin") == "Success",
    "console login failure": lambda e: (
        (e.get("responseElements") or {}).get("ConsoleLogin") == "Failure"
        and e["errorMessage"] == "Failed authentication"
    ),
    "root login without MFA": lambda e: (
        e["eventName"] == "ConsoleLogin"
        and e["userIdentity"]["type"] == "Root"
        and e["additionalEventData"]["MFAUsed"] == "No"
    ),
    "console session credentials": lambda e: e.get("sessionCredentialFromConsole") == "true",
    "iam policy change": named(
        "PutUserPolicy",
        "PutRolePolicy",
        "AttachRolePolicy",
        "AttachUserPolicy",
        "CreatePolicyVersion",
        "DeleteRolePolicy",
        "DetachRolePolicy",
    ),
    "create access key": lambda e: (
        named("CreateAccessKey")(e)
        and set(e["responseElements"]["accessKey"]) == {"accessKeyId", "status", "userName", "createDate"}
    ),
    "create user with email tag": lambda e: named("CreateUser")(e) and "@" in json.dumps(req(e, "tags")),
    "ingress from 0.0.0.0/0": lambda e: "0.0.0.0/0" in _ingress(e),
    "ingress from ::/0": lambda e: "::/0" in _ingress(e),
    "s3 bucket policy": named("PutBucketPolicy"),
    "s3 public ACL": lambda e: named("PutBucketAcl")(e) and "AllUsers" in json.dumps(req(e)),
    "public access block removed": named("DeleteBucketPublicAccessBlock", "DeletePublicAccessBlock"),
    "cloudtrail tampering": named("StopLogging", "DeleteTrail", "UpdateTrail"),
    "guardduty detector deleted": named("DeleteDetector"),
    "config recorder stopped": named("StopConfigurationRecorder"),
    "kms key disabled or deleted": named("DisableKey", "ScheduleKeyDeletion"),
    "cross-account assume role": lambda e: (
        e["eventName"] == "AssumeRole"
        and req(e, "roleArn").split(":")[4] != e["userIdentity"].get("accountId", req(e, "roleArn").split(":")[4])
    ),
    "assume role credentials": lambda e: len(_token(e)) >= 300 and _token(e).startswith(SESSION_TOKEN_PREFIXES),
    "web identity JWT": lambda e: str(req(e, "webIdentityToken")).startswith("eyJ"),
    "federation token": named("GetFederationToken"),
    "ssm SecureString put": lambda e: (
        named("PutParameter")(e) and req(e, "type") == "SecureString" and req(e, "value") in PLANTED_SECRETS
    ),
    "ssm decrypted read": lambda e: e["eventName"] in ("GetParameter", "GetParameters") and req(e, "withDecryption"),
    "lambda env secrets": lambda e: (
        e["eventName"].startswith(("CreateFunction", "UpdateFunctionConfiguration"))
        and str(req(e, "environment", "variables", "STRIPE_KEY")).startswith("sk_live_")
    ),
    "secret created with value": lambda e: (
        named("CreateSecret", "PutSecretValue")(e) and any(s in str(req(e, "secretString")) for s in PLANTED_SECRETS)
    ),
    "secret read": named("GetSecretValue"),
    "sns email subscription": lambda e: named("Subscribe")(e) and req(e, "endpoint") in PLANTED_EMAILS,
    "s3 data event": lambda e: e["eventCategory"] == "Data" and e["resources"][0]["type"] == "AWS::S3::Object",
    "resources array": lambda e: all(set(r) >= {"ARN", "type"} for r in e.get("resources") or [{}]),
    "vpc endpoint": lambda e: str(e.get("vpcEndpointId", "")).startswith("vpce-"),
    "ipv6 source": lambda e: ":" in e["sourceIPAddress"],
    "service-name source": lambda e: e["sourceIPAddress"].endswith(".amazonaws.com"),
    "AWS Internal source": lambda e: e["sourceIPAddress"] == "AWS Internal",
    "identity center sign-in by email": lambda e: (
        e["userIdentity"].get("type") == "Unknown" and e["userIdentity"]["userName"] in PLANTED_EMAILS
    ),
}


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_scenario_category_appears(events: list[Record], category: str) -> None:
    assert any(CATEGORIES[category](e) for e in events), category


def test_mostly_read_only(events: list[Record]) -> None:
    assert sum(e["readOnly"] for e in events) / len(events) > 0.6


def test_failure_mix(events: list[Record]) -> None:
    failed = [e for e in events if "errorMessage" in e]
    assert 0.04 <= len(failed) / len(events) <= 0.12
    codes = Counter(e.get("errorCode") for e in failed)
    assert codes.keys() >= {"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"}
    assert "UnauthorizedOperation" in codes
    arn_messages = [e["errorMessage"] for e in failed if "is not authorized to perform:" in e["errorMessage"]]
    assert any(m.startswith("User: arn:aws:iam::") for m in arn_messages)
    assert any(m.startswith("User: arn:aws:sts::") for m in arn_messages)
    assert any("Encoded authorization failure message: " in m for m in arn_messages)


def test_user_agent_variety(events: list[Record]) -> None:
    agents = {e["userAgent"] for e in events}
    for prefix in ("aws-cli/2.", "aws-cli/1.", "Boto3/1.", "Mozilla/5.0", "aws-sdk-go/", "APN/1.0 HashiCorp"):
        assert any(a.startswith(prefix) for a in agents), prefix
    assert {"AWS Internal", "console.amazonaws.com"} <= agents
    assert any("Terraform/" in a for a in agents)
    assert any(a.endswith("command/ec2.describe-instances") for a in agents)


def test_planted_values_all_appear() -> None:
    text = dump(generate_events(6000, seed=1))
    assert [s for s in PLANTED_SECRETS if s not in text] == []
    assert [m for m in PLANTED_EMAILS if m not in text] == []


def test_scripted_intrusion_is_present(events: list[Record]) -> None:
    intruder = [
        e for e in events if e["sourceIPAddress"] in ("185.220.101.47", "45.155.205.233", "2001:db8:dead:beef::17")
    ]
    names = {e["eventName"] for e in intruder}
    assert names >= {"GetCallerIdentity", "CreateAccessKey", "StopLogging", "DeleteDetector", "ConsoleLogin"}
    assert all("kali" in e["userAgent"] or e["userAgent"].startswith("Mozilla") for e in intruder)


# --- delivery tree ---------------------------------------------------------------------------------------


def read_tree(root: Path, paths: list[Path]) -> list[Record]:
    records: list[Record] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        match = LAYOUT_RE.match(rel)
        assert match, rel
        raw = path.read_bytes()
        body = gzip.decompress(raw) if match["gz"] else raw
        doc = json.loads(body)
        assert list(doc) == ["Records"] and isinstance(doc["Records"], list) and doc["Records"]
        for record in doc["Records"]:
            assert record["recipientAccountId"] == match["account"]
            assert record["awsRegion"] == match["region"]
        assert (match["org"] is not None) == (match["account"] in ORG_TRAIL_ACCOUNTS)
        if match["org"]:
            assert match["org"] == ORG_ID
        records += doc["Records"]
    return records


def test_delivery_tree_layout_and_contents(tmp_path: Path) -> None:
    paths = write_delivery_tree(tmp_path, 1500, seed=9, events_per_file=40)
    assert paths == sorted(paths)
    assert all(p.name.endswith(".json.gz") for p in paths)
    assert all(p.read_bytes()[:2] == b"\x1f\x8b" for p in paths)
    assert set(tmp_path.rglob("*.json.gz")) == set(paths)
    records = read_tree(tmp_path, paths)
    assert sorted(r["eventID"] for r in records) == sorted(e["eventID"] for e in generate_events(1500, seed=9))
    assert max(len(json.loads(gzip.decompress(p.read_bytes()))["Records"]) for p in paths) == 40
    rels = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert any(r.startswith(f"AWSLogs/{ORG_ID}/") for r in rels)
    assert any(not r.startswith(f"AWSLogs/{ORG_ID}/") for r in rels)


def test_delivery_tree_plain_json(tmp_path: Path) -> None:
    paths = write_delivery_tree(tmp_path, 300, events_per_file=25, gzip_files=False)
    assert paths and all(p.name.endswith(".json") for p in paths)
    assert len(read_tree(tmp_path, paths)) == 300


def test_delivery_tree_is_deterministic(tmp_path: Path) -> None:
    first = write_delivery_tree(tmp_path / "a", 400, seed=2, events_per_file=30)
    second = write_delivery_tree(tmp_path / "b", 400, seed=2, events_per_file=30)
    other = write_delivery_tree(tmp_path / "c", 400, seed=3, events_per_file=30)
    rel = [p.relative_to(tmp_path / "a") for p in first]
    assert rel == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert rel != [p.relative_to(tmp_path / "c") for p in other]


def test_delivery_tree_rejects_bad_file_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="events_per_file"):
        write_delivery_tree(tmp_path, 10, events_per_file=0)


# --- JSON Lines ------------------------------------------------------------------------------------------


def test_jsonl_plain_and_gzip(tmp_path: Path) -> None:
    plain = write_jsonl(tmp_path / "events.jsonl", 700, seed=4)
    packed = write_jsonl(tmp_path / "events.jsonl.gz", 700, seed=4)
    text = plain.read_text(encoding="utf-8")
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed.read_bytes()).decode("utf-8") == text
    lines = text.splitlines()
    assert len(lines) == 700 and text.endswith("\n")
    assert [json.loads(line) for line in lines] == list(generate_events(700, seed=4))


def test_jsonl_is_deterministic(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl.gz", 300, seed=8).read_bytes()
    b = write_jsonl(tmp_path / "b.jsonl.gz", 300, seed=8).read_bytes()
    forced = write_jsonl(tmp_path / "c.jsonl", 300, seed=8, gzip_file=True).read_bytes()
    assert a == b == forced


def test_jsonl_zero_events(tmp_path: Path) -> None:
    assert write_jsonl(tmp_path / "empty.jsonl", 0).read_bytes() == b""


# --- speed ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_million_events_are_fast_and_distinct() -> None:
    began = time.perf_counter()
    ids = {e["eventID"] for e in generate_events(1_000_000, seed=13)}
    elapsed = time.perf_counter() - began
    assert len(ids) == 1_000_000
    assert elapsed < 90, f"{elapsed:.1f} s"


def test_sign_in_events_do_not_claim_console_credentials(events: list[Record]) -> None:
    sign_ins = [e for e in events if e["eventSource"] in ("signin.amazonaws.com", "sso.amazonaws.com")]
    assert sign_ins
    assert not any("sessionCredentialFromConsole" in e for e in sign_ins)
    assert not any("requestID" in e for e in sign_ins if e["eventName"] == "ConsoleLogin")
