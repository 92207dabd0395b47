"""Read-only management activity: the Describe/List/Get bulk of a real trail."""

from __future__ import annotations

from collections.abc import Callable

from trailmask.synth.actors import Actor
from trailmask.synth.estate import Estate
from trailmask.synth.record import Gen, Record, Scenario

Request = Callable[[Gen, Estate, str], Record | None]


def _ids(items: list[tuple[str, str]]) -> Record:
    """EC2's ``{"items": [{key: value}, ...]}`` list shape."""
    return {"items": [{k: v} for k, v in items]}


_EC2: tuple[tuple[str, Request], ...] = (
    ("DescribeInstances", lambda g, e, r: {"instancesSet": {}, "filterSet": {}}),
    (
        "DescribeInstances",
        lambda g, e, r: {"instancesSet": _ids([("instanceId", g.rng.choice(e.instances))]), "filterSet": {}},
    ),
    ("DescribeSecurityGroups", lambda g, e, r: {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}),
    (
        "DescribeSecurityGroups",
        lambda g, e, r: {"securityGroupIdSet": _ids([("groupId", g.rng.choice(e.security_groups))])},
    ),
    ("DescribeVpcs", lambda g, e, r: {"vpcSet": {}, "filterSet": {}}),
    (
        "DescribeSubnets",
        lambda g, e, r: {
            "subnetSet": {},
            "filterSet": {"items": [{"name": "vpc-id", "valueSet": _ids([("value", g.rng.choice(e.vpcs))])}]},
        },
    ),
    ("DescribeVolumes", lambda g, e, r: {"volumeSet": {}, "filterSet": {}}),
    ("DescribeRegions", lambda g, e, r: {"regionSet": {}, "allRegions": g.rng.random() < 0.3}),
    ("DescribeInstanceStatus", lambda g, e, r: {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False}),
    (
        "DescribeImages",
        lambda g, e, r: {
            "executableBySet": {},
            "imagesSet": _ids([("imageId", g.rng.choice(e.amis))]),
            "ownersSet": {},
            "includeDeprecated": False,
        },
    ),
    ("DescribeNetworkInterfaces", lambda g, e, r: {"networkInterfaceIdSet": {}, "filterSet": {}}),
    (
        "DescribeSnapshots",
        lambda g, e, r: {
            "snapshotSet": {},
            "ownersSet": _ids([("owner", "self")]),
            "restorableBySet": {},
            "filterSet": {},
        },
    ),
    ("DescribeAddresses", lambda g, e, r: {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}}),
)

_IAM: tuple[tuple[str, Request], ...] = (
    ("ListUsers", lambda g, e, r: None),
    ("ListRoles", lambda g, e, r: None),
    ("GetUser", lambda g, e, r: {"userName": g.rng.choice(e.users)}),
    ("GetRole", lambda g, e, r: {"roleName": g.rng.choice(e.roles)}),
    ("ListAttachedRolePolicies", lambda g, e, r: {"roleName": g.rng.choice(e.roles)}),
    ("ListRolePolicies", lambda g, e, r: {"roleName": g.rng.choice(e.roles)}),
    ("ListAccessKeys", lambda g, e, r: {"userName": g.rng.choice(e.users)}),
    ("ListMFADevices", lambda g, e, r: {"userName": g.rng.choice(e.users)}),
    ("GetLoginProfile", lambda g, e, r: {"userName": g.rng.choice(e.users)}),
    ("ListPolicies", lambda g, e, r: {"scope": "Local", "onlyAttached": False}),
    ("GetAccountSummary", lambda g, e, r: None),
    (
        "GetAccountAuthorizationDetails",
        lambda g, e, r: {"filter": ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]},
    ),
    (
        "GetPolicyVersion",
        lambda g, e, r: {"policyArn": f"arn:aws:iam::{e.account}:policy/{e.alias}-deploy", "versionId": "v3"},
    ),
)

_LAMBDA: tuple[tuple[str, Request], ...] = (
    ("ListFunctions20150331", lambda g, e, r: None),
    ("GetFunction20150331v2", lambda g, e, r: {"functionName": g.rng.choice(e.functions)}),
    ("GetFunctionConfiguration20150331v2", lambda g, e, r: {"functionName": g.rng.choice(e.functions)}),
    ("GetPolicy20150331v2", lambda g, e, r: {"functionName": g.rng.choice(e.functions)}),
    ("ListEventSourceMappings20150331", lambda g, e, r: {"functionName": g.rng.choice(e.functions)}),
)

_KMS: tuple[tuple[str, Request], ...] = (
    ("ListKeys", lambda g, e, r: {"limit": 1000}),
    ("ListAliases", lambda g, e, r: None),
    ("DescribeKey", lambda g, e, r: {"keyId": g.rng.choice(e.kms_keys)}),
    ("GetKeyPolicy", lambda g, e, r: {"keyId": g.rng.choice(e.kms_keys), "policyName": "default"}),
    ("GetKeyRotationStatus", lambda g, e, r: {"keyId": g.rng.choice(e.kms_keys)}),
)

_SSM: tuple[tuple[str, Request], ...] = (
    ("GetParameter", lambda g, e, r: {"name": g.rng.choice(e.parameters), "withDecryption": True}),
    ("GetParameter", lambda g, e, r: {"name": g.rng.choice(e.parameters)}),
    ("GetParameters", lambda g, e, r: {"names": list(e.parameters[:2]), "withDecryption": True}),
    ("GetParametersByPath", lambda g, e, r: {"path": f"/{e.alias}/", "recursive": True, "withDecryption": True}),
    ("DescribeParameters", lambda g, e, r: {"maxResults": 50}),
    ("DescribeInstanceInformation", lambda g, e, r: {"maxResults": 50}),
)

_SECRETS: tuple[tuple[str, Request], ...] = (
    ("GetSecretValue", lambda g, e, r: {"secretId": g.rng.choice(e.secrets)}),
    (
        "GetSecretValue",
        lambda g, e, r: {
            "secretId": f"arn:aws:secretsmanager:{r}:{e.account}:secret:{g.rng.choice(e.secrets)}-{g.hex(6)}"
        },
    ),
    ("DescribeSecret", lambda g, e, r: {"secretId": g.rng.choice(e.secrets)}),
    ("ListSecrets", lambda g, e, r: {"maxResults": 100}),
)

_LOGS: tuple[tuple[str, Request], ...] = (
    ("DescribeLogGroups", lambda g, e, r: {"limit": 50}),
    (
        "DescribeLogStreams",
        lambda g, e, r: {"logGroupName": g.rng.choice(e.log_groups), "orderBy": "LastEventTime", "descending": True},
    ),
    (
        "FilterLogEvents",
        lambda g, e, r: {
            "logGroupName": g.rng.choice(e.log_groups),
            "startTime": (g.now - 3600) * 1000,
            "endTime": g.now * 1000,
            "interleaved": True,
        },
    ),
    (
        "GetLogEvents",
        lambda g, e, r: {
            "logGroupName": g.rng.choice(e.log_groups),
            "logStreamName": f"2026/11/01/[$LATEST]{g.hex(32)}",
            "startFromHead": False,
        },
    ),
)

_RDS: tuple[tuple[str, Request], ...] = (
    ("DescribeDBInstances", lambda g, e, r: None),
    ("DescribeDBInstances", lambda g, e, r: {"dBInstanceIdentifier": g.rng.choice(e.db_instances)}),
    ("DescribeDBClusters", lambda g, e, r: None),
    ("DescribeDBSnapshots", lambda g, e, r: {"dBInstanceIdentifier": e.db_instances[0], "snapshotType": "automated"}),
    ("DescribeDBEngineVersions", lambda g, e, r: {"engine": "postgres", "defaultOnly": True}),
)

_CLOUDTRAIL: tuple[tuple[str, Request], ...] = (
    ("DescribeTrails", lambda g, e, r: {"trailNameList": [], "includeShadowTrails": True}),
    ("GetTrailStatus", lambda g, e, r: {"name": e.trail}),
    ("GetEventSelectors", lambda g, e, r: {"trailName": e.trail}),
    ("ListTrails", lambda g, e, r: None),
    (
        "LookupEvents",
        lambda g, e, r: {
            "maxResults": 50,
            "lookupAttributes": [
                {"attributeKey": "EventName", "attributeValue": g.rng.choice(("ConsoleLogin", "CreateAccessKey"))}
            ],
        },
    ),
)

_GUARDDUTY: tuple[tuple[str, Request], ...] = (
    ("ListDetectors", lambda g, e, r: None),
    ("GetDetector", lambda g, e, r: {"detectorId": e.detector}),
    (
        "ListFindings",
        lambda g, e, r: {
            "detectorId": e.detector,
            "maxResults": 50,
            "findingCriteria": {"criterion": {"service.archived": {"eq": ["false"]}}},
        },
    ),
    ("GetFindings", lambda g, e, r: {"detectorId": e.detector, "findingIds": [g.hex(32), g.hex(32)]}),
)

_CONFIG: tuple[tuple[str, Request], ...] = (
    ("DescribeConfigurationRecorders", lambda g, e, r: None),
    ("DescribeConfigurationRecorderStatus", lambda g, e, r: None),
    ("DescribeConfigRules", lambda g, e, r: None),
    ("DescribeComplianceByConfigRule", lambda g, e, r: {"complianceTypes": ["NON_COMPLIANT"]}),
)

_SECURITYHUB: tuple[tuple[str, Request], ...] = (
    (
        "GetFindings",
        lambda g, e, r: {"maxResults": 100, "filters": {"RecordState": [{"value": "ACTIVE", "comparison": "EQUALS"}]}},
    ),
    ("DescribeHub", lambda g, e, r: None),
    ("GetEnabledStandards", lambda g, e, r: None),
)

_ORGANIZATIONS: tuple[tuple[str, Request], ...] = (
    ("DescribeOrganization", lambda g, e, r: None),
    ("ListAccounts", lambda g, e, r: None),
    ("DescribeAccount", lambda g, e, r: {"accountId": e.account}),
    ("ListPoliciesForTarget", lambda g, e, r: {"targetId": e.account, "filter": "SERVICE_CONTROL_POLICY"}),
)

READ_TABLES: dict[str, tuple[tuple[str, Request], ...]] = {
    "ec2": _EC2,
    "iam": _IAM,
    "lambda": _LAMBDA,
    "kms": _KMS,
    "ssm": _SSM,
    "secretsmanager": _SECRETS,
    "logs": _LOGS,
    "rds": _RDS,
    "cloudtrail": _CLOUDTRAIL,
    "guardduty": _GUARDDUTY,
    "config": _CONFIG,
    "securityhub": _SECURITYHUB,
    "organizations": _ORGANIZATIONS,
}


def read_call(g: Gen, a: Actor | None, svc: str, name: str | None = None) -> Record:
    """One read-only ``svc`` call by ``a`` (a random reader when ``None``).

    ``name`` selects a specific operation of the service's table.
    """
    a = a or g.actor("readers")
    table = READ_TABLES[svc]
    if name is None:
        op, request = g.rng.choice(table)
    else:
        op, request = next(entry for entry in table if entry[0] == name)
    region = g.region(a, svc)
    return g.api(a, svc, op, region, read_only=True, request=request(g, g.estate(a.account), region))


def reader(svc: str) -> Scenario:
    """A scenario producing random read-only ``svc`` calls."""

    def scenario(g: Gen, a: Actor | None = None) -> Record:
        return read_call(g, a, svc)

    scenario.__name__ = f"read_{svc}"
    return scenario


def get_caller_identity(g: Gen, a: Actor | None = None) -> Record:
    """``sts:GetCallerIdentity`` — ubiquitous from scripts and attackers alike."""
    a = a or g.actor("readers")
    return g.api(a, "sts", "GetCallerIdentity", g.region(a), read_only=True)
