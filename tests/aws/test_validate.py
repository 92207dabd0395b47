"""``trailmask validate``: signed digest chains on a moto server, intact and tampered."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.aws.s3data import BUCKET, delivery, record
from tests.aws.signed_trail import SignedTrail, build, fingerprint, key_list, new_key, public_der
from tests.conftest import Cli

import trailmask.ingest.aws as aws_module


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def trail(s3: Any, signing_key: rsa.RSAPrivateKey) -> SignedTrail:
    return build(s3, BUCKET, signing_key, hours=4)


@pytest.fixture
def keys_file(tmp_path: Path, signing_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "public-keys.json"
    path.write_text(json.dumps(key_list((signing_key, fingerprint(signing_key)))), encoding="utf-8")
    return path


def run(tm: Cli, keys: Path, *extra: str, uri: str = f"s3://{BUCKET}") -> tuple[int, dict[str, Any]]:
    result = tm("validate", uri, "--public-keys", str(keys), *extra, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def problems(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["kind"], f["status"], f["key"]) for f in report["findings"] if f["problem"])


def test_intact_trail_is_valid(tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    code, report = run(tm, keys_file)
    assert code == 0, report
    assert (report["digests_valid"], report["logs_valid"], report["problems"]) == (4, 8, 0)
    assert report["chain_gaps"] == report["chain_broken"] == 0
    table = tm("validate", f"s3://{BUCKET}/AWSLogs/", "--public-keys", str(keys_file))
    assert table.exit_code == 0
    assert "4 digests valid, 0 invalid; 8 log files valid, 0 invalid, 0 missing" in table.stdout


def test_tampered_log_is_invalid(s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    victim = trail.logs[trail.digests[1]][0]
    body = json.loads(gzip.decompress(s3.get_object(Bucket=BUCKET, Key=victim)["Body"].read()))
    body["Records"][0]["sourceIPAddress"] = "198.51.100.7"
    s3.put_object(Bucket=BUCKET, Key=victim, Body=gzip.compress(json.dumps(body).encode()))
    code, report = run(tm, keys_file)
    assert code == 9
    assert problems(report) == [("log", "invalid", victim)]
    finding = next(f for f in report["findings"] if f["key"] == victim)
    assert "differs from the digest's hashValue" in finding["reason"]
    assert report["logs_valid"] == 7


def test_data_appended_after_the_gzip_stream_is_invalid(s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    victim = trail.logs[trail.digests[2]][1]
    original = s3.get_object(Bucket=BUCKET, Key=victim)["Body"].read()
    extra = delivery([record("111122223333", "us-east-1", datetime(2024, 6, 2).date(), 99999, "DeleteTrail")])
    s3.put_object(Bucket=BUCKET, Key=victim, Body=original + extra)
    assert gzip.decompress(original + extra) != gzip.decompress(original)  # other readers see the extra records
    code, report = run(tm, keys_file)
    assert code == 9
    assert problems(report) == [("log", "invalid", victim)]
    reason = next(f["reason"] for f in report["findings"] if f["key"] == victim)
    assert reason == f"{len(extra)} bytes follow the end of the gzip stream"


def test_deleted_digest_is_a_gap_and_its_logs_are_unverified(
    s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path
) -> None:
    gone = trail.digests[2]
    s3.delete_object(Bucket=BUCKET, Key=gone)
    code, report = run(tm, keys_file)
    assert code == 9
    expected = [("chain", "gap", gone)] + [("log", "unverified", k) for k in trail.logs[gone]]
    assert problems(report) == sorted(expected)
    gap = next(f for f in report["findings"] if f["kind"] == "chain")
    assert gap["reason"] == f"missing: {trail.digests[3]} names it as the previous digest"


def test_moved_digest_is_invalid_and_leaves_a_gap(s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    moved = trail.digests[1]
    target = moved.replace("_org-trail_", "_other-trail_")
    s3.copy_object(Bucket=BUCKET, Key=target, CopySource={"Bucket": BUCKET, "Key": moved}, MetadataDirective="COPY")
    s3.delete_object(Bucket=BUCKET, Key=moved)
    code, report = run(tm, keys_file)
    assert code == 9
    found = problems(report)
    assert ("chain", "gap", moved) in found
    assert ("digest", "invalid", target) in found
    reason = next(f["reason"] for f in report["findings"] if f["key"] == target)
    assert "(moved)" in reason
    assert {k for kind, status, k in found if kind == "log"} == set(trail.logs[moved])


def test_deleted_log_is_missing(s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    victim = trail.logs[trail.digests[0]][1]
    s3.delete_object(Bucket=BUCKET, Key=victim)
    code, report = run(tm, keys_file)
    assert code == 9 and problems(report) == [("log", "missing", victim)]


def test_wrong_key_or_unknown_fingerprint_fails_every_digest(
    tm: Cli, trail: SignedTrail, tmp_path: Path, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    impostor = tmp_path / "impostor.json"
    impostor.write_text(json.dumps(key_list((other_key, fingerprint(signing_key)))), encoding="utf-8")
    code, report = run(tm, impostor)
    assert code == 9
    digests = [f for f in report["findings"] if f["kind"] == "digest"]
    assert len(digests) == 4 and all(f["status"] == "invalid" for f in digests)
    assert all("signature does not verify" in f["reason"] for f in digests)
    assert report["logs_valid"] == 0 and report["logs_unverified"] == 8

    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(key_list((other_key, fingerprint(other_key)))), encoding="utf-8")
    code, report = run(tm, unknown)
    assert code == 9
    assert {f["reason"] for f in report["findings"] if f["kind"] == "digest"} == {
        f"no public key with fingerprint {fingerprint(signing_key)}"
    }


def test_tampered_digest_content_breaks_its_signature_and_the_chain(
    s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path
) -> None:
    victim = trail.digests[1]
    obj = s3.get_object(Bucket=BUCKET, Key=victim)
    document = json.loads(gzip.decompress(obj["Body"].read()))
    document["logFiles"] = document["logFiles"][:1]  # hide a log file
    s3.put_object(
        Bucket=BUCKET, Key=victim, Body=gzip.compress(json.dumps(document).encode()), Metadata=obj["Metadata"]
    )
    code, report = run(tm, keys_file)
    assert code == 9
    found = problems(report)
    assert ("digest", "invalid", victim) in found
    assert ("chain", "broken", victim) in found


def test_injected_log_inside_the_covered_span_is_a_problem_and_a_new_one_is_not(
    s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path
) -> None:
    first = datetime(2024, 6, 1, 22, 1, 31, tzinfo=UTC)
    injected = trail.put_log(first + timedelta(hours=1, minutes=30), 777)
    pending = trail.put_log(first + timedelta(hours=4, minutes=2), 778)
    code, report = run(tm, keys_file)
    assert code == 9
    assert problems(report) == [("log", "unverified", injected)]
    late = next(f for f in report["findings"] if f["key"] == pending)
    assert (late["status"], late["problem"]) == ("unverified", False)
    assert report["logs_not_yet_covered"] == 1


def test_time_window_selects_digests(tm: Cli, trail: SignedTrail, keys_file: Path) -> None:
    code, report = run(tm, keys_file, "--start", "2024-06-02T00:00:00Z", "--end", "2024-06-02T00:30:00Z")
    assert code == 0, report
    assert report["digests_valid"] == 2  # ending 00:01:31 and 01:01:31 (end + 1 h)
    assert report["logs_valid"] == 4


def test_narrow_prefix_still_follows_the_chain_outside_it(
    s3: Any, tm: Cli, trail: SignedTrail, keys_file: Path
) -> None:
    day_two = trail.digests[-1].rsplit("/", 1)[0] + "/"
    code, report = run(tm, keys_file, uri=f"s3://{BUCKET}/{day_two}")
    assert code == 0, report
    assert report["digests_valid"] == 3 and report["chain_gaps"] == 0  # its predecessor is on day one
    s3.delete_object(Bucket=BUCKET, Key=trail.digests[0])  # the only digest of day one
    code, report = run(tm, keys_file, uri=f"s3://{BUCKET}/{day_two}")
    assert code == 9 and problems(report) == [("chain", "gap", trail.digests[0])]


def test_online_keys_come_from_list_public_keys(
    tm: Cli, trail: SignedTrail, signing_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_client = aws_module.client
    asked: list[str | None] = []

    def fake_client(session: Any, service: str, *, region: str | None = None, **kw: Any) -> Any:
        if service != "cloudtrail":
            return real_client(session, service, region=region, **kw)
        asked.append(region)
        client = boto3.client("cloudtrail", region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        stub = Stubber(client)
        response = {
            "PublicKeyList": [
                {
                    "Value": public_der(signing_key),
                    "ValidityStartTime": datetime(2024, 1, 1, tzinfo=UTC),
                    "ValidityEndTime": datetime(2025, 1, 1, tzinfo=UTC),
                    "Fingerprint": fingerprint(signing_key),
                }
            ]
        }
        stub.add_response("list_public_keys", response, {"StartTime": ANY, "EndTime": ANY})
        stub.activate()
        return client

    monkeypatch.setattr(aws_module, "client", fake_client)
    result = tm("validate", f"s3://{BUCKET}", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["digests_valid"] == 4
    assert asked == ["us-east-1"]


def test_usage_errors(aws_env: str, tm: Cli, tmp_path: Path, keys_file: Path) -> None:
    missing_keys = tm("validate", f"s3://{BUCKET}", "--public-keys", str(tmp_path / "nope.json"))
    assert missing_keys.exit_code == 4
    bad = tmp_path / "bad.json"
    bad.write_text('{"Keys": []}', encoding="utf-8")
    assert tm("validate", f"s3://{BUCKET}", "--public-keys", str(bad)).exit_code == 2
    assert tm("validate", "not-s3").exit_code == 2
    no_bucket = tm("validate", "s3://no-such-bucket-x", "--public-keys", str(bad))
    assert no_bucket.exit_code == 2  # the key file is read before S3 is touched
    absent = tm("validate", "s3://no-such-bucket-x", "--public-keys", str(keys_file))
    assert absent.exit_code == 4 and "NoSuchBucket" in absent.stderr
