"""Per-invocation state shared by the command modules."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path

import click

from trailmask.config import Settings, load_settings
from trailmask.errors import NotFound, StoreError, UsageError
from trailmask.models import Actor
from trailmask.service.authz import permissions_of, role_names
from trailmask.service.context import AppContext
from trailmask.service.keys import KEY_ENV
from trailmask.service.statedb import state_path

# Commands that serve a store themselves: a configured server URL (env, config) does not concern them.
_SERVING = frozenset({"serve", "demo"})

# What a local command needs before it may write anything beside the store (issue 12.5). Each check
# takes the context and returns None when the command may go on, else the StoreError it refuses with;
# app_context() runs it before the command can open an audit log, an audit key or a state file, so
# a command that fails for want of a store leaves nothing behind.
Need = Callable[[AppContext], StoreError | None]


def _no_store(
    ctx: AppContext, also: str = "", first: str = "run `trailmask ingest SOURCE` or `trailmask demo`"
) -> StoreError:
    hint = f"{first} first, or point --db / TRAILMASK_DB at a store"
    return StoreError(f"no store at {ctx.store.path}{also}", hint=hint)


def _store_file(ctx: AppContext) -> StoreError | None:
    """The store file itself, whatever the engine (reveal, drift, projections, export, athena, watches)."""
    return None if ctx.store.exists else _no_store(ctx)


def _queried_store(ctx: AppContext) -> StoreError | None:
    """The data queries read: the store with the DuckDB engine (Spark reads its dataset, bound on use)."""
    return _store_file(ctx) if ctx.settings.engine == "duckdb" else None


def _explained_store(ctx: AppContext) -> StoreError | None:
    """``explain`` needs the store only for its masking key: a key set outside the store will do."""
    if os.environ.get(KEY_ENV) or ctx.settings.masking_key_file:
        return None
    return _queried_store(ctx)


def _audit_files(settings: Settings, audit: Path) -> list[Path]:
    key = settings.audit.key_file or audit.with_name(audit.name + ".key")
    return [audit, audit.with_name(audit.name + ".head"), key]


def _users(ctx: AppContext) -> StoreError | None:
    """``user list|rotate|disable|enable``: the store, or the state file an earlier ``user add`` made."""
    if ctx.store.exists or state_path(ctx).exists():
        return None
    return _no_store(
        ctx, f" and no users in {state_path(ctx)}", first="add one with `trailmask user add NAME --role ROLE`"
    )


def _audit(ctx: AppContext) -> StoreError | None:
    """``audit list|verify``: the store, or what is left of an audit log (log, head, key or server state),
    so a log whose store was removed is still read and checked."""
    audit = ctx.settings.audit.path or ctx.settings.db.with_name(ctx.settings.db.name + ".audit.jsonl")
    if ctx.store.exists or any(p.exists() for p in [*_audit_files(ctx.settings, audit), state_path(ctx)]):
        return None
    return _no_store(ctx, f" and no audit log at {audit}")


def _nothing(ctx: AppContext) -> StoreError | None:
    return None


NEEDS: dict[str, Need] = {
    # create the store, or work without one
    "ingest": _nothing,
    "demo": _nothing,
    "serve": _nothing,  # the server creates an empty store (docs/server.md)
    "user add": _nothing,  # before the first ingest too: `user add` then `serve` (docs/web.md)
    "verify": _nothing,  # builds its own canary store
    "validate": _nothing,  # reads S3 only
    "coverage": _nothing,
    "policy check": _nothing,
    "runbook list": _nothing,
    "runbook show": _nothing,
    "runbook lint": _nothing,
    "runbook test": _nothing,  # runs on fixture stores of its own
    "runbook docs": _nothing,
    "runbook import-sigma": _nothing,
    # read or write the store's data, or state that only a store has
    "sql": _queried_store,
    "runbook run": _queried_store,
    "explain": _explained_store,
    "reveal": _store_file,
    "policy drift": _store_file,
    "projections build": _store_file,
    "export": _store_file,
    "athena ddl": _store_file,
    "mcp": _store_file,
    "watch list": _store_file,
    "watch show": _store_file,
    "watch run-once": _store_file,
    "watch history": _store_file,
    "watch state": _store_file,
    "watch reset": _store_file,
    "user list": _users,
    "user rotate": _users,
    "user disable": _users,
    "user enable": _users,
    "audit list": _audit,
    "audit verify": _audit,
}
"""Every local command (its path after ``trailmask``) and what it needs; a command not listed needs
the store file (tests/test_errors_honest.py checks that every command is listed)."""


def app_context() -> AppContext:
    """The AppContext for this invocation, built once from flags, env and config.

    Only commands that work on the local store call this, so when a server is set (``--server``,
    TRAILMASK_SERVER or config ``server:``) the command refuses rather than silently act on a local
    store the user did not mean (a ``user add`` that prints a token for a local state file). A
    command that needs an existing store (``NEEDS``) refuses here, before anything is written.
    """
    current = click.get_current_context()
    root = current.find_root()
    obj = root.obj
    if "app" not in obj:
        settings = load_settings(obj.get("overrides"))
        path = current.command_path.split()
        if settings.server_url and (len(path) < 2 or path[1] not in _SERVING):
            raise UsageError(
                f"`{current.command_path}` works on the local store and does not run against a server "
                f"({settings.server_url})",
                hint="drop --server and TRAILMASK_SERVER to use the local store, or use the server's HTTP API; "
                "sql, runbook run and approval have a client mode",
            )
        built = AppContext.from_settings(settings)
        refusal = NEEDS.get(" ".join(path[1:]), _store_file)(built)
        if refusal is not None:
            raise refusal
        obj["app"] = built
    app: AppContext = obj["app"]
    return app


def owner_actor(role: str) -> Actor:
    """The local CLI user previews a role as the store's owner (enforcement is the server's).

    The actor is named after the OS user (``local:alice``), so the audit says who at the keyboard
    ran it. An ``--as`` role the policy does not define is a NotFound (exit 4) naming the roles it does.
    """
    ctx = app_context()
    if permissions_of(ctx, role) is None:
        raise NotFound(f"no role {role!r} in the policy", hint=f"--as takes one of: {', '.join(role_names(ctx))}")
    return Actor(name=f"local:{os_user()}", role=role, via="cli-owner")


def os_user() -> str:
    """The OS account running the CLI (its uid when the account has no name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid-{os.getuid()}"
