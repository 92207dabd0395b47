"""Issue 12.6: `trailmask mcp`, driven by a real MCP client over stdio: masked, audited, role from a token."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from tests.conftest import tm_process

from trailmask.synth import write_jsonl

IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("mcp")
    db = root / "t.duckdb"
    events = write_jsonl(root / "events.jsonl", 3000, seed=5)
    out = tm_process("--db", str(db), "ingest", str(events))
    assert out.returncode == 0, out.stderr
    tokens = {}
    for name, role in (("ivy", "investigator"), ("vic", "viewer"), ("ada", "admin")):
        made = tm_process("--db", str(db), "user", "add", name, "--role", role)
        assert made.returncode == 0, made.stderr
        tokens[role] = made.stdout.strip().splitlines()[-1]
    return {"db": db, "tokens": tokens}


async def _session_calls(db: Path, token: str, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[Any]]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "trailmask", "--db", str(db), "mcp"],
        env={**os.environ, "TRAILMASK_TOKEN": token},
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = sorted(t.name for t in (await session.list_tools()).tools)
        results = [await session.call_tool(name, args) for name, args in calls]
    return tools, results


def _text(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def run(db: Path, token: str, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[str], list[Any]]:
    return asyncio.run(_session_calls(db, token, calls))


SQL = "SELECT sourceIPAddress, userIdentity.arn AS arn FROM events WHERE sourceIPAddress LIKE '%.%.%.%' LIMIT 50"


def test_investigator_sees_masked_rows_and_every_call_is_audited(store: dict[str, Any]) -> None:
    _, (admin_rows,) = run(store["db"], store["tokens"]["admin"], [("sql", {"query": SQL})])
    raw_ips = set(IPV4.findall(_text(admin_rows)))
    assert raw_ips, "the fixture holds IPv4 source addresses"
    tools, (listed, shown, ran, queried) = run(
        store["db"],
        store["tokens"]["investigator"],
        [
            ("list_runbooks", {}),
            ("show_runbook", {"runbook_id": "access-key-activity"}),
            ("run_runbook", {"runbook_id": "top-principals", "params": {"since": "all"}}),
            ("sql", {"query": SQL}),
        ],
    )
    assert tools == ["list_runbooks", "run_runbook", "show_runbook", "sql"]
    assert '"id": "access-key-activity"' in _text(listed) or "access-key-activity" in _text(listed)
    assert "access-key-activity" in _text(shown)
    assert not ran.isError, _text(ran)
    body = json.loads(_text(queried))
    assert body["role"] == "investigator" and body["rows"]
    assert not raw_ips & set(IPV4.findall(_text(queried))), "raw addresses reached the investigator"
    audit = (store["db"].parent / "t.duckdb.audit.jsonl").read_text()
    entries = [json.loads(line) for line in audit.splitlines() if line.strip()]
    mine = [e for e in entries if e.get("actor") == "ivy"]
    assert {"runbook", "sql"} <= {e.get("action") for e in mine}


def test_viewer_gets_no_sql_tool_and_refusals_are_errors(store: dict[str, Any]) -> None:
    tools, (unknown, no_sql) = run(
        store["db"],
        store["tokens"]["viewer"],
        [("run_runbook", {"runbook_id": "no-such-runbook"}), ("sql", {"query": "SELECT 1"})],
    )
    assert "sql" not in tools
    assert unknown.isError and "no runbook" in _text(unknown).lower()
    assert no_sql.isError


def test_a_bad_token_never_serves(store: dict[str, Any]) -> None:
    out = tm_process("--db", str(store["db"]), "mcp", env={"TRAILMASK_TOKEN": "tm_not-a-token"})
    assert out.returncode != 0
    assert "token" in out.stderr.lower()
    assert out.stdout == ""
