"""Reveal: a pure match of a token against candidate raw values, and its SQL over the store."""

from __future__ import annotations

import pytest
from tests.masking.masking_support import KEY, ask

from trailmask.engines.duckdb.session import QuerySession
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE
from trailmask.masking.model import Operator
from trailmask.masking.operators import pseudonym_py
from trailmask.masking.reveal import Candidate, candidates_sql, parse_token, reveal, reveal_sql
from trailmask.service.context import AppContext


def test_parse_token() -> None:
    assert parse_token("user_3f9a1c2b7d4e") is not None
    parsed = parse_token("key_AKIA_3f9a1c2b7d4e")
    assert parsed is not None and parsed.kept == "AKIA" and parsed.digest == "3f9a1c2b7d4e"
    assert parse_token("arn:aws:iam::x") is None and parse_token("XXXXX") is None


def test_reveal_is_a_pure_match() -> None:
    op = Operator("pseudonym", {"prefix": "user"})
    token = pseudonym_py("alice", "principal", op, KEY)
    candidates = [Candidate("principal", "bob"), Candidate("principal", "alice"), Candidate("account_id", "alice")]
    assert reveal(token, candidates, KEY) == [Candidate("principal", "alice")]
    assert reveal(token, candidates, "another-key-0123456789") == []
    assert reveal("not a token", candidates, KEY) == []


def test_reveal_tokens_a_masked_role_saw(real_store: AppContext) -> None:
    seen = ask(
        real_store,
        "investigator",
        "SELECT DISTINCT userIdentity.userName AS u, userIdentity.accountId AS a FROM events",
    )
    raw = ask(
        real_store, "admin", "SELECT DISTINCT userIdentity.userName AS u, userIdentity.accountId AS a FROM events"
    )
    policy = real_store.policy
    with QuerySession(real_store.store) as session:
        rows = session.execute(candidates_sql(policy, ["principal", "account_id"]), max_rows=1_000_000).rows
    candidates = [Candidate(cls, value) for cls, value in rows]
    names = {value for value in raw.column("u") if value}
    for token in [t for t in seen.column("u") if t][:10]:
        found = reveal(token, candidates, KEY)
        assert len(found) == 1 and found[0].value in names
    with QuerySession(real_store.store, temp_tables={KEY_TABLE: {KEY_COLUMN: KEY}}) as session:
        token = next(t for t in seen.column("a") if t)
        digest = token.removeprefix("acct_")
        in_engine = session.execute(reveal_sql(policy, ["account_id"]), {"digest": digest}).rows
    assert [tuple(r) for r in in_engine] == [(c.cls, c.value) for c in reveal(token, candidates, KEY)]


@pytest.mark.parametrize("cls", ["principal", "account_id", "access_key", "arn"])
def test_candidate_sql_runs_for_each_class(real_store: AppContext, cls: str) -> None:
    with QuerySession(real_store.store) as session:
        assert session.execute(candidates_sql(real_store.policy, [cls])).rows
