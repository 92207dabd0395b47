"""The policy file: the built-in default, validation with precise errors, and the masking key."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.masking.masking_support import ask, context_for

from trailmask.errors import ConfigError
from trailmask.masking.loader import default_policy, policy_from_data
from trailmask.masking.model import leaf_paths
from trailmask.schema import iter_leaves
from trailmask.service.keys import KEY_ENV

DEFAULT = yaml.safe_load((Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml").read_text())


def test_default_policy_classifies_every_leaf_and_has_the_three_roles() -> None:
    policy = default_policy()
    assert {leaf.path for leaf in iter_leaves()} <= set(policy.classes)
    assert set(leaf_paths()) == set(policy.classes)
    assert set(policy.roles) == {"admin", "investigator", "viewer"}
    assert policy.roles["admin"].raw and not policy.roles["investigator"].raw
    assert policy.roles["admin"].permissions == ("*",)
    assert {"sql", "runbook:*", "export", "reveal"} <= set(policy.roles["investigator"].permissions)
    assert policy.roles["viewer"].permissions == ("runbook:*",)
    for name in ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails"):
        assert policy.class_of(name) == "free_text"
    assert policy.class_of("errorMessage") == policy.class_of("userAgent") == "free_text"


def test_unnamed_fields_are_free_text() -> None:
    data = {**DEFAULT, "classes": {"eventName": "public"}}
    policy = policy_from_data(data, "test")
    assert policy.class_of("userIdentity.userName") == "free_text"
    assert policy.class_of("eventName") == "public"


def R(role: dict[str, Any]) -> dict[str, Any]:
    return {"roles": {"x": role}}


def _errors(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        policy_from_data(data, "policy.yaml")
    assert caught.value.exit_code == 2
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"classes": {"userIdentity.usrName": "principal"}},
            "classes.userIdentity.usrName: unknown field (did you mean 'userIdentity.userName'?)",
        ),
        ({"classes": {"tm_raw": "secret"}}, "classes.tm_raw: tm_raw cannot be classified"),
        ({"classes": {"eventName": "Public Data"}}, "classes.eventName: class must be a lower-case name"),
        ({"detectors": ["ipv4", "ipv5"]}, "detectors: unknown detector 'ipv5'"),
        ({"version": 2}, "version: only version 1 is supported"),
        ({"roles": {}}, "roles: at least one role is required"),
        ({"rules": []}, "rules: unknown top-level key"),
        (R({"operators": {"ip": "truncate"}}), "roles.x.operators.ip: unknown operator 'truncate'"),
        (
            R({"operators": {"ip": {"op": "ip_truncate", "ipv4_prefix": 12}}}),
            "roles.x.operators.ip.ipv4_prefix: must be one of 0, 8, 16, 24 (got 12)",
        ),
        (
            R({"operators": {"principal": {"op": "ip_truncate"}}}),
            "roles.x.operators.principal: operator 'ip_truncate' applies only to class ip",
        ),
        (
            R({"operators": {"principal": {"op": "pseudonym", "prefix": "User!"}}}),
            "prefix: must be 1-12 lower-case letters",
        ),
        (R({"operators": {"principal": {"op": "pseudonym", "length": True}}}), "length: must be int"),
        (
            R({"operators": {"principal": {"op": "partial", "last": 20}}}),
            "last: must be between 0 and 8 (got 20)",
        ),
        (
            R({"operators": {"principal": {"op": "pseudonym", "salt": "x"}}}),
            "salt: unknown option for 'pseudonym'",
        ),
        (
            R({"raw": True, "operators": {"ip": "keep"}}),
            "roles.x.operators: a raw role sees every value as stored",
        ),
        (R({"default": "keep"}), "roles.x.default: must be redact or nullify (deny by default)"),
        (
            R({"row_filter": {"accounts": [123456789012]}}),
            "roles.x.row_filter.accounts: must be a list of non-empty strings",
        ),
        (R({"row_filter": {"accounts": ["1234"]}}), "each account must be a 12-digit string"),
        (
            R({"row_filter": {"where": "eventName IN (SELECT 1)"}}),
            "roles.x.row_filter.where: a row filter must be a plain condition",
        ),
        (
            R({"row_filter": {"where": "read_text('/etc/passwd') = ''"}}),
            "function read_text() is not allowed",
        ),
        (
            R({"permisions": ["sql"]}),
            "roles.x.permisions: unknown setting (did you mean 'permissions'?)",
        ),
        (R({"permissions": "sql"}), "roles.x.permissions: must be a list of non-empty strings"),
        (
            {"json_keys": [{"class": "secret", "keys": ["pass word"]}]},
            "json_keys[0].keys: 'pass word': letters, digits",
        ),
        (
            {"json_keys": [{"class": "free_text", "keys": ["a"]}]},
            "json_keys[0].class: must be a class name other than free_text",
        ),
        (
            {"json_keys": [{"class": "secret", "keys": ["a"], "when": {"source": ["x"]}}]},
            "json_keys[0].when: may only hold eventSource and eventName",
        ),
    ],
)
def test_invalid_policies_are_rejected_with_the_position(change: dict[str, Any], expected: str) -> None:
    assert expected in _errors({**DEFAULT, **change})


def test_every_problem_is_reported_at_once() -> None:
    message = _errors({**DEFAULT, "version": 3, "detectors": ["nope"], "classes": {"nope": "public"}})
    assert "version" in message and "detectors" in message and "classes.nope" in message


def test_policy_file_from_settings(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(yaml.safe_dump({**DEFAULT, "roles": {"auditor": {"raw": True, "permissions": ["*"]}}}))
    ctx = context_for(tmp_path / "s.duckdb", policy_file=str(policy))
    assert list(ctx.policy.roles) == ["auditor"]
    missing = context_for(tmp_path / "s.duckdb", policy_file=str(tmp_path / "none.yaml"))
    with pytest.raises(ConfigError, match="does not exist"):
        _ = missing.policy
    broken = tmp_path / "broken.yaml"
    broken.write_text("roles: [\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        _ = context_for(tmp_path / "s.duckdb", policy_file=str(broken)).policy


def test_key_generated_once_with_mode_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    ctx = context_for(tmp_path / "store.duckdb")
    with pytest.raises(ConfigError, match="does not exist"):  # never a key beside a store that is not there
        _ = ctx.masking_key
    assert not (tmp_path / "store.duckdb.key").exists()
    with ctx.store.writer():  # creates the store
        pass
    ctx = context_for(tmp_path / "store.duckdb")
    key = ctx.masking_key.reveal()
    path = tmp_path / "store.duckdb.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64 and path.read_text().strip() == key
    assert (context_for(tmp_path / "store.duckdb")).masking_key.reveal() == key  # read back, not regenerated
    assert key not in repr(ctx.masking_key)


def test_key_from_env_then_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "k"
    key_file.write_text("file-key-0123456789abcdef\n")
    monkeypatch.setenv(KEY_ENV, "env-key-0123456789abcdef")
    assert (
        context_for(tmp_path / "s.duckdb", masking_key_file=str(key_file))
    ).masking_key.reveal() == "env-key-0123456789abcdef"
    monkeypatch.delenv(KEY_ENV)
    assert (
        context_for(tmp_path / "s.duckdb", masking_key_file=str(key_file))
    ).masking_key.reveal() == "file-key-0123456789abcdef"
    assert not (tmp_path / "s.duckdb.key").exists()
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(ConfigError, match="at least 16 characters") as caught:
        _ = context_for(tmp_path / "s.duckdb").masking_key
    assert "short" not in str(caught.value)


def test_unwritable_store_folder_explains_how_to_give_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(ConfigError, match=KEY_ENV):
            _ = context_for(folder / "s.duckdb").masking_key
    finally:
        folder.chmod(0o700)


def test_undefined_role_is_refused(real_store: Any) -> None:
    from trailmask.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="not defined in the masking policy"):
        ask(real_store, "intern", "SELECT 1")
