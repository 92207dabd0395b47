"""Render results for people (rich table) or machines (json, csv); errors go to stderr.

CSV cells come from ``export.csvcell`` (the one encoder of every CSV trailmask writes; it
neutralises cells a spreadsheet would evaluate as formulas).

Terminal safety: the values printed come from CloudTrail fields anyone with an API call writes
(``userAgent``, ``errorMessage``), from audit entries (a runbook id any signed-in user sends), file
names and S3 keys. They are printed as plain text, never as Rich markup (``[/]`` would crash the
table, ``[link=...]`` or ``[conceal]`` change what is seen), and with control characters made
visible by ``visible``: an ESC byte shows as ``\\x1b``, so no clear-screen, window-title or OSC 8
hyperlink sequence from a log reaches the terminal. Tables, plain objects and error messages always
go through it; ``--format csv`` does when stdout is a terminal (piped CSV keeps the bytes, and each
cell is still formula-safe); ``--format json`` needs nothing (JSON escapes every control and
non-ASCII character as ``\\uXXXX``).

Layout: ``--format table`` on a terminal is a Rich table as wide as the terminal; piped (stdout not
a terminal) it is plain tab-separated text, one header line then one line per row, no box drawing
and no wrapping (a tab inside a value shows as ``\\t``, so columns never shift), for ``cut``,
``sort`` and ``less``. An empty result says ``0 rows`` on stderr, with what was searched when the
command knows it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from trailmask.errors import TrailmaskError
from trailmask.export.csvcell import csv_cell, csv_writer

# C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text (bidi
# embeddings, overrides and isolates, zero-width characters, the BOM, the Arabic letter mark).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (ESC as ``\\x1b``), safe to print.

    ``keep_newlines`` keeps line feeds (for trailmask's own multi-line messages); a CR is always
    escaped, since it lets the rest of a line overwrite its start.
    """
    if keep_newlines:
        return "\n".join(_CONTROL.sub(_escape, line) for line in text.split("\n"))
    return _CONTROL.sub(_escape, text)


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


def _cell(value: Any) -> Text:
    """A table cell: the value as plain text (never markup), control characters visible."""
    if value is None:
        return Text("")
    if isinstance(value, dict | list):
        return Text(visible(json.dumps(value, default=str, ensure_ascii=False)))
    return Text(visible(str(value)))


def _csv_cell(value: Any, terminal: bool) -> str:
    cell = csv_cell(value)
    return visible(cell) if terminal else cell


def _plain(value: Any) -> str:
    """A cell of the piped (tab-separated) layout: the table cell's text, tabs and newlines escaped."""
    return _cell(value).plain


def emit_rows(
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    fmt: str,
    *,
    title: str | None = None,
    searched: str | None = None,
) -> None:
    """Print ``rows`` in ``fmt`` (see the module doc); ``searched`` completes the ``0 rows`` note."""
    if fmt == "json":
        click.echo(json.dumps(list(rows), default=str, indent=None))
    elif fmt == "csv":
        terminal = sys.stdout.isatty()
        writer = csv_writer(sys.stdout)
        writer.writerow([_csv_cell(c, terminal) for c in columns])
        for row in rows:
            writer.writerow([_csv_cell(row.get(c), terminal) for c in columns])
    elif not sys.stdout.isatty():  # piped: plain tab-separated lines, nothing wrapped (issue 12.5)
        if title:
            click.echo(f"# {visible(title)}")
        click.echo("\t".join(_plain(c) for c in columns))
        for row in rows:
            click.echo("\t".join(_plain(row.get(c)) for c in columns))
    else:
        table = Table(title=Text(visible(title)) if title else None, show_lines=False)
        for column in columns:
            table.add_column(_cell(column), overflow="fold")
        for row in rows:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        Console().print(table)
    if fmt == "table" and not rows:  # issue 12.5: an empty table says so, and what was searched
        click.echo(visible(f"0 rows; {searched}" if searched else "0 rows"), err=True)


def emit_object(obj: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(obj, default=str))
    else:
        text = obj if isinstance(obj, str) else json.dumps(obj, default=str, indent=2, ensure_ascii=False)
        click.echo(visible(text, keep_newlines=True))


def fail(error: TrailmaskError) -> None:
    """Print the error (never a raw engine message) to stderr and exit with its code."""
    click.echo(visible(f"error: {error}", keep_newlines=True), err=True)
    sys.exit(error.exit_code)
