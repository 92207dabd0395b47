"""Finding 8: pseudonyms linked to raw values without ``reveal``.

On the red-team main, ``requestParameters.bucketName`` (and ``roleName``, ``groupName``, ...) came
back raw beside ``arn:aws:s3:::name_...``: one row mapped the token to the bucket name, and since a
name keeps one token in every field, that undid it everywhere. The default policy now classifies
the resource-name keys CloudTrail uses (the same principal token as inside the ARN), and ``policy
drift`` lists any key whose values equal a name masked elsewhere (``linked_key``), so a key the
policy does not know yet is found rather than guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.security.masking_probe import ask, store_with

from trailmask.models import Actor
from trailmask.service.drift import drift

OWNER = Actor("owner", "admin", "cli-owner")


def _event(number: int, name: str, params: dict[str, Any], resource: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "eventTime": f"2024-06-01T10:{number:02d}:00Z",
        "eventSource": "s3.amazonaws.com" if resource.startswith("arn:aws:s3") else "iam.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "eventID": f"f8000000-{number:04d}",
        "recipientAccountId": "111122223333",
        "userIdentity": {"type": "IAMUser", "userName": "ops"},
        "requestParameters": params,
        "resources": [{"ARN": resource}],
    }


EVENTS = [
    _event(1, "PutBucketPolicy", {"bucketName": "payroll-exports"}, "arn:aws:s3:::payroll-exports"),
    _event(2, "DeleteRole", {"roleName": "BreakGlass"}, "arn:aws:iam::111122223333:role/BreakGlass"),
    _event(3, "TagRole", {"roleName": "BreakGlass", "ownerHandle": "BreakGlass"}, "arn:aws:iam::111122223333:role/x"),
]


def test_resource_names_under_json_keys_take_the_arn_token(tmp_path: Path) -> None:
    ctx = store_with(tmp_path, EVENTS[:2])  # the keys the policy classifies (EVENTS[2] holds one it does not)
    sql = "SELECT resources[1].ARN AS arn, requestParameters AS p FROM events ORDER BY eventTime"
    for role in ("investigator", "viewer"):
        rows = ask(ctx, role, sql).rows
        text = repr(rows)
        assert "payroll-exports" not in text and "BreakGlass" not in text, role
    bucket_arn, params = ask(ctx, "investigator", sql).rows[0]
    assert str(bucket_arn).removeprefix("arn:aws:s3:::") in str(params)  # one token: joins work, nothing to pair


def test_drift_lists_a_key_whose_values_equal_a_masked_name(tmp_path: Path) -> None:
    ctx = store_with(tmp_path, EVENTS)
    linked = {(f.event, f.path) for f in drift(ctx, OWNER) if f.kind == "linked_key"}
    assert ("TagRole", "requestParameters.ownerHandle") in linked  # unclassified, equals a role name
    assert not [path for _, path in linked if path.endswith(("roleName", "bucketName"))]  # classified
