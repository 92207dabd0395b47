"""The built-in library keeps its promises: every fixture passes, and lint (sandbox included) is clean."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from trailmask.service import runbooks as service
from trailmask.service.context import AppContext


@pytest.mark.slow
def test_every_builtin_fixture_passes_through_the_service_path(make_ctx: Callable[..., AppContext]) -> None:
    outcomes = service.test_runbooks(make_ctx(), None)
    failed = [o.to_dict() for o in outcomes if not o.passed]
    assert not failed, failed
    assert len({o.runbook for o in outcomes}) >= 40


@pytest.mark.slow
def test_lint_with_the_sandbox_for_every_role_is_clean(make_ctx: Callable[..., AppContext]) -> None:
    assert [f.to_dict() for f in service.lint_runbooks(make_ctx())] == []


def test_cli_runbook_test_one_runbook(tm: Any) -> None:
    result = tm("runbook", "test", "cis-root-account-usage", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert [r["passed"] for r in result.json()] == [True, True]
