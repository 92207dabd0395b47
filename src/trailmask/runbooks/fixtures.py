"""What a runbook's fixtures promise, and how results are held against that promise.

A fixture is run twice on fresh stores (by service.runbooks.test_runbooks):

1. all its events loaded: the rows must equal ``expect`` (compared on the columns the expected
   rows name, as a multiset unless ``ordered``), and at least one row must come back when the
   fixture has matching events;
2. only its ``no_match`` events loaded: no row may come back.

This module is pure: it compares rows and renders events; loading and running are the service's.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trailmask.runbooks.model import Fixture, FixtureEvent


@dataclass
class FixtureOutcome:
    """The verdict on one fixture of one runbook; ``problems`` is empty when it passed."""

    runbook: str
    fixture: str
    rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "runbook": self.runbook,
            "fixture": self.fixture,
            "passed": self.passed,
            "rows": self.rows,
            "problems": self.problems,
        }


def events_jsonl(events: Iterable[FixtureEvent]) -> str:
    """JSON lines, one CloudTrail record each, as ingest reads them."""
    return "".join(json.dumps(e.event, sort_keys=True) + "\n" for e in events)


def _normal(value: Any) -> Any:
    """A comparable form: numbers as floats, JSON text parsed, containers recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value) if math.isfinite(float(value)) else str(value)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    text = str(value)
    if text[:1] in "[{":
        try:
            return _normal(json.loads(text))
        except ValueError:
            return text
    return text.replace("T", " ", 1) if _looks_like_timestamp(text) else text


def _looks_like_timestamp(text: str) -> bool:
    return len(text) >= 19 and text[4] == "-" and text[7] == "-" and text[10] in "T " and text[13] == ":"


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def compare_rows(expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]], *, ordered: bool) -> list[str]:
    """Differences between expected and actual rows, on the columns the expected rows name."""
    columns = sorted({c for row in expected for c in row})
    missing_columns = [c for c in columns if actual and c not in actual[0]]
    if missing_columns:
        return [f"expected column(s) not in the result: {', '.join(missing_columns)}"]
    want = [_key({c: _normal(row.get(c)) for c in columns}) for row in expected]
    got = [_key({c: _normal(row.get(c)) for c in columns}) for row in actual]
    if ordered:
        return [] if want == got else [f"rows differ in content or order: expected {want}, got {got}"]
    problems = []
    remaining = list(got)
    for row in want:
        if row in remaining:
            remaining.remove(row)
        else:
            problems.append(f"expected row not returned: {row}")
    problems.extend(f"unexpected row: {row}" for row in remaining)
    return problems


def check_full_run(fixture: Fixture, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Checks for the run over all of a fixture's events."""
    problems = []
    if fixture.matching and not rows:
        problems.append(f"no rows, but {len(fixture.matching)} event(s) are marked as matching")
    if fixture.expect is not None:
        problems.extend(compare_rows(fixture.expect, rows, ordered=fixture.ordered))
    return problems


def check_no_match_run(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Checks for the run over a fixture's ``no_match`` events only."""
    if rows:
        return [f"{len(rows)} row(s) from the events marked as not matching (expected none)"]
    return []
