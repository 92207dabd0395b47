"""Pure integrity functions: AWS's example digests, strict gunzip, signing string, key documents."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from tests.conftest import THIRD_PARTY, read_jsonl

from trailmask.errors import UsageError
from trailmask.integrity.digest import FormatError, data_to_sign, gunzip_strict, parse_digest
from trailmask.integrity.keys import PublicKey, from_list_public_keys
from trailmask.integrity.walker import DIGEST_FOLDER, LOG_FOLDER, place


def aws_examples() -> list[dict[str, Any]]:
    return [
        row["digest"] for row in read_jsonl(THIRD_PARTY / "aws-cloudtrail-user-guide" / "awsdocs_digest_examples.jsonl")
    ]


def test_aws_documented_digests_parse() -> None:
    examples = aws_examples()
    assert len(examples) == 2
    first = parse_digest(json.dumps(examples[0]).encode())
    assert first.fingerprint == "31e8b5433410dfb61a9dc45cc65b22ff"
    assert first.previous_key and first.previous_key.endswith("20150817T140131Z.json.gz")
    assert [ref.hash_algorithm for ref in first.log_files] == ["SHA-256"]
    second = parse_digest(json.dumps(examples[1]).encode())
    assert second.log_files == ()  # an hour without log files still has a digest


def test_data_signing_string_has_the_documented_four_lines() -> None:
    example = aws_examples()[0]
    digest = parse_digest(json.dumps(example).encode())
    lines = data_to_sign(digest, "ab" * 32).decode().split("\n")
    assert lines == [
        "2015-08-17T15:01:31Z",
        "S3-bucket-name/" + example["digestS3Object"],
        "ab" * 32,
        example["previousDigestSignature"],
    ]
    first_of_chain = parse_digest(json.dumps({**example, "previousDigestSignature": None}).encode())
    assert data_to_sign(first_of_chain, "cd" * 32).decode().endswith("\nnull")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(b"{}", mtime=0)[:-3], "truncated gzip stream"),
        (b"{}", "not a valid gzip stream"),
        (gzip.compress(b"{}", mtime=0) + b"\x00", "1 bytes follow the end of the gzip stream"),
        (gzip.compress(b"{}", mtime=0) + gzip.compress(b"[]", mtime=0), "follow the end of the gzip stream"),
    ],
    ids=["truncated", "not-gzip", "trailing-byte", "two-members"],  # stable ids: xdist workers must agree
)
def test_gunzip_is_strict(data: bytes, reason: str) -> None:
    with pytest.raises(FormatError, match=reason):
        gunzip_strict(data)


def test_gunzip_accepts_one_member() -> None:
    assert gunzip_strict(gzip.compress(b'{"Records": []}')) == b'{"Records": []}'


@pytest.mark.parametrize("missing", ["digestEndTime", "digestS3Object", "logFiles", "digestPublicKeyFingerprint"])
def test_digest_without_a_required_field_is_rejected(missing: str) -> None:
    example = dict(aws_examples()[0])
    del example[missing]
    with pytest.raises(FormatError, match=missing):
        parse_digest(json.dumps(example).encode())


def test_public_keys_in_both_encodings_verify() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs1 = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    message = b"2024-06-01T23:01:31Z\nb/k\n" + b"0" * 64 + b"\nnull"
    signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256()).hex()
    cli_json = {"PublicKeyList": [{"Value": base64.b64encode(pkcs1).decode(), "Fingerprint": "AB12"}]}
    boto = {"PublicKeyList": [{"Value": spki, "Fingerprint": "cd34"}]}
    for key in from_list_public_keys(cli_json) + from_list_public_keys(boto):
        assert key.verify(signature, message)
        assert not key.verify(signature, message + b"x")
        assert not key.verify("zz", message)
    assert from_list_public_keys(cli_json)[0].fingerprint == "ab12"
    assert not PublicKey("x", b"not der").verify(signature, message)
    with pytest.raises(UsageError):
        from_list_public_keys({"PublicKeyList": [{"Value": "***", "Fingerprint": "x"}]})


def test_places_of_org_trail_keys() -> None:
    digest = place(
        "p/AWSLogs/o-abcdefghij/111122223333/CloudTrail-Digest/eu-west-1/2024/06/01/"
        "111122223333_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20240601T230131Z.json.gz",
        DIGEST_FOLDER,
    )
    assert digest is not None
    assert (digest.account, digest.region, digest.home) == ("111122223333", "eu-west-1", "us-east-1")
    assert digest.stamp is not None and digest.stamp.isoformat() == "2024-06-01T23:01:31+00:00"
    log = place(
        "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/06/01/111122223333_CloudTrail_eu-west-1_20240601T2305Z_AbC123.json.gz",
        LOG_FOLDER,
    )
    assert log is not None and log.stamp is not None and log.stamp.minute == 5
    assert place("AWSLogs/111122223333/CloudTrail/x.json", LOG_FOLDER) is None
