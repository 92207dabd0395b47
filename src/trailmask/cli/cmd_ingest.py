"""``trailmask ingest SOURCE...``"""

from __future__ import annotations

import sys

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.models import IngestSummary
from trailmask.service.ingest import ingest

EXIT_REJECTED = 3


def _print_summary(summary: IngestSummary, fmt: str) -> None:
    if fmt == "json":
        emit_object(summary.to_dict(), fmt)
        return
    totals = summary.totals()
    click.echo(
        f"{totals['files']} files: {totals['files_loaded']} loaded, {totals['files_rejected']} rejected; "
        f"{totals['events']} events read, {totals['new_events']} new, {totals['duplicates']} duplicates "
        f"({summary.elapsed_s:.1f} s)"
    )
    if summary.rejected:
        rows = [{"file": f.path, "reason": f.reason} for f in summary.rejected]
        if fmt == "csv":
            emit_rows(["file", "reason"], rows, fmt)
            return
        for row in rows:
            click.echo(f"rejected: {row['file']}: {row['reason']}", err=True)


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option(
    "--batch-files",
    type=click.IntRange(min=1),
    default=None,
    help="Files per atomic batch (default 512, also capped at 64 MiB on disk per batch).",
)
@format_option
def ingest_command(sources: tuple[str, ...], progress: bool | None, batch_files: int | None, fmt: str | None) -> None:
    """Load CloudTrail files, folders (AWSLogs/... layout), JSON lines or LookupEvents output.

    Exit status: 0 when every file loaded (duplicates are not errors), 3 when any file was
    rejected (the others are still loaded; each rejection is named with its reason).
    """
    fmt = chosen_format(fmt)
    ctx = app_context()
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("ingest", total=None)
            summary = ingest(
                ctx,
                owner_actor("admin"),
                sources,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                batch_files=batch_files,
            )
    else:
        summary = ingest(ctx, owner_actor("admin"), sources, batch_files=batch_files)
    _print_summary(summary, fmt)
    if summary.rejected:
        sys.exit(EXIT_REJECTED)


COMMANDS = [ingest_command]
