"""``trailmask ingest SOURCE...``: local files and folders, ``s3://bucket/prefix``, ``lookup-events``."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trailmask.cli.client import ServerClient
from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option, visible
from trailmask.errors import TrailmaskError
from trailmask.ingest.s3 import DEFAULT_WORKERS
from trailmask.models import FileOutcome, IngestSummary
from trailmask.service.ingest import LOOKUP_SOURCE, IngestOptions, ingest
from trailmask.service.serving import ServerInfo, find_server

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

    When a `trailmask serve` owns the store (its server file beside the store), the sources are
    handed to that server, which loads them while it goes on answering queries (docs/server.md).

    Exit status: 0 when every file loaded (duplicates and skipped objects are not errors), 3 when
    any file was rejected (the others are still loaded; each rejection is named with its reason).
    """
    fmt = chosen_format(fmt)
    ctx = app_context()
    options = IngestOptions(**remote)
    server = _reachable(find_server(ctx.store.path))
    if server is not None:
        summary = _through_server(server, sources, batch_files, options)
        _print_summary(summary, fmt)
        if summary.rejected:
            sys.exit(EXIT_REJECTED)
        return
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


def _reachable(server: ServerInfo | None) -> ServerClient | None:
    """A client of the server owning the store, when it answers (a stale server file is ignored)."""
    if server is None:
        return None
    client = ServerClient(server.url, server.secret, timeout_s=5.0)
    try:
        client.request("GET", "/healthz")
    except TrailmaskError:
        client.close()
        return None
    click.echo(f"note: the trailmask server at {server.url} owns this store; it runs the ingest", err=True)
    return client


def _through_server(
    client: ServerClient, sources: tuple[str, ...], batch_files: int | None, options: IngestOptions
) -> IngestSummary:
    """Hand the ingest to the server (paths made absolute: the server's working folder is its own)."""
    named = [
        s if s.startswith("s3://") or s == LOOKUP_SOURCE else os.path.abspath(os.path.expanduser(s)) for s in sources
    ]
    body: dict[str, Any] = {"sources": named, "batch_files": batch_files}
    body.update({k: list(v) if isinstance(v, tuple) else v for k, v in asdict(options).items()})
    try:
        answer = client.ingest(body)
    finally:
        client.close()
    files = [FileOutcome(**outcome) for outcome in answer.get("outcomes", [])]
    return IngestSummary(files=files, elapsed_s=float(answer.get("elapsed_s", 0.0)))


COMMANDS = [ingest_command]
