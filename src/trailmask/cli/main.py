"""The ``trailmask`` command: global options, settings, and the command modules.

Exit codes: 0 success; otherwise the code of the TrailmaskError class (see trailmask.errors and
docs/cli.md); 1 for an unexpected internal error.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from typing import Any

import click

import trailmask.cli as cli_package
from trailmask import __version__
from trailmask.cli.examples import attach_examples
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


# Commands whose module is not ``cmd_<name>``; every other command ``X`` lives in ``trailmask.cli.cmd_X``.
_MODULE_OF = {"sql": "cmd_query", "explain": "cmd_query"}


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(cli_package.__path__) if m.name.startswith("cmd_"))


def _commands_of(module: str) -> dict[str, click.Command]:
    loaded = importlib.import_module(f"trailmask.cli.{module}")
    commands = {command.name: command for command in getattr(loaded, "COMMANDS", []) if command.name}
    for command in commands.values():
        attach_examples(command)
    return commands


class LazyCommands(TrailmaskGroup):
    """Imports a command's module only when that command runs, so a CLI call starts fast.

    ``trailmask --version`` imports no command module; ``trailmask sql`` imports only the query
    command's; ``--help`` and an unknown name import them all (to list or suggest).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({name for module in _command_modules() for name in _commands_of(module)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _MODULE_OF.get(cmd_name, f"cmd_{cmd_name.replace('-', '_')}")
        if module in _command_modules():
            found = _commands_of(module).get(cmd_name)
            if found is not None:
                return found
        for other in _command_modules():
            found = _commands_of(other).get(cmd_name)
            if found is not None:
                return found
        return None


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    # Every file and folder trailmask creates is private (0600 / 0700), including those DuckDB and
    # pyarrow create (store, WAL, spill folder, Parquet exports) and the server writes.
    os.umask(0o077)
    try:
        cli(prog_name="trailmask")
    except TrailmaskError as error:  # raised outside a command (e.g. settings)
        fail(error)
    sys.exit(0)
