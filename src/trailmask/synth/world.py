"""The fixed synthetic organisation: accounts, their resources and principals.

The world is built from a constant seed, so account ids, user names, access
key ids and resource names are the same for every ``seed`` passed to the
generator; the seed only drives which events happen and when.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from trailmask.synth import catalog as cat
from trailmask.synth.actors import (
    Actor,
    ExternalAccount,
    Federated,
    IamUser,
    IdcUser,
    Origin,
    Role,
    Root,
    Service,
)
from trailmask.synth.estate import HUMANS, Estate, Ids, build_estate
from trailmask.synth.origins import (
    attacker_origins,
    home_regions,
    human_origins,
    machine_origins,
    service_origin,
)

_WORLD_SEED = 20261101
_SSO_SETS = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess")
_SERVICES = (
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "config.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "ssm.amazonaws.com",
    "autoscaling.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "AWS Internal",
)


@dataclass(frozen=True, slots=True)
class World:
    """Everything the scenarios draw from."""

    estates: dict[str, Estate]
    pools: dict[str, tuple[Actor, ...]]
    roots: dict[str, Root]
    roles: dict[str, tuple[Role, ...]]
    web_roles: tuple[Role, ...]
    attacker: IamUser
    backdoor: IamUser


class _Pools:
    """Accumulates actors into weighted pools (weights by repetition)."""

    def __init__(self) -> None:
        self.items: dict[str, list[Actor]] = {}

    def add(self, actor: Actor, **weights: int) -> None:
        """Add ``actor`` to each named pool ``weight`` times."""
        for pool, weight in weights.items():
            self.items.setdefault(pool, []).extend([actor] * weight)

    def freeze(self) -> dict[str, tuple[Actor, ...]]:
        """Immutable pools."""
        return {name: tuple(actors) for name, actors in self.items.items()}


def _user(
    ids: Ids, est: Estate, name: str, origins: tuple[Origin, ...], *, mfa: bool = False, fail_rate: float = 0.07
) -> IamUser:
    """An IAM user of ``est`` with a long-term key and two console session keys."""
    return IamUser(
        principal_id=ids.b32("AIDA", 17),
        key=ids.b32("AKIA", 16),
        console_keys=ids.keys(2),
        mfa=mfa,
        account=est.account,
        name=name,
        arn=f"arn:aws:iam::{est.account}:user/{name}",
        origins=origins,
        regions=home_regions(est.home),
        fail_rate=fail_rate,
    )


def _role(
    ids: Ids,
    est: Estate,
    name: str,
    sessions: tuple[str, ...],
    origins: tuple[Origin, ...],
    *,
    path: str = "",
    mfa_rate: float = 0.0,
    invoked_by: str | None = None,
    ec2_delivery: bool = False,
    fail_rate: float = 0.07,
) -> Role:
    """A role of ``est`` whose sessions are ``sessions``."""
    return Role(
        principal_id=ids.b32("AROA", 17),
        sessions=sessions,
        keys=ids.keys(3),
        mfa_rate=mfa_rate,
        invoked_by=invoked_by,
        ec2_delivery=ec2_delivery,
        account=est.account,
        name=name,
        arn=f"arn:aws:iam::{est.account}:role/{path}{name}",
        origins=origins,
        regions=home_regions(est.home),
        fail_rate=fail_rate,
    )


def _add_users(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> IamUser:
    """Human and machine IAM users; returns the account's ``ci-deploy`` user."""
    for name, mfa in HUMANS[est.account]:
        human = _user(ids, est, name, human_origins(rng), mfa=mfa, fail_rate=0.1)
        pools.add(human, readers=5, writers=2, console=3, admins=1)
    ci = _user(ids, est, "ci-deploy", machine_origins(rng, rng.choice(cat.CLI_AGENTS), False))
    backup = _user(ids, est, "svc-backup", machine_origins(rng, cat.SDK_AGENTS[1], False))
    pools.add(ci, readers=3, writers=4)
    pools.add(backup, readers=3, writers=1)
    return ci


def _add_sso_roles(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> None:
    """``AWSReservedSSO_*`` roles whose session names are Identity Center e-mails."""
    region = "" if est.home == "us-east-1" else f"{est.home}/"
    emails = tuple(email for _, email in cat.IDC_USERS)
    weights = {"AdministratorAccess": (3, 3, 4), "ReadOnlyAccess": (8, 0, 0), "PowerUserAccess": (3, 3, 0)}
    for permission_set in _SSO_SETS:
        name = f"AWSReservedSSO_{permission_set}_{ids.hex('', 16)}"
        role = _role(
            ids, est, name, emails, human_origins(rng), path=f"aws-reserved/sso.amazonaws.com/{region}", fail_rate=0.09
        )
        readers, writers, admins = weights[permission_set]
        pools.add(role, readers=readers, writers=writers, admins=admins, console=2)


def _add_machine_roles(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> Role:
    """Organisation-access, Terraform and GitHub OIDC roles; returns the GitHub role."""
    human = human_origins(rng)
    org = _role(ids, est, "OrganizationAccountAccessRole", ("alice", "carol", "bootstrap-admin"), human, mfa_rate=0.3)
    tf_sessions = ("terraform-ci-run", f"aws-go-sdk-{1793400000000 + rng.randrange(10**9)}")
    terraform = _role(ids, est, "TerraformDeployRole", tf_sessions, machine_origins(rng, cat.TERRAFORM_AGENT, False))
    github = _role(
        ids, est, "GitHubActionsDeployRole", ("GitHubActions",), machine_origins(rng, cat.SDK_AGENTS[4], False)
    )
    pools.add(org, readers=2, writers=1, admins=2)
    pools.add(terraform, readers=6, writers=8, admins=3)
    pools.add(github, readers=3, writers=4)
    return github


def _add_workload_roles(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> None:
    """Service-linked, instance-profile, Lambda execution and audit roles."""
    config = _role(
        ids,
        est,
        "AWSServiceRoleForConfig",
        ("AWSConfig-Describe",),
        service_origin("config.amazonaws.com"),
        path="aws-service-role/config.amazonaws.com/",
        invoked_by="config.amazonaws.com",
        fail_rate=0.02,
    )
    instance = _role(
        ids,
        est,
        "app-server-instance-role",
        est.instances[:6],
        machine_origins(rng, cat.SSM_AGENT, True) + machine_origins(rng, cat.SDK_AGENTS[2], True),
        ec2_delivery=True,
        fail_rate=0.03,
    )
    pools.add(config, readers=8)
    pools.add(instance, readers=4, instances=1)
    for fn in est.functions:
        lam = _role(
            ids,
            est,
            f"{fn}-role-{ids.hex('', 8)}",
            (fn,),
            machine_origins(rng, cat.LAMBDA_AGENT, True),
            fail_rate=0.04,
        )
        pools.add(lam, readers=2, writers=1, lambdas=1)
    if est.account != "345678901234":
        audit = _role(
            ids,
            est,
            "SecurityAuditRole",
            ("prowler-scan", "SecurityHubAudit"),
            machine_origins(rng, cat.SDK_AGENTS[0], False),
            fail_rate=0.15,
        )
        pools.add(audit, readers=4)


def _add_singletons(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> Root:
    """Root user and the AWS service principals of an account."""
    browsers = tuple(
        Origin(ip, rng.choice(cat.BROWSER_AGENTS), console=True, tls=cat.TLS13_256)
        for ip in rng.sample(cat.HUMAN_IPS, 2)
    )
    root = Root(
        keys=ids.keys(2),
        account=est.account,
        name="root",
        arn=f"arn:aws:iam::{est.account}:root",
        origins=browsers,
        regions=home_regions(est.home),
        fail_rate=0.02,
    )
    pools.add(root, console=1, admins=1 if est.account == cat.MANAGEMENT_ACCOUNT else 0)
    for name in _SERVICES:
        svc = Service(
            "AWSService", est.account, name, name, service_origin(name), home_regions(est.home), fail_rate=0.002
        )
        pools.add(svc, services=1)
    return root


def _add_identity_center(ids: Ids, rng: random.Random, pools: _Pools) -> None:
    """Identity Center portal users (recorded in the management account)."""
    for _, email in cat.IDC_USERS:
        user = IdcUser(
            user_id=f"9067{ids.hex('', 4)}-{ids.hex('', 4)}-70{ids.hex('', 2)}-{ids.hex('', 4)}-{ids.hex('', 12)}",
            credential_id=ids.b32("", 20) + ids.hex("", 24) + "EXAMPLE",
            email=email,
            account=cat.MANAGEMENT_ACCOUNT,
            name=email,
            arn=f"{cat.IDENTITY_STORE_ARN}/user/{email}",
            origins=human_origins(rng),
            regions=("us-east-1",),
            fail_rate=0.01,
        )
        pools.add(user, idc=1)


def _add_federated(ids: Ids, rng: random.Random, issuer: IamUser, pools: _Pools) -> None:
    """Federated users minted by ``issuer`` through ``GetFederationToken``."""
    for name in ("jenkins-build", "deploy-bot"):
        fed = Federated(
            issuer=issuer,
            keys=ids.keys(2),
            account=issuer.account,
            name=name,
            arn=f"arn:aws:sts::{issuer.account}:federated-user/{name}",
            origins=machine_origins(rng, cat.SDK_AGENTS[3], False),
            regions=issuer.regions,
            fail_rate=0.05,
        )
        pools.add(fed, readers=2, writers=1, federated=1)


def _add_external(ids: Ids, rng: random.Random, pools: _Pools) -> None:
    """Principals of other accounts acting cross-account (``AWSAccount``)."""
    others = tuple(a for a in cat.ACCOUNT_IDS if a != "345678901234")
    specs = (
        (cat.EXTERNAL_ACCOUNT, f"{ids.b32('AROA', 17)}:MonitoringSession", cat.ACCOUNT_IDS),
        (cat.EXTERNAL_ACCOUNT, ids.b32("AIDA", 17), cat.ACCOUNT_IDS[:1]),
        ("345678901234", f"{ids.b32('AROA', 17)}:prowler-scan", others),
    )
    for account, principal, targets in specs:
        ext = ExternalAccount(
            principal_id=principal,
            targets=targets,
            account=account,
            name=principal,
            arn=f"arn:aws:iam::{account}:root",
            origins=machine_origins(rng, cat.SDK_AGENTS[0], False),
            regions=home_regions("us-east-1"),
            fail_rate=0.06,
        )
        pools.add(ext, external=1)


def _intruders(ids: Ids, rng: random.Random, est: Estate, pools: _Pools) -> tuple[IamUser, IamUser]:
    """The leaked ``svc-backup`` key used by an intruder, and the backdoor user they create."""
    legit = next(
        a
        for a in pools.items["writers"]
        if isinstance(a, IamUser) and a.name == "svc-backup" and a.account == est.account
    )
    regions = ("us-east-1",) * 3 + cat.UNUSUAL_REGIONS
    attacker = IamUser(
        principal_id=legit.principal_id,
        key=legit.key,
        console_keys=legit.console_keys,
        mfa=False,
        account=est.account,
        name=legit.name,
        arn=legit.arn,
        origins=attacker_origins(rng),
        regions=regions,
        fail_rate=0.3,
    )
    backdoor = _user(ids, est, "backup-admin", attacker_origins(rng), fail_rate=0.0)
    return attacker, backdoor


def _roles_by_account(pools: dict[str, tuple[Actor, ...]]) -> dict[str, tuple[Role, ...]]:
    """Distinct roles of each account, in a stable order."""
    seen: dict[int, Role] = {}
    for actors in pools.values():
        for actor in actors:
            if isinstance(actor, Role):
                seen.setdefault(id(actor), actor)
    by_account: dict[str, list[Role]] = {}
    for role in seen.values():
        by_account.setdefault(role.account, []).append(role)
    return {account: tuple(roles) for account, roles in by_account.items()}


@lru_cache(maxsize=1)
def build_world() -> World:
    """Build (once) the fixed synthetic organisation."""
    rng = random.Random(_WORLD_SEED)  # noqa: S311 - reproducible test data, not security
    ids = Ids(rng)
    pools = _Pools()
    estates: dict[str, Estate] = {}
    roots: dict[str, Root] = {}
    web_roles: list[Role] = []
    issuer: IamUser | None = None
    for account, alias in cat.ACCOUNTS:
        est = estates[account] = build_estate(ids, account, alias)
        ci = _add_users(ids, rng, est, pools)
        issuer = issuer or ci
        _add_sso_roles(ids, rng, est, pools)
        web_roles.append(_add_machine_roles(ids, rng, est, pools))
        _add_workload_roles(ids, rng, est, pools)
        roots[account] = _add_singletons(ids, rng, est, pools)
    assert issuer is not None
    _add_identity_center(ids, rng, pools)
    _add_federated(ids, rng, issuer, pools)
    _add_external(ids, rng, pools)
    attacker, backdoor = _intruders(ids, rng, estates[cat.ACCOUNT_IDS[0]], pools)
    frozen = pools.freeze()
    return World(
        estates=estates,
        pools=frozen,
        roots=roots,
        roles=_roles_by_account(frozen),
        web_roles=tuple(web_roles),
        attacker=attacker,
        backdoor=backdoor,
    )
