"""``policy drift`` (issue 12.8, issue 10 finding 8): findings per service and event, ``when``
rules honoured per event, and JSON keys whose values equal names masked elsewhere listed as
``linked_key`` (a masked role would see the raw name beside its pseudonym)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import tm_process, write_jsonl
from tests.masking.masking_support import context_for

from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.drift import drift
from trailmask.service.ingest import ingest

OWNER = Actor("owner", "admin", "cli-owner")


def _event(number: int, source: str, name: str, params: dict[str, Any], user: str = "alice") -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": f"2024-05-01T10:{number:02d}:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "eventID": f"d0000000-{number:04d}",
        "recipientAccountId": "111122223333",
        "userIdentity": {
            "type": "AssumedRole",
            "userName": user,
            "arn": "arn:aws:sts::111122223333:assumed-role/OpsRole/ops-session",
        },
        "requestParameters": params,
    }


@pytest.fixture
def ctx(tmp_path: Path) -> AppContext:
    events = [
        _event(1, "iam.amazonaws.com", "AddUserToGroup", {"memberName": "alice", "note": "quarterly review"}),
        _event(2, "iam.amazonaws.com", "AddUserToGroup", {"memberName": "bob", "userName": "alice"}, user="bob"),
        _event(3, "sts.amazonaws.com", "AssumeRole", {"targetRole": "OpsRole", "label": "ops-session"}),
        _event(4, "ssm.amazonaws.com", "GetParameter", {"name": "/prod/db"}),
        _event(5, "ec2.amazonaws.com", "CreateTags", {"name": "web-1"}),
    ]
    write_jsonl(tmp_path / "in" / "events.jsonl", events)
    context = context_for(tmp_path / "store.duckdb")
    ingest(context, OWNER, [str(tmp_path / "in")])
    return context


def _by(ctx: AppContext) -> dict[tuple[str, str, str, str], dict[str, object]]:
    return {(f.service, f.event, f.kind, f.path): f.to_dict() for f in drift(ctx, OWNER)}


def test_findings_are_grouped_by_service_and_event(ctx: AppContext) -> None:
    findings = drift(ctx, OWNER)
    keys = [(f.service, f.event) for f in findings]
    assert keys == sorted(keys)  # grouped: one block per service and event
    by = _by(ctx)
    assert by[("iam.amazonaws.com", "AddUserToGroup", "json_key", "requestParameters.note")]["events"] == 1
    assert ("iam.amazonaws.com", "AddUserToGroup", "json_key", "requestParameters.memberName") in by
    # `name` is a principal name only for the services its rule's `when` lists
    assert ("ec2.amazonaws.com", "CreateTags", "json_key", "requestParameters.name") in by
    assert not [k for k in by if k[0] == "ssm.amazonaws.com" and k[3] == "requestParameters.name"]


def test_keys_whose_values_equal_names_masked_elsewhere_are_listed(ctx: AppContext) -> None:
    by = _by(ctx)
    member = by[("iam.amazonaws.com", "AddUserToGroup", "linked_key", "requestParameters.memberName")]
    assert member["events"] == 2 and "2 value(s) equal names masked elsewhere" in str(member["treated_as"])
    assert "investigator" in str(member["treated_as"])
    # names inside an ARN count one by one (the role and the session of an assumed-role ARN)
    assert ("sts.amazonaws.com", "AssumeRole", "linked_key", "requestParameters.targetRole") in by
    assert ("sts.amazonaws.com", "AssumeRole", "linked_key", "requestParameters.label") in by
    # a value that is no name, and a key the policy masks with the principal token, are not links
    assert ("iam.amazonaws.com", "AddUserToGroup", "linked_key", "requestParameters.note") not in by
    assert not [k for k in by if k[2] == "linked_key" and k[3] == "requestParameters.userName"]


def test_cli_drift_json_and_piped_table(ctx: AppContext) -> None:
    out = tm_process("--db", str(ctx.settings.db), "policy", "drift", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {"service", "event", "kind", "path", "events", "treated_as"} == set(rows[0])
    assert any(r["kind"] == "linked_key" and r["path"] == "requestParameters.memberName" for r in rows)
    table = tm_process("--db", str(ctx.settings.db), "policy", "drift")
    lines = table.stdout.splitlines()
    assert lines[0] == "service\tevent\tkind\tpath\tevents\ttreated_as"
    assert [line.split("\t")[0] for line in lines[1:]] == sorted(line.split("\t")[0] for line in lines[1:])
