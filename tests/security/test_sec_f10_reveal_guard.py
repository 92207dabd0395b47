"""Finding 10 (reveal): the default investigator could reveal any token with no justification,
which made break-glass optional. Now a reveal takes a justification, is rate-limited per identity,
shows in the raw-access feed, and a policy can require an approval for it (a role with
``unmask:request`` but without ``reveal``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.api.conftest import OWNER
from tests.masking.masking_support import context_for

from trailmask.errors import Conflict, PermissionDenied, RateLimited, UsageError
from trailmask.models import Actor, QueryRequest
from trailmask.service import reveal
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


DEFAULT_POLICY = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"


@pytest.fixture
def gated(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """The store under a policy with a role that may ask for a reveal but not reveal, and an audit reader."""
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f10-reveal-guard-key-0123456789")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEFAULT_POLICY.read_text(encoding="utf-8")
        + """
  gated:
    description: may ask for reveals, reveals only with an approval
    permissions: [sql, "unmask:request"]
    operators: {public: keep, time: keep, account_id: {op: pseudonym, prefix: acct}, free_text: detect}
  auditor:
    description: reads the audit log, masked
    permissions: ["audit:read"]
    operators: {public: keep, free_text: detect}
""",
        encoding="utf-8",
    )
    return context_for(ctx.settings.db, policy_file=str(policy))


def _token(ctx: AppContext) -> str:
    return str(run_query(ctx, IVY, QueryRequest(sql=SQL)).rows[0]["t"])


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


def test_reveals_are_in_the_raw_access_feed(gated: AppContext) -> None:
    ctx, token = gated, _token(gated)
    revealed = reveal_token(ctx, IVY, token, justification=WHY)
    run_query(ctx, IVY, QueryRequest(sql=SQL))  # an ordinary masked query: not raw access
    feed = read_entries(ctx, OWNER, limit=10, raw_access=True)
    assert [e["action"] for e in feed] == ["reveal"]
    assert feed[0]["justification"] == WHY and feed[0]["raw_access"] is True
    shown = read_entries(ctx, AUDITOR, limit=10, raw_access=True)
    assert shown[0]["justification"] == "[masked]" and shown[0]["token"] == "[masked]"
    assert revealed.matches[0]["value"] not in json.dumps(feed)


def test_policy_can_require_an_approval(gated: AppContext) -> None:
    ctx, token = gated, _token(gated)
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


# Red-team pass 2: an indicator lookup counted once per value, but an ARN converts each of its path
# segments on its own (principal tokens): one ``token('arn', ...)`` or ``principal`` parameter
# with a dictionary of guessed names as its path gave every name's token for one lookup of the
# hourly budget (up to the 1 MB value limit: thousands of names). Now a value costs one lookup per
# pseudonym its view holds.
GUESSES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
PACKED = "arn:aws:iam::111122223333:user/" + "/".join(GUESSES)


def test_r2_an_arn_packed_with_guessed_names_costs_a_lookup_per_name(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trailmask.service import indicator_view
    from trailmask.service.runbooks import run_runbook

    monkeypatch.setattr(indicator_view, "PER_HOUR", len(GUESSES))  # fewer than the ARN's 9 tokens
    with pytest.raises(RateLimited):
        run_query(ctx, IVY, QueryRequest(sql=f"SELECT token('arn', '{PACKED}') AS t"))
    with pytest.raises(RateLimited):
        run_runbook(ctx, IAN, "principal-activity", {"principal": PACKED, "since": "all"})
    one = run_query(
        ctx, Actor("ida", "investigator", "token"), QueryRequest(sql="SELECT token('principal', 'alice') t")
    )
    assert str(one.rows[0]["t"]).startswith("user_")  # a single name still costs one lookup
