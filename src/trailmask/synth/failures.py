"""Error codes and messages of failed calls, shaped like real CloudTrail ones."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

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


@cache
def _errors_of(svc: str, name: str) -> tuple[tuple[str, str], ...]:
    """The service-specific ``(errorCode, message template)`` pairs ``name`` itself can return."""
    return tuple((code, msg) for names, code, msg in OTHER_ERRORS.get(svc, ()) if re.fullmatch(names, name))


_IAM_ENTITY = re.compile(r"(User|Role|Group|Policy)")


_NAME_KEYS = ("userName", "roleName", "groupName", "policyName", "functionName", "dBInstanceIdentifier", "name")


def _fill(template: str, name: str, target: str, request: Mapping[str, Any] | None) -> str:
    """Fill a message template with the call's own target: the name its request gives, else its ARN's."""
    entity_match = _IAM_ENTITY.search(name)
    entity = entity_match.group(1).lower() if entity_match else "entity"
    named = next((request[k] for k in _NAME_KEYS if request and isinstance(request.get(k), str)), "")
    short = named or (target.rsplit("/", 1)[-1].rsplit(":", 1)[-1] if target else "")
    return template.format(
        name=short or "unknown", entity=entity, Entity=entity.capitalize(), target=target or "unknown"
    )


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


def failure(
    rng: random.Random,
    svc: str,
    name: str,
    principal: str,
    target: str,
    read_only: bool,
    request: Mapping[str, Any] | None = None,
) -> tuple[str, str]:
    """Return ``(errorCode, errorMessage)`` for a failed ``svc``:``name`` call.

    ``principal`` is the caller's ARN, ``target`` the resource ARN (may be
    empty) and ``request`` the call's requestParameters.  A service-specific
    error is only ever one the call itself can return, naming its own target.
    Most failures are authorisation denials naming both; about a fifth of the
    calls that have service-specific errors get one (throttling, missing
    entities...).
    """
    others = _errors_of(svc, name)
    if others and rng.random() < _OTHER_SHARE:
        code, message = rng.choice(others)
        return code, _fill(message, name, target, request)
    action = f"{svc}:{action_name(name)}"
    if svc == "ec2":
        return _ec2_denied(rng, action, principal, read_only)
    if svc == "s3" and rng.random() < 0.7:
        return "AccessDenied", "Access Denied"
    reason = rng.choice(_REASONS).format(action=action)
    on = f" on resource: {target}" if target else ""
    message = f"User: {principal} is not authorized to perform: {action}{on} {reason}"
    return SERVICES[svc][2], message
