"""Ingest through the service: the store owner (or a role allowed to ingest) loads sources.

A SOURCE is a local file or folder, ``s3://bucket[/prefix]`` (see trailmask.ingest.s3) or the word
``lookup-events`` (CloudTrail event history, see trailmask.ingest.lookup). Local sources are loaded
together, then each remote source in the order given; the summary covers all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trailmask.errors import UsageError
from trailmask.ingest import aws
from trailmask.ingest.local import Progress, ingest_paths
from trailmask.ingest.lookup import LookupRequest, ingest_lookup, parse_attribute
from trailmask.ingest.s3 import CHUNK_FILES, DEFAULT_WORKERS, S3Request, ingest_s3
from trailmask.ingest.s3_layout import KeyFilter
from trailmask.models import Actor, IngestSummary
from trailmask.service.audited import audited
from trailmask.service.context import AppContext
from trailmask.service.projections import after_ingest

LOOKUP_SOURCE = "lookup-events"


@dataclass(frozen=True)
class IngestOptions:
    """Options of remote sources (S3 filters, AWS profile, LookupEvents query)."""

    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    profile: str | None = None
    workers: int = DEFAULT_WORKERS
    lookup_attribute: str | None = None
    max_events: int | None = None

    @property
    def filtering(self) -> bool:
        return bool(self.accounts or self.regions or self.start or self.end or self.lookup_attribute)


def _is_remote(source: str) -> bool:
    return source.startswith("s3://") or source == LOOKUP_SOURCE


def _merge(parts: Sequence[IngestSummary]) -> IngestSummary:
    merged = IngestSummary()
    for part in parts:
        merged.files.extend(part.files)
        merged.elapsed_s += part.elapsed_s
    return merged


def ingest(
    ctx: AppContext,
    actor: Actor,
    sources: Sequence[str],
    *,
    progress: Progress | None = None,
    batch_files: int | None = None,
    options: IngestOptions | None = None,
) -> IngestSummary:
    """Load ``sources`` into the store; audited as ``ingest`` with the totals."""
    with audited(ctx, actor, "ingest", sources=len(sources)) as audit:
        summary = _ingest(ctx, sources, progress, batch_files, options or IngestOptions())
        audit.details.update(summary.totals())
    after_ingest(ctx)  # masked projections extended with the batches just committed (service.projections)
    return summary


def _ingest(
    ctx: AppContext,
    sources: Sequence[str],
    progress: Progress | None,
    batch_files: int | None,
    options: IngestOptions,
) -> IngestSummary:
    local = [s for s in sources if not _is_remote(s)]
    remote = [s for s in sources if _is_remote(s)]
    if options.filtering and not remote:
        raise UsageError(
            "--account, --region, --start, --end and --lookup-attribute apply to s3:// and lookup-events sources only"
        )
    parts = [ingest_paths(ctx.store, local, progress=progress, batch_files=batch_files)] if local else []
    if remote:
        session = aws.session(options.profile)
        start = aws.parse_time(options.start, "--start")
        end = aws.parse_time(options.end, "--end", end_of_day=True)
        if start and end and start > end:
            raise UsageError("--start is after --end")
        for source in remote:
            if source == LOOKUP_SOURCE:
                parts.append(_lookup(ctx, session, options, start, end, progress))
            else:
                parts.append(_s3(ctx, session, source, options, start, end, progress, batch_files))
    return _merge(parts)


def _s3(
    ctx: AppContext,
    session: Any,
    source: str,
    options: IngestOptions,
    start: datetime | None,
    end: datetime | None,
    progress: Progress | None,
    batch_files: int | None,
) -> IngestSummary:
    request = S3Request(
        uri=source,
        keys=KeyFilter.build(options.accounts, options.regions, start, end),
        workers=options.workers,
        chunk_files=batch_files or CHUNK_FILES,
    )
    s3 = aws.client(session, "s3", pool=options.workers)
    return ingest_s3(ctx.store, request, s3, progress=progress)


def _lookup(
    ctx: AppContext,
    session: Any,
    options: IngestOptions,
    start: datetime | None,
    end: datetime | None,
    progress: Progress | None,
) -> IngestSummary:
    regions = options.regions or ((session.region_name,) if session.region_name else ())
    if not regions:
        raise UsageError("lookup-events needs a region", hint="pass --region (repeatable) or set AWS_REGION")
    request = LookupRequest(
        regions=tuple(regions),
        start=start,
        end=end,
        attribute=parse_attribute(options.lookup_attribute) if options.lookup_attribute else None,
        max_events=options.max_events,
    )
    clients = {region: aws.client(session, "cloudtrail", region=region, attempts=3) for region in regions}
    return ingest_lookup(ctx.store, request, clients, progress=progress)
