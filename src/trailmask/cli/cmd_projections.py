"""``trailmask projections build``: precompute every masked role's masked projection of the store.

Once built, the store keeps them: every ingest extends them, and a masked role's queries read its
projection whenever it covers the whole store (docs/projections.md).
"""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_rows, format_option
from trailmask.service.projections import build_projections

COLUMNS = ["roles", "state", "rows", "raw_rows", "bytes", "build_ms"]


@click.group("projections")
def projections_group() -> None:
    """Masked projections: a masked role's rows, masked once, so its queries run at raw speed."""


@projections_group.command("build")
@format_option
def build_command(fmt: str | None) -> None:
    """Build the masked projections of the store, or bring them up to date (permission: ingest)."""
    built = build_projections(app_context(), owner_actor("admin"))
    rows = [{**status.to_dict(), "roles": ", ".join(status.roles)} for status in built]
    emit_rows(COLUMNS, rows, chosen_format(fmt), title="masked projections")


COMMANDS = [projections_group]
