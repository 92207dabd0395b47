"""Issue 12 item 1 (SQL): ``token(kind, 'raw value')`` gives a masked role its view of a raw indicator.

``WHERE userIdentity.arn = token('arn', 'arn:aws:iam::...:user/alice')`` matches what the role sees
for that ARN. The call is lifted into a bound parameter before the sandbox sees the statement, and
its value is computed by trusted code: permission ``indicator``, the hourly budget shared with
runbook parameters, an ``indicator`` audit entry without the value. The raw value appears in no
output, explain text, error or audit entry of a masked role.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.test_indicators import EVENTS

from trailmask.config import load_settings
from trailmask.errors import PermissionDenied, QueryRejected, RateLimited, UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.service import indicator_view
from trailmask.service.context import AppContext
from trailmask.service.explain import explain
from trailmask.service.ingest import ingest
from trailmask.service.query import run_query
from trailmask.service.runbooks import run_runbook
from trailmask.service.users import add_user

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

DEFAULT_POLICY = Path(__file__).parents[1] / "src/trailmask/masking/default_policy.yaml"
ADMIN = Actor("owner", "admin")
IVY = Actor("ivy", "investigator")
ANA = Actor("ana", "analyst")  # sql, but no 'indicator'
RED = Actor("red", "redacted")  # sql and 'indicator', sees IPs redacted
CONSOLE = Path(sys.executable).parent / "trailmask"
ALICE_ARN = "arn:aws:iam::111122223333:user/alice"
EXTRA_ROLES = """
  analyst:
    description: ad-hoc SQL without indicator lookups
    permissions: [sql]
    operators: {public: keep, time: keep, principal: {op: pseudonym, prefix: user}, ip: ip_truncate,
                arn: {op: arn, names: pseudonym}, account_id: {op: pseudonym, prefix: acct}, free_text: detect}
  redacted:
    description: ad-hoc SQL and indicator lookups, addresses redacted
    permissions: [sql, indicator]
    operators: {public: keep, time: keep, principal: {op: pseudonym, prefix: user}, ip: redact, free_text: detect}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("token-fn")
    policy = root / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.read_text(encoding="utf-8") + EXTRA_ROLES, encoding="utf-8")
    source = root / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    db = root / "store.duckdb"
    ctx = AppContext.from_settings(load_settings({"db": str(db), "policy_file": str(policy)}, env={}))
    assert not ingest(ctx, ADMIN, [str(source)]).rejected
    return db


@pytest.fixture
def ctx(store: Path, tmp_path: Path) -> AppContext:
    db = tmp_path / "store.duckdb"
    db.write_bytes(store.read_bytes())
    key = Path(str(store) + ".key")
    if key.exists():
        Path(str(db) + ".key").write_bytes(key.read_bytes())
    policy = str(store.with_name("policy.yaml"))
    return AppContext.from_settings(load_settings({"db": str(db), "policy_file": policy}, env={}))


def _audit_text(ctx: AppContext) -> str:
    path = Path(str(ctx.settings.db) + ".audit.jsonl")
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _entries(ctx: AppContext, action: str) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, _audit_text(ctx).splitlines()) if e["action"] == action]


def _ids(ctx: AppContext, actor: Actor, where: str) -> list[str]:
    result = run_query(ctx, actor, QueryRequest(sql=f"SELECT eventID FROM events WHERE {where} ORDER BY eventID"))
    return [r["eventID"] for r in result.rows]


def test_investigator_matches_a_raw_arn_and_is_told_how(ctx: AppContext) -> None:
    sql = f"SELECT eventID, userIdentity.arn AS arn FROM events WHERE userIdentity.arn = token('arn', '{ALICE_ARN}')"
    result = run_query(ctx, IVY, QueryRequest(sql=sql))
    assert [r["eventID"] for r in result.rows] == ["e1"]
    assert result.notices == [
        f"token('arn', …) matched as {result.rows[0]['arn']}: your role sees ARNs with pseudonymised names"
    ]
    entry = _entries(ctx, "indicator")[-1]
    assert entry["source"] == "sql" and entry["fields"] == ["userIdentity.arn"] and entry["values"] == 1
    assert entry["outcome"] == "ok" and entry["kinds"] == ["arn"]
    assert "alice" not in _audit_text(ctx).lower()  # neither the lookup nor the query's entry holds it
    assert "alice" not in json.dumps(result.to_dict()).lower()


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("sourceIPAddress = token('ip', '203.0.113.10')", ["e1", "e2"]),  # the role sees /24 networks
        ("userIdentity.userName = token('principal', 'alice')", ["e1"]),
        ("userIdentity.principalId = token('principal', 'AIDAALICE00000000000')", ["e1"]),
        ("recipientAccountId = token('account_id', '111122223333')", ["e1", "e2", "e3"]),
        ("userIdentity.userName IN (token('principal', 'bob'), token('principal', 'carol'))", ["e2", "e3"]),
    ],
)
def test_each_kind_matches_the_roles_view(ctx: AppContext, call: str, expected: list[str]) -> None:
    assert _ids(ctx, IVY, call) == expected


def test_a_raw_role_compares_the_raw_value(ctx: AppContext) -> None:
    result = run_query(
        ctx, ADMIN, QueryRequest(sql="SELECT eventID FROM events WHERE sourceIPAddress = token('ip', '203.0.113.10')")
    )
    assert [r["eventID"] for r in result.rows] == ["e1"] and result.notices == []


def test_a_value_in_the_masked_form_is_used_as_given(ctx: AppContext) -> None:
    assert _ids(ctx, IVY, "sourceIPAddress = token('ip', '198.51.100.xxx')") == ["e3"]
    assert _entries(ctx, "indicator")[-1]["values"] == 0  # nothing converted, nothing counted


def test_explain_shows_a_parameter_never_the_value(ctx: AppContext) -> None:
    text = explain(ctx, IVY, f"SELECT eventID FROM events WHERE userIdentity.arn = token('arn', '{ALICE_ARN}')")
    assert "$tm_token_1" in text and "alice" not in text.lower()
    assert not _entries(ctx, "indicator")  # explain converts nothing


def test_the_permission_indicator_is_needed_and_the_denial_audited(ctx: AppContext) -> None:
    with pytest.raises(PermissionDenied, match="permission 'indicator'") as denied:
        _ids(ctx, ANA, "userIdentity.userName = token('principal', 'alice')")
    assert "alice" not in str(denied.value)
    entry = _entries(ctx, "indicator")[-1]
    assert entry["outcome"] == PermissionDenied.kind and entry["role"] == "analyst"
    assert "alice" not in _audit_text(ctx)


def test_a_field_the_role_sees_redacted_cannot_be_matched(ctx: AppContext) -> None:
    with pytest.raises(UsageError, match="sees sourceIPAddress redacted") as refused:
        _ids(ctx, RED, "sourceIPAddress = token('ip', '203.0.113.10')")
    assert "203.0.113" not in str(refused.value) + str(refused.value.hint)


@pytest.mark.parametrize("actor", [ADMIN, IVY])
def test_validation_is_the_same_for_every_role_and_never_quotes_the_value(ctx: AppContext, actor: Actor) -> None:
    with pytest.raises(UsageError, match=r"token\('ip', …\): the value must be an IPv4 or IPv6 address") as bad:
        _ids(ctx, actor, "sourceIPAddress = token('ip', '300.1.1.1')")
    assert "300.1.1.1" not in str(bad.value)
    with pytest.raises(UsageError, match="unknown kind 'colour'") as kind:
        _ids(ctx, actor, "sourceIPAddress = token('colour', 'secret-value')")
    assert "secret-value" not in str(kind.value) + str(kind.value.hint)


@pytest.mark.parametrize(
    "call",
    ["token('ip', sourceIPAddress)", "token('ip')", "token('ip', $ip)", "token('ip', 'a', 'b')", "token(1, 'x')"],
)
def test_only_two_string_literals_are_accepted(ctx: AppContext, call: str) -> None:
    request = QueryRequest(sql=f"SELECT eventID FROM events WHERE sourceIPAddress = {call}", params={"ip": "x"})
    with pytest.raises(QueryRejected, match="token\\(\\) takes exactly two string literals"):
        run_query(ctx, IVY, request)


def test_the_parameter_names_are_reserved(ctx: AppContext) -> None:
    sql = "SELECT eventID FROM events WHERE sourceIPAddress = token('ip', '203.0.113.10') OR eventID = $tm_token_1"
    with pytest.raises(QueryRejected, match="reserved"):
        run_query(ctx, IVY, QueryRequest(sql=sql, params={"tm_token_1": "e3"}))


def test_sql_and_runbook_lookups_share_one_hourly_budget(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicator_view, "PER_HOUR", 2)
    _ids(ctx, IVY, "sourceIPAddress = token('ip', '203.0.113.10')")
    run_runbook(ctx, IVY, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    with pytest.raises(RateLimited, match="at most 2 indicator values per hour"):
        _ids(ctx, IVY, "sourceIPAddress = token('ip', '203.0.113.10')")
    assert _ids(ctx, Actor("ian", "investigator"), "sourceIPAddress = token('ip', '203.0.113.10')") == ["e1", "e2"]


def test_cli_sql_as_investigator(ctx: AppContext) -> None:
    sql = "SELECT eventID FROM events WHERE sourceIPAddress = token('ip', '203.0.113.10') ORDER BY eventID"
    out = subprocess.run(
        [str(CONSOLE), "--db", str(ctx.settings.db), "--config", str(_config(ctx)), "sql", sql, "--as", "investigator",
         "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert [r["eventID"] for r in json.loads(out.stdout)] == ["e1", "e2"]
    assert "note: token('ip', …) matched as 203.0.113.xxx: your role sees /24 networks" in out.stderr


def _config(ctx: AppContext) -> Path:
    config = Path(str(ctx.settings.db) + ".config.yaml")
    config.write_text(json.dumps({"policy": str(ctx.settings.policy_file)}), encoding="utf-8")
    return config


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    from trailmask.api import create_app

    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def test_api_sql_as_investigator_and_analyst(ctx: AppContext, client: TestClient) -> None:
    tokens = {role: add_user(ctx, ADMIN, role, role)[1] for role in ("investigator", "analyst")}
    sql = f"SELECT eventID, userIdentity.arn AS arn FROM events WHERE userIdentity.arn = token('arn', '{ALICE_ARN}')"
    body = {"sql": sql}
    answer = client.post("/api/sql", json=body, headers={"Authorization": f"Bearer {tokens['investigator']}"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert [r["eventID"] for r in data["rows"]] == ["e1"] and "alice" not in answer.text
    assert data["notices"][0].startswith("token('arn', …) matched as arn:aws:iam::acct_")
    denied = client.post("/api/sql", json=body, headers={"Authorization": f"Bearer {tokens['analyst']}"})
    assert denied.status_code == 403 and "indicator" in denied.text and "alice" not in denied.text
