"""Per-invocation state shared by the command modules."""

from __future__ import annotations

import click

from trailmask.config import load_settings
from trailmask.models import Actor
from trailmask.service.context import AppContext


def app_context() -> AppContext:
    """The AppContext for this invocation, built once from flags, env and config."""
    root = click.get_current_context().find_root()
    obj = root.obj
    if "app" not in obj:
        obj["app"] = AppContext.from_settings(load_settings(obj.get("overrides")))
    app: AppContext = obj["app"]
    return app


def owner_actor(role: str) -> Actor:
    """The local CLI user previews a role as the store's owner (enforcement is the server's)."""
    return Actor(name="local-owner", role=role, via="cli-owner")
