"""Calls that carry secrets or personal data in their request parameters."""

from __future__ import annotations

import json

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Actor
from trailmask.synth.estate import Estate
from trailmask.synth.record import Gen, Record

_HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_PARAMETER_SECRETS = (*cat.DB_PASSWORDS, *cat.API_TOKENS, *cat.STRIPE_KEYS, cat.MISC_SECRETS[0])
_RUNTIMES = ("python3.12", "nodejs20.x", "python3.11", "java21")


def put_parameter(g: Gen, a: Actor | None = None) -> Record:
    """``ssm:PutParameter``; ``SecureString`` values are planted secrets."""
    a = a or g.actor("writers")
    rng = g.rng
    est = g.estate(a.account)
    name = rng.choice(est.parameters)
    if name.endswith("log_level"):
        kind, value = "String", rng.choice(("INFO", "DEBUG", "WARN"))
    else:
        kind = "SecureString"
        value = _HIDDEN if rng.random() < 0.15 else rng.choice(_PARAMETER_SECRETS)
    request = {"name": name, "type": kind, "value": value, "overwrite": True, "tier": "Standard"}
    region = g.region(a)
    return g.api(
        a,
        "ssm",
        "PutParameter",
        region,
        read_only=False,
        request=request,
        response={"version": rng.randint(1, 12), "tier": "Standard"},
        target=f"arn:aws:ssm:{region}:{est.account}:parameter{name}",
    )


def _environment(g: Gen) -> Record:
    """Lambda environment variables with credentials in them."""
    rng = g.rng
    return {
        "variables": {
            "DB_HOST": f"prod-postgres-1.c{g.hex(10)}.us-east-1.rds.amazonaws.com",
            "DB_PASSWORD": rng.choice(cat.DB_PASSWORDS),
            "API_TOKEN": rng.choice(cat.API_TOKENS),
            "STRIPE_KEY": rng.choice(cat.STRIPE_KEYS),
            "SENDGRID_API_KEY": cat.MISC_SECRETS[0],
            "LOG_LEVEL": "INFO",
        }
    }


def _create_function(g: Gen, est: Estate, fn: str, fn_arn: str) -> tuple[Record, Record]:
    """Request and response of ``CreateFunction20150331``."""
    runtime = g.rng.choice(_RUNTIMES)
    role = f"arn:aws:iam::{est.account}:role/{fn}-role"
    request = {
        "functionName": fn,
        "runtime": runtime,
        "role": role,
        "handler": "app.handler",
        "code": {"s3Bucket": est.buckets[0], "s3Key": f"lambda/{fn}.zip"},
        "timeout": 30,
        "memorySize": 256,
        "publish": False,
        "environment": _environment(g),
        "architectures": ["arm64"],
    }
    response = {
        "functionName": fn,
        "functionArn": fn_arn,
        "runtime": runtime,
        "role": role,
        "handler": "app.handler",
        "codeSize": g.rng.randrange(4_000, 9_000_000),
        "codeSha256": g.b64(32),
        "version": "$LATEST",
        "state": "Pending",
    }
    return request, response


def lambda_config(g: Gen, a: Actor | None = None) -> Record:
    """``CreateFunction20150331`` / ``UpdateFunctionConfiguration20150331v2`` with secret env vars."""
    a = a or g.actor("writers")
    rng = g.rng
    est = g.estate(a.account)
    region = g.region(a)
    fn = rng.choice(est.functions)
    fn_arn = f"arn:aws:lambda:{region}:{est.account}:function:{fn}"
    if rng.random() < 0.5:
        name = "UpdateFunctionConfiguration20150331v2"
        request: Record = {"functionName": fn, "environment": _environment(g)}
        response: Record = {
            "functionName": fn,
            "functionArn": fn_arn,
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": g.uuid(),
        }
    else:
        name = "CreateFunction20150331"
        request, response = _create_function(g, est, fn, fn_arn)
    return g.api(a, "lambda", name, region, read_only=False, request=request, response=response, target=fn_arn)


def _secret_string(g: Gen) -> str:
    """A ``secretString``: a JSON credential blob or a bare token."""
    rng = g.rng
    if rng.random() < 0.6:
        return json.dumps(
            {"username": "app_admin", "password": rng.choice(cat.DB_PASSWORDS), "engine": "postgres", "port": 5432}
        )
    if rng.random() < 0.5:
        return json.dumps({"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": cat.MISC_SECRETS[1]})
    return rng.choice(cat.API_TOKENS + cat.MISC_SECRETS[:1])


def secret_write(g: Gen, a: Actor | None = None) -> Record:
    """``secretsmanager:CreateSecret`` / ``PutSecretValue``, sometimes with ``secretString``."""
    a = a or g.actor("writers")
    rng = g.rng
    est = g.estate(a.account)
    region = g.region(a)
    name = rng.choice(est.secrets)
    arn = f"arn:aws:secretsmanager:{region}:{est.account}:secret:{name}-{g.hex(6)}"
    secret = _secret_string(g) if rng.random() < 0.7 else _HIDDEN
    if rng.random() < 0.5:
        request: Record = {
            "name": name,
            "clientRequestToken": g.uuid(),
            "description": "managed by terraform",
            "secretString": secret,
        }
        response: Record = {"aRN": arn, "name": name, "versionId": g.uuid()}
        return g.api(
            a, "secretsmanager", "CreateSecret", region, read_only=False, request=request, response=response, target=arn
        )
    request = {"secretId": name, "clientRequestToken": g.uuid(), "secretString": secret}
    response = {"arn": arn, "name": name, "versionId": g.uuid(), "versionStages": ["AWSCURRENT"]}
    return g.api(
        a, "secretsmanager", "PutSecretValue", region, read_only=False, request=request, response=response, target=arn
    )


def sns_subscribe(g: Gen, a: Actor | None = None) -> Record:
    """``sns:Subscribe`` of an e-mail endpoint to an alerting topic."""
    a = a or g.actor("writers")
    region = g.region(a)
    topic = f"arn:aws:sns:{region}:{a.account}:{g.rng.choice(('security-alerts', 'billing-alarms'))}"
    request = {
        "topicArn": topic,
        "protocol": "email",
        "endpoint": g.rng.choice(cat.PLANTED_EMAILS),
        "returnSubscriptionArn": False,
    }
    return g.api(
        a,
        "sns",
        "Subscribe",
        region,
        read_only=False,
        request=request,
        response={"subscriptionArn": "pending confirmation"},
        target=topic,
    )
