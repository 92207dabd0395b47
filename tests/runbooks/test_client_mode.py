"""`runbook run` against a real server (`--server URL --token T`): same validation, token's role."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from tests.api.server import ServerProcess
from tests.runbooks.conftest import ADMIN, event

from trailmask.service.context import AppContext
from trailmask.service.users import add_user


@pytest.mark.slow
def test_runbook_run_through_a_server_uses_the_tokens_role(
    make_ctx: Callable[..., AppContext],
    load_events: Callable[[AppContext, Iterable[dict[str, Any]]], None],
    tm: Any,
) -> None:
    ctx = make_ctx()
    load_events(
        ctx, [event("ListUsers", user="alice"), event("StopLogging", user="alice", time="2024-01-01T00:05:00Z")]
    )
    _, token = add_user(ctx, ADMIN, "ivy", "investigator")
    with ServerProcess(ctx.settings.db) as server:
        remote = ("--server", server.url, "--token", token)
        rows = tm(*remote, "runbook", "run", "top-principals", "-p", "since=all", "--format", "json")
        assert rows.exit_code == 0, rows.stderr
        [top] = rows.json()
        assert top["calls"] == 2 and "alice" not in top["principal"]  # the investigator's masked view
        hostile = tm(
            *remote,
            "runbook",
            "run",
            "principal-activity",
            "-p",
            "principal=' OR '1'='1",
            "-p",
            "since=all",
            "--format",
            "json",
        )
        assert hostile.exit_code == 0 and hostile.json() == []
        bad = tm(*remote, "runbook", "run", "console-brute-force", "-p", "min_failures=0")
        assert bad.exit_code == 2 and "parameter 'min_failures' must be at least 1" in bad.stderr
        assert tm(*remote, "runbook", "run", "top-principals", "--as", "admin").exit_code == 2
        assert tm(*remote, "runbook", "run", "no-such-runbook").exit_code == 4
