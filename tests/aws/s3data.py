"""Test data in CloudTrail's S3 delivery layout (keys, gzip deliveries, small distinct records)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from typing import Any

BUCKET = "trail-bucket"
ORG = "o-exampleorg1"


def log_key(account: str, region: str, day: date, serial: int, *, org: str | None = ORG, prefix: str = "") -> str:
    """A key in CloudTrail's delivery layout (organisation trails add the o-... folder)."""
    org_part = f"{org}/" if org else ""
    stamp = f"{day:%Y%m%d}T{serial // 60 % 24:02d}{serial % 60:02d}Z"
    name = f"{account}_CloudTrail_{region}_{stamp}_{serial:016d}.json.gz"
    return f"{prefix}AWSLogs/{org_part}{account}/CloudTrail/{region}/{day:%Y/%m/%d}/{name}"


def delivery(records: list[dict[str, Any]]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode("utf-8"), mtime=0)


def record(account: str, region: str, day: date, serial: int, name: str = "DescribeInstances") -> dict[str, Any]:
    """A small, distinct CloudTrail record for ``account``/``region`` on ``day``."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": f"arn:aws:iam::{account}:user/alice",
            "accountId": account,
            "userName": "alice",
        },
        "eventTime": f"{day:%Y-%m-%d}T{serial // 60 % 24:02d}:{serial % 60:02d}:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"instancesSet": {}, "serial": serial},
        "responseElements": None,
        "requestID": f"req-{account}-{region}-{serial}",
        "eventID": f"evt-{account}-{region}-{day:%Y%m%d}-{serial}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
