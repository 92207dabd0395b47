"""rbac.allowed: default deny, deny wins, globs within a kind, tags, named missing permission."""

from __future__ import annotations

import pytest

from trailmask.rbac import Resource, allowed, required_permissions

RB = Resource("runbook", "root-login", ("cis", "iam"))


def test_default_deny_names_missing_permission() -> None:
    decision = allowed([], "sql")
    assert not decision
    assert decision.missing == "sql"
    assert "no permission grants 'sql'" in decision.reason


def test_exact_grant() -> None:
    decision = allowed(["sql"], "sql")
    assert decision.allowed
    assert decision.matched == ("sql",)


def test_runbook_by_id_glob_and_tag() -> None:
    assert allowed(["runbook:root-login"], "runbook", RB)
    assert allowed(["runbook:root-*"], "runbook", RB)
    assert allowed(["runbook:*"], "runbook", RB)
    assert allowed(["runbook-tag:cis"], "runbook", RB)
    assert not allowed(["runbook-tag:mitre"], "runbook", RB)
    assert not allowed(["runbook:other"], "runbook", RB)


def test_missing_for_runbook_names_the_id() -> None:
    decision = allowed(["sql"], "runbook", RB)
    assert decision.missing == "runbook:root-login"
    assert "'runbook-tag:cis'" in decision.reason


def test_globs_stay_within_their_kind() -> None:
    assert allowed(["runbook:*"], "runbook", Resource("runbook", "x", ()))
    assert not allowed(["runbook*"], "sql")
    assert not allowed(["audit:*"], "approve")
    assert allowed(["audit:*"], "audit:read")
    # a runbook-id glob never grants a tag-only match and vice versa
    assert not allowed(["runbook:cis"], "runbook", Resource("runbook", "x", ("cis",)))


def test_star_grants_everything_and_deny_wins() -> None:
    assert allowed(["*"], "users:manage")
    decision = allowed(["*", "!sql"], "sql")
    assert not decision
    assert decision.missing == "sql"
    assert "denied by '!sql'" in decision.reason
    assert allowed(["*", "!sql"], "export")


def test_denial_by_tag_beats_grant_by_id() -> None:
    decision = allowed(["runbook:root-login", "!runbook-tag:iam"], "runbook", RB)
    assert not decision
    assert decision.matched == ("!runbook-tag:iam",)


def test_deny_all() -> None:
    assert not allowed(["sql", "!*"], "sql")


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        allowed(["*"], "drop-table")
    with pytest.raises(ValueError, match="needs a runbook"):
        required_permissions("runbook")


def test_whitespace_and_empty_entries_ignored() -> None:
    assert allowed([" sql ", ""], "sql")
    assert not allowed(["", "  "], "sql")
