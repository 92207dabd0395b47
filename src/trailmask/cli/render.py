"""Render results for people (rich table) or machines (json, csv); errors go to stderr.

CSV cells come from ``export.csvcell`` (the one encoder of every CSV trailmask writes; it
neutralises cells a spreadsheet would evaluate as formulas).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from trailmask.errors import TrailmaskError
from trailmask.export.csvcell import csv_cell, csv_writer

FORMATS = ("table", "json", "csv")
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output: table for people, json or csv for machines.",
)


def chosen_format(fmt: str | None) -> str:
    ctx = click.get_current_context()
    root = ctx.find_root().obj or {}
    return fmt or root.get("format") or "table"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def emit_rows(columns: Sequence[str], rows: Sequence[dict[str, Any]], fmt: str, *, title: str | None = None) -> None:
    if fmt == "json":
        click.echo(json.dumps(list(rows), default=str, indent=None))
    elif fmt == "csv":
        writer = csv_writer(sys.stdout)
        writer.writerow([csv_cell(c) for c in columns])
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in columns])
    else:
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        Console().print(table)


def emit_object(obj: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(obj, default=str))
    else:
        Console().print(obj)


def fail(error: TrailmaskError) -> None:
    """Print the error (never a raw engine message) to stderr and exit with its code."""
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)
