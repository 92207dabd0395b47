"""SQL shapes keep no literal values; reader views mask what people typed; secrets never logged."""

from __future__ import annotations

from trailmask.audit import sql_fingerprint, sql_shape
from trailmask.audit.view import HIDDEN, MASKED, hide_secret_params, reader_view


def test_shape_removes_literals_and_comments() -> None:
    sql = (
        "SELECT eventName FROM events WHERE sourceIPAddress = '203.0.113.7' -- 198.51.100.1\n"
        "/* AKIAIOSFODNN7EXAMPLE */ AND n > 12.5e3 AND s = E'it''s' AND d = $$raw$$ AND \"userIdentity\".arn = $p"
    )
    shape = sql_shape(sql)
    for value in ("203.0.113.7", "198.51.100.1", "AKIA", "12.5", "it's", "raw"):
        assert value not in shape
    assert shape == (
        "select eventname from events where sourceipaddress = ? and n > ? and s = ? and d = ? "
        'and "useridentity".arn = $p'  # a CloudTrail name, quoted, stays (lower-cased)
    )


def test_fingerprint_groups_equal_shapes() -> None:
    a = sql_fingerprint("SELECT * FROM events WHERE awsRegion = 'us-east-1'")
    b = sql_fingerprint("select *   from events\nwhere awsregion = 'eu-west-1'")
    c = sql_fingerprint("SELECT * FROM events WHERE eventName = 'x'")
    assert a == b != c
    assert len(a) == 16


def test_unterminated_literal_still_hidden() -> None:
    assert "secret" not in sql_shape("SELECT 'secret")


def test_secret_params_hidden() -> None:
    logged = hide_secret_params({"ip": "1.2.3.4", "api_key": "k", "token": "t"}, secret_names={"token"})
    assert logged == {"ip": "1.2.3.4", "api_key": HIDDEN, "token": HIDDEN}


def test_reader_view_masks_typed_values_only_for_non_raw() -> None:
    entry = {
        "actor": "alice",
        "params": {"ip": "1.2.3.4", "secret": HIDDEN},
        "sql": "SELECT 1",
        "sql_shape": "select ?",
        "justification": "incident 42",
        "rows": 3,
    }
    shown = reader_view(entry, raw=False)
    assert shown["params"] == {"ip": MASKED, "secret": HIDDEN}
    assert shown["sql"] == MASKED
    assert shown["justification"] == MASKED
    assert shown["actor"] == "alice"
    assert shown["sql_shape"] == "select ?"
    assert reader_view(entry, raw=True) == entry
