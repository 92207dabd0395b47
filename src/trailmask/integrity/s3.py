"""boto3 adapters for validation: an S3 bucket as an ObjectStore, and CloudTrail's key listing.

Clients are built by the caller (the service layer, through trailmask.ingest.aws) so that
profiles, regions and ``AWS_ENDPOINT_URL`` are handled in one place; botocore errors other than
"no such key" propagate for the caller to translate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import botocore.exceptions

from trailmask.integrity.keys import PublicKey, from_list_public_keys
from trailmask.integrity.walker import KeySource

_ABSENT = {"NoSuchKey", "404", "NotFound"}


class S3ObjectStore:
    """One bucket through a boto3 S3 client (thread-safe: boto3 clients may be shared)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def list_keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield str(item["Key"])

    def get(self, key: str) -> tuple[bytes, Mapping[str, str]] | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except botocore.exceptions.ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in _ABSENT:
                return None
            raise
        return response["Body"].read(), dict(response.get("Metadata", {}))


def cloudtrail_keys(client_for: Callable[[str], Any]) -> KeySource:
    """Keys from ListPublicKeys in each region asked, over the validated time span (all pages)."""

    def source(region: str, start: datetime, end: datetime) -> Iterable[PublicKey]:
        client = client_for(region)
        params: dict[str, Any] = {"StartTime": start, "EndTime": end}
        keys: list[PublicKey] = []
        while True:
            page = client.list_public_keys(**params)
            keys.extend(from_list_public_keys(page))
            if not page.get("NextToken"):
                return keys
            params["NextToken"] = page["NextToken"]

    return source


def fixed_keys(keys: list[PublicKey]) -> KeySource:
    """Offline validation: the same keys (from ``--public-keys FILE``) for every region."""

    def source(region: str, start: datetime, end: datetime) -> Iterable[PublicKey]:
        return keys

    return source
