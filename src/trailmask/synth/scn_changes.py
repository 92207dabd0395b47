"""Security-relevant changes: IAM, network exposure and defence evasion."""

from __future__ import annotations

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Actor
from trailmask.synth.clock import fmt_long
from trailmask.synth.record import Gen, Record

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_INLINE_DOCS = (cat.ADMIN_POLICY, cat.S3_READ_POLICY, cat.PASSROLE_POLICY)
_POLICY_CHANGES = (
    "PutUserPolicy",
    "PutRolePolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "CreatePolicyVersion",
    "DeleteRolePolicy",
    "DetachRolePolicy",
    "UpdateAssumeRolePolicy",
)
_TRAIL_CALLS = ("StopLogging", "DeleteTrail", "StartLogging", "UpdateTrail")
_PORTS = ((22, 22), (3389, 3389), (443, 443), (5432, 5432), (0, 65535))
_TRUST_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
    + cat.EXTERNAL_ACCOUNT
    + ':root"},"Action":"sts:AssumeRole"}]}'
)


def _policy_request(
    g: Gen, name: str, account: str, user: str, role: str, policy: str | None
) -> tuple[Record, Record | None]:
    """Request and response of an IAM policy change ``name``."""
    rng = g.rng
    doc = rng.choice(_INLINE_DOCS)
    policy = policy or rng.choice(cat.MANAGED_POLICIES)
    if name == "PutUserPolicy":
        return {"userName": user, "policyName": "inline-access", "policyDocument": doc}, None
    if name == "PutRolePolicy":
        return {"roleName": role, "policyName": "inline-access", "policyDocument": doc}, None
    if name in ("AttachRolePolicy", "DetachRolePolicy"):
        return {"roleName": role, "policyArn": policy}, None
    if name == "AttachUserPolicy":
        return {"userName": user, "policyArn": policy}, None
    if name == "DeleteRolePolicy":
        return {"roleName": role, "policyName": "inline-access"}, None
    if name == "UpdateAssumeRolePolicy":
        return {"roleName": role, "policyDocument": _TRUST_POLICY}, None
    version = f"v{rng.randint(2, 9)}"
    request = {
        "policyArn": f"arn:aws:iam::{account}:policy/{account[-4:]}-deploy",
        "policyDocument": doc,
        "setAsDefault": True,
    }
    response = {"policyVersion": {"versionId": version, "isDefaultVersion": True, "createDate": fmt_long(g.now)}}
    return request, response


def iam_policy_change(
    g: Gen, a: Actor | None = None, name: str | None = None, *, user: str | None = None, policy: str | None = None
) -> Record:
    """Inline/managed policy changes on users and roles (``policy``: managed policy ARN)."""
    a = a or g.actor("admins")
    rng = g.rng
    est = g.estate(a.account)
    name = name or rng.choice(_POLICY_CHANGES)
    user = user or rng.choice(est.users)
    role = rng.choice(est.roles)
    request, response = _policy_request(g, name, a.account, user, role, policy)
    kind, target = ("user", user) if "User" in name else ("role", role)
    return g.api(
        a,
        "iam",
        name,
        "us-east-1",
        read_only=False,
        request=request,
        response=response,
        target=f"arn:aws:iam::{a.account}:{kind}/{target}",
    )


def create_access_key(g: Gen, a: Actor | None = None, user: str | None = None) -> Record:
    """``CreateAccessKey``: the response names the new key (never its secret)."""
    a = a or g.actor("admins")
    user = user or g.rng.choice(g.estate(a.account).users)
    key = {
        "accessKeyId": "AKIA" + "".join(g.rng.choices(_B32, k=16)),
        "status": "Active",
        "userName": user,
        "createDate": fmt_long(g.now),
    }
    return g.api(
        a,
        "iam",
        "CreateAccessKey",
        "us-east-1",
        read_only=False,
        request={"userName": user},
        response={"accessKey": key},
        target=f"arn:aws:iam::{a.account}:user/{user}",
    )


def _user_request(g: Gen, name: str, user: str, arn: str, email: str) -> tuple[Record, Record | None]:
    """Request and response of ``CreateUser``/``CreateLoginProfile``/``AddUserToGroup``."""
    rng = g.rng
    if name == "CreateLoginProfile":
        return {"userName": user, "passwordResetRequired": rng.random() < 0.7}, None
    if name == "AddUserToGroup":
        return {"groupName": rng.choice(("Admins", "Developers")), "userName": user}, None
    tags = [{"key": "email", "value": email}, {"key": "team", "value": rng.choice(("platform", "data"))}]
    created = {
        "path": "/",
        "userName": user,
        "userId": "AIDA" + "".join(rng.choices(_B32, k=17)),
        "arn": arn,
        "createDate": fmt_long(g.now),
        "tags": [dict(t) for t in tags],
    }
    return {"userName": user, "tags": tags}, {"user": created}


def create_user(g: Gen, a: Actor | None = None, user: str | None = None, name: str | None = None) -> Record:
    """``CreateUser`` with e-mail tags, or follow-ups (``CreateLoginProfile``, ``AddUserToGroup``)."""
    a = a or g.actor("admins")
    rng = g.rng
    login, email = rng.choice(cat.IDC_USERS)
    user = user or f"{login}-{rng.choice(('contractor', 'test', 'svc'))}"
    arn = f"arn:aws:iam::{a.account}:user/{user}"
    if name is None:
        roll = rng.random()
        name = "CreateLoginProfile" if roll < 0.2 else "AddUserToGroup" if roll < 0.35 else "CreateUser"
    request, response = _user_request(g, name, user, arn, email)
    return g.api(a, "iam", name, "us-east-1", read_only=False, request=request, response=response, target=arn)


def _permission(g: Gen, cidr: str, ports: tuple[int, int]) -> Record:
    """One ``ipPermissions`` item opening ``ports`` to ``cidr``."""
    v6 = ":" in cidr
    ranges = {"items": [{"cidrIpv6" if v6 else "cidrIp": cidr, "description": "temp access"}]}
    return {
        "ipProtocol": "-1" if ports == (0, 65535) else "tcp",
        "fromPort": ports[0],
        "toPort": ports[1],
        "groups": {},
        "ipRanges": {} if v6 else ranges,
        "ipv6Ranges": ranges if v6 else {},
        "prefixListIds": {},
    }


def security_group_ingress(g: Gen, a: Actor | None = None, cidrs: tuple[str, ...] | None = None) -> Record:
    """``AuthorizeSecurityGroupIngress``, often to ``0.0.0.0/0`` and ``::/0``."""
    a = a or g.actor("writers")
    rng = g.rng
    est = g.estate(a.account)
    group = rng.choice(est.security_groups)
    if cidrs is None:
        cidrs = rng.choice((("0.0.0.0/0",), ("0.0.0.0/0", "::/0"), ("10.0.0.0/16",), ("203.0.113.10/32",)))
    ports = rng.choice(_PORTS)
    items = [_permission(g, cidr, ports) for cidr in cidrs]
    rules = [
        {
            "groupOwnerId": est.account,
            "groupId": group,
            "securityGroupRuleId": f"sgr-0{g.hex(16)}",
            "isEgress": False,
            "ipProtocol": item["ipProtocol"],
            "fromPort": ports[0],
            "toPort": ports[1],
            ("cidrIpv6" if ":" in cidr else "cidrIpv4"): cidr,
        }
        for item, cidr in zip(items, cidrs, strict=True)
    ]
    request = {"groupId": group, "ipPermissions": {"items": items}}
    response = {"requestId": g.uuid(), "_return": True, "securityGroupRuleSet": {"items": rules}}
    return g.api(
        a,
        "ec2",
        "AuthorizeSecurityGroupIngress",
        g.region(a),
        read_only=False,
        request=request,
        response=response,
        target=f"arn:aws:ec2:{est.home}:{est.account}:security-group/{group}",
    )


def _evasion_call(g: Gen, a: Actor, name: str, region: str) -> tuple[str, Record, Record | None, str]:
    """``(service, request, response, target)`` of a defence-evasion call."""
    est = g.estate(a.account)
    key = g.rng.choice(est.kms_keys)
    key_arn = f"arn:aws:kms:{region}:{est.account}:key/{key}"
    if name in _TRAIL_CALLS[:3]:
        return "cloudtrail", {"name": est.trail}, None, est.trail
    if name == "UpdateTrail":
        request = {"name": est.trail, "isMultiRegionTrail": False, "includeGlobalServiceEvents": False}
        return "cloudtrail", request, {"name": est.trail.rsplit("/", 1)[1], "trailARN": est.trail}, est.trail
    if name in ("DeleteDetector", "UpdateDetector"):
        request = {"detectorId": est.detector} | ({"enable": False} if name == "UpdateDetector" else {})
        return "guardduty", request, None, f"arn:aws:guardduty:{region}:{est.account}:detector/{est.detector}"
    if name in ("StopConfigurationRecorder", "DeleteDeliveryChannel"):
        field = "configurationRecorderName" if name.startswith("Stop") else "deliveryChannelName"
        return "config", {field: "default"}, None, ""
    if name == "DisableKey":
        return "kms", {"keyId": key}, None, key_arn
    response = {
        "keyId": key_arn,
        "deletionDate": fmt_long(g.now + 7 * 86400),
        "keyState": "PendingDeletion",
        "pendingWindowInDays": 7,
    }
    return "kms", {"keyId": key, "pendingWindowInDays": 7}, response, key_arn


EVASION_CALLS = (
    "StopLogging",
    "DeleteTrail",
    "UpdateTrail",
    "StartLogging",
    "DeleteDetector",
    "UpdateDetector",
    "StopConfigurationRecorder",
    "DeleteDeliveryChannel",
    "DisableKey",
    "ScheduleKeyDeletion",
)


def defense_evasion(g: Gen, a: Actor | None = None, name: str | None = None) -> Record:
    """Logging/detection/key tampering: CloudTrail, GuardDuty, Config, KMS."""
    a = a or g.actor("admins")
    name = name or g.rng.choice(EVASION_CALLS)
    region = g.estate(a.account).home if name in _TRAIL_CALLS else g.region(a)
    svc, request, response, target = _evasion_call(g, a, name, region)
    resources = None
    if svc == "kms":
        resources = [{"accountId": a.account, "type": "AWS::KMS::Key", "ARN": target}]
    return g.api(
        a, svc, name, region, read_only=False, request=request, response=response, resources=resources, target=target
    )
