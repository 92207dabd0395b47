"""Typed parameters and the time window: one validation, errors name the parameter, never the value."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from trailmask.errors import UsageError
from trailmask.runbooks.model import Parameter, Window
from trailmask.runbooks.params import bind, check_declaration, convert, parse_duration, parse_timestamp
from trailmask.runbooks.window import resolve_window, window_parameters

NOW = datetime(2024, 6, 1, 12, 0, 0)


def param(kind: str, **options: Any) -> Parameter:
    return Parameter(name="p", type=kind, description="d", **options)


@pytest.mark.parametrize(
    ("kind", "options", "raw", "expected"),
    [
        ("string", {}, "a 'quoted'; -- value", "a 'quoted'; -- value"),
        ("int", {}, "42", 42),
        ("int", {}, 7, 7),
        ("bool", {}, "yes", True),
        ("bool", {}, "OFF", False),
        ("bool", {}, False, False),
        ("enum", {"values": ("cis", "iam-users")}, "iam-users", "iam-users"),
        ("timestamp", {}, "2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12)),
        ("timestamp", {}, "2024-05-01T14:00:00+02:00", datetime(2024, 5, 1, 12)),
        ("timestamp", {}, "2024-05-01", datetime(2024, 5, 1)),
        ("duration", {}, "1d12h", timedelta(days=1, hours=12)),
        ("list", {"items": "int"}, "1, 2,3", [1, 2, 3]),
        ("list", {"items": "string"}, ["a", "b"], ["a", "b"]),
        ("ip", {}, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("cidr", {}, "10.1.2.3/8", "10.0.0.0/8"),
        ("account_id", {}, "012345678901", "012345678901"),
        ("arn", {}, "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice"),
        ("access_key_id", {}, "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ],
)
def test_values_convert_to_their_type(kind: str, options: dict[str, Any], raw: Any, expected: Any) -> None:
    assert convert(param(kind, **options), raw) == expected


@pytest.mark.parametrize(
    ("kind", "options", "raw", "rule"),
    [
        ("int", {}, "4' OR '1'='1", "must be an integer"),
        ("int", {"minimum": 1}, "0", "must be at least 1"),
        ("int", {"maximum": 5}, 6, "must be at most 5"),
        ("int", {}, True, "must be an integer"),
        ("bool", {}, "maybe", "must be true or false"),
        ("enum", {"values": ("a", "b")}, "c; DROP TABLE events", "must be one of: a, b"),
        ("timestamp", {}, "yesterday", "ISO-8601"),
        ("duration", {}, "7 days", "duration"),
        ("duration", {"maximum": "30d"}, "31d", "at most 30d"),
        ("ip", {}, "10.0.0.1' --", "IPv4 or IPv6"),
        ("cidr", {}, "10.0.0.0/33", "CIDR"),
        ("account_id", {}, "12345", "12-digit"),
        ("arn", {}, "not-an-arn", "an ARN"),
        ("access_key_id", {}, "AKIA'--", "access key"),
        ("string", {"pattern": "[a-z]+"}, "abc1", "must match the pattern"),
        ("string", {"max_length": 3}, "abcd", "longer than 3"),
        ("list", {"items": "int"}, "1,x", "must be an integer"),
        ("cidr", {"pattern": r"\d+\.\d+\.\d+\.\d+/\d+"}, "2001:db8::/32", "must match the pattern"),
    ],
)
def test_invalid_values_name_the_parameter_and_rule_but_not_the_value(
    kind: str, options: dict[str, Any], raw: Any, rule: str
) -> None:
    with pytest.raises(UsageError) as caught:
        convert(param(kind, **options), raw)
    message = str(caught.value)
    assert message.startswith("parameter 'p' ")
    assert rule in message
    if isinstance(raw, str) and len(raw) > 3:
        assert raw not in message


def test_masked_roles_may_pass_values_in_their_masked_form_for_identity_types() -> None:
    token = "user_3f9a1c2b7d4e"
    assert convert(param("ip"), "203.0.113.xxx", masked=True) == "203.0.113.xxx"
    assert convert(
        param("list", items="arn"), "arn:aws:iam::acct_3f9a1c2b7d4e:user/name_0123abcd4567", masked=True
    ) == ["arn:aws:iam::acct_3f9a1c2b7d4e:user/name_0123abcd4567"]
    assert convert(param("principal"), token, masked=True) == token
    assert convert(param("string"), token, masked=True) == token
    with pytest.raises(UsageError, match="must be an IPv4"):
        convert(param("ip"), "203.0.113.xxx", masked=False)
    with pytest.raises(UsageError, match="must be an IPv4"):
        convert(param("ip"), "300.1.1.1", masked=True)  # same validation for every role (issue 12.1)
    with pytest.raises(UsageError, match="must be an IPv4"):
        convert(param("ip"), "tok_ip_3f9a0c", masked=True)  # not a form any role sees
    with pytest.raises(UsageError, match="must be an IPv4"):
        convert(param("ip"), "bad\x00user_3f9a1c2b7d4e", masked=True)
    with pytest.raises(UsageError, match="must be an integer"):
        convert(param("int"), "tok_1", masked=True)  # only identity types relax


def test_very_long_text_is_data_up_to_the_ceiling() -> None:
    long = "x'; --" * 20_000  # 120,000 characters
    assert convert(param("string"), long) == long
    with pytest.raises(UsageError, match="longer than 1000000"):
        convert(param("string"), "x" * 1_000_001)


def test_bind_uses_defaults_and_requires_required() -> None:
    params = (
        param("int", default=5).__class__(name="n", type="int", description="d", default=5),
        Parameter(name="who", type="string", description="d", required=True, example="alice"),
        Parameter(name="opt", type="string", description="d"),
    )
    assert bind(params, {"who": "bob"}) == {"n": 5, "who": "bob", "opt": None}
    with pytest.raises(UsageError, match="parameter 'who' is required") as caught:
        bind(params, {})
    assert "-p who=alice" in str(caught.value)


def test_declarations_are_checked() -> None:
    assert check_declaration(param("colour"))[0].startswith("parameter 'p' has unknown type 'colour'")
    assert "needs 'values'" in check_declaration(param("enum"))[0]
    assert "needs 'items'" in check_declaration(param("list"))[0]
    assert "invalid pattern" in check_declaration(param("string", pattern="("))[0]
    assert "cannot have a default" in check_declaration(param("string", required=True, default="x"))[0]
    assert "default of parameter 'p'" in check_declaration(param("int", default="x"))[0]


def test_durations_and_timestamps() -> None:
    assert parse_duration("2w") == timedelta(weeks=2)
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_timestamp("now", NOW) == NOW
    for bad in ("", "h", "1x", "-1d"):
        with pytest.raises(ValueError):
            parse_duration(bad)


WINDOW = Window(default="24h")
PARAMS = window_parameters(WINDOW)


def test_window_defaults_to_the_look_back_before_now() -> None:
    assert resolve_window(WINDOW, PARAMS, {}, NOW) == {"start": NOW - timedelta(hours=24), "end": NOW}
    assert resolve_window(WINDOW, PARAMS, {"since": "7d"}, NOW)["start"] == NOW - timedelta(days=7)


def test_window_all_binds_nulls_so_untimed_events_count() -> None:
    assert resolve_window(WINDOW, PARAMS, {"since": "all"}, NOW) == {"start": None, "end": None}
    assert resolve_window(WINDOW, PARAMS, {"since": "ALL", "end": "2024-01-01"}, NOW) == {
        "start": None,
        "end": datetime(2024, 1, 1),
    }


def test_window_start_overrides_since_and_end_defaults_to_now() -> None:
    window = resolve_window(WINDOW, PARAMS, {"start": "2024-05-01T00:00:00Z"}, NOW)
    assert window == {"start": datetime(2024, 5, 1), "end": NOW}
    with pytest.raises(UsageError, match="either parameter 'since' or parameter 'start'"):
        resolve_window(WINDOW, PARAMS, {"start": "2024-05-01", "since": "7d"}, NOW)
    with pytest.raises(UsageError, match="window is empty"):
        resolve_window(WINDOW, PARAMS, {"start": "2024-05-02", "end": "2024-05-01"}, NOW)
    with pytest.raises(UsageError, match="parameter 'since'"):
        resolve_window(WINDOW, PARAMS, {"since": "'; DROP TABLE events; --"}, NOW)


def test_window_maximum_is_enforced() -> None:
    capped = Window(default="1d", maximum="7d")
    params = window_parameters(capped)
    with pytest.raises(UsageError, match="maximum of 7d"):
        resolve_window(capped, params, {"since": "8d"}, NOW)
    with pytest.raises(UsageError, match="cannot be 'all'"):
        resolve_window(capped, params, {"since": "all"}, NOW)
    with pytest.raises(UsageError, match="maximum of 7d"):
        resolve_window(capped, params, {"start": "2024-01-01"}, NOW)
