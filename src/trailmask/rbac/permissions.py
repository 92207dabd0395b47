"""Decide whether a list of permission strings allows an action on a resource.

Vocabulary (docs/auth.md):

- ``sql``               ad-hoc SQL and ``explain``
- ``runbook:ID``        run (and see) runbook ID; ``runbook:*`` every runbook, ``runbook:cis-*`` a glob
- ``runbook-tag:TAG``   run every runbook tagged TAG (e.g. ``runbook-tag:cis``)
- ``export``            export the store, ``ingest`` load sources through the server
- ``audit:read``        read the audit log (masked per the reader's role); ``audit:raw`` unmasked entries
- ``users:manage``      add, disable, rotate users
- ``watches:manage``    inspect, run and reset monitoring watches (docs/monitoring.md)
- ``cases:read``        read every user's cases (everyone keeps and reads their own: docs/web.md)
- ``approve``           approve or reject break-glass requests of other people
- ``unmask:request``    ask for a break-glass (unmasked) run, ``unmask`` run unmasked without approval
- ``reveal``            turn a pseudonym token back into its value
- ``indicator``         search by a raw indicator: a runbook value converted to the role's masked view
- ``*``                 everything

A permission prefixed ``!`` denies: a matching denial wins over every grant. Nothing is allowed
unless a grant matches (default deny). Globs (``*``, ``?``) match within one kind only, so
``runbook:*`` never grants ``runbook-tag:...``; a lone ``*`` matches every kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

ACTIONS: tuple[str, ...] = (
    "sql",
    "runbook",
    "export",
    "ingest",
    "audit:read",
    "audit:raw",
    "users:manage",
    "watches:manage",
    "cases:read",
    "approve",
    "unmask:request",
    "unmask",
    "reveal",
    "indicator",
)


@dataclass(frozen=True)
class Resource:
    """What an action applies to; only runbooks have one (their id and tags)."""

    kind: str = ""
    id: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The answer and why: ``missing`` is the permission that would have allowed it."""

    allowed: bool
    missing: str | None = None
    reason: str = ""
    matched: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.allowed


def required_permissions(action: str, resource: Resource | None = None) -> list[str]:
    """The permissions any one of which grants ``action`` on ``resource`` (first = the one to name)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "runbook":
        if resource is None or not resource.id:
            raise ValueError("action 'runbook' needs a runbook resource")
        return [f"runbook:{resource.id}", *(f"runbook-tag:{tag}" for tag in resource.tags)]
    return [action]


def _kind(permission: str) -> str:
    return permission.split(":", 1)[0] if ":" in permission else ""


def matches(pattern: str, permission: str) -> bool:
    """Does grant/deny ``pattern`` (without ``!``) cover ``permission``?"""
    pattern = pattern.strip()
    if pattern == "*":
        return True
    if _kind(pattern) != _kind(permission):
        return False
    return fnmatchcase(permission, pattern)


def _split(permissions: Iterable[str]) -> tuple[list[str], list[str]]:
    grants: list[str] = []
    denials: list[str] = []
    for raw in permissions:
        text = raw.strip()
        if text.startswith("!"):
            denials.append(text[1:].strip())
        elif text:
            grants.append(text)
    return grants, denials


def allowed(permissions: Sequence[str], action: str, resource: Resource | None = None) -> Decision:
    """Default deny, deny wins; the decision names the missing permission and the rule that decided."""
    needed = required_permissions(action, resource)
    grants, denials = _split(permissions)
    for need in needed:
        for denial in denials:
            if matches(denial, need):
                return Decision(False, needed[0], f"denied by '!{denial}' (covers '{need}')", (f"!{denial}",))
    for need in needed:
        for grant in grants:
            if matches(grant, need):
                return Decision(True, None, f"granted by '{grant}'", (grant,))
    alternatives = " or ".join(f"'{n}'" for n in needed)
    return Decision(False, needed[0], f"no permission grants {alternatives}")
