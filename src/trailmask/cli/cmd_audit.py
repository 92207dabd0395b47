"""``trailmask audit list | verify``: read and check the hash-chained audit log."""

from __future__ import annotations

import sys

import click

from trailmask.audit import verify
from trailmask.audit.verify import UNSEALED
from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option, visible
from trailmask.errors import IntegrityError
from trailmask.service.audit_anchor import started_hash
from trailmask.service.auditing import audit_log, read_entries, record_event

COLUMNS = ["seq", "ts", "actor", "via", "role", "action", "outcome", "runbook", "rows", "profile", "sql_fingerprint"]


@click.group("audit")
def audit_group() -> None:
    """The audit log: every request that touched data, hash-chained."""


@audit_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, help="How many entries (newest first).")
@click.option("--before", type=click.IntRange(min=1), default=None, help="Only entries with seq below this.")
@click.option("--raw-access", is_flag=True, help="Only the raw-access feed: reveals and unmasked (break-glass) runs.")
@format_option
def list_command(limit: int, before: int | None, raw_access: bool, fmt: str | None) -> None:
    """Newest entries first (the store owner reads them unmasked; the read is audited too)."""
    ctx = app_context()
    entries = read_entries(ctx, owner_actor("admin"), limit=limit, before=before, raw_access=raw_access)
    fmt = chosen_format(fmt)
    emit_rows(sorted({k for e in entries for k in e}) if fmt == "json" else COLUMNS, entries, fmt)


@audit_group.command("verify")
@click.option("--head", "expected_head", default=None, help="SEQ:HASH recorded earlier; must still be on the chain.")
@click.option(
    "--reseal",
    is_flag=True,
    help="Authenticate a head without a valid MAC (an older version's), when nothing else is wrong.",
)
@format_option
def verify_command(expected_head: str | None, reseal: bool, fmt: str | None) -> None:
    """Check every entry's hash, the chain links, the order and the head; exit 9 on any problem.

    A missing log is a problem when its head or key file remains or the server state records that
    it was started (docs/audit.md).
    """
    ctx = app_context()
    log = audit_log(ctx)
    report = verify(log, expected_head=expected_head, started=started_hash(ctx, log))
    if reseal and report.problems and all(UNSEALED in p for p in report.problems):
        log.reseal(report.head_seq, report.head_hash)
        record_event(ctx, owner_actor("admin"), "audit.reseal", head=f"{report.head_seq}:{report.head_hash}")
        click.echo(f"note: head resealed at seq {report.head_seq}", err=True)
        report = verify(log, expected_head=expected_head, started=started_hash(ctx, log))
    if chosen_format(fmt) == "json":
        emit_object(report.to_dict(), "json")
    else:
        for problem in report.problems:
            click.echo(visible(f"problem: {problem}"), err=True)
        state = "ok" if report.ok else "FAILED"
        click.echo(
            f"audit log {log.path}: {report.entries} entries, {state}; head {report.head_seq}:{report.head_hash}"
        )
    if not report.ok:
        click.echo(f"error: {IntegrityError('the audit log failed verification')}", err=True)
        sys.exit(IntegrityError.exit_code)


COMMANDS = [audit_group]
