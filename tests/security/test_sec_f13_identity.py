"""Finding 13: identity and sign-in.

- A token whose header names ES256 against the RSA key of the JWKS made PyJWT raise TypeError: an
  unauthenticated 500, no audit entry, no rate limit. Now the algorithm comes from the key and any
  failure is an authentication failure (401, audited, rate-limited).
- The OIDC identity was the ``email`` claim (no ``email_verified``), so whoever could set another
  person's e-mail at the issuer could run that person's approved unmasked query. Now it is the
  issuer-scoped subject.
- ``"demo-admin\\n"`` passed ``NAME_RE`` (``$`` with ``re.match``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from tests.api.conftest import ISSUER, OWNER, auth, with_extra
from tests.masking.masking_support import context_for

from trailmask.api import create_app
from trailmask.audit import AuditLog
from trailmask.errors import PermissionDenied, UsageError
from trailmask.models import Actor
from trailmask.service.approvals import decide_request, request_unmasked, run_approved
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate
from trailmask.service.users import add_user, rotate_token, set_disabled

from fastapi.testclient import TestClient  # isort: skip (after the warnings filter of tests.api.conftest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _es256_token_for_rsa_kid() -> str:
    """A well-formed ES256 token (its own EC key) naming the RSA key's kid, as the red team sent."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    claims = {"iss": ISSUER, "aud": "trailmask-test", "sub": "u-1", "exp": 2_000_000_000}
    return jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "test-key"})


def _log(ctx: AppContext) -> AuditLog:
    db = ctx.settings.db
    return AuditLog(db.with_name(db.name + ".audit.jsonl"))


def test_algorithm_mismatch_is_401_and_audited(client: TestClient, ctx: AppContext) -> None:
    token = _es256_token_for_rsa_kid()
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    answer = client.get("/api/whoami", headers=auth(token))
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "unauthenticated"
    last = list(_log(ctx).entries())[-1]
    assert (last["action"], last["outcome"]) == ("sign-in", "unauthenticated")


@pytest.mark.parametrize(
    "token",
    [
        "eyJ" + _b64(b'{"alg":"RS256"') + ".e30.x",  # header is not JSON
        "eyJ" + _b64(json.dumps({"alg": "RS256", "kid": ["a"]}).encode())[3:] + ".e30.x",  # kid not a string
        _b64(json.dumps({"alg": "none", "kid": "test-key"}).encode()) + ".e30.",
        _b64(json.dumps({"alg": "RS256", "kid": "test-key"}).encode()) + ".bm90LWpzb24.c2ln",  # payload not JSON
    ],
)
def test_malformed_tokens_are_401(client: TestClient, token: str) -> None:
    assert client.get("/api/whoami", headers=auth(token)).status_code == 401


def test_failed_sign_ins_are_rate_limited(ctx: AppContext) -> None:
    limited = with_extra(ctx, serve={"rate_limit": {"per_second": 0.01, "burst": 2}})
    with TestClient(create_app(limited)) as slow:
        codes = [slow.get("/api/whoami", headers=auth(_es256_token_for_rsa_kid())).status_code for _ in range(4)]
    assert codes[:2] == [401, 401]
    assert 429 in codes[2:], codes


def test_identity_is_the_issuer_scoped_subject(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    olivia = authenticate(ctx, f"Bearer {make_jwt(sub='u-olivia', email='olivia@example.test')}")
    mallory = authenticate(ctx, f"Bearer {make_jwt(sub='u-mallory', email='olivia@example.test')}")
    assert olivia.name == f"{ISSUER}#u-olivia"
    assert mallory.name != olivia.name
    assert "olivia@example.test" not in mallory.name


def test_same_email_cannot_run_anothers_approved_query(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    olivia = authenticate(ctx, f"Bearer {make_jwt(sub='u-olivia', email='olivia@example.test')}")
    mallory = authenticate(
        ctx, f"Bearer {make_jwt(sub='u-mallory', email='olivia@example.test', email_verified=False)}"
    )
    approval = request_unmasked(
        ctx,
        olivia,
        kind="sql",
        sql="SELECT count(*) AS n FROM events",
        runbook=None,
        params={},
        justification="incident 42: confirm the raw count",
    )
    decide_request(ctx, OWNER, approval.id, approve=True, comment="ok")
    with pytest.raises(PermissionDenied, match="only the requester"):
        run_approved(ctx, mallory, approval.id)
    assert run_approved(ctx, olivia, approval.id).rows


@pytest.mark.parametrize("name", ["demo-admin\n", "demo-admin\r\n", "\ndemo-admin", "demo admin", "demo-admin\x00"])
def test_user_names_must_match_whole(ctx: AppContext, name: str) -> None:
    with pytest.raises(UsageError):
        add_user(ctx, OWNER, name, "viewer")


# Red-team pass 2: a role with `users:manage` (a help desk) could add a user of any role, or rotate
# an administrator's token and be handed the new one: whoever manages users held every role. A user
# manager now manages only users whose role can do and see no more than its own.
HELPDESK_POLICY = """
  helpdesk:
    description: manages the analysts' accounts, sees what an investigator sees
    permissions: [sql, "users:manage"]
    operators: {public: keep, time: keep, principal: {op: pseudonym, prefix: user, keep_managed: true},
                arn: {op: arn, names: pseudonym}, account_id: {op: pseudonym, prefix: acct},
                access_key: {op: pseudonym, prefix: key, keep_prefix: 4},
                ip: {op: ip_truncate, ipv4_prefix: 24, ipv6_prefix: 48}, email: {op: email, mode: domain},
                secret: redact, free_text: detect, event_key: {op: pseudonym, prefix: evt, length: 16},
                source: {op: pseudonym, prefix: src}}
  analyst:
    description: ad-hoc SQL, masked like the help desk
    permissions: [sql]
    operators: {public: keep, free_text: detect}
"""


def test_r2_a_user_manager_cannot_mint_or_take_over_a_stronger_role(ctx: AppContext, tmp_path: Path) -> None:
    default = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"
    policy = tmp_path / "policy.yaml"
    policy.write_text(default.read_text(encoding="utf-8") + HELPDESK_POLICY, encoding="utf-8")
    hctx = context_for(ctx.settings.db, policy_file=str(policy))
    add_user(hctx, OWNER, "root2", "admin")
    add_user(hctx, OWNER, "ivy2", "investigator")
    desk = Actor("desk", "helpdesk", "token")

    with pytest.raises(PermissionDenied, match="may not act for role 'admin'"):
        add_user(hctx, desk, "mallory", "admin")
    with pytest.raises(PermissionDenied, match="may not act for role 'admin'"):
        rotate_token(hctx, desk, "root2")  # the new admin token would be handed to the help desk
    with pytest.raises(PermissionDenied, match="role 'investigator'"):
        add_user(hctx, desk, "ivy3", "investigator")  # holds reveal, export, ...: more than the help desk
    with pytest.raises(PermissionDenied):
        set_disabled(hctx, desk, "root2", True)

    user, token = add_user(hctx, desk, "ana", "analyst")  # fewer permissions, stricter masking: fine
    assert user.role == "analyst" and token
    assert rotate_token(hctx, desk, "ana")[1]
    outcomes = [(e["action"], e["outcome"]) for e in hctx.audit_log.entries() if e.get("actor") == "desk"]
    assert ("user.add", "forbidden") in outcomes and ("user.rotate", "forbidden") in outcomes


def test_r2_watch_state_shows_no_keys_of_a_stronger_role(ctx: AppContext, tmp_path: Path) -> None:
    """A watch running as ``admin`` keys its alerts by raw values (``recipientAccountId=1111...``);
    any ``watches:manage`` role read them from the watch's state. Now only a role that sees as much."""
    import json

    from trailmask.config import with_sections
    from trailmask.service.ingest import ingest
    from trailmask.service.watches import manage, run_watch

    default = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        default.read_text(encoding="utf-8")
        + '\n  watchops:\n    description: runs the watches\n    permissions: ["watches:manage"]\n'
        + "    operators: {public: keep, free_text: detect}\n",
        encoding="utf-8",
    )
    event = {
        "eventVersion": "1.09",
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1",
        "recipientAccountId": "210987654321",
        "userIdentity": {"type": "Root", "arn": "arn:aws:iam::210987654321:root", "accountId": "210987654321"},
        "eventID": "root-1",
    }
    watch = {
        "name": "root-raw",
        "runbook": "cis-root-account-usage",
        "params": {"since": "all"},
        "schedule": {"every": "5m"},
        "role": "admin",
        "dedup": ["recipientAccountId"],
        "destinations": ["sink"],
        "enabled": False,
    }
    settings = with_sections(
        context_for(tmp_path / "w.duckdb", policy_file=str(policy)).settings,
        watches=[watch],
        destinations={"sink": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
    )
    wctx = AppContext.from_settings(settings)
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(event) + "\n", encoding="utf-8")
    assert not ingest(wctx, OWNER, [str(source)]).rejected
    assert run_watch(wctx, OWNER, "root-raw", manual=True)["matches"] == 1
    assert "210987654321" in json.dumps(manage(wctx, OWNER, "state", "root-raw"))  # the admin sees it
    ops = Actor("ops", "watchops", "token")
    with pytest.raises(PermissionDenied, match="may not act for role 'admin'"):
        manage(wctx, ops, "state", "root-raw")
    assert manage(wctx, ops, "history", "root-raw")["runs"]  # counts only: still readable
