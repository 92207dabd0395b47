"""Per-invocation state shared by the command modules."""

from __future__ import annotations

import getpass
import os

import click

from trailmask.config import load_settings
from trailmask.errors import NotFound, UsageError
from trailmask.models import Actor
from trailmask.service.authz import permissions_of, role_names
from trailmask.service.context import AppContext

# Commands that serve a store themselves: a configured server URL (env, config) does not concern them.
_SERVING = frozenset({"serve", "demo"})


def app_context() -> AppContext:
    """The AppContext for this invocation, built once from flags, env and config.

    Only commands that work on the local store call this, so when a server is set (``--server``,
    TRAILMASK_SERVER or config ``server:``) the command refuses rather than silently act on a local
    store the user did not mean (a ``user add`` that prints a token for a local state file).
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
        obj["app"] = AppContext.from_settings(settings)
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
