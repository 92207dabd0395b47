"""Shared fixtures: the third-party CloudTrail events, temporary stores, and a CLI runner.

The suite runs in parallel (``scripts/test``: pytest-xdist, ``-n auto --dist loadgroup``). Fixtures
are per worker: servers take free ports, files go under ``tmp_path``/``tmp_path_factory``. Tests that
share one costly session resource (a Chromium and a served store; the Spark session) are kept on one
worker by :data:`XDIST_GROUPS`, so each such resource is started once, not once per worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from trailmask.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
THIRD_PARTY = FIXTURES / "third_party"


XDIST_GROUPS = {"web": "browser", "security/test_browser_xss.py": "browser", "spark": "spark"}
"""Path under tests/ (folder or file) -> xdist group; tests of one group run on one worker."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        try:
            relative = item.path.resolve().relative_to(tests_dir).as_posix()
        except ValueError:
            continue
        for prefix, group in XDIST_GROUPS.items():
            if relative == prefix or relative.startswith(prefix + "/"):
                item.add_marker(pytest.mark.xdist_group(group))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def panther_events() -> list[dict[str, Any]]:
    """Events of Panther's rule tests and attack scenarios (standard CloudTrail keys)."""
    rows = read_jsonl(THIRD_PARTY / "panther-analysis" / "panther_cloudtrail_rule_tests.jsonl")
    rows += read_jsonl(THIRD_PARTY / "panther-analysis" / "panther_test_scenarios_cloudtrail.jsonl")
    return [row["event"] for row in rows]


def awsdocs_events() -> list[dict[str, Any]]:
    return [
        row["event"]
        for row in read_jsonl(THIRD_PARTY / "aws-cloudtrail-user-guide" / "awsdocs_cloudtrail_events.jsonl")
    ]


def awsdocs_record_files() -> list[dict[str, Any]]:
    return [
        row["file"]
        for row in read_jsonl(THIRD_PARTY / "aws-cloudtrail-user-guide" / "awsdocs_records_format_files.jsonl")
    ]


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Cli:
    """Runs ``trailmask`` in-process (fast) against one store."""

    def __init__(self, db: Path, env: dict[str, str] | None = None) -> None:
        self.db = db
        self.env = env or {}

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", str(self.db), *args], input=input, env=self.env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def tm(store_path: Path) -> Cli:
    return Cli(store_path)


def run_subprocess(
    args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "trailmask", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def tm_process(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``run_subprocess`` with the arguments spread: ``tm_process("--db", db, "sql", "SELECT 1")``."""
    return run_subprocess(list(args), env=env, timeout=timeout)


@pytest.fixture
def third_party_dir(tmp_path: Path) -> Path:
    """All real third-party events written as they are delivered: JSON lines and Records files."""
    root = tmp_path / "third_party"
    write_jsonl(root / "panther.jsonl", panther_events())
    write_jsonl(root / "awsdocs_events.jsonl", awsdocs_events())
    for index, document in enumerate(awsdocs_record_files()):
        (root / f"awsdocs_records_{index}.json").write_text(json.dumps(document), encoding="utf-8")
    return root
