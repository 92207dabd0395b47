"""The masking policy and the masking key of a running trailmask (cached per AppContext).

Policy: ``settings.policy_file`` (config ``policy:`` / TRAILMASK_POLICY) or the built-in default.
Key, first found wins:

1. environment variable ``TRAILMASK_MASKING_KEY`` (the key itself, at least 16 characters);
2. ``settings.masking_key_file`` (config ``masking_key_file:`` / TRAILMASK_MASKING_KEY_FILE);
3. ``<store path>.key``, created on first use with 32 random bytes (hex), mode 0600.

The key is held as a :class:`~trailmask.config.Secret` and leaves this module only into a query
session's temporary table (see service.prepare); it is never logged, printed or put in SQL text.
Rotation (docs/masking.md): point the key elsewhere or delete the generated file; every token
changes, tokens issued before can no longer be revealed unless the old key is kept.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from trailmask.config import Secret
from trailmask.engines.duckdb.session import QuerySession
from trailmask.errors import ConfigError, PermissionDenied
from trailmask.masking.check import PolicyCheck, check_policy
from trailmask.masking.drift import DriftFinding, fields_sql, json_keys_sql, unclassified_keys, unknown_fields
from trailmask.masking.loader import default_policy, load_policy_file
from trailmask.masking.model import Policy
from trailmask.models import Actor
from trailmask.service.context import AppContext

KEY_ENV = "TRAILMASK_MASKING_KEY"
MIN_KEY_CHARS = 16
_POLICY = "masking.policy"
_KEY = "masking.key"


def load_policy(ctx: AppContext) -> Policy:
    """The policy in force: the configured file, else the built-in default (validated once)."""
    cached = ctx.cache.get(_POLICY)
    if isinstance(cached, Policy):
        return cached
    path = ctx.settings.policy_file
    policy = load_policy_file(path) if path else default_policy()
    ctx.cache[_POLICY] = policy
    return policy


def default_key_path(ctx: AppContext) -> Path:
    return Path(f"{ctx.settings.db}.key")


def _read_key_file(path: Path, origin: str) -> Secret:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"masking key file {path} ({origin}) does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read masking key file {path}: {exc.strerror}") from None
    if len(text) < MIN_KEY_CHARS:
        raise ConfigError(f"masking key file {path} holds fewer than {MIN_KEY_CHARS} characters")
    return Secret(text)


def _generate_key_file(path: Path) -> Secret:
    """Create ``path`` with a new random key (mode 0600); if another process won the race, read it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path, "created concurrently")
    except OSError as exc:
        raise ConfigError(
            f"cannot create the masking key file {path}: {exc.strerror}",
            hint=f"set {KEY_ENV} or masking_key_file, or make the store's folder writable",
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return _read_key_file(path, "just created")


def masking_key(ctx: AppContext) -> Secret:
    """The keyed-pseudonym key (see the module docstring for where it comes from)."""
    cached = ctx.cache.get(_KEY)
    if isinstance(cached, Secret):
        return cached
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        if len(from_env) < MIN_KEY_CHARS:
            raise ConfigError(f"{KEY_ENV} must hold at least {MIN_KEY_CHARS} characters")
        key = Secret(from_env)
    elif ctx.settings.masking_key_file:
        key = _read_key_file(ctx.settings.masking_key_file, "masking_key_file")
    else:
        path = default_key_path(ctx)
        key = _read_key_file(path, "generated") if path.exists() else _generate_key_file(path)
    ctx.cache[_KEY] = key
    return key


def check(ctx: AppContext) -> PolicyCheck:
    """``policy check``: the policy in force explained field by field, with warnings."""
    return check_policy(load_policy(ctx))


def _require_raw_role(ctx: AppContext, actor: Actor, what: str) -> None:
    policy = load_policy(ctx)
    role = policy.roles.get(actor.role)
    if role is None or not role.raw:
        raise PermissionDenied(f"{what} reads raw records: it needs a raw role (such as admin), not {actor.role!r}")


def drift(ctx: AppContext, actor: Actor) -> list[DriftFinding]:
    """``policy drift``: record fields outside the schema and JSON keys no rule names, with counts."""
    _require_raw_role(ctx, actor, "policy drift")
    policy = load_policy(ctx)
    with QuerySession(ctx.store, memory_limit=ctx.settings.memory_limit) as session:
        timeout = ctx.settings.query_timeout_s * 4
        fields = session.execute(fields_sql(), timeout_s=timeout, max_rows=1_000_000).rows
        keys = session.execute(json_keys_sql(), timeout_s=timeout, max_rows=1_000_000).rows
    return unknown_fields([(r[0], r[1]) for r in fields]) + unclassified_keys(
        policy, [(r[0], r[1], r[2]) for r in keys]
    )
