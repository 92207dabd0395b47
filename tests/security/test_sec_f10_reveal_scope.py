"""Finding 10 (reveal): a token must be whole, and reveal sees only the rows the role may see.

- ``reveal user_3f9a1c2b`` (8 hex digits of a 12-digit token) matched every value whose digest
  starts with those digits: a shortened token is refused, naming the policy's length.
- The candidate query read the whole raw table: a role limited by a row filter revealed values of
  rows it cannot query. Candidates now come from the rows the role's row filter keeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import write_jsonl
from tests.masking.masking_support import ask, context_for

from trailmask.errors import UsageError
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.reveal import reveal_token

DEFAULT_POLICY = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"
WHY = "INC-7: confirm who made the call"
VISIBLE, HIDDEN = "111111111111", "222222222222"
OWNER = Actor("owner", "admin", "cli-owner")
LIMITED = Actor("lee", "limited", "token")


def _event(number: int, account: str, user: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": f"2024-04-02T08:{number:02d}:00Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "GetUser",
        "awsRegion": "eu-west-1",
        "eventID": f"f1000000-{number:04d}",
        "recipientAccountId": account,
        "userIdentity": {"type": "IAMUser", "userName": user, "accountId": account},
    }


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-f10-reveal-key-0123456789")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        DEFAULT_POLICY.read_text(encoding="utf-8")
        + f"""
  limited:
    description: one account only, may reveal
    permissions: [sql, reveal]
    row_filter: {{accounts: ["{VISIBLE}"]}}
    operators: {{public: keep, time: keep, principal: {{op: pseudonym, prefix: user}}, free_text: detect}}
""",
        encoding="utf-8",
    )
    write_jsonl(
        tmp_path / "in" / "events.jsonl", [_event(1, VISIBLE, "visible-alice"), _event(2, HIDDEN, "hidden-bob")]
    )
    ctx = context_for(tmp_path / "store.duckdb", policy_file=str(policy))
    ingest(ctx, Actor(name="test", role="admin"), [str(tmp_path / "in")])
    return ctx


def _tokens(ctx: AppContext) -> dict[str, str]:
    """Each user's token as the investigator (no row filter) sees it, by raw name."""
    sql = "SELECT userIdentity.userName AS u FROM events ORDER BY eventTime"
    return dict(zip(["visible-alice", "hidden-bob"], ask(ctx, "investigator", sql).column("u"), strict=True))


def test_a_shortened_token_is_refused(store: AppContext) -> None:
    token = _tokens(store)["visible-alice"]
    assert len(token.split("_")[-1]) == 12
    assert [m["value"] for m in reveal_token(store, OWNER, token, justification=WHY).matches] == ["visible-alice"]
    with pytest.raises(UsageError, match="12 hex digits after the prefix, not 8"):
        reveal_token(store, OWNER, token[:-4], justification=WHY)


def test_reveal_sees_only_the_rows_of_the_role(store: AppContext) -> None:
    tokens = _tokens(store)
    visible = reveal_token(store, LIMITED, tokens["visible-alice"], justification=WHY)
    assert [m["value"] for m in visible.matches] == ["visible-alice"]
    assert reveal_token(store, LIMITED, tokens["hidden-bob"], justification=WHY).matches == []
    # the value is in the store: a role without the filter reveals it
    assert [m["value"] for m in reveal_token(store, OWNER, tokens["hidden-bob"], justification=WHY).matches] == [
        "hidden-bob"
    ]
