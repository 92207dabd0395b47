"""AWS sessions, clients and error translation shared by every AWS source.

boto3's standard credential chain applies (environment, shared config and credentials files,
SSO, container and instance roles); ``profile`` picks a named profile and ``region`` the default
region. ``AWS_ENDPOINT_URL`` (and the per-service ``AWS_ENDPOINT_URL_S3``...) is honoured by botocore
itself, which is how tests point trailmask at a local moto server.

botocore errors are translated here, once, into the TrailmaskError tree: messages name the
operation and the bucket or region, never credentials or object contents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from trailmask.errors import (
    AuthenticationError,
    ConfigError,
    NotFound,
    PermissionDenied,
    TrailmaskError,
    UsageError,
)

_AUTH_CODES = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidToken",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "AllAccessDisabled", "403"}
_MISSING_CODES = {"NoSuchBucket", "NoSuchKey", "404", "NotFound"}
_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")


def session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """A boto3 session from the standard chain; an unknown profile is a configuration error."""
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound:
        raise ConfigError(
            f"AWS profile {profile!r} is not defined", hint="check ~/.aws/config or AWS_PROFILE"
        ) from None


def client(aws: boto3.Session, service: str, *, region: str | None = None, pool: int = 10, attempts: int = 5) -> Any:
    """A client with a connection pool sized for ``pool`` threads and botocore's standard retries."""
    config = Config(
        max_pool_connections=max(pool, 1),
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=10,
        read_timeout=60,
    )
    try:
        return aws.client(service, region_name=region, config=config)
    except botocore.exceptions.NoRegionError:
        raise UsageError(
            f"no AWS region for {service}", hint="pass --region or set AWS_REGION / a profile region"
        ) from None


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` → (bucket, prefix); the prefix may be empty."""
    match = _S3_URI.match(uri)
    if not match:
        raise UsageError(f"not an S3 URI: {uri!r}", hint="write s3://BUCKET or s3://BUCKET/PREFIX")
    return match.group("bucket"), match.group("prefix") or ""


def error_code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "")) or str(
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
    )


def translate(exc: Exception, where: str) -> TrailmaskError:
    """The TrailmaskError for a botocore failure while doing ``where`` (e.g. "listing s3://b/p")."""
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return AuthenticationError(
            f"no AWS credentials for {where}", hint="configure the AWS credential chain or pass --profile"
        )
    if isinstance(exc, botocore.exceptions.ClientError):
        code = error_code(exc)
        if code in _AUTH_CODES:
            return AuthenticationError(f"AWS rejected the credentials while {where} ({code})")
        if code in _DENIED_CODES:
            return PermissionDenied(f"AWS denied access while {where} ({code})", hint="check the IAM policy")
        if code in _MISSING_CODES:
            return NotFound(f"not found while {where} ({code})", hint="check the bucket name and prefix")
        return TrailmaskError(f"AWS request failed while {where} ({code})")
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError):
        return TrailmaskError(f"cannot reach the AWS endpoint while {where}", hint="check network or AWS_ENDPOINT_URL")
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return TrailmaskError(f"AWS client error while {where} ({type(exc).__name__})")
    return TrailmaskError(f"unexpected error while {where} ({type(exc).__name__})")


@contextmanager
def aws_errors(where: str) -> Iterator[None]:
    """Translate botocore failures raised inside the block (see :func:`translate`)."""
    try:
        yield
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise translate(exc, where) from None


def parse_time(text: str | None, option: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO-8601 date or timestamp as an aware UTC datetime; a bare date means its start (or end).

    Naive timestamps are taken as UTC, as CloudTrail writes them.
    """
    if text is None or text == "":
        return None
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            clock = time.max if end_of_day else time.min
            return datetime.combine(day, clock, tzinfo=UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"invalid time for {option}: {text!r}", hint="use an ISO-8601 date or timestamp like 2024-05-01T12:00:00Z"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
