"""Principals that act in the synthetic trail and their ``userIdentity`` blocks.

Each actor builds a *fresh* ``userIdentity`` dict per event, so records never
share mutable sub-objects and consumers may mutate them freely.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from trailmask.synth.catalog import IDENTITY_STORE_ARN
from trailmask.synth.clock import fmt_time

_MAX_SESSION_AGE = 3 * 3600


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a call comes from: source address, user agent and transport."""

    ip: str
    agent: str
    cli: bool = False
    """The agent ends in ``command/``: the CLI command is appended per event."""
    console: bool = False
    """The call is made with console session credentials."""
    tls: tuple[str, str] | None = None
    vpce: str | None = None
    """VPC endpoint id when the call arrives through a VPC endpoint."""


class Actor:
    """A principal with its usual origins, regions and failure rate."""

    __slots__ = ("account", "arn", "fail_rate", "kind", "name", "origins", "regions", "vpce_origins")

    def __init__(
        self,
        kind: str,
        account: str,
        name: str,
        arn: str,
        origins: tuple[Origin, ...],
        regions: tuple[str, ...],
        fail_rate: float = 0.05,
    ) -> None:
        self.kind = kind
        self.account = account
        self.name = name
        self.arn = arn
        self.origins = tuple(o for o in origins if o.vpce is None) or origins
        self.vpce_origins = tuple(o for o in origins if o.vpce is not None)
        self.regions = regions
        self.fail_rate = fail_rate

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """Return a new ``userIdentity`` dict for a call at epoch ``now``."""
        raise NotImplementedError


def _attributes(rng: random.Random, now: int, mfa: bool) -> dict[str, str]:
    """Session ``attributes``: creation time before ``now`` and MFA as a string."""
    created = fmt_time(now - rng.randrange(_MAX_SESSION_AGE))
    return {"creationDate": created, "mfaAuthenticated": "true" if mfa else "false"}


class IamUser(Actor):
    """An IAM user calling with a long-term ``AKIA`` key or a console session."""

    __slots__ = ("console_keys", "key", "mfa", "principal_id")

    def __init__(self, *, principal_id: str, key: str, console_keys: tuple[str, ...], mfa: bool, **kw: Any) -> None:
        super().__init__("IAMUser", **kw)
        self.principal_id = principal_id
        self.key = key
        self.console_keys = console_keys
        self.mfa = mfa

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """IAM user identity; console calls carry an ``ASIA`` key and session context."""
        ident: dict[str, Any] = {
            "type": "IAMUser",
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account,
            "accessKeyId": rng.choice(self.console_keys) if console else self.key,
            "userName": self.name,
        }
        if console:
            ident["sessionContext"] = {
                "sessionIssuer": {},
                "webIdFederationData": {},
                "attributes": _attributes(rng, now, self.mfa),
            }
        return ident


class Role(Actor):
    """Sessions of an IAM role (``AssumedRole`` identities)."""

    __slots__ = ("ec2_delivery", "invoked_by", "keys", "mfa_rate", "principal_id", "sessions")

    def __init__(
        self,
        *,
        principal_id: str,
        sessions: tuple[str, ...],
        keys: tuple[str, ...],
        mfa_rate: float = 0.0,
        invoked_by: str | None = None,
        ec2_delivery: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__("AssumedRole", **kw)
        self.principal_id = principal_id
        self.sessions = sessions
        self.keys = keys
        self.mfa_rate = mfa_rate
        self.invoked_by = invoked_by
        self.ec2_delivery = ec2_delivery

    def session_arn(self, session: str) -> str:
        """``arn:aws:sts::…:assumed-role/<role>/<session>``."""
        return f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{session}"

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """Assumed-role identity with issuer, attributes and an ``ASIA`` key."""
        session = rng.choice(self.sessions)
        context: dict[str, Any] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": self.principal_id,
                "arn": self.arn,
                "accountId": self.account,
                "userName": self.name,
            },
            "webIdFederationData": {},
            "attributes": _attributes(rng, now, rng.random() < self.mfa_rate),
        }
        if self.ec2_delivery:
            context["ec2RoleDelivery"] = "2.0"
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{self.principal_id}:{session}",
            "arn": self.session_arn(session),
            "accountId": self.account,
            "accessKeyId": rng.choice(self.keys),
            "sessionContext": context,
        }
        if self.invoked_by is not None:
            ident["invokedBy"] = self.invoked_by
        return ident


class Root(Actor):
    """The account root user."""

    __slots__ = ("keys",)

    def __init__(self, *, keys: tuple[str, ...], **kw: Any) -> None:
        super().__init__("Root", **kw)
        self.keys = keys

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """Root identity, with a console session context when ``console``."""
        ident: dict[str, Any] = {
            "type": "Root",
            "principalId": self.account,
            "arn": self.arn,
            "accountId": self.account,
            "accessKeyId": rng.choice(self.keys),
        }
        if console:
            ident["sessionContext"] = {
                "sessionIssuer": {},
                "webIdFederationData": {},
                "attributes": _attributes(rng, now, rng.random() < 0.5),
            }
        return ident


class Service(Actor):
    """An AWS service acting on the account's behalf (``AWSService``)."""

    __slots__ = ()

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """``{"type": "AWSService", "invokedBy": <service principal>}``."""
        return {"type": "AWSService", "invokedBy": self.name}


class IdcUser(Actor):
    """An IAM Identity Center user using the access portal."""

    __slots__ = ("credential_id", "email", "user_id")

    def __init__(self, *, user_id: str, credential_id: str, email: str, **kw: Any) -> None:
        super().__init__("IdentityCenterUser", **kw)
        self.user_id = user_id
        self.credential_id = credential_id
        self.email = email

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """Identity Center identity with ``onBehalfOf`` and ``credentialId``."""
        return {
            "type": "IdentityCenterUser",
            "accountId": self.account,
            "onBehalfOf": {"userId": self.user_id, "identityStoreArn": IDENTITY_STORE_ARN},
            "credentialId": self.credential_id,
        }


class Federated(Actor):
    """A federated user obtained from ``GetFederationToken`` by an IAM user."""

    __slots__ = ("issuer", "keys")

    def __init__(self, *, issuer: IamUser, keys: tuple[str, ...], **kw: Any) -> None:
        super().__init__("FederatedUser", **kw)
        self.issuer = issuer
        self.keys = keys

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """Federated-user identity whose session issuer is the IAM user."""
        issuer = self.issuer
        return {
            "type": "FederatedUser",
            "principalId": f"{self.account}:{self.name}",
            "arn": self.arn,
            "accountId": self.account,
            "accessKeyId": rng.choice(self.keys),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "principalId": issuer.principal_id,
                    "arn": issuer.arn,
                    "accountId": issuer.account,
                    "userName": issuer.name,
                },
                "webIdFederationData": {},
                "attributes": _attributes(rng, now, False),
            },
        }


class ExternalAccount(Actor):
    """A principal of another account, seen by the target as ``AWSAccount``."""

    __slots__ = ("principal_id", "targets")

    def __init__(self, *, principal_id: str, targets: tuple[str, ...], **kw: Any) -> None:
        super().__init__("AWSAccount", **kw)
        self.principal_id = principal_id
        self.targets = targets

    def identity(self, rng: random.Random, now: int, console: bool) -> dict[str, Any]:
        """``{"type": "AWSAccount", "principalId": …, "accountId": <other account>}``."""
        return {"type": "AWSAccount", "principalId": self.principal_id, "accountId": self.account}
