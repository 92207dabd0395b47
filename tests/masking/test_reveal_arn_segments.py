"""Issue 10 / 12.2: reveal's candidates split an ARN's names as the masking does.

The masking gives each ``/`` segment of an ARN's names its own token (``assumed-role/ROLE/SESSION``:
one for the role, one for the session). Reveal's candidate query took ``ROLE/SESSION`` as one
value, so neither token an investigator saw in an assumed-role ARN could be revealed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import write_jsonl
from tests.masking.masking_support import ask, context_for

from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.reveal import reveal_token

WHY = "INC-9: which session made the call"
OWNER = Actor("owner", "admin", "cli-owner")
IVY = Actor("ivy", "investigator", "token")


def _event(number: int, arn: str, resource: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": f"2024-04-02T08:{number:02d}:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "eu-west-1",
        "eventID": f"a1000000-{number:04d}",
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "AssumedRole", "arn": arn, "accountId": "111122223333"},
        "resources": [{"ARN": resource, "type": "AWS::S3::Object"}],
    }


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "reveal-arn-segments-key-0123456789")
    events = [
        _event(1, "arn:aws:sts::111122223333:assumed-role/DataAdmin/alice-session", "arn:aws:s3:::bkt-one/logs/a.txt"),
        _event(2, "ARN:AWS:STS::111122223333:assumed-role/ReadOnly/bob-session", "arn:aws:s3:::bkt-two"),
    ]
    write_jsonl(tmp_path / "in" / "events.jsonl", events)
    ctx = context_for(tmp_path / "store.duckdb")
    ingest(ctx, OWNER, [str(tmp_path / "in")])
    return ctx


def _segments(ctx: AppContext, column: str) -> list[list[str]]:
    """The investigator's tokens in each ARN's names, in event order."""
    values = ask(ctx, "investigator", f"SELECT {column} AS a FROM events ORDER BY eventTime").column("a")
    return [str(v).split(":", 5)[5].split("/")[1:] for v in values]


def _revealed(ctx: AppContext, token: str) -> list[str]:
    return [m["value"] for m in reveal_token(ctx, IVY, token, justification=WHY).matches]


def test_role_and_session_of_an_assumed_role_arn_are_revealed_one_by_one(store: AppContext) -> None:
    (role_one, session_one), (role_two, session_two) = _segments(store, "userIdentity.arn")
    assert len({role_one, session_one, role_two, session_two}) == 4
    assert _revealed(store, role_one) == ["DataAdmin"]
    assert _revealed(store, session_one) == ["alice-session"]
    assert _revealed(store, role_two) == ["ReadOnly"]  # an upper-case ARN is split the same way
    assert _revealed(store, session_two) == ["bob-session"]


def test_each_segment_of_an_s3_object_arn_is_a_candidate(store: AppContext) -> None:
    resources = ask(store, "investigator", "SELECT resources[1].ARN AS r FROM events ORDER BY eventTime").column("r")
    bucket, folder, name = str(resources[0]).split(":::", 1)[1].split("/")
    assert [_revealed(store, token) for token in (bucket, folder, name)] == [["bkt-one"], ["logs"], ["a.txt"]]
