"""Routine write and service traffic: KMS crypto, SSM agents, EC2 lifecycle, logs."""

from __future__ import annotations

from trailmask.synth.actors import Actor, Origin, Role
from trailmask.synth.record import Gen, Record

_INSTANCE_TYPES = ("t3.medium", "t3.large", "m6i.large", "c6g.xlarge")
_EC2_WRITES = ("RunInstances", "CreateTags", "CreateTags", "StopInstances", "StartInstances", "CreateSnapshot")


def kms_crypto(g: Gen, a: Actor | None = None) -> Record:
    """``Decrypt``/``GenerateDataKey``/``Encrypt`` by services and workloads."""
    rng = g.rng
    if a is None:
        a = g.actor(rng.choice(("services", "services", "lambdas", "instances", "readers")))
    est = g.estate(a.account)
    region = g.region(a)
    key_arn = f"arn:aws:kms:{region}:{est.account}:key/{rng.choice(est.kms_keys)}"
    name = rng.choice(("Decrypt", "Decrypt", "GenerateDataKey", "Encrypt"))
    if rng.random() < 0.5:
        context = {"aws:s3:arn": f"arn:aws:s3:::{rng.choice(est.buckets)}/{g.hex(16)}"}
    else:
        context = {
            "aws:lambda:FunctionArn": f"arn:aws:lambda:{region}:{est.account}:function:{rng.choice(est.functions)}"
        }
    request: Record = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": context}
    if name != "Decrypt":
        request = {"keyId": key_arn, "encryptionContext": context}
        if name == "GenerateDataKey":
            request["keySpec"] = "AES_256"
    return g.api(
        a,
        "kms",
        name,
        region,
        read_only=True,
        request=request,
        target=key_arn,
        resources=[{"accountId": est.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )


def ssm_agent(g: Gen, a: Actor | None = None) -> Record:
    """``UpdateInstanceInformation`` heartbeats from the SSM agent on instances."""
    a = a or g.actor("instances")
    rng = g.rng
    instance = rng.choice(a.sessions) if isinstance(a, Role) else rng.choice(g.estate(a.account).instances)
    region = g.region(a)
    octets = f"{rng.randrange(256)}.{rng.randrange(1, 255)}"
    request = {
        "instanceId": instance,
        "agentVersion": "3.2.2016.0",
        "agentStatus": "Active",
        "platformType": "Linux",
        "platformName": "Amazon Linux",
        "platformVersion": "2023",
        "iPAddress": f"10.0.{octets}",
        "computerName": f"ip-10-0-{octets.replace('.', '-')}.ec2.internal",
        "agentName": "amazon-ssm-agent",
        "availabilityZone": f"{region}a",
    }
    return g.api(a, "ssm", "UpdateInstanceInformation", region, read_only=False, request=request)


def _run_request(g: Gen, ami: str, instance_type: str, count: int) -> Record:
    """``RunInstances`` request parameters."""
    return {
        "instancesSet": {"items": [{"imageId": ami, "minCount": count, "maxCount": count}]},
        "instanceType": instance_type,
        "blockDeviceMapping": {},
        "monitoring": {"enabled": False},
        "disableApiTermination": False,
        "disableApiStop": False,
        "clientToken": g.uuid(),
        "tagSpecificationSet": {
            "items": [
                {
                    "resourceType": "instance",
                    "tags": [{"key": "Name", "value": g.rng.choice(("app-server", "batch-worker", "bastion"))}],
                }
            ]
        },
    }


def run_instances(
    g: Gen, a: Actor | None = None, *, instance_type: str | None = None, count: int = 1, region: str | None = None
) -> Record:
    """``ec2:RunInstances`` (also used for the intruder's GPU/compute burst)."""
    a = a or g.actor("writers")
    rng = g.rng
    est = g.estate(a.account)
    region = region or g.region(a)
    instance_type = instance_type or rng.choice(_INSTANCE_TYPES)
    ami = rng.choice(est.amis)
    request = _run_request(g, ami, instance_type, count)
    items = [
        {
            "instanceId": f"i-0{g.hex(16)}",
            "imageId": ami,
            "instanceType": instance_type,
            "instanceState": {"code": 0, "name": "pending"},
            "privateIpAddress": f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        }
        for _ in range(count)
    ]
    response = {
        "requestId": g.uuid(),
        "reservationId": f"r-0{g.hex(16)}",
        "ownerId": est.account,
        "groupSet": {},
        "instancesSet": {"items": items},
    }
    return g.api(a, "ec2", "RunInstances", region, read_only=False, request=request, response=response)


def ec2_write(g: Gen, a: Actor | None = None) -> Record:
    """Routine EC2 lifecycle changes (tags, start/stop, snapshots, launches)."""
    a = a or g.actor("writers")
    rng = g.rng
    name = rng.choice(_EC2_WRITES)
    if name == "RunInstances":
        return run_instances(g, a)
    est = g.estate(a.account)
    instance = rng.choice(est.instances)
    request: Record
    if name == "CreateTags":
        request = {
            "resourcesSet": {"items": [{"resourceId": instance}]},
            "tagSet": {"items": [{"key": "owner", "value": rng.choice(("platform", "data"))}]},
        }
    elif name == "CreateSnapshot":
        request = {"volumeId": f"vol-0{g.hex(16)}", "description": "nightly backup"}
    else:
        request = {"instancesSet": {"items": [{"instanceId": instance}]}, "force": False}
    return g.api(a, "ec2", name, g.region(a), read_only=False, request=request)


def logs_write(g: Gen, a: Actor | None = None) -> Record:
    """``CreateLogStream``/``CreateLogGroup``/``PutRetentionPolicy`` by workloads."""
    a = a or g.actor(g.rng.choice(("lambdas", "lambdas", "writers")))
    rng = g.rng
    est = g.estate(a.account)
    group = rng.choice(est.log_groups)
    name = rng.choice(("CreateLogStream", "CreateLogStream", "CreateLogGroup", "PutRetentionPolicy"))
    request: Record = {"logGroupName": group}
    if name == "CreateLogStream":
        request["logStreamName"] = f"2026/11/01/[$LATEST]{g.hex(32)}"
    elif name == "PutRetentionPolicy":
        request["retentionInDays"] = rng.choice((30, 90, 365))
    return g.api(a, "logs", name, g.region(a), read_only=False, request=request)


def service_event(g: Gen, a: Actor | None = None) -> Record:
    """Service-originated events: KMS key rotation and Security Hub finding imports."""
    a = a or g.actor("services")
    rng = g.rng
    est = g.estate(a.account)
    region = g.region(a)
    if rng.random() < 0.5:
        key_arn = f"arn:aws:kms:{region}:{est.account}:key/{rng.choice(est.kms_keys)}"
        ident = {"accountId": est.account, "invokedBy": "AWS Internal"}
        return g.api(
            a,
            "kms",
            "RotateKey",
            region,
            read_only=False,
            identity=ident,
            fail=False,
            origin=Origin("AWS Internal", "AWS Internal"),
            resources=[{"accountId": est.account, "type": "AWS::KMS::Key", "ARN": key_arn}],
            event_type="AwsServiceEvent",
            details={"keyId": key_arn.rsplit("/", 1)[1]},
        )
    request = {
        "findings": [
            {
                "id": f"arn:aws:guardduty:{region}:{est.account}:detector/{est.detector}/finding/{g.hex(32)}",
                "productArn": f"arn:aws:securityhub:{region}::product/aws/guardduty",
                "severity": {"label": rng.choice(("LOW", "MEDIUM", "HIGH"))},
            }
        ]
    }
    hub = "securityhub.amazonaws.com"
    return g.api(
        a,
        "securityhub",
        "BatchImportFindings",
        region,
        read_only=False,
        request=request,
        response={"failedCount": 0, "successCount": 1},
        origin=Origin(hub, hub),
        identity={"type": "AWSService", "invokedBy": hub},
    )
