"""Finding 5: a host name that spells an address is not an AWS service name.

``ip_truncate`` kept any ``*.amazonaws.com`` value, so a ``sourceIPAddress`` of
``ec2-203-0-113-77.compute-1.amazonaws.com`` showed the whole address to every role. Service
principals (``ec2.amazonaws.com``) are kept; an IP-bearing host is redacted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.security.masking_probe import ask, masked_field, store_with


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


# Red-team pass 2 (R2): every *.amazonaws.com value was an "AWS-managed name" to keep_managed and a
# service principal to ip_truncate, so S3's virtual host (``Host`` in requestParameters and
# tlsDetails.clientProvidedHostHeader: ``<bucket>.s3.<region>.amazonaws.com``) showed the bucket
# name beside the bucket's pseudonymised ARN, pairing the token with its raw name in one row.
CUSTOMER_HOSTS = [
    "payroll-exports.s3.eu-west-1.amazonaws.com",
    "payroll-exports.s3.amazonaws.com",
    "payroll-exports.s3-eu-west-1.amazonaws.com",
    "payroll-db.c9akciq32.eu-west-1.rds.amazonaws.com",
    "internal-payroll-1234.eu-west-1.elb.amazonaws.com",
]


@pytest.mark.parametrize("cls", ["principal", "ip"])
@pytest.mark.parametrize("host", CUSTOMER_HOSTS)
def test_r2_customer_labels_under_amazonaws_com_are_masked(host: str, cls: str) -> None:
    out = masked_field(host, cls, "investigator")
    assert "payroll" not in str(out)


@pytest.mark.parametrize(
    "endpoint",
    ["s3.eu-west-1.amazonaws.com", "portal.sso.us-east-1.amazonaws.com", "lambda.amazonaws.com", "sts.amazonaws.com"],
)
def test_r2_aws_endpoints_stay_readable_as_principal(endpoint: str) -> None:
    assert masked_field(endpoint, "principal", "investigator") == endpoint


def test_r2_s3_virtual_host_does_not_pair_a_bucket_token_with_its_name(tmp_path: Path) -> None:
    host = "payroll-exports.s3.eu-west-1.amazonaws.com"
    event = {
        "eventVersion": "1.09",
        "eventTime": "2024-06-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "eu-west-1",
        "eventID": "f5000000-0001",
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "ops"},
        "requestParameters": {"bucketName": "payroll-exports", "Host": host, "key": "q3.csv"},
        "tlsDetails": {"tlsVersion": "TLSv1.3", "clientProvidedHostHeader": host},
        "resources": [{"ARN": "arn:aws:s3:::payroll-exports", "type": "AWS::S3::Bucket"}],
    }
    ctx = store_with(tmp_path, [event])
    sql = "SELECT resources, requestParameters, tlsDetails FROM events"
    for role in ("investigator", "viewer"):
        assert "payroll" not in repr(ask(ctx, role, sql).rows), role
