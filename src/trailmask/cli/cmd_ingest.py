"""``trailmask ingest SOURCE...``: local files and folders, ``s3://bucket/prefix``, ``lookup-events``."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option, visible
from trailmask.ingest.s3 import DEFAULT_WORKERS
from trailmask.models import IngestSummary
from trailmask.service.ingest import IngestOptions, ingest

EXIT_REJECTED = 3


def _print_summary(summary: IngestSummary, fmt: str) -> None:
    if fmt == "json":
        emit_object(summary.to_dict(), fmt)
        return
    totals = summary.totals()
    skipped = f", {totals['files_skipped']} skipped (already ingested)" if totals["files_skipped"] else ""
    click.echo(
        f"{totals['files']} files: {totals['files_loaded']} loaded, {totals['files_rejected']} rejected{skipped}; "
        f"{totals['events']} events read, {totals['new_events']} new, {totals['duplicates']} duplicates "
        f"({summary.elapsed_s:.1f} s)"
    )
    if summary.rejected:
        rows = [{"file": f.path, "reason": f.reason} for f in summary.rejected]
        if fmt == "csv":
            emit_rows(["file", "reason"], rows, fmt)
            return
        for row in rows:
            click.echo(visible(f"rejected: {row['file']}: {row['reason']}"), err=True)


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option(
    "--batch-files",
    type=click.IntRange(min=1),
    default=None,
    help="Files per atomic batch (default 512, also capped at 64 MiB on disk per batch).",
)
@click.option("--account", "accounts", multiple=True, help="S3: only this account's folders (repeatable).")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="S3: only this region's folders; lookup-events: regions to read (repeatable).",
)
@click.option(
    "--start", default=None, help="ISO-8601 date/time: S3 delivery folders (1 day slack) or lookup window start."
)
@click.option("--end", default=None, help="ISO-8601 date/time: S3 delivery folders (1 day slack) or lookup window end.")
@click.option("--profile", default=None, help="AWS profile (default: the standard credential chain).")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=256),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="S3: parallel downloads.",
)
@click.option(
    "--lookup-attribute", default=None, help="lookup-events: one KEY=VALUE filter (e.g. EventName=ConsoleLogin)."
)
@click.option("--max-events", type=click.IntRange(min=1), default=None, help="lookup-events: stop after N events.")
@format_option
def ingest_command(
    sources: tuple[str, ...], progress: bool | None, batch_files: int | None, fmt: str | None, **remote: Any
) -> None:
    """Load CloudTrail files, folders (AWSLogs/... layout), s3://bucket/prefix, or lookup-events.

    s3:// sources are incremental: objects already ingested (same ETag) are skipped. lookup-events
    reads the CloudTrail event history (90 days) at most 2 requests/s per region.

    Exit status: 0 when every file loaded (duplicates and skipped objects are not errors), 3 when
    any file was rejected (the others are still loaded; each rejection is named with its reason).
    """
    fmt = chosen_format(fmt)
    ctx = app_context()
    options = IngestOptions(**remote)
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("ingest", total=None)
            summary = ingest(
                ctx,
                owner_actor("admin"),
                sources,
                progress=lambda done, total: bar.update(task, completed=done, total=total or None),
                batch_files=batch_files,
                options=options,
            )
    else:
        summary = ingest(ctx, owner_actor("admin"), sources, batch_files=batch_files, options=options)
    _print_summary(summary, fmt)
    if summary.rejected:
        sys.exit(EXIT_REJECTED)


COMMANDS = [ingest_command]
