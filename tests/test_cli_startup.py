"""The CLI loads a command's module only when that command runs (issue 12.5: start-up time)."""

from __future__ import annotations

import subprocess
import sys

import click

from trailmask.cli import main as cli_main

_PROBE = """
import atexit, sys
def report():
    loaded = sorted(m for m in sys.modules if m.startswith("trailmask.cli.cmd_"))
    sys.__stdout__.write("LOADED=" + ",".join(loaded) + "\\n")
atexit.register(report)
sys.argv = ["trailmask", *{argv!r}]
from trailmask.cli.main import main
main()
"""


def _loaded_after(argv: list[str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)], capture_output=True, text=True, check=False)
    line = next(x for x in out.stdout.splitlines() if x.startswith("LOADED="))
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


def test_version_imports_no_command_module() -> None:
    assert _loaded_after(["--version"]) == []


def test_a_command_imports_only_its_own_module() -> None:
    assert _loaded_after(["sql", "--help"]) == ["trailmask.cli.cmd_query"]


def test_every_command_of_every_module_resolves_by_name() -> None:
    group = cli_main.cli
    ctx = click.Context(group)
    names = group.list_commands(ctx)
    assert {"sql", "explain", "runbook", "user", "audit", "ingest"} <= set(names)
    for module in cli_main._command_modules():
        for name, command in cli_main._commands_of(module).items():
            assert group.get_command(ctx, name) is command, (module, name)
    assert group.get_command(ctx, "no-such-command") is None
