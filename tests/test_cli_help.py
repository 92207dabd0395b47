"""Issue 12.5: every command and option has help text, and every command's --help shows an example that parses."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click
import pytest

from trailmask.cli.examples import EXAMPLES
from trailmask.cli.main import cli

ROOT = click.Context(cli, info_name="trailmask")


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    if path:
        yield " ".join(path), command
    if isinstance(command, click.Group):
        for name in command.list_commands(ROOT):
            sub = command.get_command(ROOT, name)
            assert sub is not None
            yield from walk(sub, (*path, name))


LEAVES = {path: cmd for path, cmd in walk(cli) if not isinstance(cmd, click.Group)}


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_command_and_options_have_help(path: str) -> None:
    command = LEAVES[path]
    assert (command.help or "").strip(), f"{path} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{path} {param.opts[0]} has no help text"


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_help_shows_an_example_that_parses(path: str) -> None:
    assert path in EXAMPLES, f"add an example for `trailmask {path}` to trailmask/cli/examples.py"
    assert "Examples:" in (LEAVES[path].epilog or "")
    for example in EXAMPLES[path]:
        words = shlex.split(example)
        while re.match(r"^[A-Z_]+=", words[0]):  # a leading environment assignment
            words = words[1:]
        assert words[0] == "trailmask", example
        assert _parsed_command(words[1:]) is LEAVES[path], example


def _parsed_command(args: list[str]) -> click.Command:
    """The command ``args`` select, with every option and argument parsed and type-checked."""
    ctx = cli.make_context("trailmask", args)
    command: click.Command = cli
    while isinstance(command, click.Group):
        name, *rest = [*ctx._protected_args, *ctx.args]  # Click 9: ctx.args alone
        sub = command.get_command(ctx, name)
        assert sub is not None, args
        try:
            ctx = sub.make_context(name, rest, parent=ctx)
        except (click.BadParameter, FileNotFoundError) as error:  # an example's input file absent here
            if "does not exist" not in str(error) and not isinstance(error, FileNotFoundError):
                raise
        command = sub
    return command


def test_examples_name_only_real_commands() -> None:
    known = set(LEAVES)
    pending = {"coverage", "watch history", "watch list", "watch reset", "watch run-once", "watch show", "watch state"}
    assert set(EXAMPLES) - known <= pending, sorted(set(EXAMPLES) - known - pending)
