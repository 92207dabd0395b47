"""The ``trailmask`` command: global options, settings, and the command modules.

Exit codes: 0 success; otherwise the code of the TrailmaskError class (see trailmask.errors and
docs/cli.md); 1 for an unexpected internal error.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

import trailmask.cli as cli_package
from trailmask import __version__
from trailmask.cli.render import FORMATS, fail
from trailmask.config import ENGINES
from trailmask.errors import TrailmaskError


class TrailmaskGroup(click.Group):
    """Turns every TrailmaskError into its message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrailmaskError as error:
            fail(error)


@click.group(cls=TrailmaskGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trailmask")
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Store file (env TRAILMASK_DB; default ./trailmask.duckdb).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML config file (env TRAILMASK_CONFIG).",
)
@click.option(
    "--engine", type=click.Choice(ENGINES), default=None, help="Query engine (env TRAILMASK_ENGINE; default duckdb)."
)
@click.option(
    "--dataset",
    type=click.Path(file_okay=False),
    default=None,
    help="Parquet dataset the spark engine reads (env TRAILMASK_DATASET).",
)
@click.option(
    "--server", "server_url", default=None, help="Run commands against a trailmask server (env TRAILMASK_SERVER)."
)
@click.option("--token", default=None, envvar="TRAILMASK_TOKEN", help="API token for --server (env TRAILMASK_TOKEN).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default output format for commands.")
@click.pass_context
def cli(ctx: click.Context, /, token: str | None, fmt: str | None, **overrides: Any) -> None:
    """trailmask: investigate CloudTrail logs; every role sees only what it may."""
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = overrides
    ctx.obj["token"] = token
    ctx.obj["format"] = fmt


def _register() -> None:
    for module in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if module.name.startswith("cmd_"):
            loaded = importlib.import_module(f"trailmask.cli.{module.name}")
            for command in getattr(loaded, "COMMANDS", []):
                cli.add_command(command)


_register()


def main() -> None:
    try:
        cli(prog_name="trailmask")
    except TrailmaskError as error:  # raised outside a command (e.g. settings)
        fail(error)
    sys.exit(0)
