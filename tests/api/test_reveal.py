"""Reveal: a pseudonym token back to its raw value, only with permission ``reveal``, always audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.api.conftest import OWNER, auth

from trailmask.errors import PermissionDenied, UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.service.auditing import read_entries
from trailmask.service.context import AppContext
from trailmask.service.query import run_query
from trailmask.service.reveal import reveal_token

INVESTIGATOR = Actor("ivy", "investigator", "token")
VIEWER = Actor("vic", "viewer", "token")
SQL = """SELECT userIdentity.userName AS user_token, recipientAccountId AS account_token
         FROM events WHERE userIdentity.userName IS NOT NULL AND recipientAccountId IS NOT NULL
         ORDER BY eventTime LIMIT 1"""
WHY = "INC-42: confirm the principal"
RAW_SQL = SQL.replace("user_token", "user_raw").replace("account_token", "account_raw")


def _pair(ctx: AppContext) -> tuple[dict[str, Any], dict[str, Any]]:
    masked = run_query(ctx, INVESTIGATOR, QueryRequest(sql=SQL)).rows[0]
    raw = run_query(ctx, OWNER, QueryRequest(sql=RAW_SQL)).rows[0]
    return masked, raw


def test_admin_reveals_the_investigators_tokens(ctx: AppContext) -> None:
    masked, raw = _pair(ctx)
    assert masked["user_token"] != raw["user_raw"]
    user = reveal_token(ctx, OWNER, masked["user_token"], justification=WHY)
    account = reveal_token(ctx, OWNER, masked["account_token"], justification=WHY)
    assert {m["value"] for m in user.matches} == {raw["user_raw"]}
    assert account.matches == [{"class": "account_id", "value": raw["account_raw"]}]


def test_reveal_needs_the_permission_and_every_attempt_is_audited_without_the_value(ctx: AppContext) -> None:
    masked, raw = _pair(ctx)
    with pytest.raises(PermissionDenied, match="'reveal'"):
        reveal_token(ctx, VIEWER, masked["account_token"], justification=WHY)
    reveal_token(ctx, OWNER, masked["account_token"], justification=WHY)
    entries = [e for e in read_entries(ctx, OWNER, limit=50) if e.get("action") == "reveal"]
    assert [e["outcome"] for e in entries] == ["ok", "forbidden"]
    assert entries[0]["matches"] == 1
    assert raw["account_raw"] not in json.dumps(entries)


def test_not_a_token_is_a_usage_error(ctx: AppContext) -> None:
    with pytest.raises(UsageError, match="not a pseudonym token"):
        reveal_token(ctx, OWNER, "arn:aws:iam::123456789012:root", justification=WHY)
    with pytest.raises(UsageError, match="prefix 'zz'"):
        reveal_token(ctx, OWNER, "zz_0123456789ab", justification=WHY)


def test_reveal_route(client: Any, tokens: dict[str, str], ctx: AppContext) -> None:
    masked, raw = _pair(ctx)
    body = {"token": masked["account_token"], "justification": WHY}
    assert client.post("/api/reveal", json=body).status_code == 401
    denied = client.post("/api/reveal", json=body, headers=auth(tokens["viewer"]))
    assert denied.status_code == 403
    assert "reveal" in denied.json()["message"]
    answer = client.post("/api/reveal", json=body, headers=auth(tokens["admin"]))
    assert answer.status_code == 200
    assert answer.json() == {"token": body["token"], "matches": [{"class": "account_id", "value": raw["account_raw"]}]}
    assert (
        client.post("/api/reveal", json={"token": "x", "justification": WHY}, headers=auth(tokens["admin"])).status_code
        == 400
    )
