"""Which (role, item) pairs the Spark tests run, by default and with ``TRAILMASK_SPARK_PARITY=full``.

A masked query costs Spark 1-3 s here (the compiled relation is several jobs and a dozen stages,
compiled anew for each distinct query), a query that reads every column of the masked relation
7-30 s. The default run (CI, ``scripts/test``) stays within a few minutes on two shared cores:

- every runbook as admin on both engines (the user SQL of every runbook is transpiled and run);
- as each masked role (investigator and viewer), one runbook per *shape* (:data:`SHAPES`: JSON
  lists, list functions, JSON functions, windows, joins, aggregates, plain filters), the one whose
  prepared SQL is smallest for that role, plus the query parity suite;
- the adversarial battery without its widest queries (every leaf of the relation at once, and the
  WHERE/LIKE/BETWEEN/hash probes: 10-15 s apiece), each query as one masked role, alternating;
- on the two-worker cluster (test_cluster.py) the per-shape runbooks as every role.

``TRAILMASK_SPARK_PARITY=full`` runs the whole matrix: every runbook and every battery query as
every role (about ten minutes here), and on the cluster every runbook as every role.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

MASKED_ROLES = ("investigator", "viewer")
ROLES = ("admin", *MASKED_ROLES)
# The first pattern a runbook's SQL matches is its shape (the transpiler's rewrites, then the
# query's structure); "filter" is everything else.
SHAPES: dict[str, re.Pattern[str]] = {
    "json list": re.compile(r"\[\*\]"),
    "list functions": re.compile(r"\blen\(|\blist_|str_split|regexp_extract_all|\[-?\d+\]|\[\d*:\d*\]", re.I),
    "json functions": re.compile(r"json_type|json_exists|json_valid|->>|json_extract", re.I),
    "window": re.compile(r"\bOVER\s*\(", re.I),
    "join": re.compile(r"\bJOIN\b", re.I),
    "aggregate": re.compile(r"\bGROUP\s+BY\b", re.I),
}
DUCKDB_ISMS = re.compile(
    r"\[\*\]|\blen\(|\[-?\d+\]|\[\d*:\d*\]|json_type|json_exists|json_valid|list_|str_split|regexp_extract_all"
    r"|try_cast",
    re.IGNORECASE,
)
_EVENTS_REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+events\b", re.IGNORECASE)
WIDE_BATTERY = ("string function:", "select star", "cte", "nested cte", "WHERE/LIKE/BETWEEN/hash probes #")


def full_matrix() -> bool:
    return os.environ.get("TRAILMASK_SPARK_PARITY", "").lower() == "full"


def needs_rewrites(sql: str) -> bool:
    """Does this SQL use DuckDB spellings the transpiler rewrites (or read events twice)?"""
    return bool(DUCKDB_ISMS.search(sql)) or len(_EVENTS_REFERENCE.findall(sql)) > 1


def shape(sql: str) -> str:
    """The shape of a runbook's SQL (see :data:`SHAPES`)."""
    if len(_EVENTS_REFERENCE.findall(sql)) > 1:
        return "join"
    return next((name for name, pattern in SHAPES.items() if pattern.search(sql)), "filter")


def representative(runbooks: Sequence[Any], size: Callable[[Any], int | None]) -> list[Any]:
    """One runbook per shape: the one with the smallest ``size`` (ties: by id); None: not runnable."""
    chosen: dict[str, Any] = {}
    sized = [(n, r) for r in runbooks if (n := size(r)) is not None]
    for _, runbook in sorted(sized, key=lambda pair: (pair[0], pair[1].id)):
        chosen.setdefault(shape(runbook.sql), runbook)
    return sorted(chosen.values(), key=lambda r: r.id)


def runbook_pairs(runbooks: Sequence[Any], prepared_size: Callable[[str, Any], int | None]) -> list[tuple[str, Any]]:
    """(role, runbook): admin for all; masked roles per shape (all with ...=full), see the docstring.

    ``prepared_size(role, runbook)``: length of the SQL the role's run would execute, or None when
    the role may not run it (a runbook that needs a permission the role lacks, e.g. 'indicator').
    """
    chosen: list[tuple[str, Any]] = [("admin", runbook) for runbook in runbooks]
    if full_matrix():
        masked = [(role, r) for r in runbooks for role in MASKED_ROLES if prepared_size(role, r) is not None]
        return chosen + masked
    for role in MASKED_ROLES:
        chosen += [(role, r) for r in representative(runbooks, functools.partial(prepared_size, role))]
    return chosen


def battery_pairs(queries: Sequence[Any]) -> list[tuple[str, Any]]:
    """(role, query): every query as every masked role (full), else the narrow ones alternating."""
    if full_matrix():
        return [(role, query) for query in queries for role in MASKED_ROLES]
    narrow = [q for q in queries if not any(q.label == w or q.label.startswith(w) for w in WIDE_BATTERY)]
    return [(MASKED_ROLES[index % len(MASKED_ROLES)], query) for index, query in enumerate(narrow)]
