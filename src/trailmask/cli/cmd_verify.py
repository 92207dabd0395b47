"""``trailmask verify``: canary data through every masked role; exit 0 only when nothing leaks."""

from __future__ import annotations

import sys

import click

from trailmask.cli.context import app_context
from trailmask.cli.render import chosen_format, emit_object, format_option
from trailmask.service.verify import verify

EXIT_LEAK = 1


@click.command("verify")
@click.option("--progress/--no-progress", default=None, help="Report each step on stderr (default: on a terminal).")
@format_option
def verify_command(progress: bool | None, fmt: str | None) -> None:
    """Plant canary secrets in every sensitive position of a temporary store, run the adversarial
    query battery and every runbook as every masked role, and look for any canary in the output
    (any case, reversed, hashed, encoded or split) and in error messages.

    Exit status: 0 when nothing leaked; 1 with the list of findings (role, query, canary) otherwise.
    The store in --db is not read or changed: verify builds its own canary store.
    """
    fmt = chosen_format(fmt)
    show = sys.stderr.isatty() if progress is None else progress
    report = verify(app_context(), progress=(lambda line: click.echo(line, err=True)) if show else None)
    if fmt == "json":
        emit_object(report.to_dict(), fmt)
    else:
        runbooks = f"{report.runbooks} runbook runs"
        click.echo(
            f"verify: roles {', '.join(report.roles)}; {report.queries} adversarial queries, {runbooks}; "
            f"{len(report.findings)} findings"
        )
        for finding in report.findings:
            click.echo(f"LEAK {finding.role}: {finding.query}: {finding.problem}")
        for skipped in report.not_run:
            click.echo(f"not run: {skipped}", err=True)
    if not report.ok:
        sys.exit(EXIT_LEAK)


COMMANDS = [verify_command]
