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

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from tests.api.conftest import ISSUER, OWNER, auth, with_extra

from trailmask.api import create_app
from trailmask.audit import AuditLog
from trailmask.errors import PermissionDenied, UsageError
from trailmask.service.approvals import decide_request, request_unmasked, run_approved
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate
from trailmask.service.users import add_user

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
