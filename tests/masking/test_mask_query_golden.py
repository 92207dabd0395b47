"""Whole-query golden pairs: user SQL -> the masked SQL that runs on DuckDB, for every role.

Cases: golden/queries.yaml; expected SQL: golden/queries/<name>.<role>.sql. A missing or changed
file fails (TRAILMASK_UPDATE_GOLDEN=1 rewrites them after an intended change; review the diff).
Each pair also runs on the verify canary store: the golden SQL is valid DuckDB, and no canary (raw
value planted by verify) appears in a masked role's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.masking.golden_files import check_golden
from tests.masking.masking_support import ask

from trailmask.masking.canary import Canary, LeakScanner
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare

GOLDEN = Path(__file__).parent / "golden"
QUERIES: list[dict[str, Any]] = yaml.safe_load((GOLDEN / "queries.yaml").read_text(encoding="utf-8"))
ROLES = ("admin", "investigator", "viewer")
MASKED = ("investigator", "viewer")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", QUERIES, ids=[q["name"] for q in QUERIES])
def test_masked_sql_matches_golden_file(
    canary: tuple[AppContext, list[Canary], LeakScanner], case: dict[str, Any], role: str
) -> None:
    ctx, _, _ = canary
    plan = prepare(ctx, role, case["sql"], case.get("params", {}))
    check_golden(GOLDEN / "queries" / f"{case['name']}.{role}.sql", plan.sql.strip() + "\n")
    assert plan.raw_errors == (role == "admin")


@pytest.mark.parametrize("role", MASKED)
@pytest.mark.parametrize("case", QUERIES, ids=[q["name"] for q in QUERIES])
def test_golden_query_runs_without_leaking(
    canary: tuple[AppContext, list[Canary], LeakScanner], case: dict[str, Any], role: str
) -> None:
    ctx, _, scanner = canary
    answer = ask(ctx, role, case["sql"], case.get("params", {}))
    assert answer.columns
    assert scanner.scan_rows(answer.columns, answer.rows, f"{case['name']} as {role}") == []


def test_admin_golden_query_sees_the_canaries(canary: tuple[AppContext, list[Canary], LeakScanner]) -> None:
    """The leak check above can fail: the same queries as the raw role do show planted values."""
    ctx, _, scanner = canary
    leaks = [
        leak for case in QUERIES for leak in scanner.scan_rows(*_answer(ctx, "admin", case), f"{case['name']} as admin")
    ]
    assert leaks


def _answer(ctx: AppContext, role: str, case: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    answer = ask(ctx, role, case["sql"], case.get("params", {}))
    return answer.columns, answer.rows
