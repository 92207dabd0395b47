"""Who is calling: a bearer credential (API token or OpenID Connect JWT) becomes an Actor.

The role always comes from the server's side: the user table for API tokens, the configured
claim → role mapping for OIDC. Nothing the client names (a header, a parameter) can choose it.

OIDC settings (``oidc:`` in the config file, docs/auth.md): ``issuer``, ``audience``,
``jwks_file`` or ``jwks_url``, ``role_claim`` (default ``groups``; a string or a list of strings
in the token), ``roles`` (claim value → role, first match in file order wins), ``default_role``
(optional), ``algorithms`` (asymmetric only; default RS256 and ES256), ``leeway_s`` (default 30),
``jwks_cache_s`` (default 300), ``jwks_refetch_s`` (default 60).

- The identity is the issuer-scoped subject, ``<iss>#<sub>``: ``sub`` is the one claim an issuer
  keeps stable and unique per account; an ``email`` (which some issuers let users choose, with or
  without ``email_verified``) is never the identity, so approvals (owned by identity) cannot be
  claimed by whoever sets another person's e-mail. ``name_claim`` is accepted and ignored.
- The algorithm comes from the key (the JWK's ``alg``, else its type and curve), never from the
  token's header: a header naming another algorithm is refused, and so is a key whose algorithm is
  not in ``algorithms``. Symmetric algorithms are refused so that a public key can never be used
  as an HMAC secret.
- Every failure while checking a token — malformed, unknown key, wrong algorithm, a library error
  — is an :class:`AuthenticationError` (401, audited and rate-limited by the API), never a 500.
- With ``jwks_url`` the key set is cached ``jwks_cache_s``; a token naming an unknown ``kid``
  fetches it again at most once per ``jwks_refetch_s`` (a key rotation is picked up; a flood of
  made-up key ids costs the issuer one request per interval).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from trailmask.errors import AuthenticationError, ConfigError, PermissionDenied
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.users import user_for_token

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
DEFAULT_ALGORITHMS = ("RS256", "ES256")
AUTH_DOCS = '"Authentication and authorisation" in the trailmask documentation lists the oidc keys'
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
        raise AuthenticationError(
            _BAD_TOKEN, hint="ask an admin for a token, made with `trailmask user add` or `trailmask user rotate`"
        )
    return Actor(name=user.name, role=user.role, via="token")


def oidc_settings(ctx: AppContext) -> Mapping[str, Any]:
    oidc = ctx.settings.oidc or {}
    if not oidc.get("issuer"):
        raise AuthenticationError("OpenID Connect sign-in is not configured on this server", hint="use an API token")
    for required in ("audience",):
        if not oidc.get(required):
            raise ConfigError(
                f"oidc.{required} is not set", hint=f"set oidc.{required} in the config file; {AUTH_DOCS}"
            )
    if not (oidc.get("jwks_file") or oidc.get("jwks_url")):
        raise ConfigError("oidc needs jwks_file or jwks_url", hint=f"set oidc.jwks_file or oidc.jwks_url; {AUTH_DOCS}")
    return oidc


def algorithms(oidc: Mapping[str, Any]) -> list[str]:
    chosen = [str(a) for a in (oidc.get("algorithms") or DEFAULT_ALGORITHMS)]
    bad = [a for a in chosen if a not in ASYMMETRIC]
    if bad:
        raise ConfigError(f"oidc.algorithms may list only asymmetric algorithms, not {', '.join(bad)}")
    return chosen


@dataclass
class KeySource:
    """One configured key set (a file, or an issuer's JWKS URL), cached and refetched with bounds."""

    location: str
    is_url: bool
    cache_s: float = 300.0
    refetch_s: float = 60.0
    keys: list[jwt.PyJWK] = field(default_factory=list)
    version: Any = None  # the file's mtime, or the time of the last fetch
    last_fetch: float = float("-inf")
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _load(self) -> None:
        if self.is_url:
            self.last_fetch = time.monotonic()
            self.fetches += 1
            client = jwt.PyJWKClient(self.location, cache_jwk_set=False, cache_keys=False, timeout=10)
            data = client.fetch_data()
            self.version = self.last_fetch
        else:
            path = Path(self.location).expanduser()
            mtime = path.stat().st_mtime
            if mtime == self.version:
                return
            data = json.loads(path.read_text(encoding="utf-8"))
            self.version = mtime
        self.keys = [key for key in jwt.PyJWKSet.from_dict(data).keys if key.public_key_use in (None, "sig")]

    def candidates(self, kid: str | None) -> list[jwt.PyJWK]:
        """The keys a token with ``kid`` may be signed by; refetches only within the bounds."""
        with self.lock:
            age = time.monotonic() - self.last_fetch
            if not self.is_url:
                self._load()  # reads the file again only when it changed
            elif age >= self.cache_s or (not self.keys and age >= self.refetch_s):
                self._load()
            found = _matching(self.keys, kid)
            if not found and self.is_url and time.monotonic() - self.last_fetch >= self.refetch_s:
                self._load()  # an unknown kid: maybe a rotation; at most once per refetch interval
                found = _matching(self.keys, kid)
            return found


def _matching(keys: list[jwt.PyJWK], kid: str | None) -> list[jwt.PyJWK]:
    return [k for k in keys if kid is None or k.key_id == kid]


_SOURCES: dict[tuple[str, bool, float, float], KeySource] = {}
_SOURCES_LOCK = threading.Lock()


def key_source(oidc: Mapping[str, Any]) -> KeySource:
    """The process-wide cache of the configured key set (one per location and intervals)."""
    is_url = not oidc.get("jwks_file")
    location = str(oidc["jwks_url"] if is_url else oidc["jwks_file"])
    try:
        cache_s = float(oidc.get("jwks_cache_s", 300))
        refetch_s = float(oidc.get("jwks_refetch_s", 60))
    except (TypeError, ValueError):
        raise ConfigError("oidc.jwks_cache_s and oidc.jwks_refetch_s must be numbers of seconds") from None
    marker = (location, is_url, cache_s, refetch_s)
    with _SOURCES_LOCK:
        source = _SOURCES.get(marker)
        if source is None:
            source = _SOURCES[marker] = KeySource(location, is_url, cache_s, refetch_s)
        return source


def _signing_key(oidc: Mapping[str, Any], credential: str) -> tuple[Any, str]:
    """The key and the algorithm (the key's, not the token's) a token must verify with."""
    try:
        header = jwt.get_unverified_header(credential)
    except Exception:  # any malformed header is a failed sign-in
        raise AuthenticationError(_BAD_TOKEN, hint="the token's header is not valid") from None
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise AuthenticationError(_BAD_TOKEN, hint="the token's key id is not a string")
    source = key_source(oidc)
    try:
        keys = source.candidates(kid)
    except (OSError, ValueError) as exc:
        if source.is_url:
            raise AuthenticationError(_BAD_TOKEN, hint="the issuer's key set could not be fetched") from None
        raise ConfigError(f"cannot read the OIDC key set ({type(exc).__name__})", hint="check oidc.jwks_file") from None
    except jwt.PyJWKClientError:
        raise AuthenticationError(_BAD_TOKEN, hint="the issuer's key set could not be fetched") from None
    except jwt.PyJWTError:
        raise ConfigError("the OIDC key set holds no usable key", hint="check oidc.jwks_file or jwks_url") from None
    allowed = algorithms(oidc)
    usable = [k for k in keys if k.algorithm_name in allowed and k.algorithm_name == header.get("alg")]
    if len(usable) != 1:
        raise AuthenticationError(_BAD_TOKEN, hint="no single key of the configured JWKS has this key id and algorithm")
    return usable[0].key, str(usable[0].algorithm_name)


def role_for_claims(oidc: Mapping[str, Any], claims: Mapping[str, Any]) -> str | None:
    """First ``roles`` entry (file order) whose claim value the token carries; else ``default_role``."""
    raw = claims.get(str(oidc.get("role_claim", "groups")))
    values = {str(v) for v in raw} if isinstance(raw, list) else ({str(raw)} if raw is not None else set())
    for claim_value, role in (oidc.get("roles") or {}).items():
        if str(claim_value) in values:
            return str(role)
    default = oidc.get("default_role")
    return str(default) if default else None


def oidc_identity(issuer: str, subject: str) -> str:
    """The stable identity of an OIDC account: the issuer-scoped subject."""
    return f"{issuer}#{subject}"


def authenticate_oidc(ctx: AppContext, credential: str) -> Actor:
    """Verify an OIDC ID/access token (signature, iss, aud, exp, nbf) and map its claims to an Actor."""
    oidc = oidc_settings(ctx)
    key, algorithm = _signing_key(oidc, credential)
    issuer = str(oidc["issuer"])
    try:
        claims = jwt.decode(
            credential,
            key,
            algorithms=[algorithm],
            audience=oidc["audience"],
            issuer=issuer,
            leeway=float(oidc.get("leeway_s", 30)),
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise AuthenticationError(_BAD_TOKEN, hint=f"OIDC token rejected: {type(exc).__name__}") from None
    except Exception:  # a library failure on a hostile token is a failed sign-in, not a 500
        raise AuthenticationError(_BAD_TOKEN, hint="OIDC token rejected") from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255 or not subject.isprintable():
        raise AuthenticationError(_BAD_TOKEN, hint="the token's 'sub' claim is not a usable identifier")
    name = oidc_identity(issuer, subject)
    role = role_for_claims(oidc, claims)
    if role is None:
        claim = oidc.get("role_claim", "groups")
        raise PermissionDenied(
            f"signed in as {name!s} but no value of claim {claim!r} maps to a trailmask role",
            hint="ask an admin to map your group in oidc.roles",
        )
    return Actor(name=name, role=role, via="oidc")
