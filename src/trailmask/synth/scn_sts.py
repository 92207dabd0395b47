"""STS activity: role assumption (same- and cross-account, web identity) and federation."""

from __future__ import annotations

import json

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Actor, ExternalAccount, Federated, IamUser, Origin, Role
from trailmask.synth.clock import fmt_long
from trailmask.synth.record import Gen, Record
from trailmask.synth.scn_reads import read_call

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FEDERATION_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "ecr:*"], "Resource": "*"}]}
)
_VENDOR_EXTERNAL_ID = "acme-monitoring-7f3e2a91"


def credentials(g: Gen, seconds: int = 3600) -> Record:
    """Temporary credentials as STS responses log them (no secret key)."""
    return {
        "accessKeyId": "ASIA" + "".join(g.rng.choices(_B32, k=16)),
        "sessionToken": g.session_token(),
        "expiration": fmt_long(g.now + seconds),
    }


def _role_resources(role: Role) -> list[dict[str, str]]:
    """``resources`` of an ``AssumeRole`` event."""
    return [{"accountId": role.account, "type": "AWS::IAM::Role", "ARN": role.arn}]


def _assume(
    g: Gen,
    caller: Actor,
    role: Role,
    session: str,
    region: str,
    *,
    recipient: str | None = None,
    identity: Record | None = None,
    origin: Origin | None = None,
    external_id: str | None = None,
) -> Record:
    """One ``AssumeRole`` of ``role`` as ``session`` by ``caller``."""
    request: Record = {"roleArn": role.arn, "roleSessionName": session}
    if external_id is not None:
        request["externalId"] = external_id
    request["durationSeconds"] = 3600
    response = {
        "credentials": credentials(g),
        "assumedRoleUser": {"assumedRoleId": f"{role.principal_id}:{session}", "arn": role.session_arn(session)},
    }
    return g.api(
        caller,
        "sts",
        "AssumeRole",
        region,
        read_only=True,
        request=request,
        response=response,
        resources=_role_resources(role),
        target=role.arn,
        recipient=recipient,
        identity=identity,
        origin=origin,
    )


def assume_role(g: Gen, a: Actor | None = None) -> Record:
    """Same-account ``AssumeRole``: by AWS services for workloads, or by people/automation."""
    rng = g.rng
    if a is None and rng.random() < 0.55:
        lam = rng.random() < 0.6
        role = g.actor("lambdas" if lam else "instances")
        assert isinstance(role, Role)
        service = "lambda.amazonaws.com" if lam else "ec2.amazonaws.com"
        ident = {"type": "AWSService", "invokedBy": service}
        return _assume(
            g, role, role, rng.choice(role.sessions), g.region(role), identity=ident, origin=Origin(service, service)
        )
    caller = a or g.actor("writers")
    roles = g.world.roles[caller.account]
    role = rng.choice(roles)
    session = caller.name if isinstance(caller, IamUser) else rng.choice(role.sessions)
    return _assume(g, caller, role, session, g.region(caller))


def cross_account_assume(g: Gen, a: Actor | None = None) -> Record:
    """Cross-account ``AssumeRole``, seen either by the target (``AWSAccount``) or the caller."""
    rng = g.rng
    if a is None and rng.random() < 0.6:
        a = g.actor("external")
    if isinstance(a, ExternalAccount):
        target = g.recipient(a)
        role = _cross_role(g, target)
        vendor = a.account == cat.EXTERNAL_ACCOUNT
        return _assume(
            g,
            a,
            role,
            rng.choice(role.sessions),
            "us-east-1",
            recipient=target,
            external_id=_VENDOR_EXTERNAL_ID if vendor else None,
        )
    caller = a or g.actor("writers")
    target = rng.choice([acct for acct in cat.ACCOUNT_IDS if acct != caller.account])
    role = _cross_role(g, target)
    return _assume(g, caller, role, caller.name if isinstance(caller, IamUser) else "cross-account", g.region(caller))


def _cross_role(g: Gen, account: str) -> Role:
    """The role assumed into ``account`` from outside."""
    wanted = ("SecurityAuditRole", "OrganizationAccountAccessRole")
    roles = [r for r in g.world.roles[account] if r.name in wanted]
    return g.rng.choice(roles)


def web_identity(g: Gen, a: Actor | None = None) -> Record:
    """``AssumeRoleWithWebIdentity`` from GitHub Actions OIDC (``WebIdentityUser``)."""
    rng = g.rng
    role = a if isinstance(a, Role) else rng.choice(g.world.web_roles)
    index = rng.randrange(len(cat.OIDC_SUBJECTS))
    repo, ref = cat.OIDC_SUBJECTS[index]
    subject = f"repo:{repo}:ref:{ref}"
    provider = f"arn:aws:iam::{role.account}:oidc-provider/token.actions.githubusercontent.com"
    ident = {
        "type": "WebIdentityUser",
        "principalId": f"{provider}:sts.amazonaws.com:{subject}",
        "userName": subject,
        "identityProvider": provider,
    }
    request: Record = {"roleArn": role.arn, "roleSessionName": "GitHubActions", "durationSeconds": 3600}
    if rng.random() < 0.5:
        request["webIdentityToken"] = cat.JWTS[index]
    response = {
        "credentials": credentials(g),
        "subjectFromWebIdentityToken": subject,
        "assumedRoleUser": {
            "assumedRoleId": f"{role.principal_id}:GitHubActions",
            "arn": role.session_arn("GitHubActions"),
        },
        "provider": provider,
        "audience": "sts.amazonaws.com",
    }
    denied = ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    return g.api(
        role,
        "sts",
        "AssumeRoleWithWebIdentity",
        g.region(role),
        read_only=True,
        request=request,
        response=response,
        identity=ident,
        resources=_role_resources(role),
        fail=False,
        error=denied if rng.random() < 0.05 else None,
        additional={"identityProviderConnectionVerificationMethod": "IAMTrustStore"},
    )


def federation(g: Gen, a: Actor | None = None) -> Record:
    """``GetFederationToken`` by an IAM user, or ``GetSessionToken`` with MFA."""
    rng = g.rng
    fed = rng.choice(g.world.pools["federated"])
    assert isinstance(fed, Federated)
    issuer = a if isinstance(a, IamUser) else fed.issuer
    if rng.random() < 0.3:
        request: Record = {"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{issuer.account}:mfa/{issuer.name}"}
        return g.api(
            issuer,
            "sts",
            "GetSessionToken",
            g.region(issuer),
            read_only=True,
            request=request,
            response={"credentials": credentials(g, 43200)},
        )
    request = {"name": fed.name, "durationSeconds": 43200, "policy": _FEDERATION_POLICY}
    response = {
        "credentials": credentials(g, 43200),
        "federatedUser": {"federatedUserId": f"{fed.account}:{fed.name}", "arn": fed.arn},
        "packedPolicySize": 9,
    }
    return g.api(
        issuer, "sts", "GetFederationToken", g.region(issuer), read_only=True, request=request, response=response
    )


def federated_activity(g: Gen, a: Actor | None = None) -> Record:
    """A call made with federated-user credentials (S3/ECR style work)."""
    return read_call(g, a or g.actor("federated"), g.rng.choice(("ec2", "lambda", "logs")))
