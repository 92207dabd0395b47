"""CloudTrail's public keys (ListPublicKeys) and RSA signature checks.

A key is the DER encoding of the RSA public key (PKCS#1 ``RSAPublicKey``, as ListPublicKeys
returns it; SubjectPublicKeyInfo is accepted too) with its hex fingerprint and validity window. In
boto3's response ``Value`` is bytes; in the JSON the AWS CLI prints (and in ``--public-keys FILE``)
it is base64 text. Digests name their key by fingerprint, which is how a key is chosen (as AWS's
own validator does); the validity window is reported, not enforced.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from trailmask.errors import NotFound, UsageError


@dataclass(frozen=True)
class PublicKey:
    fingerprint: str
    der: bytes
    valid_from: str | None = None
    valid_to: str | None = None

    def verify(self, signature_hex: str, message: bytes) -> bool:
        """RSA PKCS#1 v1.5 with SHA-256; False for a bad signature, key or hex encoding."""
        try:
            key = serialization.load_der_public_key(self.der)
            signature = binascii.unhexlify(signature_hex.strip())
        except (ValueError, UnsupportedAlgorithm, binascii.Error):
            return False
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        try:
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


@dataclass
class KeyRing:
    """Keys by fingerprint; regions already asked are remembered so each is asked once."""

    keys: dict[str, PublicKey] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)

    def add(self, keys: Iterable[PublicKey]) -> None:
        for key in keys:
            self.keys.setdefault(key.fingerprint, key)

    def find(self, fingerprint: str) -> PublicKey | None:
        return self.keys.get(fingerprint.lower())


def _when(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def from_list_public_keys(document: Mapping[str, Any]) -> list[PublicKey]:
    """Keys of one ListPublicKeys response (boto3's parsed dict or the CLI's JSON)."""
    entries = document.get("PublicKeyList")
    if not isinstance(entries, list):
        raise UsageError("not a ListPublicKeys document: no PublicKeyList array")
    keys = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "Value" not in entry or "Fingerprint" not in entry:
            raise UsageError(f"PublicKeyList[{index}] lacks Value or Fingerprint")
        value = entry["Value"]
        try:
            der = value if isinstance(value, bytes) else base64.b64decode(str(value), validate=True)
        except binascii.Error:
            raise UsageError(f"PublicKeyList[{index}].Value is not base64") from None
        keys.append(
            PublicKey(
                fingerprint=str(entry["Fingerprint"]).lower(),
                der=der,
                valid_from=_when(entry.get("ValidityStartTime")),
                valid_to=_when(entry.get("ValidityEndTime")),
            )
        )
    return keys


def load_key_file(path: Path) -> list[PublicKey]:
    """``--public-keys FILE``: the JSON of ``aws cloudtrail list-public-keys``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"public key file {path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError(
            f"public key file {path} is not JSON", hint="save `aws cloudtrail list-public-keys` output"
        ) from None
    if not isinstance(document, dict):
        raise UsageError(f"public key file {path} is not a ListPublicKeys document")
    return from_list_public_keys(document)
