"""S3 activity: bucket reads, object data events and public-exposure changes."""

from __future__ import annotations

from typing import Any

from trailmask.synth.actors import Actor, ExternalAccount, Service
from trailmask.synth.estate import Estate
from trailmask.synth.record import Gen, Record

_BUCKET_READS = (
    ("GetBucketLocation", "location"),
    ("GetBucketPolicy", "policy"),
    ("GetBucketAcl", "acl"),
    ("GetBucketVersioning", "versioning"),
    ("GetBucketEncryption", "encryption"),
    ("GetBucketPublicAccessBlock", "publicAccessBlock"),
    ("GetBucketTagging", "tagging"),
    ("GetBucketLogging", "logging"),
)
_KEY_PATTERNS = (
    "uploads/2026/11/{h}.jpg",
    "exports/orders-{h}.csv.gz",
    "backups/pg_dump_{h}.sql.gz",
    "env/prod/terraform.tfstate",
    "AWSLogs/{h}/CloudTrail-Digest/{h}.json.gz",
)
_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
_EXPOSURE_CALLS = (
    "PutBucketPolicy",
    "PutBucketPolicy",
    "PutBucketAcl",
    "DeleteBucketPublicAccessBlock",
    "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock",
)
_LOG_DELIVERY = ("cloudtrail.amazonaws.com", "config.amazonaws.com")


def _extra(g: Gen, out_bytes: int, in_bytes: int = 0) -> Record:
    """S3's ``additionalEventData`` block."""
    return {
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": in_bytes,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": g.b64(57),
        "bytesTransferredOut": out_bytes,
    }


def _bucket(g: Gen, est: Estate, region: str) -> tuple[str, str, list[dict[str, str]]]:
    """A bucket of ``est`` with its virtual-host name and ``resources`` entry."""
    bucket = g.rng.choice(est.buckets)
    host = f"{bucket}.s3.{region}.amazonaws.com"
    res = [{"accountId": est.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
    return bucket, host, res


def bucket_read(g: Gen, a: Actor | None = None) -> Record:
    """``ListBuckets`` or a ``GetBucket*`` configuration read."""
    a = a or g.actor("readers")
    rng = g.rng
    if rng.random() < 0.2:
        return g.api(
            a,
            "s3",
            "ListBuckets",
            "us-east-1",
            read_only=True,
            request={"Host": "s3.amazonaws.com"},
            additional=_extra(g, 0),
        )
    region = g.region(a)
    bucket, host, res = _bucket(g, g.estate(a.account), region)
    name, sub = rng.choice(_BUCKET_READS)
    return g.api(
        a,
        "s3",
        name,
        region,
        read_only=True,
        request={"bucketName": bucket, "Host": host, sub: ""},
        additional=_extra(g, rng.randrange(0, 2048)),
        resources=res,
        target=res[0]["ARN"],
    )


def _data_actor(g: Gen) -> Actor:
    """Object access comes from workloads, people, log-delivering services and partners."""
    roll = g.rng.random()
    if roll < 0.1:
        return g.actor("external")
    if roll < 0.2:
        return g.rng.choice([s for s in g.world.pools["services"] if s.name in _LOG_DELIVERY])
    return g.actor("readers")


def object_access(g: Gen, a: Actor | None = None) -> Record:
    """An S3 data event (``GetObject``/``PutObject``/``HeadObject``/``DeleteObject``)."""
    a = a or _data_actor(g)
    rng = g.rng
    account = g.recipient(a)
    region = g.region(a) if not isinstance(a, ExternalAccount) else g.estate(account).home
    bucket, host, res = _bucket(g, g.estate(account), region)
    if isinstance(a, Service):
        name, key = "PutObject", f"AWSLogs/{account}/{a.name.split('.')[0]}/{region}/{g.hex(20)}.json.gz"
    else:
        key = rng.choice(_KEY_PATTERNS).format(h=g.hex(12))
        name = rng.choice(("GetObject", "GetObject", "GetObject", "PutObject", "HeadObject", "DeleteObject"))
    res.insert(0, {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"})
    size = rng.randrange(200, 5_000_000)
    put = name == "PutObject"
    response = {"x-amz-server-side-encryption": "AES256"} if put else None
    return g.api(
        a,
        "s3",
        name,
        region,
        read_only=name in ("GetObject", "HeadObject"),
        request={"bucketName": bucket, "Host": host, "key": key},
        response=response,
        additional=_extra(g, 0 if put else size, size if put else 0),
        resources=res,
        target=res[0]["ARN"],
        data=True,
        recipient=account,
    )


def _public_policy(bucket: str) -> dict[str, Any]:
    """A bucket policy granting anonymous read."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def _tls_only_policy(bucket: str) -> dict[str, Any]:
    """A benign policy denying non-TLS access."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _public_acl(est: Estate) -> dict[str, Any]:
    """An ACL granting ``AllUsers`` read, as CloudTrail renders the XML body."""
    grantee = {
        "xsi:type": "Group",
        "URI": "http://acs.amazonaws.com/groups/global/AllUsers",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    owner = {
        "xsi:type": "CanonicalUser",
        "ID": est.canonical_id,
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    return {
        "AccessControlList": {
            "Grant": [{"Grantee": grantee, "Permission": "READ"}, {"Grantee": owner, "Permission": "FULL_CONTROL"}]
        },
        "xmlns": _XMLNS,
        "Owner": {"ID": est.canonical_id},
    }


def exposure_change(g: Gen, a: Actor | None = None, name: str | None = None, *, public: bool | None = None) -> Record:
    """Bucket/account exposure changes: policy, ACL, public-access-block removal.

    ``public`` forces whether a ``PutBucketPolicy`` grants anonymous read.
    """
    a = a or g.actor("admins")
    rng = g.rng
    est = g.estate(a.account)
    region = g.region(a)
    name = name or rng.choice(_EXPOSURE_CALLS)
    if name == "DeletePublicAccessBlock":
        request: Record = {"accountId": est.account, "Host": f"{est.account}.s3-control.{region}.amazonaws.com"}
        return g.api(a, "s3", name, region, read_only=False, request=request, additional=_extra(g, 0))
    bucket, host, res = _bucket(g, est, region)
    request = {"bucketName": bucket, "Host": host}
    if name == "PutBucketPolicy":
        public = rng.random() < 0.5 if public is None else public
        request["bucketPolicy"] = _public_policy(bucket) if public else _tls_only_policy(bucket)
        request["policy"] = ""
    elif name == "PutBucketAcl":
        request["AccessControlPolicy"] = _public_acl(est)
        request["acl"] = ""
    else:
        request["publicAccessBlock"] = ""
        if name == "PutBucketPublicAccessBlock":
            flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
            request["PublicAccessBlockConfiguration"] = {"xmlns": _XMLNS, **{f: True for f in flags}}
    return g.api(
        a,
        "s3",
        name,
        region,
        read_only=False,
        request=request,
        additional=_extra(g, 0, rng.randrange(100, 900)),
        resources=res,
        target=res[0]["ARN"],
    )
