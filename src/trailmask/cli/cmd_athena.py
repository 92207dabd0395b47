"""``trailmask athena ddl [--role ROLE] --location s3://BUCKET/PREFIX/``."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import emit_object
from trailmask.service.athena import athena_ddl


@click.group("athena")
def athena_group() -> None:
    """Amazon Athena: the table over an exported dataset and the runbooks as Athena SQL (docs/scale.md)."""


@athena_group.command("ddl")
@click.option(
    "--role",
    default="admin",
    show_default=True,
    help="Whose dataset: a raw role's (the raw table) or a masked role's (`export --as ROLE`, its own table).",
)
@click.option("--location", required=True, help="Where the dataset was uploaded: s3://BUCKET/PREFIX/.")
def ddl_command(role: str, location: str) -> None:
    """Print CREATE EXTERNAL TABLE (partition projection) for the dataset at LOCATION, then every
    runbook ROLE may run rendered as Athena (Trino) SQL over that table."""
    setup = athena_ddl(app_context(), owner_actor(role), location)
    root = click.get_current_context().find_root().obj or {}
    if root.get("format") == "json":
        emit_object(setup.to_dict(), "json")
    else:
        click.echo(setup.text(), nl=False)


COMMANDS = [athena_group]
