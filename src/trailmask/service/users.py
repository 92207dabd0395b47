"""API users: a name, a role and one bearer token, stored only as a SHA-256 hash.

A token looks like ``tm_<id>_<secret>``: ``id`` (12 hex digits) finds the row, the whole token's
SHA-256 is compared in constant time. Tokens carry 256 random bits, so a fast hash is enough (no
password-style stretching needed) and a stolen state file does not reveal them. ``add`` and
``rotate`` return the token once; nothing can show it again. Every change is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from trailmask.errors import Conflict, NotFound, UsageError
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.authz import require, require_not_stronger, require_role
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect, now, read

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
TOKEN_RE = re.compile(r"^tm_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}$")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    token_id: str
    disabled: bool
    created_at: str
    rotated_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "status": "disabled" if self.disabled else "active",
            "token_id": self.token_id,
            "created_at": self.created_at,
            "rotated_at": self.rotated_at,
        }


def _user(row: sqlite3.Row) -> User:
    return User(row["name"], row["role"], row["token_id"], bool(row["disabled"]), row["created_at"], row["rotated_at"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """(token id, token)."""
    token_id = secrets.token_hex(6)
    return token_id, f"tm_{token_id}_{secrets.token_urlsafe(32)}"


def _check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name):  # `$` alone would accept a trailing newline
        raise UsageError(
            "user names are 1-128 characters: letters, digits and . _ @ + -", hint="for example alice@example.com"
        )


def whoami(ctx: AppContext, actor: Actor) -> tuple[str, ...]:
    """The permission strings of the actor's role (PermissionDenied for a role the policy lacks)."""
    with audited(ctx, actor, "whoami"):
        return require_role(ctx, actor.role)


def add_user(ctx: AppContext, actor: Actor, name: str, role: str) -> tuple[User, str]:
    """Create ``name`` with ``role``; returns the user and its token (shown only this once)."""
    with connect(ctx) as conn, audited(ctx, actor, "user.add", user=name) as audit:
        require(ctx, actor, "users:manage")
        _check_name(name)
        require_role(ctx, role)
        require_not_stronger(ctx, actor, role)  # no user of a role stronger than the manager's own
        token_id, token = new_token()
        created = now()
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise Conflict(f"user {name!r} already exists", hint="use `trailmask user rotate NAME` for a new token")
        conn.execute(
            "INSERT INTO users (name, role, token_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, role, token_id, hash_token(token), created),
        )
        audit.details.update(user_role=role, token_id=token_id)
    return User(name, role, token_id, False, created, None), token


def list_users(ctx: AppContext, actor: Actor) -> list[User]:
    with audited(ctx, actor, "user.list") as audit:
        require(ctx, actor, "users:manage")
        with read(ctx) as conn:
            users = [_user(row) for row in conn.execute("SELECT * FROM users ORDER BY name")]
        audit.details["users"] = len(users)
    return users


def _get(conn: sqlite3.Connection, name: str) -> User:
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFound(f"no user {name!r}", hint="see `trailmask user list`")
    return _user(row)


def set_disabled(ctx: AppContext, actor: Actor, name: str, disabled: bool) -> User:
    """Disable (or enable again) a user; a disabled user's token stops working at once."""
    action = "user.disable" if disabled else "user.enable"
    with connect(ctx) as conn, audited(ctx, actor, action, user=name):
        require(ctx, actor, "users:manage")
        user = _get(conn, name)
        require_not_stronger(ctx, actor, user.role)
        if disabled and actor.name == name and actor.via == "token":
            raise Conflict("you cannot disable your own account", hint="ask another user manager")
        conn.execute("UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name))
    return User(user.name, user.role, user.token_id, disabled, user.created_at, user.rotated_at)


def rotate_token(ctx: AppContext, actor: Actor, name: str) -> tuple[User, str]:
    """Replace a user's token; the old one stops working at once. Returns the new token once."""
    with connect(ctx) as conn, audited(ctx, actor, "user.rotate", user=name) as audit:
        require(ctx, actor, "users:manage")
        token_id, token = new_token()
        rotated = now()
        user = _get(conn, name)
        require_not_stronger(ctx, actor, user.role)  # the new token would be the caller's to use
        conn.execute(
            "UPDATE users SET token_id = ?, token_hash = ?, rotated_at = ? WHERE name = ?",
            (token_id, hash_token(token), rotated, name),
        )
        audit.details["token_id"] = token_id
    return User(user.name, user.role, token_id, user.disabled, user.created_at, rotated), token


def user_for_token(ctx: AppContext, token: str) -> User | None:
    """The active user holding ``token``, or None (unknown, rotated, disabled or malformed)."""
    match = TOKEN_RE.match(token)
    if not match:
        return None
    with read(ctx) as conn:
        row = conn.execute("SELECT * FROM users WHERE token_id = ?", (match.group(1),)).fetchone()
    if row is None or row["disabled"] or not hmac.compare_digest(row["token_hash"], hash_token(token)):
        return None
    return _user(row)
