"""Per-run generation state and the assembly of one CloudTrail record."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from trailmask.synth.actors import Actor, ExternalAccount, Origin
from trailmask.synth.catalog import GLOBAL_SERVICES, SERVICES, SESSION_TOKEN_PREFIXES, VPCE_SERVICES
from trailmask.synth.clock import fmt_time
from trailmask.synth.estate import Estate
from trailmask.synth.failures import action_name, failure
from trailmask.synth.world import World

Record = dict[str, Any]
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CLI_SERVICE = {"s3": "s3api"}


@cache
def cli_command(svc: str, name: str) -> str:
    """The ``service.operation`` the AWS CLI reports, e.g. ``ec2.describe-instances``."""
    op = _CAMEL.sub(r"\1-\2", _ACRONYM.sub(r"\1-\2", action_name(name))).lower()
    return f"{_CLI_SERVICE.get(svc, svc)}.{op}"


@cache
def host_header(svc: str, region: str) -> str:
    """``clientProvidedHostHeader`` of a call to ``svc`` in ``region``."""
    if svc == "iam":
        return "iam.amazonaws.com"
    if svc == "signin":
        return "signin.aws.amazon.com"
    if svc == "organizations":
        return "organizations.us-east-1.amazonaws.com"
    if svc == "sso":
        return f"portal.sso.{region}.amazonaws.com"
    if svc == "sts" and region == "us-east-1":
        return "sts.amazonaws.com"
    return f"{svc}.{region}.amazonaws.com"


class Gen:
    """Random source, world and current event time of one generation run."""

    __slots__ = ("now", "rng", "time", "world")

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.now = 0
        self.time = ""

    def at(self, epoch: int) -> None:
        """Set the time of the event being built."""
        self.now = epoch
        self.time = fmt_time(epoch)

    def uuid(self) -> str:
        """A random version-4-shaped UUID string (from the run RNG)."""
        b = self.rng.getrandbits(128)
        h = f"{b:032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[b & 3]}{h[17:20]}-{h[20:]}"

    def hex(self, width: int) -> str:
        """``width`` random lower-case hex digits."""
        return f"{self.rng.getrandbits(4 * width):0{width}x}"

    def b64(self, nbytes: int) -> str:
        """Standard base64 of ``nbytes`` random bytes."""
        return base64.b64encode(self.rng.randbytes(nbytes)).decode("ascii")

    def session_token(self) -> str:
        """An STS session token: a long base64 blob with a real-looking prefix."""
        prefix = SESSION_TOKEN_PREFIXES[0] if self.rng.random() < 0.8 else SESSION_TOKEN_PREFIXES[1]
        return prefix + self.b64(self.rng.randrange(300, 700))

    def actor(self, pool: str) -> Actor:
        """A weighted random actor from ``pool``."""
        return self.rng.choice(self.world.pools[pool])

    def region(self, actor: Actor, svc: str = "") -> str:
        """The region of a call; IAM and Organizations are always ``us-east-1``."""
        if svc in GLOBAL_SERVICES:
            return "us-east-1"
        return self.rng.choice(actor.regions)

    def estate(self, account: str) -> Estate:
        """Resources of ``account``."""
        return self.world.estates[account]

    def recipient(self, actor: Actor) -> str:
        """The account whose trail records a call by ``actor``."""
        if isinstance(actor, ExternalAccount):
            return self.rng.choice(actor.targets)
        return actor.account

    def origin(self, actor: Actor, svc: str) -> Origin:
        """Pick where the call comes from (VPC endpoints only for supporting services)."""
        rng = self.rng
        if actor.vpce_origins and svc in VPCE_SERVICES and rng.random() < 0.5:
            return rng.choice(actor.vpce_origins)
        return rng.choice(actor.origins)

    def api(
        self,
        actor: Actor,
        svc: str,
        name: str,
        region: str,
        *,
        read_only: bool,
        request: Record | None = None,
        response: Record | None = None,
        additional: Record | None = None,
        resources: list[dict[str, str]] | None = None,
        target: str = "",
        fail: bool | None = None,
        data: bool = False,
        event_type: str = "AwsApiCall",
        recipient: str | None = None,
        details: Record | None = None,
        origin: Origin | None = None,
        identity: Record | None = None,
        error: tuple[str, str] | None = None,
    ) -> Record:
        """Assemble one record in CloudTrail's field order.

        ``fail`` forces the outcome (``None``: random by the actor's failure
        rate); failed calls get ``errorCode``/``errorMessage`` and no
        ``responseElements``.  ``details`` becomes ``serviceEventDetails``;
        ``identity`` overrides the actor's ``userIdentity``; ``error`` gives an
        explicit ``(errorCode, errorMessage)`` (an empty code is omitted).
        """
        rng = self.rng
        o = origin or self.origin(actor, svc)
        ident = identity if identity is not None else actor.identity(rng, self.now, o.console)
        rec = self._head(svc, name, region, o, ident)
        if error is None and (fail if fail is not None else rng.random() < actor.fail_rate):
            error = failure(rng, svc, name, ident.get("arn") or actor.arn, target, read_only, request)
        if error is not None:
            response = self._error(rec, svc, error, response)
        rec["requestParameters"] = request
        rec["responseElements"] = response
        if additional is not None:
            rec["additionalEventData"] = additional
        self._ids(rec, svc)
        rec["readOnly"] = read_only
        if resources is not None:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = not data
        host = request.get("Host") if svc == "s3" and request else None
        self._finish(rec, ident, o, host or host_header(svc, region), recipient or self.recipient(actor), details)
        return rec

    @staticmethod
    def _error(rec: Record, svc: str, error: tuple[str, str], response: Record | None) -> Record | None:
        """Add ``errorCode``/``errorMessage``; return the response a failed call still logs."""
        if error[0]:
            rec["errorCode"] = error[0]
        rec["errorMessage"] = error[1]
        return response if svc == "signin" else None

    def _head(self, svc: str, name: str, region: str, o: Origin, ident: Record) -> Record:
        """The leading fields, up to ``userAgent``."""
        source, version, _ = SERVICES[svc]
        return {
            "eventVersion": version,
            "userIdentity": ident,
            "eventTime": self.time,
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": o.ip,
            "userAgent": o.agent + cli_command(svc, name) if o.cli else o.agent,
        }

    def _ids(self, rec: Record, svc: str) -> None:
        """``requestID`` (S3's short hex form; none for sign-in) and ``eventID``."""
        if svc == "s3":
            rec["requestID"] = f"{self.rng.getrandbits(64):016X}"
        elif svc != "signin":
            rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()

    def _finish(self, rec: Record, ident: Record, o: Origin, host: str, recipient: str, details: Record | None) -> None:
        """Append the trailing fields (recipient, endpoint, category, TLS, console)."""
        rec["recipientAccountId"] = recipient
        if ident.get("accountId", recipient) != recipient:
            rec["sharedEventID"] = self.uuid()
        if o.vpce is not None:
            rec["vpcEndpointId"] = o.vpce
            rec["vpcEndpointAccountId"] = recipient
        if details is not None:
            rec["serviceEventDetails"] = details
        rec["eventCategory"] = "Management" if rec["managementEvent"] else "Data"
        if o.tls is not None:
            rec["tlsDetails"] = {"tlsVersion": o.tls[0], "cipherSuite": o.tls[1], "clientProvidedHostHeader": host}
        if o.console:
            rec["sessionCredentialFromConsole"] = "true"


Scenario = Callable[[Gen, Actor | None], Record]
"""A scenario builds one record, by the given actor or one it picks itself."""
