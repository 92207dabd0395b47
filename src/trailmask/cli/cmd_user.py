"""``trailmask user add | list | disable | enable | rotate``: API users of the server (store owner)."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.service.users import User, add_user, list_users, rotate_token, set_disabled

OWNER_ROLE = "admin"


@click.group("user")
def user_group() -> None:
    """Manage the server's API users (tokens are stored only as hashes)."""


def _emit_token(user: User, token: str, fmt: str) -> None:
    if fmt == "json":
        emit_object({"name": user.name, "role": user.role, "token": token}, fmt)
    elif fmt == "csv":
        emit_rows(["name", "role", "token"], [{"name": user.name, "role": user.role, "token": token}], fmt)
    else:
        click.echo(token)
        click.echo(f"token for {user.name} (role {user.role}): shown once, store it now", err=True)


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="Role from the policy (e.g. admin, investigator, viewer).")
@format_option
def add_command(name: str, role: str, fmt: str | None) -> None:
    """Add user NAME with ROLE and print its API token once."""
    user, token = add_user(app_context(), owner_actor(OWNER_ROLE), name, role)
    _emit_token(user, token, chosen_format(fmt))


@user_group.command("rotate")
@click.argument("name")
@format_option
def rotate_command(name: str, fmt: str | None) -> None:
    """Give NAME a new token (printed once); the old one stops working at once."""
    user, token = rotate_token(app_context(), owner_actor(OWNER_ROLE), name)
    _emit_token(user, token, chosen_format(fmt))


@user_group.command("disable")
@click.argument("name")
def disable_command(name: str) -> None:
    """Disable NAME: its token stops working at once."""
    set_disabled(app_context(), owner_actor(OWNER_ROLE), name, True)
    click.echo(f"user {name} disabled", err=True)


@user_group.command("enable")
@click.argument("name")
def enable_command(name: str) -> None:
    """Enable NAME again (same token)."""
    set_disabled(app_context(), owner_actor(OWNER_ROLE), name, False)
    click.echo(f"user {name} enabled", err=True)


@user_group.command("list")
@format_option
def list_command(fmt: str | None) -> None:
    """List users (never their tokens)."""
    users = [u.to_dict() for u in list_users(app_context(), owner_actor(OWNER_ROLE))]
    columns = ["name", "role", "status", "token_id", "created_at", "rotated_at"]
    emit_rows(columns, users, chosen_format(fmt))


COMMANDS = [user_group]
