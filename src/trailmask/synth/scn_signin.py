"""Sign-in activity: console logins and IAM Identity Center portal use."""

from __future__ import annotations

from dataclasses import replace

from trailmask.synth import catalog as cat
from trailmask.synth.actors import Actor, IamUser, IdcUser, Origin, Role, Root
from trailmask.synth.record import Gen, Record

_HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_PORTAL_CALLS = ("ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Federate", "Authenticate")
_SIGNIN_STEPS = ("CredentialChallenge", "CredentialVerification", "UserAuthentication")


def _browser(g: Gen, a: Actor) -> Origin:
    """A browser origin of ``a``; sign-in calls are not made with console session credentials."""
    browsers = [o for o in a.origins if o.agent.startswith("Mozilla")]
    return replace(g.rng.choice(browsers or list(a.origins)), console=False)


def _login_identity(g: Gen, a: Actor, success: bool) -> Record:
    """``userIdentity`` of a ``ConsoleLogin`` event."""
    if isinstance(a, Root):
        return {"type": "Root", "principalId": a.account, "arn": a.arn, "accountId": a.account, "accessKeyId": ""}
    if isinstance(a, IamUser):
        if not success and g.rng.random() < 0.3:
            return {
                "type": "IAMUser",
                "principalId": "",
                "accountId": a.account,
                "accessKeyId": "",
                "userName": _HIDDEN,
            }
        return {
            "type": "IAMUser",
            "principalId": a.principal_id,
            "arn": a.arn,
            "accountId": a.account,
            "userName": a.name,
        }
    ident = a.identity(g.rng, g.now, False)
    ident["accessKeyId"] = ""
    return ident


def console_login(
    g: Gen,
    a: Actor | None = None,
    *,
    success: bool | None = None,
    mfa: bool | None = None,
    origin: Origin | None = None,
) -> Record:
    """``signin:ConsoleLogin`` (``AwsConsoleSignIn``), some failed, some root without MFA."""
    rng = g.rng
    a = a or g.actor("console")
    if success is None:
        success = rng.random() >= 0.12
    if mfa is None:
        mfa = (a.mfa if isinstance(a, IamUser) else rng.random() < 0.5) and success
        mfa = mfa and not isinstance(a, Role)
    region = "us-east-1" if rng.random() < 0.8 else rng.choice(a.regions)
    login_to = (
        "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true"
        f"&state=hashArgsFromTB_{region}_{g.hex(16)}"
    )
    extra: Record = {"LoginTo": login_to, "MobileVersion": "No"}
    if mfa and isinstance(a, IamUser):
        extra["MFAIdentifier"] = f"arn:aws:iam::{a.account}:mfa/{a.name}"
    extra["MFAUsed"] = "Yes" if mfa else "No"
    return g.api(
        a,
        "signin",
        "ConsoleLogin",
        region,
        read_only=False,
        response={"ConsoleLogin": "Success" if success else "Failure"},
        additional=extra,
        identity=_login_identity(g, a, success),
        origin=replace(origin, console=False) if origin else _browser(g, a),
        error=None if success else ("", "Failed authentication"),
        fail=False,
        event_type="AwsConsoleSignIn",
        recipient=a.account,
    )


def _portal_request(g: Gen, name: str) -> Record | None:
    """Request parameters of an access-portal call."""
    account = g.rng.choice(cat.ACCOUNT_IDS)
    if name == "ListAccounts":
        return {"maxResults": 100}
    if name == "ListAccountRoles":
        return {"accountId": account, "maxResults": 100}
    if name == "Authenticate":
        return None
    return {"accountId": account, "roleName": g.rng.choice(("AdministratorAccess", "ReadOnlyAccess"))}


def identity_center(g: Gen, a: Actor | None = None) -> Record:
    """Identity Center: portal calls (``IdentityCenterUser``) or the sign-in flow (``Unknown``)."""
    rng = g.rng
    a = a or g.actor("idc")
    assert isinstance(a, IdcUser)
    if rng.random() < 0.3:
        return _idc_signin(g, a)
    name = rng.choice(_PORTAL_CALLS)
    return g.api(
        a,
        "sso",
        name,
        "us-east-1",
        read_only=name not in ("Federate", "Authenticate"),
        request=_portal_request(g, name),
        origin=_browser(g, a),
    )


def _idc_signin(g: Gen, a: IdcUser) -> Record:
    """A step of the Identity Center sign-in flow, naming the user by e-mail."""
    step = g.rng.choice(_SIGNIN_STEPS)
    ok = g.rng.random() >= 0.08
    ident = {
        "type": "Unknown",
        "principalId": a.account,
        "arn": "",
        "accountId": a.account,
        "accessKeyId": "",
        "userName": a.email,
    }
    extra = {"AuthWorkflowID": g.uuid(), "CredentialType": "PASSWORD" if step != "CredentialChallenge" else "TOTP"}
    return g.api(
        a,
        "signin",
        step,
        "us-east-1",
        read_only=False,
        additional=extra,
        identity=ident,
        origin=_browser(g, a),
        fail=False,
        error=None if ok else ("", "Failed authentication"),
        details={step: "Success" if ok else "Failure"},
        event_type="AwsServiceEvent",
    )
