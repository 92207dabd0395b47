"""``trailmask policy check`` and ``trailmask policy drift``."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option
from trailmask.service.drift import drift
from trailmask.service.policy import check


@click.group("policy")
def policy_group() -> None:
    """Inspect the masking policy (docs/policy.md)."""


@policy_group.command("check")
@click.option("--fields/--no-fields", default=True, help="List the operator of every field for every role.")
@format_option
def check_command(fields: bool, fmt: str | None) -> None:
    """Validate the policy in force and explain it; exit 2 with every problem when it is invalid.

    Warnings (fields left to the free-text default, classes a role shows as stored or leaves to
    its default operator) are printed but do not fail the check.
    """
    fmt = chosen_format(fmt)
    report = check(app_context())
    if fmt == "json":
        emit_object(report.to_dict(), fmt)
        return
    click.echo(f"policy: {report.origin} (sha256 {report.digest[:12]}): valid")
    emit_rows(["role", "raw", "permissions", "row_filter", "free_text"], report.roles, fmt, title="roles")
    if fields:
        columns = ["field", "class", *[r["role"] for r in report.roles]]
        emit_rows(columns, report.rows, fmt, title="fields")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@policy_group.command("drift")
@format_option
def drift_command(fmt: str | None) -> None:
    """Fields outside the schema, JSON keys no json_keys rule names, and JSON keys whose values equal
    names masked elsewhere (linked_key), with event counts, grouped by service and event.

    Reads raw records, so it runs as the store owner (admin). Exit 0 either way: drift is
    information for the policy author, not an error.
    """
    findings = drift(app_context(), owner_actor("admin"))
    fmt = chosen_format(fmt)
    rows = [f.to_dict() for f in findings]
    emit_rows(["service", "event", "kind", "path", "events", "treated_as"], rows, fmt)
    if fmt == "table":
        services = len({(f.service, f.event) for f in findings})
        click.echo(f"{len(rows)} findings over {services} service/event pairs", err=True)


COMMANDS = [policy_group]
