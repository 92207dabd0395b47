"""One example per command, shown at the end of ``trailmask COMMAND --help``.

Kept in one table (not in each command's docstring) so a test can require an example for every
command, including ones added later; the lazy command group attaches them when it loads a command.
"""

from __future__ import annotations

import click

EXAMPLES: dict[str, tuple[str, ...]] = {
    "approval approve": ("trailmask --server URL --token T approval approve 3f2a --comment 'ticket INC-42'",),
    "approval list": ("trailmask --server URL --token T approval list --status pending",),
    "approval reject": ("trailmask --server URL --token T approval reject 3f2a --comment 'use a runbook'",),
    "approval request": (
        "trailmask --server URL --token T approval request --runbook principal-activity "
        "-p principal=alice --justification 'INC-42: confirm the actor'",
    ),
    "approval run": ("trailmask --server URL --token T approval run 3f2a",),
    "approval show": ("trailmask --server URL --token T approval show 3f2a",),
    "athena ddl": (
        "trailmask athena ddl --location s3://BUCKET/trailmask/",
        "trailmask athena ddl --role investigator --location s3://BUCKET/trailmask-investigator/",
    ),
    "audit list": ("trailmask audit list --limit 20",),
    "audit verify": ("trailmask audit verify",),
    "coverage": ("trailmask coverage", "trailmask coverage --format json"),
    "demo": ("trailmask --db ./demo/trailmask.duckdb demo --events 20000",),
    "explain": ('trailmask explain --as investigator "SELECT sourceIPAddress FROM events LIMIT 5"',),
    "export": ("trailmask export --format parquet ./dataset", "trailmask export --format csv --as viewer ./out"),
    "ingest": (
        "trailmask ingest ./AWSLogs",
        "trailmask ingest s3://my-trail-bucket/AWSLogs/",
        "trailmask ingest lookup-events --region eu-west-1 --start 2026-11-01",
    ),
    "mcp": ("TRAILMASK_TOKEN=tm_... trailmask --db /srv/trailmask.duckdb mcp",),
    "policy check": ("trailmask policy check",),
    "policy drift": ("trailmask policy drift --format json",),
    "projections build": ("trailmask projections build", "trailmask projections build --format json"),
    "reveal": ("trailmask reveal user_3fa9c2d1e07b4a55 --as admin --justification 'INC-42: confirm the user'",),
    "runbook docs": ("trailmask runbook docs --out docs/runbooks --check",),
    "runbook import-sigma": ("trailmask runbook import-sigma rules/aws_root_login.yml --out ./my-runbooks",),
    "runbook lint": ("trailmask runbook lint",),
    "runbook list": ("trailmask runbook list --format json",),
    "runbook run": (
        "trailmask runbook run cis-unauthorized-api-calls --as investigator -p since=7d",
        "trailmask --server URL --token T runbook run ip-activity -p ip=203.0.113.10",
    ),
    "runbook show": ("trailmask runbook show principal-activity",),
    "runbook test": ("trailmask runbook test cis-root-usage",),
    "serve": ("trailmask serve --port 8080",),
    "sql": (
        'trailmask sql --as investigator "SELECT eventName, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC"',
    ),
    "user add": ("trailmask user add ivy --role investigator",),
    "user disable": ("trailmask user disable ivy",),
    "user enable": ("trailmask user enable ivy",),
    "user list": ("trailmask user list",),
    "user rotate": ("trailmask user rotate ivy",),
    "validate": ("trailmask validate s3://my-trail-bucket/AWSLogs/ --start 2026-11-01",),
    "verify": ("trailmask verify",),
    "watch history": ("trailmask watch history root-usage",),
    "watch list": ("trailmask watch list",),
    "watch reset": ("trailmask watch reset root-usage --key principal=user_3fa9c2d1e07b4a55",),
    "watch run-once": ("trailmask watch run-once root-usage",),
    "watch show": ("trailmask watch show root-usage",),
    "watch state": ("trailmask watch state root-usage",),
}


def attach_examples(command: click.Command, path: str = "") -> None:
    """Set each (sub)command's help epilog to its examples, unless it has its own epilog."""
    name = f"{path} {command.name}".strip()
    examples = EXAMPLES.get(name)
    if examples and not command.epilog:
        command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in examples)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            attach_examples(sub, name)
