"""``trailmask export --format parquet|csv|json DIR [--as ROLE]``."""

from __future__ import annotations

from pathlib import Path

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import emit_object
from trailmask.service.export import FORMATS, export


@click.command("export")
@click.option("--format", "export_format", type=click.Choice(FORMATS), required=True, help="File format to write.")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--as",
    "role",
    default="admin",
    show_default=True,
    help="Export only what ROLE may see, masked as ROLE sees it (local preview by the store owner).",
)
@click.option("--overwrite", is_flag=True, help="Write into a non-empty DIR, replacing the partitions/files written.")
def export_command(export_format: str, directory: str, role: str, overwrite: bool) -> None:
    """Write the events into DIR: parquet = Hive-partitioned dataset (account=/region=/date=) for
    Athena and Spark (DDL in docs/export.md); csv = DIR/events.csv; json = DIR/events.jsonl.

    The default role, admin, exports every column unmasked, including the raw record (tm_raw).
    """
    result = export(app_context(), owner_actor(role), export_format, Path(directory), overwrite=overwrite)
    root = click.get_current_context().find_root().obj or {}
    if root.get("format") == "json":
        emit_object(result.to_dict(), "json")
    else:
        click.echo(
            f"{result.rows} events exported as {result.format} to {result.directory} ({len(result.files)} files)"
        )


COMMANDS = [export_command]
