"""Fixtures for the server tests: a loaded store, users with tokens, an OIDC issuer's keys."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.conftest import awsdocs_events, panther_events, write_jsonl

from trailmask.config import Settings, with_sections
from trailmask.models import Actor
from trailmask.service import authz
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.users import add_user

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 in its test client; httpx (which trailmask depends on) still works.
    warnings.filterwarnings("ignore", message=r"Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

ISSUER = "https://idp.example.test/"
AUDIENCE = "trailmask-test"
OWNER = Actor("local-owner", "admin", "cli-owner")


CUSTOM_ROLES: dict[str, tuple[str, ...]] = {
    "nobody": (),
    "cis-only": ("runbook-tag:cis",),
    "mitre-only": ("runbook-tag:nope",),
    "auditor": ("audit:read",),
}


@pytest.fixture
def custom_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extra roles on top of whatever the policy defines (the policy format is not this test's concern)."""
    original = authz.permissions_of

    def permissions_of(ctx: AppContext, role: str) -> tuple[str, ...] | None:
        return CUSTOM_ROLES[role] if role in CUSTOM_ROLES else original(ctx, role)

    monkeypatch.setattr(authz, "permissions_of", permissions_of)


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store with the real third-party events, built once and copied per test."""
    root = tmp_path_factory.mktemp("api-store")
    source = write_jsonl(root / "events.jsonl", awsdocs_events() + panther_events())
    db = root / "store.duckdb"
    ingest(AppContext.from_settings(Settings(db=db)), OWNER, [str(source)])
    return db


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    public.update({"kid": "test-key", "alg": "RS256", "use": "sig"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [public]}))
    return path


@pytest.fixture
def make_jwt(rsa_key: rsa.RSAPrivateKey) -> Callable[..., str]:
    def make(key: Any = None, kid: str = "test-key", algorithm: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "u-1",
            "email": "olivia@example.test",
            "groups": ["sec-investigators"],
            "iat": now,
            "exp": now + 300,
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key if key is not None else rsa_key, algorithm=algorithm, headers={"kid": kid})

    return make


def oidc_config(jwks_file: Path) -> dict[str, Any]:
    return {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "jwks_file": str(jwks_file),
        "role_claim": "groups",
        "roles": {"sec-admins": "admin", "sec-investigators": "investigator", "staff": "viewer"},
    }


@pytest.fixture
def ctx(tmp_path: Path, loaded_store: Path, jwks_file: Path) -> AppContext:
    db = tmp_path / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    settings = with_sections(Settings(db=db), oidc=oidc_config(jwks_file), serve={"rate_limit": {"per_second": 1000}})
    return AppContext.from_settings(settings)


def with_extra(ctx: AppContext, **extra: Any) -> AppContext:
    return AppContext.from_settings(with_sections(ctx.settings, **extra))


@pytest.fixture
def tokens(ctx: AppContext) -> dict[str, str]:
    """One user per built-in role (names = role names) plus a second admin, with their tokens."""
    made = {}
    for name, role in (("admin", "admin"), ("admin2", "admin"), ("investigator", "investigator"), ("viewer", "viewer")):
        made[name] = add_user(ctx, OWNER, name, role)[1]
    return made


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    from trailmask.api import create_app

    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
