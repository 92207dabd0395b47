"""Issue 12 item 3: no false structure.

The empty string was masked as a token that looks like a real key (``accessKeyId ""`` ->
``key_...``, and reveal finds nothing); ``Chrome/122.0.0.0`` in a user agent was masked as an
address; a ``sourceIPAddress`` holding two addresses was redacted whole. And teams could not tell
the policy which values are never sensitive (allow lists) nor which findings a detector must not
report (ignore lists).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.security.masking_probe import ask, masked_field, masked_text, store_with

from trailmask.errors import ConfigError
from trailmask.masking.loader import policy_from_data

POLICY_DATA: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml").read_text(encoding="utf-8")
)


def _policy(**extra: Any) -> Any:
    data = copy.deepcopy(POLICY_DATA)
    data.update(extra)
    return policy_from_data(data, "team-policy.yaml")


@pytest.mark.parametrize("role", ["investigator", "viewer"])
@pytest.mark.parametrize("cls", ["access_key", "principal", "account_id", "arn", "ip", "email", "source"])
def test_empty_stays_empty_and_null_stays_null(cls: str, role: str) -> None:
    assert masked_field("", cls, role) == ""
    assert masked_field(None, cls, role) is None


def test_empty_json_values_stay_empty() -> None:
    out = masked_text('{"accessKeyId":"","userName":"","password":"","roleName":""}', as_json=True)
    assert out.replace(" ", "") == '{"accessKeyId":"","userName":"","password":"","roleName":""}'


def test_empty_in_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "sec-i12-masking-key-0123456789")
    identity = {"type": "AWSService", "accessKeyId": "", "userName": ""}
    event = {"eventTime": "2024-04-02T08:00:00Z", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity"}
    event |= {"eventID": "i1230000-0001", "userIdentity": identity}
    ctx = store_with(tmp_path, [event])
    answer = ask(
        ctx, "investigator", "SELECT userIdentity.accessKeyId, userIdentity.userName, userIdentity.arn FROM events"
    )
    assert answer.rows == [["", "", None]]


@pytest.mark.parametrize("role", ["investigator", "viewer"])
def test_browser_versions_are_not_addresses(role: str) -> None:
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
    assert masked_text(agent, role) == agent
    assert "203.0.113.9" not in masked_text(f"{agent} via 203.0.113.9", role)
    assert "203.0.113.9" not in masked_text("curl/203.0.113.9", role)  # not a browser: still an address


def test_two_addresses_masked_each() -> None:
    assert masked_field("81.2.69.142, 192.168.10.10", "ip") == "81.2.69.xxx, 192.168.10.xxx"
    assert masked_field("81.2.69.142,2001:db8:85a3::7", "ip") == "81.2.69.xxx, 2001:db8:85a3::"
    assert masked_field("81.2.69.142, ec2-1-2-3-4.compute-1.amazonaws.com", "ip") == "81.2.69.xxx, XXXXX"
    assert masked_field("81.2.69.142, 192.168.10.10", "ip", "viewer") == "XXXXX"


UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_allow_list_values_and_patterns() -> None:
    policy = _policy(allow={"values": ["deploy-bot"], "patterns": [UUID, "svc-[a-z]+"]})
    assert masked_field("deploy-bot", "principal", policy=policy) == "deploy-bot"
    assert masked_field("svc-billing", "principal", policy=policy) == "svc-billing"
    assert masked_field("alice", "principal", policy=policy).startswith("user_")
    request = "3b0e3d1c-5f2a-4d0e-9e3b-7d9f2c1a0b4e"
    text = f"request {request} by deploy-bot from 198.51.100.4"
    assert masked_text(text, policy=policy) == f"request {request} by deploy-bot from 198.51.100.xxx"
    assert masked_text('{"userName":"deploy-bot"}', as_json=True, policy=policy) == '{"userName":"deploy-bot"}'


def test_detector_ignore_list() -> None:
    group = "sg-0123456789abcdef0AbCdEf9"
    random_like = "Zx9Qw3Er7Ty2Ui8Op4As6Df1Gh5Jk0L"
    policy = _policy(ignore={"high_entropy": ["sg-[0-9A-Za-z]{17,}"], "ipv4": [r"10\.0\.0\.[0-9]+"]})
    assert masked_text(f"{group} {random_like} 10.0.0.7 10.0.1.7", policy=policy) == (
        f"{group} [REDACTED:high_entropy] 10.0.0.7 10.0.1.xxx"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"allow": {"value": ["x"]}}, r"allow\.value: unknown key \(did you mean 'values'\?\)"),
        ({"allow": ["x"]}, r"allow: must be a mapping"),
        ({"allow": {"patterns": ["(unclosed"]}}, r"allow\.patterns\[0\]: not a valid regular expression"),
        ({"allow": {"patterns": [".*"]}}, r"allow\.patterns\[0\]: matches the empty string"),
        ({"allow": {"patterns": ["(?<=x)y"]}}, r"allow\.patterns\[0\]: lookaround"),
        ({"allow": {"values": [""]}}, r"allow\.values: must be a list of non-empty strings"),
        ({"ignore": {"high_entropi": ["x"]}}, r"ignore\.high_entropi: unknown detector \(did you mean"),
        ({"ignore": {"ipv4": [r"(a)\1"]}}, r"ignore\.ipv4\[0\]: lookaround, backreferences"),
        ({"allowlist": {}}, r"allowlist: unknown top-level key \(did you mean 'allow'\?\)"),
    ],
)  # fmt: skip
def test_allow_and_ignore_are_validated(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _policy(**extra)


def test_lists_change_the_policy_digest_only_when_used() -> None:
    plain = _policy()
    assert "allow" not in plain.to_dict() and "ignore" not in plain.to_dict()
    assert _policy(allow={"values": ["x"]}).digest != plain.digest
