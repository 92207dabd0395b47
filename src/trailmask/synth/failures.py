"""Error codes and messages of failed calls, shaped like real CloudTrail ones."""

from __future__ import annotations

import base64
import random
import re
from functools import cache

from trailmask.synth.catalog import OTHER_ERRORS, SERVICES

_VERSION_SUFFIX = re.compile(r"\d{8}(v\d+)?$")
_OTHER_SHARE = 0.2
_REASONS = (
    "because no identity-based policy allows the {action} action",
    "because no identity-based policy allows the {action} action",
    "with an explicit deny in a service control policy",
    "because no resource-based policy allows the {action} action",
)


@cache
def action_name(event_name: str) -> str:
    """IAM action name of an event, without Lambda's API-version suffix."""
    return _VERSION_SUFFIX.sub("", event_name)


def _encoded_message(rng: random.Random) -> str:
    """An opaque ``Encoded authorization failure message`` blob."""
    raw = rng.randbytes(rng.randrange(360, 720))
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _ec2_denied(rng: random.Random, action: str, principal: str, read_only: bool) -> tuple[str, str]:
    """EC2's ``UnauthorizedOperation``; mutating calls carry an encoded message."""
    code = "Client.UnauthorizedOperation" if rng.random() < 0.8 else "UnauthorizedOperation"
    message = (
        f"You are not authorized to perform this operation. User: {principal} is not authorized "
        f"to perform: {action} because no identity-based policy allows the {action} action"
    )
    if not read_only:
        message += f". Encoded authorization failure message: {_encoded_message(rng)}"
    return code, message


def failure(rng: random.Random, svc: str, name: str, principal: str, target: str, read_only: bool) -> tuple[str, str]:
    """Return ``(errorCode, errorMessage)`` for a failed ``svc``:``name`` call.

    ``principal`` is the caller's ARN and ``target`` the resource ARN (may be
    empty).  Most failures are authorisation denials naming both; about a
    fifth are service-specific errors (throttling, missing entities...).
    """
    others = OTHER_ERRORS.get(svc)
    if others and rng.random() < _OTHER_SHARE:
        return rng.choice(others)
    action = f"{svc}:{action_name(name)}"
    if svc == "ec2":
        return _ec2_denied(rng, action, principal, read_only)
    if svc == "s3" and rng.random() < 0.7:
        return "AccessDenied", "Access Denied"
    reason = rng.choice(_REASONS).format(action=action)
    on = f" on resource: {target}" if target else ""
    message = f"User: {principal} is not authorized to perform: {action}{on} {reason}"
    return SERVICES[svc][2], message
