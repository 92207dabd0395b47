"""Comparing results of the two engines: order-insensitive rows of JSON-ready values."""

from __future__ import annotations

import json
from typing import Any

from trailmask.models import QueryResult


def normal(value: Any) -> Any:
    """A value both engines can agree on: floats rounded, lists in a canonical order.

    Lists come from aggregates (``list``, ``collect_list``) whose element order neither engine
    guarantees, so they are compared as multisets.
    """
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {key: normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((normal(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def rows(result: QueryResult) -> list[str]:
    """The result's rows as sorted canonical JSON (column names compared case-insensitively)."""
    out = []
    for row in result.rows:
        out.append(json.dumps({key.lower(): normal(item) for key, item in row.items()}, sort_keys=True))
    return sorted(out)


def difference(left: QueryResult, right: QueryResult, limit: int = 2) -> str:
    """A short description of how two results differ ('' when they are the same)."""
    if [c.lower() for c in left.columns] != [c.lower() for c in right.columns]:
        return f"columns {left.columns} != {right.columns}"
    a, b = rows(left), rows(right)
    if a == b:
        return ""
    only_a = [r for r in a if r not in b][:limit]
    only_b = [r for r in b if r not in a][:limit]
    return f"{len(a)} vs {len(b)} rows; duckdb only: {only_a}; spark only: {only_b}"
