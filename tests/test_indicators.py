"""Issue 12 item 1: search by a raw indicator as a masked role (runbook parameters).

A raw IP, name, ARN or principal ID given to a runbook by a masked role is converted to the role's
view (its own compiled masking expression, keyed session) before the run, behind the permission
``indicator``, rate-limited, audited without the value, and the result says how it matched.
Validation of identity types is the same for every role.
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

from trailmask.config import load_settings
from trailmask.errors import PermissionDenied, RateLimited, UsageError
from trailmask.models import Actor
from trailmask.service import indicator_view
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.runbooks import run_runbook
from trailmask.service.users import add_user

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

ADMIN = Actor("owner", "admin")
IVY = Actor("ivy", "investigator")
VIC = Actor("vic", "viewer")
CONSOLE = Path(sys.executable).parent / "trailmask"


def _event(event_id: str, ip: str, user: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": "2024-01-01T00:00:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "recipientAccountId": "111122223333",
        "userIdentity": {
            "type": "IAMUser",
            "userName": user,
            "arn": f"arn:aws:iam::111122223333:user/{user}",
            "principalId": f"AIDA{user.upper():0<16}",
        },
        "eventID": event_id,
    }


EVENTS = [
    _event("e1", "203.0.113.10", "alice"),
    _event("e2", "203.0.113.99", "bob"),  # same /24 as alice's address
    _event("e3", "198.51.100.7", "carol"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("indicators")
    source = root / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    db = root / "store.duckdb"
    summary = ingest(AppContext.from_settings(load_settings({"db": str(db)}, env={})), ADMIN, [str(source)])
    assert not summary.rejected
    return db


@pytest.fixture
def ctx(store: Path, tmp_path: Path) -> AppContext:
    db = tmp_path / "store.duckdb"
    db.write_bytes(store.read_bytes())
    for suffix in (".key",):
        side = Path(str(store) + suffix)
        if side.exists():
            Path(str(db) + suffix).write_bytes(side.read_bytes())
    return AppContext.from_settings(load_settings({"db": str(db)}, env={}))


def _entries(ctx: AppContext) -> list[dict[str, Any]]:
    path = Path(str(ctx.settings.db) + ".audit.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_investigator_raw_ip_matches_its_network_and_says_so(ctx: AppContext) -> None:
    result = run_runbook(ctx, IVY, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    assert sorted(r["eventID"] for r in result.rows) == ["e1", "e2"]  # the role sees /24 networks
    assert result.notices == ["ip matched as 203.0.113.xxx: your role sees /24 networks"]
    assert result.to_dict()["notices"] == result.notices


def test_value_in_the_masked_form_passes_unchanged(ctx: AppContext) -> None:
    result = run_runbook(ctx, IVY, "ip-activity", {"ip": "198.51.100.xxx", "since": "all"})
    assert [r["eventID"] for r in result.rows] == ["e3"]
    assert result.notices == []
    assert not [e for e in _entries(ctx) if e["action"] == "indicator"]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("alice", "userIdentity.userName"),
        ("arn:aws:iam::111122223333:user/alice", "userIdentity.arn"),
        ("AIDAALICE00000000000", "userIdentity.principalId"),
    ],
)
def test_investigator_raw_principal_matches(ctx: AppContext, value: str, field: str) -> None:
    result = run_runbook(ctx, IVY, "principal-activity", {"principal": value, "since": "all"})
    assert [r["eventID"] for r in result.rows] == ["e1"]
    assert len(result.notices) == 1
    assert result.notices[0].startswith("principal matched as ")
    assert "alice" not in result.notices[0]
    entry = [e for e in _entries(ctx) if e["action"] == "indicator"][-1]
    assert entry["fields"] == [field] and entry["outcome"] == "ok" and entry["values"] == 1
    text = Path(str(ctx.settings.db) + ".audit.jsonl").read_text(encoding="utf-8")
    assert "alice" not in text.lower()  # neither the indicator entry nor the run's parameters hold it


def test_a_token_the_role_sees_passes_unchanged(ctx: AppContext) -> None:
    shown = run_runbook(ctx, IVY, "principal-activity", {"principal": "alice", "since": "all"}).notices[0]
    token = shown.split(" matched as ", 1)[1].split(":", 1)[0]
    again = run_runbook(ctx, IVY, "principal-activity", {"principal": token, "since": "all"})
    assert [r["eventID"] for r in again.rows] == ["e1"] and again.notices == []


@pytest.mark.parametrize("actor", [ADMIN, IVY, VIC])
def test_validation_is_the_same_for_every_role(ctx: AppContext, actor: Actor) -> None:
    with pytest.raises(UsageError, match="parameter 'ip' must be an IPv4 or IPv6 address"):
        run_runbook(ctx, actor, "ip-activity", {"ip": "300.1.1.1", "since": "all"})


def test_admin_gets_no_conversion(ctx: AppContext) -> None:
    result = run_runbook(ctx, ADMIN, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    assert [r["eventID"] for r in result.rows] == ["e1"] and result.notices == []


def test_viewer_needs_the_indicator_permission_and_the_attempt_is_audited(ctx: AppContext) -> None:
    with pytest.raises(PermissionDenied, match="permission 'indicator'"):
        run_runbook(ctx, VIC, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    entry = [e for e in _entries(ctx) if e["action"] == "indicator"][-1]
    assert entry["outcome"] == PermissionDenied.kind and entry["role"] == "viewer"
    assert "203.0.113.10" not in json.dumps(entry)


def test_indicator_lookups_are_rate_limited_per_identity(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indicator_view, "PER_HOUR", 2)
    for _ in range(2):
        run_runbook(ctx, IVY, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    with pytest.raises(RateLimited, match="at most 2 indicator values per hour"):
        run_runbook(ctx, IVY, "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    other = run_runbook(ctx, Actor("ian", "investigator"), "ip-activity", {"ip": "203.0.113.10", "since": "all"})
    assert len(other.rows) == 2


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONSOLE), "--db", str(db), *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_cli_investigator_and_viewer(ctx: AppContext) -> None:
    db = ctx.settings.db
    run = ("runbook", "run", "ip-activity", "-p", "ip=203.0.113.10", "-p", "since=all", "--format", "json")
    out = _cli(db, *run, "--as", "investigator")
    assert out.returncode == 0, out.stderr
    assert sorted(r["eventID"] for r in json.loads(out.stdout)) == ["e1", "e2"]
    assert "note: ip matched as 203.0.113.xxx: your role sees /24 networks" in out.stderr
    denied = _cli(db, *run, "--as", "viewer")
    assert denied.returncode == PermissionDenied.exit_code and "'indicator'" in denied.stderr
    bad = _cli(db, "runbook", "run", "ip-activity", "-p", "ip=300.1.1.1", "--as", "investigator")
    assert bad.returncode == UsageError.exit_code and "must be an IPv4 or IPv6 address" in bad.stderr


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    from trailmask.api import create_app

    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def test_api_investigator_and_viewer(ctx: AppContext, client: TestClient) -> None:
    tokens = {role: add_user(ctx, ADMIN, role, role)[1] for role in ("investigator", "viewer")}
    body = {"params": {"principal": "alice", "since": "all"}}
    answer = client.post(
        "/api/runbooks/principal-activity/run", json=body, headers={"Authorization": f"Bearer {tokens['investigator']}"}
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert [r["eventID"] for r in data["rows"]] == ["e1"]
    assert data["notices"][0].startswith("principal matched as user_") and "alice" not in answer.text
    denied = client.post(
        "/api/runbooks/principal-activity/run", json=body, headers={"Authorization": f"Bearer {tokens['viewer']}"}
    )
    assert denied.status_code == 403 and "indicator" in denied.text
