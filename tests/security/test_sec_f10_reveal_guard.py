"""Finding 10 (reveal): the default investigator could reveal any token with no justification,
which made break-glass optional. Now a reveal takes a justification, is rate-limited per identity,
shows in the raw-access feed, and a policy can require an approval for it (a role with
``unmask:request`` but without ``reveal``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tests.api.conftest import OWNER

from trailmask.errors import Conflict, PermissionDenied, RateLimited, UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.service import authz, reveal
from trailmask.service.approvals import decide_request, request_unmasked
from trailmask.service.auditing import read_entries
from trailmask.service.context import AppContext
from trailmask.service.query import run_query
from trailmask.service.reveal import reveal_token

IVY = Actor("ivy", "investigator", "token")
IAN = Actor("ian", "investigator", "token")
GATED = Actor("gus", "gated", "token")
AUDITOR = Actor("aud", "auditor", "token")
WHY = "INC-42: confirm the account"
SQL = "SELECT recipientAccountId AS t FROM events WHERE recipientAccountId IS NOT NULL LIMIT 1"


@pytest.fixture
def token(ctx: AppContext) -> str:
    return str(run_query(ctx, IVY, QueryRequest(sql=SQL)).rows[0]["t"])


@pytest.fixture
def gated_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy's role that may ask for a reveal but not reveal directly; an audit reader."""
    original: Callable[[AppContext, str], tuple[str, ...] | None] = authz.permissions_of
    extra = {"gated": ("sql", "unmask:request"), "auditor": ("audit:read",)}
    monkeypatch.setattr(authz, "permissions_of", lambda ctx, role: extra.get(role) or original(ctx, role))


@pytest.mark.parametrize("justification", ["", "   ", "because"])
def test_reveal_needs_a_justification(ctx: AppContext, token: str, justification: str) -> None:
    with pytest.raises(UsageError, match="justification"):
        reveal_token(ctx, IVY, token, justification=justification)
    entry = read_entries(ctx, OWNER, limit=2)[1]
    assert (entry["action"], entry["outcome"]) == ("reveal", "usage")


def test_reveal_is_rate_limited_per_identity(ctx: AppContext, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reveal, "PER_HOUR", 3)
    for _ in range(3):
        assert reveal_token(ctx, IVY, token, justification=WHY).matches
    with pytest.raises(RateLimited):
        reveal_token(ctx, IVY, token, justification=WHY)
    assert reveal_token(ctx, IAN, token, justification=WHY).matches  # another identity has its own budget
    fresh = AppContext.from_settings(ctx.settings)  # another process (CLI or server) shares the count
    with pytest.raises(RateLimited):
        reveal_token(fresh, IVY, token, justification=WHY)


def test_reveals_are_in_the_raw_access_feed(ctx: AppContext, token: str, gated_roles: None) -> None:
    revealed = reveal_token(ctx, IVY, token, justification=WHY)
    run_query(ctx, IVY, QueryRequest(sql=SQL))  # an ordinary masked query: not raw access
    feed = read_entries(ctx, OWNER, limit=10, raw_access=True)
    assert [e["action"] for e in feed] == ["reveal"]
    assert feed[0]["justification"] == WHY and feed[0]["raw_access"] is True
    shown = read_entries(ctx, AUDITOR, limit=10, raw_access=True)
    assert shown[0]["justification"] == "[masked]" and shown[0]["token"] == "[masked]"
    assert revealed.matches[0]["value"] not in json.dumps(feed)


def test_policy_can_require_an_approval(ctx: AppContext, token: str, gated_roles: None) -> None:
    with pytest.raises(PermissionDenied, match="only with an approval"):
        reveal_token(ctx, GATED, token, justification=WHY)
    approval = request_unmasked(
        ctx, GATED, kind="reveal", sql=None, runbook=None, params={"token": token}, justification=WHY
    )
    with pytest.raises(Conflict, match="pending"):
        reveal_token(ctx, GATED, token, justification=WHY, approval_id=approval.id)
    decide_request(ctx, OWNER, approval.id, approve=True, comment="ok")
    with pytest.raises(PermissionDenied, match="not for revealing this token"):
        reveal_token(ctx, GATED, "user_0123456789ab", justification=WHY, approval_id=approval.id)
    approval = request_unmasked(
        ctx, GATED, kind="reveal", sql=None, runbook=None, params={"token": token}, justification=WHY
    )
    decide_request(ctx, OWNER, approval.id, approve=True, comment="ok")
    with pytest.raises(PermissionDenied, match="only the requester"):
        reveal_token(ctx, IVY, token, justification=WHY, approval_id=approval.id)
    assert reveal_token(ctx, GATED, token, justification=WHY, approval_id=approval.id).matches
    with pytest.raises(Conflict):  # once
        reveal_token(ctx, GATED, token, justification=WHY, approval_id=approval.id)
    entry = read_entries(ctx, OWNER, limit=3, raw_access=True)[0]
    assert entry["approval_id"] == approval.id


def test_cli_raw_access_feed(ctx: AppContext, token: str) -> None:
    from tests.conftest import Cli

    reveal_token(ctx, IVY, token, justification=WHY)
    run_query(ctx, IVY, QueryRequest(sql=SQL))
    result = Cli(ctx.settings.db)("audit", "list", "--raw-access", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [e["action"] for e in result.json()] == ["reveal"]
