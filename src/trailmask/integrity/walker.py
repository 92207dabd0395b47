"""Validate a CloudTrail bucket: every digest, the chain between digests, every log file.

The walk (over any :class:`ObjectStore`, see ``integrity.s3`` for S3):

1. List the prefix; digests are ``.../CloudTrail-Digest/REGION/...json.gz``, log files
   ``.../CloudTrail/REGION/...json.gz``. A digest is in the time window when its end time (from its
   name) is within [start, end + 1 h] (a digest covers the hour before it).
2. Each digest in the window: strict gunzip, JSON fields, found where it says it lives
   (``digestS3Bucket``/``digestS3Object``: a moved or copied digest is invalid), signature from the
   object's metadata, public key by fingerprint, RSA PKCS#1 v1.5 SHA-256 over the data-signing string.
3. The chain: each digest names its predecessor (key, SHA-256, signature). The predecessor must
   exist (else a *gap*) and be exactly what was recorded (else *broken*). ``null`` starts a chain.
4. Each log file a valid digest lists: present (else *missing*), strict gunzip, SHA-256 equal to
   the recorded ``hashValue`` (else *invalid*). Files listed only by invalid digests are *unverified*.
5. Log files in the listing that no digest lists are *unverified*; a problem when they lie inside
   the span the valid digests of their account and region cover (a digest should have listed
   them), not when they are newer than the newest digest (its digest is not delivered yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from trailmask.integrity.digest import (
    DIGEST_NAME,
    HASH_ALGORITHM,
    LOG_NAME,
    SIGNATURE_ALGORITHM,
    Digest,
    FormatError,
    LogFileRef,
    data_to_sign,
    gunzip_strict,
    parse_digest,
    sha256_hex,
)
from trailmask.integrity.keys import KeyRing, PublicKey
from trailmask.integrity.report import BROKEN, GAP, INVALID, MISSING, UNVERIFIED, VALID, Report

DIGEST_FOLDER = "CloudTrail-Digest"
LOG_FOLDER = "CloudTrail"
DIGEST_PERIOD = timedelta(hours=1)
DELIVERY_MARGIN = timedelta(minutes=5)


class ObjectStore(Protocol):
    """Read access to one bucket; ``get`` returns None when the key does not exist."""

    bucket: str

    def list_keys(self, prefix: str) -> Iterable[str]: ...

    def get(self, key: str) -> tuple[bytes, Mapping[str, str]] | None: ...


KeySource = Callable[[str, datetime, datetime], Iterable[PublicKey]]  # (region, start, end) -> keys


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None

    def has_digest(self, stamp: datetime | None) -> bool:
        if stamp is None:
            return True
        return (self.start is None or stamp >= self.start) and (self.end is None or stamp <= self.end + DIGEST_PERIOD)

    def has_log(self, stamp: datetime | None) -> bool:
        if stamp is None:
            return True
        return (self.start is None or stamp >= self.start) and (self.end is None or stamp <= self.end)


@dataclass(frozen=True)
class Place:
    """Where a key sits in the layout: account and region folders, and the time in its name."""

    account: str
    region: str
    home: str
    stamp: datetime | None


def _stamp(text: str) -> datetime:
    layout = "%Y%m%dT%H%M%SZ" if len(text) == 16 else "%Y%m%dT%H%MZ"
    return datetime.strptime(text, layout).replace(tzinfo=UTC)


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def place(key: str, folder: str) -> Place | None:
    """The Place of a ``.json.gz`` key under ``folder`` (CloudTrail or CloudTrail-Digest), else None."""
    segments = key.split("/")
    if not segments[-1].endswith(".json.gz") or folder not in segments[:-1]:
        return None
    index = len(segments) - 2 - segments[-2::-1].index(folder)
    account = segments[index - 1] if index > 0 else ""
    region = segments[index + 1] if index + 1 < len(segments) - 1 else ""
    pattern = DIGEST_NAME if folder == DIGEST_FOLDER else LOG_NAME
    match = pattern.match(segments[-1])
    stamp = _stamp(match.group("stamp")) if match else None
    home = match.group("home") if match and folder == DIGEST_FOLDER else region
    return Place(account, region, home, stamp)


@dataclass
class Checked:
    """One fetched digest and what is known about it so far."""

    key: str
    digest: Digest | None = None
    sha256: str | None = None
    signature: str | None = None
    status: str = VALID
    reason: str = ""


def fetch_digest(store: ObjectStore, key: str) -> Checked | None:
    """Fetch and parse a digest (None when absent); the signature is checked later."""
    found = store.get(key)
    if found is None:
        return None
    data, metadata = found
    checked = Checked(key, signature=metadata.get("signature"))
    try:
        inflated = gunzip_strict(data)
        checked.sha256 = sha256_hex(inflated)
        checked.digest = parse_digest(inflated)
    except FormatError as exc:
        checked.status, checked.reason = INVALID, str(exc)
        return checked
    algorithm = metadata.get("signature-algorithm", SIGNATURE_ALGORITHM)
    if checked.digest.algorithm != SIGNATURE_ALGORITHM or algorithm != SIGNATURE_ALGORITHM:
        checked.status, checked.reason = INVALID, f"unsupported signature algorithm {checked.digest.algorithm}"
    return checked


class Validator:
    """One validation run over ``store`` (see the module docstring for the steps)."""

    def __init__(self, store: ObjectStore, keys: KeySource, window: Window, *, workers: int = 8) -> None:
        self.store = store
        self.keys = keys
        self.window = window
        self.workers = max(workers, 1)
        self.ring = KeyRing()
        self.listed: set[str] = set()
        self.prefix = ""

    def run(self, prefix: str) -> Report:
        report = Report(self.store.bucket, prefix, _text(self.window.start), _text(self.window.end))
        self.prefix = prefix
        self.listed = set(self.store.list_keys(prefix))
        digests = {
            k: p for k in sorted(self.listed) if (p := place(k, DIGEST_FOLDER)) and self.window.has_digest(p.stamp)
        }
        logs = {k: p for k in sorted(self.listed) if (p := place(k, LOG_FOLDER))}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="validate") as pool:
            fetched = dict(zip(digests, pool.map(lambda k: fetch_digest(self.store, k), digests), strict=True))
            checked = {k: c for k, c in fetched.items() if c is not None}
            self._verify_all(checked, digests, report)
            self._check_chain(checked, report)
            referenced = self._check_logs(checked, pool, report)
        self._unreferenced(logs, referenced, checked, digests, report)
        if not digests:
            report.notes.append("no digest files in the window: is log file validation enabled for this trail?")
        return report

    def _key_for(self, checked: Checked, where: Place, span: tuple[datetime, datetime]) -> PublicKey | None:
        assert checked.digest is not None
        fingerprint = checked.digest.fingerprint
        for region in (where.region, where.home):
            if self.ring.find(fingerprint) is None and region and region not in self.ring.asked:
                self.ring.asked.add(region)
                self.ring.add(self.keys(region, *span))
        return self.ring.find(fingerprint)

    def _verify_all(self, checked: dict[str, Checked], places: Mapping[str, Place], report: Report) -> None:
        span = _span(places.values())
        for key, item in checked.items():
            if item.status == VALID:
                _verify(item, self.store.bucket, self._key_for(item, places[key], span) if item.digest else None)
            report.add("digest", key, item.status, item.reason)

    def _check_chain(self, checked: dict[str, Checked], report: Report) -> None:
        outside: dict[str, Checked | None] = {}
        for item in checked.values():
            digest = item.digest
            if digest is None or not digest.previous_key:
                if digest is not None:
                    report.notes.append(f"chain starts at {item.key} (no previous digest)")
                continue
            if digest.previous_bucket and digest.previous_bucket != self.store.bucket:
                report.notes.append(f"{item.key}: previous digest is in bucket {digest.previous_bucket}; not followed")
                continue
            previous_key = digest.previous_key
            if previous_key not in checked and previous_key not in outside:
                outside[previous_key] = self._fetch_outside(previous_key)
            previous = checked.get(previous_key) or outside.get(previous_key)
            problem = _link_problem(previous, digest, item.key)
            if problem:
                report.add("chain", previous_key, *problem)

    def _fetch_outside(self, key: str) -> Checked | None:
        if key.startswith(self.prefix) and key not in self.listed:
            return None
        return fetch_digest(self.store, key)

    def _check_logs(self, checked: dict[str, Checked], pool: ThreadPoolExecutor, report: Report) -> set[str]:
        vouched: dict[str, tuple[LogFileRef, str, bool]] = {}
        for item in checked.values():
            for ref in item.digest.log_files if item.digest else ():
                if ref.bucket != self.store.bucket:
                    report.notes.append(f"{item.key} lists s3://{ref.bucket}/{ref.key}; other buckets are not checked")
                    continue
                good = item.status == VALID
                if ref.key not in vouched or (good and not vouched[ref.key][2]):
                    vouched[ref.key] = (ref, item.key, good)
        valid_refs = [ref for ref, _, good in vouched.values() if good]
        for ref, (status, reason) in zip(valid_refs, pool.map(self._check_log, valid_refs), strict=True):
            report.add("log", ref.key, status, reason)
        for ref, digest_key, good in vouched.values():
            if not good:
                report.add("log", ref.key, UNVERIFIED, f"listed only by invalid digest {digest_key}")
        return set(vouched)

    def _check_log(self, ref: LogFileRef) -> tuple[str, str]:
        if ref.key.startswith(self.prefix) and ref.key not in self.listed:
            return MISSING, "listed by a digest but not in the bucket"
        found = self.store.get(ref.key)
        if found is None:
            return MISSING, "listed by a digest but not in the bucket"
        if ref.hash_algorithm != HASH_ALGORITHM:
            return INVALID, f"unsupported hash algorithm {ref.hash_algorithm}"
        try:
            actual = sha256_hex(gunzip_strict(found[0]))
        except FormatError as exc:
            return INVALID, str(exc)
        if actual != ref.hash_value:
            return INVALID, "SHA-256 of the uncompressed content differs from the digest's hashValue"
        return VALID, ""

    def _unreferenced(
        self,
        logs: Mapping[str, Place],
        referenced: set[str],
        checked: Mapping[str, Checked],
        places: Mapping[str, Place],
        report: Report,
    ) -> None:
        covered = _coverage(checked, places)
        for key, where in logs.items():
            if key in referenced or not self.window.has_log(where.stamp):
                continue
            span = covered.get((where.account, where.region))
            inside = span is not None and (where.stamp is None or span[0] <= where.stamp <= span[1] - DELIVERY_MARGIN)
            reason = "no digest lists it" + ("" if inside else " (outside the span the digests cover)")
            report.add("log", key, UNVERIFIED, reason, problem=inside)


def _verify(item: Checked, bucket: str, key: PublicKey | None) -> None:
    digest = item.digest
    assert digest is not None
    assert item.sha256 is not None
    if digest.bucket != bucket or digest.key != item.key:
        item.status = INVALID
        item.reason = f"found at s3://{bucket}/{item.key} but says it is s3://{digest.bucket}/{digest.key} (moved)"
    elif not item.signature:
        item.status, item.reason = INVALID, "no signature in the S3 object metadata"
    elif key is None:
        item.status, item.reason = INVALID, f"no public key with fingerprint {digest.fingerprint}"
    elif not key.verify(item.signature, data_to_sign(digest, item.sha256)):
        item.status, item.reason = INVALID, "signature does not verify (RSA PKCS#1 v1.5 SHA-256, data-signing string)"


def _link_problem(previous: Checked | None, digest: Digest, key: str) -> tuple[str, str] | None:
    if previous is None:
        return GAP, f"missing: {key} names it as the previous digest"
    if previous.sha256 is None or previous.sha256 != digest.previous_hash:
        return BROKEN, f"its SHA-256 differs from previousDigestHashValue in {key}"
    if (previous.signature or "").lower() != (digest.previous_signature or "").lower():
        return BROKEN, f"its signature differs from previousDigestSignature in {key}"
    return None


def _span(places: Iterable[Place]) -> tuple[datetime, datetime]:
    stamps = [p.stamp for p in places if p.stamp is not None]
    now = datetime.now(UTC)
    return (min(stamps, default=now) - timedelta(days=1), max(stamps, default=now) + timedelta(days=1))


def _coverage(
    checked: Mapping[str, Checked], places: Mapping[str, Place]
) -> dict[tuple[str, str], tuple[datetime, datetime]]:
    """(account, region) → [earliest start, latest end] of its valid digests."""
    covered: dict[tuple[str, str], tuple[datetime, datetime]] = {}
    for key, item in checked.items():
        digest = item.digest
        if item.status != VALID or digest is None:
            continue
        start, end = _iso(digest.start_time), _iso(digest.end_time)
        if start is None or end is None:
            continue
        where = places[key]
        group = (where.account, where.region)
        low, high = covered.get(group, (start, end))
        covered[group] = (min(low, start), max(high, end))
    return covered


def _text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def validate(store: ObjectStore, prefix: str, keys: KeySource, window: Window, *, workers: int = 8) -> Report:
    """Validate every digest and log file under ``prefix`` in ``window``; see the module docstring."""
    return Validator(store, keys, window, workers=workers).run(prefix)
