"""``trailmask coverage``: the ATT&CK (IaaS) matrix for the runbooks installed, so a team sees its gaps."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.runbooks import coverage
from trailmask.service import runbooks as service

EXIT_GAPS = 1


@click.command("coverage")
@click.option("--markdown", is_flag=True, help="Print the Markdown page (docs/coverage.md) instead of the table.")
@click.option("--gaps", "only_gaps", is_flag=True, help="Only techniques with no runbook and no stated reason.")
@click.option("--check", is_flag=True, help="Exit 1 when a technique has no runbook and no reason (for CI).")
@format_option
def coverage_command(markdown: bool, only_gaps: bool, check: bool, fmt: str | None) -> None:
    """ATT&CK IaaS techniques and the installed runbooks (built-in + configured folders) that detect them."""
    fmt = chosen_format(fmt)
    runbooks = service.list_runbooks(app_context())
    rows = coverage.matrix(runbooks)
    if markdown:
        click.echo(coverage.coverage_page(runbooks), nl=False)
    else:
        shown = [r for r in rows if r.status == coverage.GAP] if only_gaps else rows
        counts = coverage.summary(rows)
        if fmt == "json":
            emit_object(
                {
                    "summary": counts,
                    "techniques": [r.to_dict() for r in shown],
                    "unknown_tags": [{"runbook": rb, "tag": tag} for rb, tag in coverage.unknown_tags(runbooks)],
                },
                fmt,
            )
        else:
            table = [{**r.to_dict(), "runbooks": ", ".join(r.runbooks)} for r in shown]
            emit_rows(["id", "name", "status", "runbooks", "reason"], table, fmt)
            if fmt == "table":
                click.echo(
                    f"{counts[coverage.COVERED]} covered, {counts[coverage.NOT_VISIBLE]} not visible in CloudTrail, "
                    f"{counts[coverage.GAP]} gap(s) over {len(rows)} techniques",
                    err=True,
                )
    for runbook_id, tag in coverage.unknown_tags(runbooks):
        click.echo(f"warning: runbook {runbook_id} tags attack:{tag}, not a known ATT&CK ID", err=True)
    if check and any(r.status == coverage.GAP for r in rows):
        raise SystemExit(EXIT_GAPS)


COMMANDS = [coverage_command]
