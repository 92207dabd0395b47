"""Finding 5: a host name that spells an address is not an AWS service name.

``ip_truncate`` kept any ``*.amazonaws.com`` value, so a ``sourceIPAddress`` of
``ec2-203-0-113-77.compute-1.amazonaws.com`` showed the whole address to every role. Service
principals (``ec2.amazonaws.com``) are kept; an IP-bearing host is redacted.
"""

from __future__ import annotations

import pytest
from tests.security.masking_probe import masked_field


@pytest.mark.parametrize("role", ["investigator", "viewer"])
@pytest.mark.parametrize(
    "host",
    [
        "ec2-203-0-113-77.compute-1.amazonaws.com",
        "ec2-203-0-113-77.eu-west-1.compute.amazonaws.com",
        "ip-10-0-12-34.ec2.amazonaws.com",
        "203.0.113.77.amazonaws.com",
        "s3-website-203-0-113-77.amazonaws.com.cn",
    ],
)
def test_ip_bearing_hosts_are_redacted(host: str, role: str) -> None:
    out = masked_field(host, "ip", role)
    assert out == "XXXXX"


@pytest.mark.parametrize(
    "principal",
    [
        "ec2.amazonaws.com",
        "s3.amazonaws.com",
        "states.us-east-1.amazonaws.com",
        "delivery.logs.amazonaws.com",
        "AWS Internal",
    ],
)
def test_service_principals_are_kept(principal: str) -> None:
    assert masked_field(principal, "ip", "investigator") == principal
