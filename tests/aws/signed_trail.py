"""Write a CloudTrail trail with log file validation to S3: log files plus a signed digest chain.

Written from AWS's documentation of the digest format and of the signing procedure, independently
of trailmask.integrity (so the tests check trailmask against the documented format, not against
itself): hourly digests ``{ACCOUNT}_CloudTrail-Digest_{REGION}_{TRAIL}_{HOME}_{YYYYMMDDTHHMMSSZ}``,
JSON fields as in the user guide's examples, SHA-256 over uncompressed content, the signature of
the four-line data-signing string (RSA PKCS#1 v1.5, SHA-256) in hex in the ``signature`` metadata.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from tests.aws.s3data import delivery, record


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_der(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def fingerprint(key: rsa.RSAPrivateKey) -> str:
    return hashlib.md5(public_der(key)).hexdigest()


def key_list(*entries: tuple[rsa.RSAPrivateKey, str]) -> dict[str, Any]:
    """A ListPublicKeys document (CLI JSON shape) for (key, fingerprint) pairs."""
    return {
        "PublicKeyList": [
            {
                "Value": base64.b64encode(public_der(key)).decode(),
                "ValidityStartTime": "2024-01-01T00:00:00Z",
                "ValidityEndTime": "2025-01-01T00:00:00Z",
                "Fingerprint": fp,
            }
            for key, fp in entries
        ]
    }


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SignedTrail:
    s3: Any
    bucket: str
    account: str
    region: str
    key: rsa.RSAPrivateKey
    trail: str = "org-trail"
    home: str = "us-east-1"
    org: str | None = "o-exampleorg1"
    digests: list[str] = field(default_factory=list)
    logs: dict[str, list[str]] = field(default_factory=dict)  # digest key -> its log keys
    _previous: tuple[str, str, str] | None = None  # (key, sha256 of uncompressed, signature)

    def _base(self, folder: str, moment: datetime) -> str:
        org = f"{self.org}/" if self.org else ""
        return f"AWSLogs/{org}{self.account}/{folder}/{self.region}/{moment:%Y/%m/%d}/"

    def put_log(self, moment: datetime, serial: int) -> str:
        name = f"{self.account}_CloudTrail_{self.region}_{moment:%Y%m%dT%H%M}Z_{serial:016X}.json.gz"
        key = self._base("CloudTrail", moment) + name
        records = [record(self.account, self.region, moment.date(), serial * 10 + i) for i in range(3)]
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=delivery(records))
        return key

    def hour(self, start: datetime, logs: int = 2) -> str:
        """Deliver ``logs`` log files during [start, start + 1 h) and the digest that ends the hour."""
        end = start + timedelta(hours=1)
        keys = [self.put_log(start + timedelta(minutes=5 + 20 * i), len(self.digests) * 10 + i) for i in range(logs)]
        entries = []
        for key in keys:
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            entries.append(
                {
                    "s3Bucket": self.bucket,
                    "s3Object": key,
                    "hashValue": hashlib.sha256(gzip.decompress(body)).hexdigest(),
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": _z(end - timedelta(minutes=10)),
                    "oldestEventTime": _z(start),
                }
            )
        digest_key = self._base("CloudTrail-Digest", end) + (
            f"{self.account}_CloudTrail-Digest_{self.region}_{self.trail}_{self.home}_{end:%Y%m%dT%H%M%S}Z.json.gz"
        )
        self.put_digest(digest_key, self._document(digest_key, start, end, entries))
        self.logs[digest_key] = keys
        return digest_key

    def _document(self, digest_key: str, start: datetime, end: datetime, entries: list[Any]) -> dict[str, Any]:
        previous = self._previous
        return {
            "awsAccountId": self.account,
            "digestStartTime": _z(start),
            "digestEndTime": _z(end),
            "digestS3Bucket": self.bucket,
            "digestS3Object": digest_key,
            "digestPublicKeyFingerprint": fingerprint(self.key),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": _z(end - timedelta(minutes=10)) if entries else None,
            "oldestEventTime": _z(start) if entries else None,
            "previousDigestS3Bucket": self.bucket if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[1] if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous[2] if previous else None,
            "logFiles": entries,
        }

    def put_digest(self, key: str, document: dict[str, Any]) -> None:
        content = json.dumps(document).encode()
        content_hash = hashlib.sha256(content).hexdigest()
        previous_signature = document["previousDigestSignature"] or "null"
        signing = "\n".join(
            [
                document["digestEndTime"],
                f"{document['digestS3Bucket']}/{document['digestS3Object']}",
                content_hash,
                previous_signature,
            ]
        )
        signature = self.key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
        self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=gzip.compress(content),
            Metadata={"signature": signature, "signature-algorithm": "SHA256withRSA"},
        )
        self.digests.append(key)
        self._previous = (key, content_hash, signature)


def build(s3: Any, bucket: str, key: rsa.RSAPrivateKey, hours: int = 4, **kw: Any) -> SignedTrail:
    trail = SignedTrail(s3, bucket, kw.pop("account", "111122223333"), kw.pop("region", "us-east-1"), key, **kw)
    start = datetime(2024, 6, 1, 22, 1, 31, tzinfo=UTC)  # crosses midnight: two date folders
    for hour in range(hours):
        trail.hour(start + timedelta(hours=hour))
    return trail
