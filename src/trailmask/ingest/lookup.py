"""CloudTrail event history (``LookupEvents``) as an ingest source.

LookupEvents serves the last 90 days of management events of one region, up to 50 a page, with at
most one lookup attribute per call, and allows 2 requests per second per account and region. Each
region's pages are fetched at that rate at most (a per-region limiter), and a throttled call is
retried with exponential backoff and jitter. Pages are written as they arrive, in the response
shape the loader reads (``{"Events": [{"CloudTrailEvent": "..."}]}``), and loaded every
``pages_per_batch`` pages, so a long history is committed in steps and a crash loses at most one
step. Re-running a window adds nothing: records are deduplicated by content.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.exceptions

from trailmask.engines.duckdb.loader import InputFile
from trailmask.engines.duckdb.store import Store
from trailmask.errors import TrailmaskError, UsageError
from trailmask.ingest.aws import aws_errors, error_code
from trailmask.ingest.local import Progress, load_inputs
from trailmask.models import IngestSummary
from trailmask.values import json_default

MAX_RATE = 2.0  # LookupEvents requests per second, per account and region
PAGE_SIZE = 50
PAGES_PER_BATCH = 100
ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown"}
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class LookupRequest:
    """What to read from the event history."""

    regions: tuple[str, ...]
    start: datetime | None = None
    end: datetime | None = None
    attribute: tuple[str, str] | None = None
    max_events: int | None = None
    pages_per_batch: int = PAGES_PER_BATCH


def parse_attribute(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` → (key, value) with the key checked against LookupEvents' attribute keys."""
    key, sep, value = text.partition("=")
    matched = next((k for k in ATTRIBUTE_KEYS if k.lower() == key.strip().lower()), None)
    if not sep or matched is None or not value:
        raise UsageError(
            f"invalid lookup attribute {text!r}", hint=f"write KEY=VALUE with KEY one of {', '.join(ATTRIBUTE_KEYS)}"
        )
    return matched, value


class RateLimiter:
    """At most ``rate`` calls per second: each call waits until 1/rate after the previous one."""

    def __init__(self, rate: float = MAX_RATE, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass
class Backoff:
    """Exponential backoff with jitter for throttled calls: base·2^attempt, capped, times 0.5–1."""

    attempts: int = 8
    base_s: float = 1.0
    cap_s: float = 30.0
    sleep: Sleep = time.sleep
    rng: random.Random | None = None

    def pause(self, attempt: int) -> None:
        jitter = 0.5 + (self.rng or random.Random()).random() / 2  # noqa: S311 (not cryptographic)
        self.sleep(min(self.cap_s, self.base_s * 2**attempt) * jitter)


def _call(client: Any, params: dict[str, Any], limiter: RateLimiter, backoff: Backoff) -> dict[str, Any]:
    for attempt in range(backoff.attempts):
        limiter.wait()
        try:
            page: dict[str, Any] = client.lookup_events(**params)
            return page
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) not in THROTTLE_CODES or attempt == backoff.attempts - 1:
                raise
            backoff.pause(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def pages(client: Any, request: LookupRequest, limiter: RateLimiter, backoff: Backoff) -> Iterator[dict[str, Any]]:
    """Every response page of one region's lookup, following NextToken."""
    params: dict[str, Any] = {"MaxResults": PAGE_SIZE}
    if request.start:
        params["StartTime"] = request.start
    if request.end:
        params["EndTime"] = request.end
    if request.attribute:
        params["LookupAttributes"] = [{"AttributeKey": request.attribute[0], "AttributeValue": request.attribute[1]}]
    while True:
        page = _call(client, params, limiter, backoff)
        yield page
        token = page.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def _window(request: LookupRequest) -> str:
    start = request.start.strftime("%Y%m%dT%H%M%SZ") if request.start else "default"
    end = request.end.strftime("%Y%m%dT%H%M%SZ") if request.end else "now"
    return f"{start}-{end}"


@dataclass
class _Writer:
    """Writes non-empty pages to files and loads them every ``pages_per_batch`` pages."""

    store: Store
    folder: Path
    request: LookupRequest
    progress: Progress | None
    summary: IngestSummary
    pending: list[InputFile]
    events: int = 0
    pages: int = 0

    def add(self, region: str, events: list[dict[str, Any]]) -> None:
        self.pages += 1
        if events:
            path = self.folder / f"{region}-{self.pages:06d}.json"
            path.write_text(json.dumps({"Events": events}, default=json_default), encoding="utf-8")
            source = f"lookup-events://{region}/{_window(self.request)}/page-{self.pages:06d}"
            self.pending.append(InputFile(path, source))
            self.events += len(events)
        if len(self.pending) >= self.request.pages_per_batch:
            self.flush()
        if self.progress:
            self.progress(self.pages, 0)

    def flush(self) -> None:
        if self.pending:
            self.summary.files.extend(load_inputs(self.store, self.pending).files)
            for item in self.pending:
                item.local.unlink(missing_ok=True)
            self.pending = []


def _read_region(writer: _Writer, region: str, client: Any, limiter: RateLimiter, sleep: Sleep) -> None:
    limit = writer.request.max_events
    with aws_errors(f"calling LookupEvents in {region}"):
        for page in pages(client, writer.request, limiter, Backoff(sleep=sleep)):
            events = list(page.get("Events", []))
            if limit is not None:
                events = events[: max(limit - writer.events, 0)]
            writer.add(region, events)
            if limit is not None and writer.events >= limit:
                return


def ingest_lookup(
    store: Store,
    request: LookupRequest,
    clients: Mapping[str, Any],
    *,
    progress: Progress | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> IngestSummary:
    """Read each region's event history into the store; ``clients`` maps region → CloudTrail client."""
    started = time.perf_counter()
    summary = IngestSummary()
    with tempfile.TemporaryDirectory(prefix="trailmask-lookup-") as folder:
        writer = _Writer(store, Path(folder), request, progress, summary, [])
        try:
            for region in request.regions:
                _read_region(writer, region, clients[region], RateLimiter(clock=clock, sleep=sleep), sleep)
                if request.max_events is not None and writer.events >= request.max_events:
                    break
        except TrailmaskError:
            writer.flush()  # pages read before an AWS failure are kept
            raise
        writer.flush()
    summary.elapsed_s = time.perf_counter() - started
    return summary
