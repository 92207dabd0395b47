"""``trailmask watch list | show | run-once | history | state | reset``: monitoring watches (docs/monitoring.md)."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.service import watches as service

OWNER_ROLE = "admin"


@click.group("watch")
def watch_group() -> None:
    """Scheduled runbooks that alert destinations with masked content (store owner)."""


@watch_group.command("list")
@format_option
def list_command(fmt: str | None) -> None:
    """List the configured watches and their high-water marks."""
    rows = service.list_watches(app_context(), owner_actor(OWNER_ROLE))
    columns = ["name", "runbook", "schedule", "role", "destinations", "high_water"]
    emit_rows(columns, rows, chosen_format(fmt))


def _one(action: str, name: str, fmt: str | None, keys: tuple[str, ...] = ()) -> None:
    emit_object(service.manage(app_context(), owner_actor(OWNER_ROLE), action, name, keys), chosen_format(fmt))


@watch_group.command("show")
@click.argument("name")
@format_option
def show_command(name: str, fmt: str | None) -> None:
    """Show watch NAME as configured (destinations by name; secrets are never shown)."""
    _one("show", name, fmt)


@watch_group.command("run-once")
@click.argument("name")
@format_option
def run_once_command(name: str, fmt: str | None) -> None:
    """Run watch NAME now over the window since its last run and deliver new alerts."""
    actor = owner_actor(OWNER_ROLE)
    emit_object(service.run_watch(app_context(), actor, name, manual=True), chosen_format(fmt))


@watch_group.command("history")
@click.argument("name")
@format_option
def history_command(name: str, fmt: str | None) -> None:
    """The recent runs of watch NAME (window, outcome, rows, matches)."""
    _one("history", name, fmt)


@watch_group.command("state")
@click.argument("name")
@format_option
def state_command(name: str, fmt: str | None) -> None:
    """The state of watch NAME: high-water mark, alerted dedup keys, deliveries per status."""
    _one("state", name, fmt)


@watch_group.command("reset")
@click.argument("name")
@click.option("--key", "keys", multiple=True, help="Forget only this dedup key (repeatable); default: everything.")
@format_option
def reset_command(name: str, keys: tuple[str, ...], fmt: str | None) -> None:
    """Forget the state of watch NAME (or only --key KEY): it may alert again."""
    _one("reset", name, fmt, keys)


COMMANDS = [watch_group]
