"""Fixtures: row comparison, and `runbook test` failing when a runbook does not keep its promise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.runbooks.conftest import MINIMAL_RUNBOOK

from trailmask.runbooks.fixtures import check_full_run, check_no_match_run, compare_rows
from trailmask.runbooks.model import Fixture, FixtureEvent
from trailmask.service import runbooks as service
from trailmask.service.context import AppContext


def test_rows_compare_as_a_multiset_on_the_expected_columns() -> None:
    actual = [{"a": 1, "b": "x", "t": "2024-01-01T00:00:00"}, {"a": 2, "b": "y", "t": None}]
    assert compare_rows([{"a": 2}, {"a": 1}], actual, ordered=False) == []
    assert compare_rows([{"a": 1, "t": "2024-01-01 00:00:00"}, {"a": 2, "t": None}], actual, ordered=False) == []
    assert compare_rows([{"a": 1}, {"a": 2}], actual, ordered=True) == []
    assert compare_rows([{"a": 2}, {"a": 1}], actual, ordered=True)[0].startswith("rows differ")
    problems = compare_rows([{"a": 1}, {"a": 3}], actual, ordered=False)
    assert problems == ['expected row not returned: {"a": 3.0}', 'unexpected row: {"a": 2.0}']
    assert compare_rows([{"zz": 1}], actual, ordered=False) == ["expected column(s) not in the result: zz"]


def test_json_text_compares_with_structures() -> None:
    assert compare_rows([{"j": {"k": [1, 2]}}], [{"j": '{"k": [1, 2]}'}], ordered=False) == []


def test_run_checks() -> None:
    fixture = Fixture(name="f", events=(FixtureEvent(event={}, match=True),), expect=None)
    assert check_full_run(fixture, []) == ["no rows, but 1 event(s) are marked as matching"]
    assert check_full_run(fixture, [{"a": 1}]) == []
    assert check_no_match_run([{"a": 1}]) == ["1 row(s) from the events marked as not matching (expected none)"]


@pytest.fixture
def team_ctx(runbook_dir: Path, make_ctx: Callable[..., AppContext]) -> Callable[[str], AppContext]:
    def make(text: str) -> AppContext:
        (runbook_dir / "r.yaml").write_text(text, encoding="utf-8")
        config = runbook_dir.parent / "config.yaml"
        config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
        return make_ctx(config_file=str(config))

    return make


def test_a_correct_fixture_passes(team_ctx: Callable[[str], AppContext]) -> None:
    ctx = team_ctx(MINIMAL_RUNBOOK.format(id="mine"))
    [outcome] = service.test_runbooks(ctx, ["mine"])
    assert outcome.passed, outcome.problems
    assert outcome.rows == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("{{eventName: StopLogging, user_name: alice}}", "{{eventName: StopLogging, user_name: bob}}"),
            "expected row not returned",
        ),
        (
            ("eventName: StartLogging", "eventName: StopLogging"),
            "from the events marked as not matching",
        ),
        (("AND eventName = $event_name", "AND eventName = $event_name AND false"), "no rows, but 1 event(s)"),
        (("SELECT eventTime, eventName,", "SELECT eventTime, eventSource AS eventName,"), "expected row not returned"),
        (
            (
                "SELECT eventTime, eventName, userIdentity.userName AS user_name",
                "SELECT eventTime, eventName, 1 AS who",
            ),
            "output contract declares",
        ),
        (
            ("eventName: StartLogging", "eventNam: StartLogging"),
            "fixture events rejected by ingest",
        ),
    ],
)
def test_a_broken_promise_fails_with_the_reason(
    team_ctx: Callable[[str], AppContext], change: tuple[str, str], problem: str
) -> None:
    text = MINIMAL_RUNBOOK.replace(*change)
    assert text != MINIMAL_RUNBOOK
    ctx = team_ctx(text.format(id="mine"))
    [outcome] = service.test_runbooks(ctx, ["mine"])
    assert not outcome.passed
    assert any(problem in p for p in outcome.problems), outcome.problems


def test_cli_runbook_test_exits_1_on_failure(
    team_ctx: Callable[[str], AppContext], tm: object, runbook_dir: Path
) -> None:
    from tests.runbooks.conftest import MINIMAL_RUNBOOK as base

    (runbook_dir / "r.yaml").write_text(
        base.replace("user_name: alice}}", "user_name: nobody}}").format(id="mine"), encoding="utf-8"
    )
    config = runbook_dir.parent / "config.yaml"
    config.write_text(f"runbooks: [{runbook_dir}]\n", encoding="utf-8")
    result = tm("--config", str(config), "runbook", "test", "mine", "--format", "json")  # type: ignore[operator]
    assert result.exit_code == 1
    [row] = result.json()
    assert row["passed"] is False and "expected row not returned" in row["problems"][0]
