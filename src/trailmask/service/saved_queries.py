"""Saved SQL queries, per user: save (create or replace by name), list and delete one's own.

A saved query is a name and the SQL text, kept in the server state file (service.statedb,
table ``saved_queries``) under its owner: the user's name *and* how they signed in (``via``:
token, oidc, cli-owner), so a token user and an OpenID Connect user of the same name are two
owners. Nobody reads or deletes another user's queries, admins included: another owner's id
answers NotFound, exactly like an id that does not exist, so ids cannot be probed.

Saving needs the ``sql`` permission (what is saved is ad-hoc SQL, run later through
``POST /api/sql`` and the masking layer like any other); listing and deleting one's own do too.
Nothing here runs SQL: a saved query is text until its owner runs it. Every operation is audited
(``sql.saved.save|list|delete``) with the query's id and name, never its SQL.
"""

from __future__ import annotations

import secrets
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from trailmask.errors import NotFound, UsageError
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.statedb import connect, now, read

MAX_NAME_CHARS = 80
MAX_SQL_CHARS = 20_000
MAX_PER_USER = 200
ID_PREFIX = "sq_"


@dataclass(frozen=True)
class SavedQuery:
    id: str
    name: str
    sql: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _owner(actor: Actor) -> tuple[str, str]:
    return actor.name, actor.via


def _query(row: sqlite3.Row) -> SavedQuery:
    return SavedQuery(row["id"], row["name"], row["sql"], row["created_at"], row["updated_at"])


def check_name(name: str) -> str:
    """The name, trimmed: 1..80 characters, no control characters (UsageError naming the rule)."""
    clean = name.strip()
    if not clean:
        raise UsageError("a saved query needs a name")
    if len(clean) > MAX_NAME_CHARS:
        raise UsageError(f"a saved query's name is at most {MAX_NAME_CHARS} characters (this one has {len(clean)})")
    if any(unicodedata.category(ch).startswith("C") for ch in clean):
        raise UsageError("a saved query's name may not hold control or invisible characters")
    return clean


def check_sql(sql: str) -> str:
    """The SQL text: not blank, at most 20,000 characters (it is checked by the sandbox when run)."""
    if not sql.strip():
        raise UsageError("a saved query needs SQL")
    if len(sql) > MAX_SQL_CHARS:
        raise UsageError(f"a saved query's SQL is at most {MAX_SQL_CHARS} characters (this one has {len(sql)})")
    return sql


def save_query(ctx: AppContext, actor: Actor, name: str, sql: str) -> SavedQuery:
    """Save ``sql`` as ``name`` for the actor; a query of the same name of theirs is replaced."""
    with audited(ctx, actor, "sql.saved.save", name=name.strip()[:MAX_NAME_CHARS]) as audit:
        require(ctx, actor, "sql")
        clean, text = check_name(name), check_sql(sql)
        owner, via = _owner(actor)
        stamp = now()
        with connect(ctx) as conn:
            found = conn.execute(
                "SELECT * FROM saved_queries WHERE owner = ? AND owner_via = ? AND name = ?", (owner, via, clean)
            ).fetchone()
            if found is not None:
                conn.execute(
                    "UPDATE saved_queries SET sql = ?, updated_at = ? WHERE id = ?", (text, stamp, found["id"])
                )
                saved = SavedQuery(found["id"], clean, text, found["created_at"], stamp)
            else:
                (count,) = conn.execute(
                    "SELECT count(*) FROM saved_queries WHERE owner = ? AND owner_via = ?", (owner, via)
                ).fetchone()
                if count >= MAX_PER_USER:
                    raise UsageError(
                        f"you have {count} saved queries, the most one user may keep",
                        hint="delete one you no longer need",
                    )
                saved = SavedQuery(f"{ID_PREFIX}{secrets.token_hex(8)}", clean, text, stamp, stamp)
                conn.execute(
                    "INSERT INTO saved_queries (id, owner, owner_via, name, sql, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (saved.id, owner, via, saved.name, saved.sql, saved.created_at, saved.updated_at),
                )
        audit.details.update(id=saved.id, replaced=found is not None)
        return saved


def list_queries(ctx: AppContext, actor: Actor) -> list[SavedQuery]:
    """The actor's own saved queries, by name."""
    with audited(ctx, actor, "sql.saved.list") as audit:
        require(ctx, actor, "sql")
        with read(ctx) as conn:
            rows = conn.execute(
                "SELECT * FROM saved_queries WHERE owner = ? AND owner_via = ? ORDER BY name COLLATE NOCASE, id",
                _owner(actor),
            ).fetchall()
        audit.rows = len(rows)
        return [_query(row) for row in rows]


def delete_query(ctx: AppContext, actor: Actor, query_id: str) -> None:
    """Delete one of the actor's own saved queries; anyone else's id is NotFound, like a missing one."""
    with audited(ctx, actor, "sql.saved.delete", id=query_id[:40]):
        require(ctx, actor, "sql")
        with connect(ctx) as conn:
            gone = conn.execute(
                "DELETE FROM saved_queries WHERE id = ? AND owner = ? AND owner_via = ?", (query_id, *_owner(actor))
            ).rowcount
        if not gone:
            raise NotFound(f"you have no saved query '{query_id[:40]}'", hint="GET /api/sql/saved lists yours")
