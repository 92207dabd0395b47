"""CloudTrail digest and log files as bytes: strict gunzip, hashes, the data-signing string.

Per AWS's "Custom implementations of CloudTrail log file integrity validation": a digest file is
gzip-compressed JSON; its signature (hex) is the S3 object metadata ``signature``; the signed data
is the four lines ``digestEndTime``, ``digestS3Bucket/digestS3Object``, the hex SHA-256 of the
*uncompressed* digest, and ``previousDigestSignature`` (the text ``null`` for the first digest of
a chain). Log files are checked by the hex SHA-256 of their uncompressed content.

Decompression is strict: one complete gzip member and nothing after it. ``zlib.decompress`` (and
so a naive validator) stops at the end of the first member and ignores what follows, so data
appended to a log file would pass a hash check while other readers see the extra records.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

SIGNATURE_ALGORITHM = "SHA256withRSA"
HASH_ALGORITHM = "SHA-256"
DIGEST_NAME = re.compile(
    r"^(?P<account>\d{12})_CloudTrail-Digest_(?P<region>[a-z0-9-]+)_(?P<trail>.+)_"
    r"(?P<home>[a-z0-9-]+)_(?P<stamp>\d{8}T\d{6}Z)\.json\.gz$"
)
LOG_NAME = re.compile(
    r"^(?P<account>\d{12})_CloudTrail_(?P<region>[a-z0-9-]+)_(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json\.gz$"
)


class FormatError(ValueError):
    """The bytes are not what CloudTrail writes; the message says why (never quoting content)."""


def gunzip_strict(data: bytes) -> bytes:
    """Decompress exactly one complete gzip member; trailing bytes make the file invalid."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        content = inflater.decompress(data)
    except zlib.error:
        raise FormatError("not a valid gzip stream") from None
    if not inflater.eof:
        raise FormatError("truncated gzip stream")
    if inflater.unused_data:
        raise FormatError(f"{len(inflater.unused_data)} bytes follow the end of the gzip stream")
    return content


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LogFileRef:
    """One log file a digest vouches for."""

    bucket: str
    key: str
    hash_value: str
    hash_algorithm: str


@dataclass(frozen=True)
class Digest:
    """The fields of a digest file that validation uses."""

    bucket: str
    key: str
    account: str
    start_time: str
    end_time: str
    fingerprint: str
    algorithm: str
    previous_bucket: str | None
    previous_key: str | None
    previous_hash: str | None
    previous_hash_algorithm: str | None
    previous_signature: str | None
    log_files: tuple[LogFileRef, ...]


_REQUIRED = (
    "awsAccountId",
    "digestStartTime",
    "digestEndTime",
    "digestS3Bucket",
    "digestS3Object",
    "digestPublicKeyFingerprint",
    "digestSignatureAlgorithm",
    "logFiles",
)


def _optional(doc: dict[str, Any], name: str) -> str | None:
    value = doc.get(name)
    return None if value is None else str(value)


def parse_digest(inflated: bytes) -> Digest:
    """Parse uncompressed digest JSON; FormatError names the first missing or malformed field."""
    try:
        doc = json.loads(inflated)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FormatError("digest is not valid JSON") from None
    if not isinstance(doc, dict):
        raise FormatError("digest is not a JSON object")
    missing = [name for name in _REQUIRED if name not in doc]
    if missing:
        raise FormatError(f"digest lacks field {missing[0]}")
    if not isinstance(doc["logFiles"], list):
        raise FormatError("digest field logFiles is not a list")
    try:
        refs = tuple(
            LogFileRef(str(f["s3Bucket"]), str(f["s3Object"]), str(f["hashValue"]).lower(), str(f["hashAlgorithm"]))
            for f in doc["logFiles"]
        )
    except (KeyError, TypeError):
        raise FormatError(
            "digest has a logFiles entry without s3Bucket, s3Object, hashValue or hashAlgorithm"
        ) from None
    return Digest(
        bucket=str(doc["digestS3Bucket"]),
        key=str(doc["digestS3Object"]),
        account=str(doc["awsAccountId"]),
        start_time=str(doc["digestStartTime"]),
        end_time=str(doc["digestEndTime"]),
        fingerprint=str(doc["digestPublicKeyFingerprint"]).lower(),
        algorithm=str(doc["digestSignatureAlgorithm"]),
        previous_bucket=_optional(doc, "previousDigestS3Bucket"),
        previous_key=_optional(doc, "previousDigestS3Object"),
        previous_hash=(_optional(doc, "previousDigestHashValue") or "").lower() or None,
        previous_hash_algorithm=_optional(doc, "previousDigestHashAlgorithm"),
        previous_signature=_optional(doc, "previousDigestSignature") or None,
        log_files=refs,
    )


def data_to_sign(digest: Digest, inflated_sha256: str) -> bytes:
    """The data-signing string: end time, bucket/key, digest hash, previous signature or ``null``."""
    previous = digest.previous_signature if digest.previous_signature else "null"
    return f"{digest.end_time}\n{digest.bucket}/{digest.key}\n{inflated_sha256}\n{previous}".encode()
