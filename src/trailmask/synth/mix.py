"""The event mix: weighted scenarios plus one scripted intrusion storyline."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Origin
from trailmask.synth.clock import Clock, to_epoch
from trailmask.synth.record import Gen, Record, Scenario
from trailmask.synth.scn_changes import (
    create_access_key,
    create_user,
    defense_evasion,
    iam_policy_change,
    security_group_ingress,
)
from trailmask.synth.scn_ops import ec2_write, kms_crypto, logs_write, run_instances, service_event, ssm_agent
from trailmask.synth.scn_reads import get_caller_identity, read_call, reader
from trailmask.synth.scn_s3 import bucket_read, exposure_change, object_access
from trailmask.synth.scn_secrets import lambda_config, put_parameter, secret_write, sns_subscribe
from trailmask.synth.scn_signin import console_login, identity_center
from trailmask.synth.scn_sts import assume_role, cross_account_assume, federated_activity, federation, web_identity
from trailmask.synth.world import World, build_world

Step = Callable[[Gen], Record]

MIX: tuple[tuple[Scenario, int], ...] = (
    (reader("ec2"), 130),
    (reader("iam"), 55),
    (reader("lambda"), 25),
    (reader("kms"), 15),
    (reader("ssm"), 40),
    (reader("secretsmanager"), 20),
    (reader("logs"), 25),
    (reader("rds"), 20),
    (reader("cloudtrail"), 15),
    (reader("guardduty"), 12),
    (reader("config"), 15),
    (reader("securityhub"), 12),
    (reader("organizations"), 8),
    (bucket_read, 60),
    (object_access, 70),
    (get_caller_identity, 35),
    (kms_crypto, 80),
    (ssm_agent, 60),
    (assume_role, 80),
    (cross_account_assume, 15),
    (web_identity, 10),
    (federation, 6),
    (federated_activity, 12),
    (console_login, 20),
    (identity_center, 25),
    (ec2_write, 30),
    (logs_write, 25),
    (service_event, 10),
    (iam_policy_change, 12),
    (create_access_key, 4),
    (create_user, 6),
    (security_group_ingress, 8),
    (exposure_change, 8),
    (defense_evasion, 5),
    (put_parameter, 8),
    (lambda_config, 6),
    (secret_write, 5),
    (sns_subscribe, 3),
)
"""Scenarios and their relative weights."""

_STORY_MIN_EVENTS = 200
_STORY_AT = 0.57


def incident(world: World) -> tuple[Step, ...]:
    """The scripted intrusion: a leaked ``svc-backup`` key, escalation, evasion, exposure."""
    atk, door = world.attacker, world.backdoor
    root = world.roots[cat.ACCOUNT_IDS[0]]
    browser = Origin(cat.ATTACKER_IPS[0], cat.BROWSER_AGENTS[2], console=True, tls=cat.TLS12)
    user = door.name
    return (
        lambda g: get_caller_identity(g, atk),
        lambda g: bucket_read(g, atk),
        lambda g: read_call(g, atk, "iam", "ListUsers"),
        lambda g: read_call(g, atk, "iam", "GetAccountAuthorizationDetails"),
        lambda g: read_call(g, atk, "ec2", "DescribeRegions"),
        lambda g: read_call(g, atk, "ec2", "DescribeInstances"),
        lambda g: read_call(g, atk, "secretsmanager", "ListSecrets"),
        lambda g: read_call(g, atk, "secretsmanager", "GetSecretValue"),
        lambda g: read_call(g, atk, "ssm", "GetParametersByPath"),
        lambda g: create_user(g, atk, user, "CreateUser"),
        lambda g: create_access_key(g, atk, user),
        lambda g: iam_policy_change(g, atk, "AttachUserPolicy", user=user, policy=cat.MANAGED_POLICIES[0]),
        lambda g: create_user(g, door, user, "CreateLoginProfile"),
        lambda g: defense_evasion(g, door, "StopLogging"),
        lambda g: defense_evasion(g, door, "DeleteDetector"),
        lambda g: defense_evasion(g, door, "StopConfigurationRecorder"),
        lambda g: exposure_change(g, door, "DeleteBucketPublicAccessBlock"),
        lambda g: exposure_change(g, door, "PutBucketPolicy", public=True),
        lambda g: exposure_change(g, door, "PutBucketAcl"),
        lambda g: security_group_ingress(g, door, ("0.0.0.0/0", "::/0")),
        lambda g: run_instances(g, door, instance_type="p3.16xlarge", count=8, region="ap-south-1"),
        lambda g: defense_evasion(g, door, "ScheduleKeyDeletion"),
        lambda g: console_login(g, root, success=False, mfa=False, origin=browser),
        lambda g: console_login(g, root, success=False, mfa=False, origin=browser),
        lambda g: console_login(g, root, success=True, mfa=False, origin=browser),
    )


def _story_schedule(world: World, n: int) -> dict[int, Step]:
    """Event indices at which the storyline's steps replace random events."""
    if n < _STORY_MIN_EVENTS:
        return {}
    stride = max(1, n // 4000)
    first = int(n * _STORY_AT)
    return {first + k * stride: step for k, step in enumerate(incident(world))}


def validate(n: int, days: int) -> None:
    """Reject impossible arguments early."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")


def generate_events(n: int, *, seed: int = 7, start: datetime | None = None, days: int = 7) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic CloudTrail records, deterministic for the arguments.

    Records are dicts exactly as CloudTrail writes them (camelCase keys).
    ``eventTime`` ascends (a couple of percent arrive a few minutes late) and
    lies in ``[start, start + days)``; ``start`` defaults to
    2026-11-01T00:00:00Z, naive datetimes are taken as UTC.  Each record is
    a fresh object tree and every ``eventID`` is distinct.
    """
    validate(n, days)
    return _generate(n, seed, to_epoch(start), days)


def _generate(n: int, seed: int, start: int, days: int) -> Iterator[dict[str, Any]]:
    """The generator behind :func:`generate_events`."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    world = build_world()
    clock = Clock(start, days, n, rng)
    g = Gen(rng, world)
    story = _story_schedule(world, n)
    scenarios = [fn for fn, _ in MIX]
    cumulative: list[float] = []
    total = 0.0
    for _, weight in MIX:
        total += weight
        cumulative.append(total)
    draw = rng.random
    for i in range(n):
        g.at(clock.at(i))
        step = story.get(i)
        if step is not None:
            yield step(g)
        else:
            yield scenarios[bisect_right(cumulative, draw() * total)](g, None)
