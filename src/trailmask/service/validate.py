"""Log-file integrity validation of an S3 trail location (``trailmask validate``).

Keys come from ``--public-keys FILE`` (offline; the JSON of ``aws cloudtrail list-public-keys``)
or from CloudTrail's ListPublicKeys in each digest's region (online). Problems are returned in the
report; the interface decides the exit status (IntegrityError when the report is not clean).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trailmask.errors import UsageError
from trailmask.ingest import aws
from trailmask.integrity.keys import load_key_file
from trailmask.integrity.report import Report
from trailmask.integrity.s3 import S3ObjectStore, cloudtrail_keys, fixed_keys
from trailmask.integrity.walker import KeySource, Window, validate
from trailmask.models import Actor
from trailmask.service.context import AppContext

DEFAULT_WORKERS = 8
__all__ = ["DEFAULT_WORKERS", "Report", "validate_logs"]


def _key_source(session: Any, public_keys: str | None) -> KeySource:
    if public_keys:
        return fixed_keys(load_key_file(Path(public_keys)))
    clients: dict[str, Any] = {}

    def client_for(region: str) -> Any:
        if region not in clients:
            clients[region] = aws.client(session, "cloudtrail", region=region, attempts=5)
        return clients[region]

    return cloudtrail_keys(client_for)


def validate_logs(
    ctx: AppContext,
    actor: Actor,
    uri: str,
    *,
    public_keys: str | None = None,
    start: str | None = None,
    end: str | None = None,
    profile: str | None = None,
    workers: int = DEFAULT_WORKERS,
) -> Report:
    """Validate digests, the digest chain and log files under ``uri`` (``s3://bucket[/prefix]``)."""
    bucket, prefix = aws.parse_s3_uri(uri)
    window = Window(aws.parse_time(start, "--start"), aws.parse_time(end, "--end", end_of_day=True))
    if window.start and window.end and window.start > window.end:
        raise UsageError("--start is after --end")
    session = aws.session(profile)
    source = _key_source(session, public_keys)
    s3 = aws.client(session, "s3", pool=workers)
    with aws.aws_errors(f"validating {uri}"):
        return validate(S3ObjectStore(s3, bucket), prefix, source, window, workers=workers)
