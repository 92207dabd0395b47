"""``trailmask validate s3://bucket[/prefix]``: CloudTrail log-file integrity validation."""

from __future__ import annotations

import click

from trailmask.cli.context import app_context, owner_actor
from trailmask.cli.render import chosen_format, emit_object, emit_rows, format_option, visible
from trailmask.errors import IntegrityError
from trailmask.service.validate import DEFAULT_WORKERS, Report, validate_logs

COLUMNS = ["kind", "key", "status", "reason", "problem"]


def _print(report: Report, fmt: str, show_all: bool) -> None:
    if fmt == "json":
        emit_object(report.to_dict(), fmt)
        return
    findings = report.findings if show_all else report.problems
    rows = [f.to_dict() for f in sorted(findings, key=lambda f: (f.kind, f.key))]
    if fmt == "csv":
        emit_rows(COLUMNS, rows, fmt)
        return
    where = f"s3://{report.bucket}/{report.prefix}"
    for row in rows:
        line = f"{row['status'].upper():10} {row['kind']:6} s3://{report.bucket}/{row['key']}: {row['reason']}"
        click.echo(visible(line))
    counts = report.counts()
    click.echo(
        f"{where}: {counts['digests_valid']} digests valid, {counts['digests_invalid']} invalid; "
        f"{counts['logs_valid']} log files valid, {counts['logs_invalid']} invalid, {counts['logs_missing']} missing, "
        f"{counts['logs_unverified']} unverified; {counts['chain_gaps']} chain gaps, {counts['chain_broken']} broken "
        f"links; {counts['logs_not_yet_covered']} log files not covered by a digest yet"
    )
    for note in report.notes if show_all else []:
        click.echo(f"note: {note}", err=True)


@click.command("validate")
@click.argument("source")
@click.option(
    "--public-keys",
    type=click.Path(dir_okay=False),
    default=None,
    help="Offline: JSON of `aws cloudtrail list-public-keys` (default: ask ListPublicKeys).",
)
@click.option("--start", default=None, help="ISO-8601 date/time: validate digests ending from then on.")
@click.option("--end", default=None, help="ISO-8601 date/time: validate digests ending up to then (+1 h).")
@click.option("--profile", default=None, help="AWS profile (default: the standard credential chain).")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=256),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Parallel S3 reads while validating.",
)
@click.option("--all", "show_all", is_flag=True, help="Table/csv: list valid files and notes too, not only problems.")
@format_option
def validate_command(
    source: str,
    public_keys: str | None,
    start: str | None,
    end: str | None,
    profile: str | None,
    workers: int,
    show_all: bool,
    fmt: str | None,
) -> None:
    """Check digest signatures, the digest chain and every log file's SHA-256 under SOURCE.

    Exit status: 0 when everything checked is valid; 9 when any digest or log file is invalid or
    missing, the chain has a gap or broken link, or a log file inside the span the digests cover
    is listed by no digest. Each problem is printed with its S3 key.
    """
    report = validate_logs(
        app_context(),
        owner_actor("admin"),
        source,
        public_keys=public_keys,
        start=start,
        end=end,
        profile=profile,
        workers=workers,
    )
    _print(report, chosen_format(fmt), show_all)
    if not report.ok:
        raise IntegrityError(
            f"log file validation found {len(report.problems)} problems under {source}",
            hint="each is listed above with its S3 key",
        )


COMMANDS = [validate_command]
