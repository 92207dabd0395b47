"""Issue 12.5: a command either works against --server or refuses; it never acts on a local store instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import run_subprocess


@pytest.mark.parametrize(
    "argv",
    [
        ["user", "add", "mallory", "--role", "admin"],
        ["user", "list"],
        ["audit", "list"],
        ["audit", "verify"],
        ["policy", "check"],
        ["ingest", "nothing-here"],
    ],
)
def test_local_store_commands_refuse_a_server(tmp_path: Path, argv: list[str]) -> None:
    db = tmp_path / "t.duckdb"
    out = run_subprocess(["--db", str(db), "--server", "http://127.0.0.1:9", "--token", "t", *argv])
    assert out.returncode == 2, out.stderr
    assert "does not run against a server" in out.stderr
    assert "token" not in out.stdout.lower()
    assert list(tmp_path.iterdir()) == []  # nothing was created for a local store


def test_server_from_the_environment_is_refused_too(tmp_path: Path) -> None:
    out = run_subprocess(
        ["--db", str(tmp_path / "t.duckdb"), "user", "add", "eve", "--role", "admin"],
        env={"TRAILMASK_SERVER": "http://127.0.0.1:9", "TRAILMASK_TOKEN": "t"},
    )
    assert out.returncode == 2
    assert "TRAILMASK_SERVER" in out.stderr
