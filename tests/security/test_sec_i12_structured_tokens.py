"""Issue 12 item 2: tokens that keep structure.

An assumed-role ARN was masked as one token (``assumed-role/name_X``), so admin sessions could not be
told from read-only ones nor a ``roleArn`` linked to its sessions; a user was ``user_X`` as userName
and ``name_X`` inside the ARN, so the two could not be joined on equality. Now each ARN path
segment is masked on its own with the role's principal pseudonym (one token per name everywhere),
and AWS-managed names stay recognisable when the policy says ``keep_managed``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tests.security.masking_probe import ask, masked_field, masked_text, store_with

from trailmask.errors import ConfigError
from trailmask.masking.loader import default_policy, policy_from_data

ACCOUNT = "111122223333"


def test_assumed_role_and_session_are_separate_tokens() -> None:
    admin = masked_field(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice", "arn")
    reader = masked_field(f"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/alice", "arn")
    admin_bob = masked_field(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/bob", "arn")
    pattern = r"arn:aws:sts::acct_[0-9a-f]{12}:assumed-role/(user_[0-9a-f]{12})/(user_[0-9a-f]{12})"
    roles_sessions = [re.fullmatch(pattern, value) for value in (admin, reader, admin_bob)]
    assert all(roles_sessions), (admin, reader, admin_bob)
    (a_role, a_session), (r_role, r_session), (b_role, b_session) = (m.groups() for m in roles_sessions if m)
    assert a_role == b_role != r_role  # one role, whoever the session
    assert a_session == r_session != b_session  # one session name, whatever the role
    role_arn = masked_field(f"arn:aws:iam::{ACCOUNT}:role/Admin", "arn")
    assert role_arn.endswith(f":role/{a_role}")  # roleArn links to its sessions
    assert masked_field("Admin", "principal") == a_role  # and to sessionIssuer.userName


def test_name_field_and_arn_share_one_token() -> None:
    user = masked_field("alice", "principal")
    assert masked_field(f"arn:aws:iam::{ACCOUNT}:user/alice", "arn").endswith(f":user/{user}")
    assert masked_field(f"arn:aws:iam::{ACCOUNT}:user/division/alice", "arn").endswith(f"/{user}")
    assert f"user/{user}" in masked_text(f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized")
    assert f'"userName":"{user}"' in masked_text('{"userName":"alice"}', as_json=True).replace(" ", "")


def test_viewer_keeps_the_structure_redacted() -> None:
    value = masked_field(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice", "arn", "viewer")
    assert value == "arn:aws:sts::XXXXX:assumed-role/XXXXX/XXXXX"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
         "role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice",
         "assumed-role/AWSReservedSSO_user_"),
    ],
)  # fmt: skip
def test_managed_names_recognisable_when_the_policy_says_so(value: str, kept: str) -> None:
    assert kept in masked_field(value, "arn")
    data = yaml.safe_load(Path(default_policy_path()).read_text(encoding="utf-8"))
    data["roles"]["investigator"]["operators"]["principal"] = {"op": "pseudonym", "prefix": "user"}
    strict = policy_from_data(data, "strict.yaml")
    out = masked_field(value, "arn", policy=strict)
    assert "AWSServiceRoleForSupport" not in out and "AWSReservedSSO" not in out
    assert "AdministratorAccess" not in masked_field(value, "arn")


def default_policy_path() -> str:
    from importlib import resources

    return str(resources.files("trailmask.masking").joinpath("default_policy.yaml"))


def test_removed_arn_prefix_option_is_a_clear_error() -> None:
    data = yaml.safe_load(Path(default_policy_path()).read_text(encoding="utf-8"))
    data["roles"]["investigator"]["operators"]["arn"] = {"op": "arn", "names": "pseudonym", "prefix": "name"}
    with pytest.raises(ConfigError, match=r"operators\.arn\.prefix: no longer an option"):
        policy_from_data(data, "old.yaml")
    data["roles"]["investigator"]["operators"]["principal"] = {"op": "pseudonym", "keep_managed": "yes"}
    data["roles"]["investigator"]["operators"]["arn"] = "arn"
    with pytest.raises(ConfigError, match=r"principal\.keep_managed: must be bool"):
        policy_from_data(data, "bad.yaml")


def test_equality_join_in_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-i12-masking-key-0123456789")
    events = [
        {"eventTime": "2024-04-02T08:00:00Z", "eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey",
         "eventID": "i1200000-0001", "recipientAccountId": ACCOUNT,
         "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "userName": "alice"},
         "requestParameters": {"userName": "alice"}},
        {"eventTime": "2024-04-02T08:01:00Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
         "eventID": "i1200000-0002", "recipientAccountId": ACCOUNT,
         "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice",
                          "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin",
                                                               "arn": f"arn:aws:iam::{ACCOUNT}:role/Admin"}}}},
    ]  # fmt: skip
    ctx = store_with(tmp_path, events)
    joined = ask(
        ctx,
        "investigator",
        "SELECT count(*) FROM events a JOIN events b "
        "ON a.userIdentity.userName = regexp_extract(b.userIdentity.arn, '[^/]+$') "
        "AND b.eventName = 'AssumeRole'",
    )
    assert joined.rows == [[1]]  # alice (user name) = alice (session name in the ARN)
    issuer = ask(
        ctx,
        "investigator",
        "SELECT count(*) FROM events WHERE split_part(userIdentity.arn, '/', 2) = "
        "userIdentity.sessionContext.sessionIssuer.userName",
    )
    assert issuer.rows == [[1]]
    parameters = ask(
        ctx, "investigator", "SELECT count(*) FROM events WHERE requestParameters->>'userName' = userIdentity.userName"
    )
    assert parameters.rows == [[1]]


def test_default_policy_still_loads() -> None:
    assert default_policy().role("investigator").operator_for("principal").options["keep_managed"] is True
