"""Issue 12.3: a grouping on a field the role sees redacted merges every row into one group; the
result says so in its notices, naming the fields (the viewer's ``top-principals``: one row)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import tm_process
from tests.test_indicators import EVENTS
from tests.test_token_fn import DEFAULT_POLICY, EXTRA_ROLES

from trailmask.config import load_settings
from trailmask.models import Actor, QueryRequest
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.query import run_query
from trailmask.service.runbooks import run_runbook
from trailmask.sqlkit.grouping import grouped_paths
from trailmask.sqlkit.sandbox import check_query

RED = Actor("red", "redacted")  # sees sourceIPAddress redacted (tests.test_token_fn)
IVY = Actor("ivy", "investigator")
ADMIN = Actor("owner", "admin")
VIEWER = Actor("vic", "viewer")


@pytest.mark.parametrize(
    ("sql", "paths"),
    [
        ("SELECT sourceIPAddress, count(*) FROM events GROUP BY sourceIPAddress", ["sourceipaddress"]),
        ("SELECT sourceIPAddress AS ip, count(*) FROM events GROUP BY ip", ["sourceipaddress"]),
        ("SELECT lower(userIdentity.userName), count(*) FROM events GROUP BY 1", ["useridentity.username"]),
        ("SELECT e.userIdentity.sessionContext.sessionIssuer.userName FROM events e GROUP BY 1",
         ["useridentity.sessioncontext.sessionissuer.username"]),
        ("WITH x AS (SELECT sourceIPAddress AS a FROM events) SELECT a, count(*) FROM x GROUP BY a",
         ["sourceipaddress"]),
        ("SELECT eventName, count(*) FROM events GROUP BY ALL", []),
        ("SELECT count(*) FROM events", []),
    ],
)  # fmt: skip
def test_grouped_paths(sql: str, paths: list[str]) -> None:
    assert grouped_paths(check_query(sql)) == paths


@pytest.fixture
def ctx(tmp_path: Path) -> AppContext:
    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.read_text(encoding="utf-8") + EXTRA_ROLES, encoding="utf-8")
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    context = AppContext.from_settings(
        load_settings({"db": str(tmp_path / "store.duckdb"), "policy_file": str(policy)}, env={})
    )
    assert not ingest(context, ADMIN, [str(source)]).rejected
    return context


def test_sql_grouping_on_a_redacted_field_says_so(ctx: AppContext) -> None:
    sql = "SELECT sourceIPAddress AS ip, count(*) AS n FROM events GROUP BY ip"
    result = run_query(ctx, RED, QueryRequest(sql=sql))
    assert [r["n"] for r in result.rows] == [3]  # every address is one redacted value
    assert len(result.notices) == 1 and result.notices[0].startswith("grouped by sourceIPAddress, which your role")
    assert result.to_dict()["notices"] == result.notices
    assert run_query(ctx, IVY, QueryRequest(sql=sql)).notices == []  # /24 networks: still distinct
    assert run_query(ctx, ADMIN, QueryRequest(sql=sql)).notices == []
    plain = "SELECT eventName, count(*) AS n FROM events GROUP BY eventName"
    assert run_query(ctx, RED, QueryRequest(sql=plain)).notices == []


def test_viewer_top_principals_names_the_redacted_grouping(ctx: AppContext) -> None:
    result = run_runbook(ctx, VIEWER, "top-principals", {"since": "all"})
    assert len(result.rows) == 1  # alice, bob and carol merged
    assert any(n.startswith("grouped by userIdentity.arn, which your role sees redacted") for n in result.notices)
    assert run_runbook(ctx, IVY, "top-principals", {"since": "all"}).notices == []


def test_cli_prints_the_notice(ctx: AppContext) -> None:
    config = Path(str(ctx.settings.db) + ".config.yaml")
    config.write_text(json.dumps({"policy": str(ctx.settings.policy_file)}), encoding="utf-8")
    out = tm_process("--db", str(ctx.settings.db), "--config", str(config), "runbook", "run", "top-principals",
                     "--as", "viewer", "-p", "since=all", "--format", "json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "note: grouped by userIdentity.arn, which your role sees redacted" in out.stderr
