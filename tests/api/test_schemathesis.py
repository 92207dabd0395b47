"""Schemathesis against a real server's /openapi.json: no 5xx, documented statuses, conforming bodies.

Runs the schemathesis CLI (its pytest plugin does not support pytest 9 yet) with the coverage,
fuzzing and stateful phases, once as an admin and once without credentials. Token rotation is
left out of the admin run: the stateful phase would otherwise rotate the admin's own token away.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.api.conftest import OWNER
from tests.api.server import ServerProcess

from trailmask.config import Settings
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

pytestmark = pytest.mark.slow
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, loaded_store: Path) -> Iterator[tuple[ServerProcess, str]]:
    db = tmp_path_factory.mktemp("schemathesis") / "store.duckdb"
    db.write_bytes(loaded_store.read_bytes())
    token = add_user(AppContext.from_settings(Settings(db=db)), OWNER, "st-admin", "admin")[1]
    with ServerProcess(db, {"rate_limit": {"per_second": 100000}}) as server:
        yield server, token


def _schemathesis(url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The schemathesis CLI, run in ``workdir`` (it keeps an examples database in its working directory)."""
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [str(schemathesis), "run", f"{url}/openapi.json", "--checks", CHECKS, "--seed", "1", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=workdir)


def test_schemathesis_as_admin(running: tuple[ServerProcess, str], tmp_path: Path) -> None:
    server, token = running
    result = _schemathesis(
        server.url, tmp_path, "-H", f"Authorization: Bearer {token}", "-n", "20", "--exclude-path-regex", "/rotate$"
    )
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Authentication failed" not in result.stdout, result.stdout[-6000:]


def test_schemathesis_without_credentials(running: tuple[ServerProcess, str], tmp_path: Path) -> None:
    result = _schemathesis(running[0].url, tmp_path, "-n", "5")
    assert result.returncode == 0, result.stdout[-6000:]
