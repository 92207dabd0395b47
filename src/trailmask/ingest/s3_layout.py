"""Where CloudTrail writes log files in S3, and listing only the folders a filter can match.

CloudTrail delivers to ``[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE``
(organisation trails add the ``o-...`` folder; Insights events go to ``CloudTrail-Insight``, digest
files to ``CloudTrail-Digest``, which is never read as events). ``YYYY/MM/DD`` is the *delivery*
date (UTC), so a time window selects date folders with one day of slack on either side; records
are then loaded whole (queries narrow by ``eventTime``).

Without filters a prefix is listed flat (one request per 1,000 keys). With filters the walk goes
folder by folder (``Delimiter='/'``) and never lists an account, region or date folder the
filter excludes, which matters for organisation trails holding thousands of accounts. Pruning is
only an optimisation: every key is checked again against the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from trailmask.ingest.discover import DIGEST_FOLDER, SUFFIXES

DAY_SLACK = timedelta(days=1)
SERVICES = ("CloudTrail", "CloudTrail-Insight")
MAX_SEARCH_DEPTH = 8  # folders searched above AWSLogs/ before falling back to a flat listing
_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
_NUMBER = re.compile(r"^\d+$")

Decision = Literal["prune", "descend", "flat"]

# positions after AWSLogs/[o-...]/
ACCOUNT, SERVICE, REGION, YEAR, MONTH, DAY = range(6)


@dataclass(frozen=True)
class S3Object:
    key: str
    etag: str
    size: int


def layout_parts(segments: list[str]) -> list[str] | None:
    """The folders after ``AWSLogs/`` (organisation folder dropped), or None outside the layout."""
    if "AWSLogs" not in segments:
        return None
    index = len(segments) - 1 - segments[::-1].index("AWSLogs")
    rest = segments[index + 1 :]
    if rest and _ORG.match(rest[0]):
        rest = rest[1:]
    return rest


@dataclass(frozen=True)
class KeyFilter:
    """Accounts, regions and delivery days to take; empty means all."""

    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    first_day: date | None = None
    last_day: date | None = None

    @classmethod
    def build(
        cls, accounts: Iterable[str], regions: Iterable[str], start: datetime | None, end: datetime | None
    ) -> KeyFilter:
        return cls(
            accounts=frozenset(accounts),
            regions=frozenset(regions),
            first_day=(start.date() - DAY_SLACK) if start else None,
            last_day=(end.date() + DAY_SLACK) if end else None,
        )

    @property
    def dated(self) -> bool:
        return self.first_day is not None or self.last_day is not None

    @property
    def active(self) -> bool:
        return bool(self.accounts or self.regions or self.dated)

    def _deepest(self) -> int:
        if self.dated:
            return DAY
        if self.regions:
            return REGION
        return ACCOUNT if self.accounts else -1

    def _date_ok(self, parts: list[str]) -> bool:
        if not all(_NUMBER.match(p) for p in parts):
            return False
        value = tuple(int(p) for p in parts)
        size = len(value)
        low = (self.first_day.year, self.first_day.month, self.first_day.day)[:size] if self.first_day else None
        high = (self.last_day.year, self.last_day.month, self.last_day.day)[:size] if self.last_day else None
        return (low is None or value >= low) and (high is None or value <= high)

    def parts_ok(self, rest: list[str]) -> bool:
        """Do the layout folders present so far pass every filter?"""
        for position, value in enumerate(rest[: DAY + 1]):
            if position == ACCOUNT and (not _ACCOUNT.match(value) or (self.accounts and value not in self.accounts)):
                return False
            if position == SERVICE and value not in SERVICES:
                return False
            if position == REGION and self.regions and value not in self.regions:
                return False
        dates = rest[YEAR : DAY + 1]
        return not (self.dated and dates and not self._date_ok(dates))

    def decide(self, segments: list[str]) -> Decision:
        """What to do with the folder whose complete path segments are ``segments``."""
        if not self.active:
            return "flat"
        rest = layout_parts(segments)
        if rest is None:
            return "descend" if len(segments) < MAX_SEARCH_DEPTH else "flat"
        if not self.parts_ok(rest):
            return "prune"
        return "flat" if len(rest) - 1 >= self._deepest() else "descend"

    def wanted(self, key: str) -> bool:
        """Is ``key`` a log file this filter takes (never a digest, hidden file or other suffix)?"""
        segments = key.split("/")
        name = segments[-1]
        if not name or name.startswith(".") or not name.endswith(SUFFIXES) or DIGEST_FOLDER in segments[:-1]:
            return False
        if not self.active:
            return True
        rest = layout_parts(segments[:-1])
        return rest is not None and len(rest) == DAY + 1 and self.parts_ok(rest)


def _object(item: dict[str, Any]) -> S3Object:
    return S3Object(key=item["Key"], etag=str(item.get("ETag", "")).strip('"'), size=int(item.get("Size", 0)))


def _pages(s3: Any, bucket: str, prefix: str, delimiter: str | None) -> Iterator[dict[str, Any]]:
    args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimiter:
        args["Delimiter"] = delimiter
    yield from s3.get_paginator("list_objects_v2").paginate(**args)


def _flat(s3: Any, bucket: str, prefix: str, keys: KeyFilter) -> Iterator[S3Object]:
    for page in _pages(s3, bucket, prefix, None):
        for item in page.get("Contents", []):
            if keys.wanted(item["Key"]):
                yield _object(item)


def _walk(s3: Any, bucket: str, prefix: str, keys: KeyFilter) -> Iterator[S3Object]:
    for page in _pages(s3, bucket, prefix, "/"):
        for item in page.get("Contents", []):
            if keys.wanted(item["Key"]):
                yield _object(item)
        for common in page.get("CommonPrefixes", []):
            child = common["Prefix"]
            decision = keys.decide(child.split("/")[:-1])
            if decision == "flat":
                yield from _flat(s3, bucket, child, keys)
            elif decision == "descend":
                yield from _walk(s3, bucket, child, keys)


def list_objects(s3: Any, bucket: str, prefix: str, keys: KeyFilter) -> Iterator[S3Object]:
    """Every log object under ``prefix`` that ``keys`` takes, listing as little as possible."""
    decision = keys.decide(prefix.split("/")[:-1]) if "/" in prefix else ("descend" if keys.active else "flat")
    if decision == "flat":
        yield from _flat(s3, bucket, prefix, keys)
    elif decision == "descend":
        yield from _walk(s3, bucket, prefix, keys)
