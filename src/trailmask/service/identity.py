"""Who is calling: a bearer credential (API token or OpenID Connect JWT) becomes an Actor.

The role always comes from the server's side: the user table for API tokens, the configured
claim → role mapping for OIDC. Nothing the client names (a header, a parameter) can choose it.

OIDC settings (``oidc:`` in the config file, docs/auth.md): ``issuer``, ``audience``,
``jwks_file`` or ``jwks_url``, ``role_claim`` (default ``groups``; a string or a list of strings
in the token), ``roles`` (claim value → role, first match in file order wins), ``default_role``
(optional), ``name_claim`` (default ``email``, then ``sub``), ``algorithms`` (asymmetric only;
default RS256 and ES256), ``leeway_s`` (default 30). Symmetric algorithms are refused so that a
public key can never be used as an HMAC secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt

from trailmask.errors import AuthenticationError, ConfigError, PermissionDenied
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.users import user_for_token

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
DEFAULT_ALGORITHMS = ("RS256", "ES256")
_BAD_TOKEN = "the bearer token is not valid (unknown, rotated, disabled or expired)"  # noqa: S105 (a message, not a secret)


def bearer(authorization: str | None) -> str:
    """The credential of an ``Authorization: Bearer ...`` header."""
    if not authorization:
        raise AuthenticationError("no credentials", hint="send `Authorization: Bearer TOKEN`")
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise AuthenticationError("the Authorization header is not a bearer token", hint="use `Bearer TOKEN`")
    return credential.strip()


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("eyJ")


def authenticate(ctx: AppContext, authorization: str | None) -> Actor:
    """The Actor for an Authorization header, or AuthenticationError."""
    credential = bearer(authorization)
    if looks_like_jwt(credential):
        return authenticate_oidc(ctx, credential)
    user = user_for_token(ctx, credential)
    if user is None:
        raise AuthenticationError(_BAD_TOKEN, hint="ask an admin for a token (`trailmask user add|rotate`)")
    return Actor(name=user.name, role=user.role, via="token")


def oidc_settings(ctx: AppContext) -> Mapping[str, Any]:
    oidc = ctx.settings.oidc or {}
    if not oidc.get("issuer"):
        raise AuthenticationError("OpenID Connect sign-in is not configured on this server", hint="use an API token")
    for required in ("audience",):
        if not oidc.get(required):
            raise ConfigError(f"oidc.{required} is not set", hint="see docs/auth.md")
    if not (oidc.get("jwks_file") or oidc.get("jwks_url")):
        raise ConfigError("oidc needs jwks_file or jwks_url", hint="see docs/auth.md")
    return oidc


def algorithms(oidc: Mapping[str, Any]) -> list[str]:
    chosen = [str(a) for a in (oidc.get("algorithms") or DEFAULT_ALGORITHMS)]
    bad = [a for a in chosen if a not in ASYMMETRIC]
    if bad:
        raise ConfigError(f"oidc.algorithms may list only asymmetric algorithms, not {', '.join(bad)}")
    return chosen


def _signing_key(ctx: AppContext, oidc: Mapping[str, Any], credential: str) -> Any:
    try:
        if oidc.get("jwks_file"):
            path = Path(str(oidc["jwks_file"])).expanduser()
            cached = ctx.cache.get("oidc_jwks")
            mtime = path.stat().st_mtime
            if not (isinstance(cached, tuple) and cached[0] == (path, mtime)):
                cached = ((path, mtime), jwt.PyJWKSet.from_dict(json.loads(path.read_text(encoding="utf-8"))))
                ctx.cache["oidc_jwks"] = cached
            kid = jwt.get_unverified_header(credential).get("kid")
            keys = cached[1].keys
            matching = [k for k in keys if kid is None or k.key_id == kid]
            if not matching:
                raise AuthenticationError(_BAD_TOKEN, hint="the token's key id is not in the configured JWKS")
            return matching[0].key
        client = ctx.cache.get("oidc_jwks_client")
        if not isinstance(client, jwt.PyJWKClient):
            lifespan = int(oidc.get("jwks_cache_s", 300))
            client = jwt.PyJWKClient(str(oidc["jwks_url"]), cache_jwk_set=True, lifespan=lifespan, timeout=10)
            ctx.cache["oidc_jwks_client"] = client
        return client.get_signing_key_from_jwt(credential).key
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the OIDC key set ({type(exc).__name__})", hint="check oidc.jwks_file") from None
    except jwt.PyJWKClientError:
        raise AuthenticationError(_BAD_TOKEN, hint="the signing key could not be found in the issuer's JWKS") from None
    except jwt.PyJWTError:
        raise AuthenticationError(_BAD_TOKEN) from None


def role_for_claims(oidc: Mapping[str, Any], claims: Mapping[str, Any]) -> str | None:
    """First ``roles`` entry (file order) whose claim value the token carries; else ``default_role``."""
    raw = claims.get(str(oidc.get("role_claim", "groups")))
    values = {str(v) for v in raw} if isinstance(raw, list) else ({str(raw)} if raw is not None else set())
    for claim_value, role in (oidc.get("roles") or {}).items():
        if str(claim_value) in values:
            return str(role)
    default = oidc.get("default_role")
    return str(default) if default else None


def authenticate_oidc(ctx: AppContext, credential: str) -> Actor:
    """Verify an OIDC ID/access token (signature, iss, aud, exp, nbf) and map its claims to an Actor."""
    oidc = oidc_settings(ctx)
    key = _signing_key(ctx, oidc, credential)
    try:
        claims = jwt.decode(
            credential,
            key,
            algorithms=algorithms(oidc),
            audience=oidc["audience"],
            issuer=str(oidc["issuer"]),
            leeway=float(oidc.get("leeway_s", 30)),
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise AuthenticationError(_BAD_TOKEN, hint=f"OIDC token rejected: {type(exc).__name__}") from None
    name_claim = str(oidc.get("name_claim", "email"))
    name = claims.get(name_claim) or claims.get("sub")
    if not name:
        raise AuthenticationError(f"the OIDC token has neither {name_claim!r} nor 'sub'")
    role = role_for_claims(oidc, claims)
    if role is None:
        claim = oidc.get("role_claim", "groups")
        raise PermissionDenied(
            f"signed in as {name!s} but no value of claim {claim!r} maps to a trailmask role",
            hint="ask an admin to map your group in oidc.roles",
        )
    return Actor(name=str(name), role=role, via="oidc")
