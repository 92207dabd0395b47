"""API tokens and OIDC JWTs become Actors; the role is never the client's choice."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tests.api.conftest import ISSUER, OWNER

from trailmask.errors import AuthenticationError, ConfigError, Conflict, NotFound, PermissionDenied, UsageError
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate
from trailmask.service.statedb import state_path
from trailmask.service.users import add_user, list_users, rotate_token, set_disabled


def test_token_round_trip_and_hash_only_storage(ctx: AppContext) -> None:
    user, token = add_user(ctx, OWNER, "alice", "investigator")
    assert token.startswith(f"tm_{user.token_id}_")
    assert authenticate(ctx, f"Bearer {token}") == Actor("alice", "investigator", "token")
    assert token.encode() not in state_path(ctx).read_bytes()
    assert state_path(ctx).stat().st_mode & 0o077 == 0


def test_bad_credentials(ctx: AppContext) -> None:
    _, token = add_user(ctx, OWNER, "alice", "viewer")
    # The tampered last character always differs from the real one (a fixed "A" equals it 1 time in 64).
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    for header in (None, "", "Basic abc", "Bearer ", "Bearer nope", f"Bearer {token}x", f"Bearer {tampered}"):
        with pytest.raises(AuthenticationError):
            authenticate(ctx, header)


def test_disable_and_rotate(ctx: AppContext) -> None:
    _, token = add_user(ctx, OWNER, "bob", "viewer")
    set_disabled(ctx, OWNER, "bob", True)
    with pytest.raises(AuthenticationError):
        authenticate(ctx, f"Bearer {token}")
    set_disabled(ctx, OWNER, "bob", False)
    assert authenticate(ctx, f"Bearer {token}").name == "bob"
    _, new = rotate_token(ctx, OWNER, "bob")
    with pytest.raises(AuthenticationError):
        authenticate(ctx, f"Bearer {token}")
    assert authenticate(ctx, f"Bearer {new}").name == "bob"


def test_user_admin_rules(ctx: AppContext) -> None:
    add_user(ctx, OWNER, "carol", "viewer")
    with pytest.raises(Conflict):
        add_user(ctx, OWNER, "carol", "viewer")
    with pytest.raises(PermissionDenied, match="role 'nosuch' is not defined"):
        add_user(ctx, OWNER, "dave", "nosuch")
    with pytest.raises(UsageError):
        add_user(ctx, OWNER, "bad name", "viewer")
    with pytest.raises(NotFound):
        rotate_token(ctx, OWNER, "nobody")
    with pytest.raises(PermissionDenied, match="lacks permission 'users:manage'"):
        add_user(ctx, Actor("carol", "viewer", "token"), "eve", "admin")
    assert [u.name for u in list_users(ctx, OWNER)] == ["carol"]


def test_oidc_sign_in_maps_groups_to_roles(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    actor = authenticate(ctx, f"Bearer {make_jwt()}")
    assert actor == Actor(f"{ISSUER}#u-1", "investigator", "oidc")  # the issuer-scoped subject
    # first mapping in file order wins when several groups match
    assert authenticate(ctx, f"Bearer {make_jwt(groups=['staff', 'sec-admins'])}").role == "admin"
    assert authenticate(ctx, f"Bearer {make_jwt(groups='staff', email=None)}").name == f"{ISSUER}#u-1"


def test_oidc_rejections(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = {
        "wrong issuer": make_jwt(iss="https://evil.example/"),
        "wrong audience": make_jwt(aud="someone-else"),
        "expired": make_jwt(exp=1_000_000),
        "no exp": make_jwt(exp=None),
        "no sub": make_jwt(sub=None),
        "unknown key id": make_jwt(kid="other"),
        "forged signature": make_jwt(key=other_key),
    }
    for label, token in bad.items():
        with pytest.raises(AuthenticationError):
            authenticate(ctx, f"Bearer {token}")
        assert label


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_oidc_symmetric_algorithm_refused(
    ctx: AppContext, make_jwt: Callable[..., str], rsa_key: rsa.RSAPrivateKey
) -> None:
    # the classic key-confusion attack: HS256 signed with the public key as the HMAC secret
    header, payload, _ = make_jwt().split(".")
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "test-key"}).encode())
    secret = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signature = _b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    token = f"{header}.{payload}.{signature}"
    with pytest.raises(AuthenticationError):
        authenticate(ctx, f"Bearer {token}")
    hs_ctx = AppContext.from_settings(replace(ctx.settings, oidc={**ctx.settings.oidc, "algorithms": ["HS256"]}))
    with pytest.raises(ConfigError, match="only asymmetric"):
        authenticate(hs_ctx, f"Bearer {make_jwt()}")


def test_oidc_unmapped_group_is_forbidden(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    with pytest.raises(PermissionDenied, match="maps to a trailmask role"):
        authenticate(ctx, f"Bearer {make_jwt(groups=['marketing'])}")
    with_default = AppContext.from_settings(replace(ctx.settings, oidc={**ctx.settings.oidc, "default_role": "viewer"}))
    assert authenticate(with_default, f"Bearer {make_jwt(groups=['marketing'])}").role == "viewer"


def test_oidc_not_configured(ctx: AppContext, make_jwt: Callable[..., str]) -> None:
    plain = AppContext.from_settings(replace(ctx.settings, oidc={}))
    with pytest.raises(AuthenticationError, match="not configured"):
        authenticate(plain, f"Bearer {make_jwt()}")
