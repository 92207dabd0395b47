"""Named resources of each synthetic account and AWS-shaped identifiers."""

from __future__ import annotations

import random
from dataclasses import dataclass

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HOME: dict[str, str] = {"123456789012": "us-east-1", "210987654321": "eu-west-1"}
HUMANS: dict[str, tuple[tuple[str, bool], ...]] = {
    "123456789012": (("alice", True), ("bob.smith", False)),
    "210987654321": (("carol", True),),
    "345678901234": (("dave.ops", True),),
    "456789012345": (("alice", True), ("break-glass-admin", False)),
}
FUNCTIONS = ("order-processor", "invoice-renderer", "s3-thumbnailer", "slack-notifier")


@dataclass(frozen=True, slots=True)
class Estate:
    """Named resources of one account."""

    account: str
    alias: str
    home: str
    buckets: tuple[str, ...]
    instances: tuple[str, ...]
    security_groups: tuple[str, ...]
    vpcs: tuple[str, ...]
    amis: tuple[str, ...]
    kms_keys: tuple[str, ...]
    functions: tuple[str, ...]
    users: tuple[str, ...]
    roles: tuple[str, ...]
    trail: str
    detector: str
    db_instances: tuple[str, ...]
    secrets: tuple[str, ...]
    parameters: tuple[str, ...]
    log_groups: tuple[str, ...]
    canonical_id: str


class Ids:
    """Deterministic AWS-shaped identifiers drawn from the world RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def b32(self, prefix: str, width: int) -> str:
        """``prefix`` + ``width`` characters of AWS's upper-case id alphabet."""
        return prefix + "".join(self.rng.choice(_B32) for _ in range(width))

    def hex(self, prefix: str, width: int) -> str:
        """``prefix`` + ``width`` lower-case hex digits."""
        return prefix + f"{self.rng.getrandbits(4 * width):0{width}x}"

    def uuid(self) -> str:
        """A lower-case UUID-shaped string."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def keys(self, count: int) -> tuple[str, ...]:
        """``count`` temporary ``ASIA`` access key ids."""
        return tuple(self.b32("ASIA", 16) for _ in range(count))


def build_estate(ids: Ids, account: str, alias: str) -> Estate:
    """Resources for one account."""
    home = HOME.get(account, "us-east-1")
    return Estate(
        account=account,
        alias=alias,
        home=home,
        buckets=tuple(f"acme-{alias}-{b}" for b in ("app-assets", "backups", "data-lake-raw", "tf-state")),
        instances=tuple(ids.hex("i-0", 16) for _ in range(12)),
        security_groups=tuple(ids.hex("sg-0", 16) for _ in range(6)),
        vpcs=tuple(ids.hex("vpc-0", 16) for _ in range(2)),
        amis=tuple(ids.hex("ami-0", 16) for _ in range(3)),
        kms_keys=tuple(ids.uuid() for _ in range(4)),
        functions=tuple(f"{alias}-{f}" for f in FUNCTIONS),
        users=(*(u for u, _ in HUMANS[account]), "ci-deploy", "svc-backup"),
        roles=(
            "OrganizationAccountAccessRole",
            "TerraformDeployRole",
            "GitHubActionsDeployRole",
            "app-server-instance-role",
            "SecurityAuditRole",
        ),
        trail=f"arn:aws:cloudtrail:{home}:{account}:trail/{alias}-management-events",
        detector=ids.hex("", 32),
        db_instances=(f"{alias}-postgres-1", f"{alias}-aurora-cluster-instance-1"),
        secrets=(f"{alias}/rds/master", f"{alias}/stripe/api", "github/deploy-token"),
        parameters=(
            f"/{alias}/db/password",
            f"/{alias}/api/stripe_key",
            "/shared/datadog/api_key",
            f"/{alias}/app/log_level",
        ),
        log_groups=(*(f"/aws/lambda/{alias}-{f}" for f in FUNCTIONS[:2]), "vpc-flow-logs"),
        canonical_id=ids.hex("", 64),
    )
