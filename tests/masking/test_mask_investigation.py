"""Masked roles can still investigate: group, count, follow one actor, across queries and restarts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from tests.masking.masking_support import KEY, ask, context_for

from trailmask.masking.reveal import Candidate, candidates_sql, reveal
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.synth import PLANTED_EMAILS, PLANTED_SECRETS, write_jsonl

GROUPINGS = [
    "userIdentity.userName",
    "userIdentity.arn",
    "userIdentity.accountId",
    "userIdentity.accessKeyId",
    "recipientAccountId",
    "userIdentity.sessionContext.sessionIssuer.arn",
]


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    root = tmp_path_factory.mktemp("synth")
    write_jsonl(root / "in" / "trail.jsonl", 4000, seed=11)
    ctx = context_for(root / "store.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAILMASK_MASKING_KEY", KEY)
        ingest(ctx, Actor(name="test", role="admin"), [str(root / "in")])
    return ctx


@pytest.mark.parametrize("store", ["real_store", "synth_store"])
@pytest.mark.parametrize("column", GROUPINGS)
def test_same_group_counts_by_pseudonym_as_by_raw_value(
    request: pytest.FixtureRequest, store: str, column: str
) -> None:
    """Investigator GROUP BY pseudonymised value == admin GROUP BY raw value, group for group."""
    ctx: AppContext = request.getfixturevalue(store)
    sql = f"SELECT {column} AS who, count(*) AS n FROM events GROUP BY 1"
    raw = ask(ctx, "admin", sql).dicts()
    masked = ask(ctx, "investigator", sql).dicts()
    assert Counter(r["n"] for r in raw) == Counter(r["n"] for r in masked)
    assert len(raw) == len(masked) and len(raw) > 1
    raw_values = {r["who"] for r in raw if r["who"] not in (None, "")}  # "" stays "": nothing to hide
    assert not raw_values & {r["who"] for r in masked}
    # and each token maps back to the raw group of the same size (reveal with the key)
    policy = ctx.policy
    with_counts = {r["who"]: r["n"] for r in raw}
    rows = ask(
        ctx, "admin", candidates_sql(policy, ["principal", "account_id", "access_key"]).replace("main.events", "events")
    )
    candidates = [Candidate(r[0], r[1]) for r in rows.rows]
    for row in masked[:20]:
        token = row["who"]
        if token is None or not re.fullmatch(r"[a-z]+_[A-Z0-9]*_?[0-9a-f]{12}", token):
            continue  # ARNs: the whole value is not a token
        found = {c.value for c in reveal(token, candidates, KEY)}
        assert found and any(with_counts.get(value) == row["n"] for value in found), token


def test_follow_one_actor_by_token(synth_store: AppContext) -> None:
    """A masked role filters on the token it sees and gets exactly that actor's events."""
    top = ask(
        synth_store,
        "investigator",
        "SELECT userIdentity.arn AS who, count(*) AS n FROM events WHERE userIdentity.arn IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    )
    token, count = top.rows[0]
    same = ask(
        synth_store, "investigator", "SELECT count(*) AS n FROM events WHERE userIdentity.arn = $who", {"who": token}
    )
    assert same.rows == [[count]]
    timeline = ask(
        synth_store,
        "investigator",
        "SELECT eventTime, eventName, sourceIPAddress FROM events WHERE userIdentity.arn = $who ORDER BY eventTime",
        {"who": token},
    )
    assert len(timeline.rows) == count


def test_tokens_are_stable_across_queries_and_restarts(synth_store: AppContext, tmp_path: Path) -> None:
    sql = "SELECT DISTINCT userIdentity.userName AS u FROM events WHERE userIdentity.userName IS NOT NULL ORDER BY 1"
    first = ask(synth_store, "investigator", sql).column("u")
    again = ask(synth_store, "investigator", sql).column("u")
    restarted = ask(context_for(synth_store.settings.db), "investigator", sql).column("u")
    assert first == again == restarted


def test_another_key_gives_other_tokens(synth_store: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    sql = "SELECT DISTINCT userIdentity.userName AS u FROM events WHERE userIdentity.userName IS NOT NULL"
    first = set(ask(synth_store, "investigator", sql).column("u"))
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "another-key-0123456789abcdef")
    rotated = set(ask(context_for(synth_store.settings.db), "investigator", sql).column("u"))
    assert len(first) == len(rotated) and not first & rotated


def test_planted_synthetic_secrets_never_reach_masked_roles(synth_store: AppContext) -> None:
    for role in ("investigator", "viewer"):
        answer = ask(synth_store, role, "SELECT * FROM events")
        text = "\n".join(str(row) for row in answer.rows)
        leaked = [s for s in (*PLANTED_SECRETS, *PLANTED_EMAILS) if s in text]
        assert not leaked, (role, leaked[:3])
    admin = "\n".join(str(r) for r in ask(synth_store, "admin", "SELECT requestParameters FROM events").rows)
    assert any(s in admin for s in PLANTED_SECRETS)  # they are in the data


def test_row_filter_limits_a_role_to_its_accounts(synth_store: AppContext, tmp_path: Path) -> None:
    accounts = ask(
        synth_store, "admin", "SELECT recipientAccountId AS a, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC"
    )
    account, count = accounts.rows[0]
    policy = tmp_path / "policy.yaml"
    default = (Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml").read_text(encoding="utf-8")
    policy.write_text(
        default
        + f"""
  team-a:
    description: one account only
    permissions: [sql]
    row_filter: {{accounts: ["{account}"]}}
    operators: {{public: keep, time: keep, account_id: {{op: pseudonym, prefix: acct}}, free_text: detect}}
""",
        encoding="utf-8",
    )
    ctx = context_for(synth_store.settings.db, policy_file=str(policy))
    answer = ask(ctx, "team-a", "SELECT count(*) AS n, count(DISTINCT recipientAccountId) AS a FROM events")
    assert answer.rows == [[count, 1]]
    assert ask(ctx, "team-a", "SELECT DISTINCT userIdentity.userName AS u FROM events").column("u") in (
        [None],
        ["XXXXX"],
        ["XXXXX", None],
        [None, "XXXXX"],
    )
