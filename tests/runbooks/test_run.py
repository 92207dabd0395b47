"""Running runbooks: one validation, bound values, output contract, masked roles, audit, CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from tests.runbooks.conftest import ADMIN, event

from trailmask.errors import NotFound, PermissionDenied, UsageError
from trailmask.models import Actor
from trailmask.service import runbooks as service
from trailmask.service.auditing import read_entries
from trailmask.service.catalog import get_runbook
from trailmask.service.context import AppContext

ODD_USER = "o'brien\"; DROP TABLE events; -- /* x */ 😀 ü"
HOSTILE = [
    "' OR '1'='1",
    "alice'; DROP TABLE events; --",
    "/* comment */ alice",
    "alice; SELECT * FROM tm_mask_key",
    "$start",
    "\\'\\\\",
    "ünïcödé 中文 🔥 \u202e",
    "x'" * 1000,
]

Loader = Callable[[AppContext, Iterable[dict[str, Any]]], None]


@pytest.fixture
def ctx(make_ctx: Callable[..., AppContext], load_events: Loader) -> AppContext:
    context = make_ctx()
    load_events(
        context,
        [
            event("ListUsers", user="alice", sourceIPAddress="198.51.100.7"),
            event("CreateUser", user="alice", time="2024-01-01T00:01:00Z", requestParameters={"userName": "bob"}),
            event("ListRoles", user=ODD_USER, time="2024-01-01T00:02:00Z"),
        ],
    )
    return context


def count_events(ctx: AppContext) -> int:
    rows = service.run_runbook(ctx, ADMIN, "top-principals", {"since": "all"}).rows
    return sum(r["calls"] for r in rows)


def test_run_returns_the_declared_columns(ctx: AppContext) -> None:
    result = service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": "alice", "since": "all"})
    assert result.columns == [c.name for c in get_runbook(ctx, "principal-activity").output]
    assert [r["eventName"] for r in result.rows] == ["ListUsers", "CreateUser"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_data(ctx: AppContext, value: str) -> None:
    result = service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": value, "since": "all"})
    assert result.rows == []
    assert count_events(ctx) == 3


def test_a_100k_character_value_is_bound_and_matched_as_data(
    make_ctx: Callable[..., AppContext], load_events: Loader, runbook_dir: Path
) -> None:
    from tests.runbooks.conftest import MINIMAL_RUNBOOK

    (runbook_dir / "r.yaml").write_text(MINIMAL_RUNBOOK.format(id="by-name"), encoding="utf-8")
    config = runbook_dir.parent / "c.yaml"
    config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
    context = make_ctx("long", config_file=str(config))
    long_name = "Z'; DROP TABLE events; --" * 4000  # 100,000 characters
    load_events(context, [event(long_name), event("Other")])
    rows = service.run_runbook(context, ADMIN, "by-name", {"event_name": long_name, "since": "all"}).rows
    assert len(rows) == 1 and rows[0]["eventName"] == long_name
    assert service.run_runbook(context, ADMIN, "by-name", {"event_name": long_name[:-1], "since": "all"}).rows == []


def test_a_value_full_of_sql_syntax_matches_exactly_itself(ctx: AppContext) -> None:
    result = service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": ODD_USER, "since": "all"})
    assert [r["eventName"] for r in result.rows] == ["ListRoles"]


@pytest.mark.parametrize(
    ("runbook", "params"),
    [
        ("ip-activity", {"ip": "198.51.100.7' OR '1'='1"}),
        ("failed-api-calls-by-service", {"service": "s3.amazonaws.com'; --"}),
        ("console-brute-force", {"min_failures": "1 OR 1=1"}),
        ("cis-console-signin-without-mfa", {"variant": "cis' OR '1'='1"}),
        ("principal-activity", {"principal": "a", "since": "1d; DROP TABLE events"}),
    ],
)
def test_hostile_values_for_typed_parameters_are_refused_by_name(
    ctx: AppContext, runbook: str, params: dict[str, str]
) -> None:
    with pytest.raises(UsageError) as caught:
        service.run_runbook(ctx, ADMIN, runbook, params)
    message = str(caught.value)
    assert "parameter '" in message
    assert all(v not in message for v in params.values() if len(v) > 3)


def test_unknown_and_missing_parameters(ctx: AppContext) -> None:
    with pytest.raises(UsageError, match="has no parameter 'nope'") as caught:
        service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": "a", "nope": "1"})
    assert "its parameters: since, start, end, principal, writes_only" in str(caught.value)
    with pytest.raises(UsageError, match="parameter 'principal' is required"):
        service.run_runbook(ctx, ADMIN, "principal-activity", {})
    with pytest.raises(NotFound, match="no runbook with id 'no-such-runbook'"):
        service.run_runbook(ctx, ADMIN, "no-such-runbook", {})
    with pytest.raises(PermissionDenied):
        service.run_runbook(ctx, Actor(name="x", role="nobody"), "principal-activity", {"principal": "a"})


def test_failures_before_the_query_are_audited(ctx: AppContext) -> None:
    with pytest.raises(UsageError):
        service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": "a", "since": "soon"})
    service.run_runbook(ctx, ADMIN, "principal-activity", {"principal": "a", "since": "all"})
    entries = [e for e in read_entries(ctx, ADMIN, limit=20) if e.get("runbook") == "principal-activity"]
    assert [e["outcome"] for e in entries][:2] == ["ok", "usage"]


def test_masked_roles_compare_with_pseudonyms_not_raw_values(ctx: AppContext) -> None:
    investigator = Actor(name="inv", role="investigator")
    by_name = service.run_runbook(ctx, investigator, "principal-activity", {"principal": "alice", "since": "all"})
    assert [r["eventName"] for r in by_name.rows] == ["ListUsers", "CreateUser"]  # converted (issue 12.1)
    assert by_name.notices and by_name.notices[0].startswith("principal matched as user_")
    top = service.run_runbook(ctx, investigator, "top-principals", {"since": "all"}).rows
    token = next(r["principal"] for r in top if r["calls"] == 2)
    assert "alice" not in token
    rows = service.run_runbook(ctx, investigator, "principal-activity", {"principal": token, "since": "all"}).rows
    assert [r["eventName"] for r in rows] == ["ListUsers", "CreateUser"]
    shown_ip = rows[0]["sourceIPAddress"]
    assert shown_ip != "198.51.100.7"
    by_ip = service.run_runbook(ctx, investigator, "ip-activity", {"ip": shown_ip, "since": "all"}).rows
    assert by_ip and all(r["eventName"] in ("ListUsers", "CreateUser") for r in by_ip)
    with pytest.raises(UsageError, match="parameter 'ip' must be an IPv4"):
        service.run_runbook(ctx, ADMIN, "ip-activity", {"ip": shown_ip, "since": "all"})


def test_output_contract_is_enforced(
    make_ctx: Callable[..., AppContext], load_events: Loader, runbook_dir: Path
) -> None:
    from tests.runbooks.conftest import MINIMAL_RUNBOOK

    text = MINIMAL_RUNBOOK.replace("userIdentity.userName AS user_name", "userIdentity.userName AS someone")
    (runbook_dir / "r.yaml").write_text(text.format(id="drifted"), encoding="utf-8")
    config = runbook_dir.parent / "c.yaml"
    config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
    context = make_ctx("other", config_file=str(config))
    load_events(context, [event("StopLogging")])
    with pytest.raises(Exception, match="output contract declares eventTime, eventName, user_name"):
        service.run_runbook(context, ADMIN, "drifted", {"event_name": "StopLogging", "since": "all"})


@pytest.mark.slow
def test_cli_list_show_run(tm: Any, tmp_path: Path) -> None:
    listed = tm("runbook", "list", "--format", "json").json()
    assert len(listed) >= 40
    first = next(r for r in listed if r["id"] == "principal-activity")
    assert set(first) >= {"id", "title", "tags", "parameters"}
    assert [p["name"] for p in first["parameters"]] == ["since", "start", "end", "principal", "writes_only"]
    cis = tm("runbook", "list", "--tag", "cis-aws-6.0", "--format", "json").json()
    assert len(cis) == 15
    page = tm("runbook", "show", "cis-root-account-usage")
    assert page.exit_code == 0 and "## When and why to run it" in page.stdout
    detail = tm("runbook", "show", "cis-root-account-usage", "--format", "json").json()
    assert "userIdentity.type = 'Root'" in detail["sql"]

    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(event("ListUsers", user=ODD_USER)) + "\n", encoding="utf-8")
    assert tm("ingest", str(source)).exit_code == 0
    run = tm(
        "runbook",
        "run",
        "principal-activity",
        "--as",
        "admin",
        "-p",
        f"principal={ODD_USER}",
        "-p",
        "since=all",
        "--format",
        "json",
    )
    assert run.exit_code == 0, run.stderr
    assert [r["eventName"] for r in run.json()] == ["ListUsers"]
    for value in HOSTILE[:4]:
        hostile = tm(
            "runbook", "run", "principal-activity", "--as", "admin", "-p", f"principal={value}", "--format", "json"
        )
        assert hostile.exit_code == 0 and hostile.json() == []
    bad = tm("runbook", "run", "ip-activity", "--as", "admin", "-p", "ip=1.2.3.4'--")
    assert bad.exit_code == 2
    assert "parameter 'ip' must be an IPv4 or IPv6 address" in bad.stderr and "1.2.3.4'--" not in bad.stderr
    assert tm("runbook", "run", "ip-activity", "--as", "admin", "-p", "noequals").exit_code == 2
    assert tm("runbook", "show", "nope-nope").exit_code == 4


def test_cli_repeated_parameter_makes_a_list(tm: Any, runbook_dir: Path, tmp_path: Path) -> None:
    text = """
id: by-names
title: Calls by event names
description: d
when: w
indicates: i
window: all
parameters:
  - {name: names, type: list, items: string, required: true, description: Event names.}
sql: |
  SELECT eventName FROM events
  WHERE ($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)
    AND list_contains($names, eventName)
  ORDER BY eventName
output:
  - {name: eventName, description: e}
"""
    (runbook_dir / "by-names.yaml").write_text(text, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
    source = tmp_path / "e.jsonl"
    source.write_text("".join(json.dumps(event(n)) + "\n" for n in ("A", "B", "C")), encoding="utf-8")
    assert tm("ingest", str(source)).exit_code == 0
    run = tm(
        "--config",
        str(config),
        "runbook",
        "run",
        "by-names",
        "--as",
        "admin",
        "-p",
        "names=A",
        "-p",
        "names=C",
        "--format",
        "json",
    )
    assert run.json() == [{"eventName": "A"}, {"eventName": "C"}]
    comma = tm(
        "--config", str(config), "runbook", "run", "by-names", "--as", "admin", "-p", "names=B,C", "--format", "json"
    )
    assert comma.json() == [{"eventName": "B"}, {"eventName": "C"}]


def test_runbook_limits_cap_rows(make_ctx: Callable[..., AppContext], load_events: Loader, runbook_dir: Path) -> None:
    from tests.runbooks.conftest import MINIMAL_RUNBOOK

    text = MINIMAL_RUNBOOK.replace("output:\n", "limits: {{max_rows: 1, timeout_s: 5}}\noutput:\n", 1)
    (runbook_dir / "r.yaml").write_text(text.format(id="capped"), encoding="utf-8")
    config = runbook_dir.parent / "c.yaml"
    config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
    context = make_ctx("capped", config_file=str(config))
    load_events(context, [event("StopLogging", user=u) for u in ("a", "b", "c")])
    result = service.run_runbook(context, ADMIN, "capped", {"event_name": "StopLogging", "since": "all"})
    assert result.row_count == 1 and result.truncated
    assert get_runbook(context, "principal-activity").limits.max_rows == 5000
