"""Which (role, item) pairs the Spark tests run, by default and with ``TRAILMASK_SPARK_PARITY=full``.

A masked query costs Spark 1-3 s here (the compiled relation is several jobs and a dozen stages,
compiled anew for each distinct query), a query that reads every column of the masked relation
7-30 s. To keep the module near its time budget on two shared cores, the default run is:

- every runbook as admin on both engines (the user SQL of every runbook is transpiled and run);
- as a masked role (investigator and viewer alternating) the runbooks whose SQL uses DuckDB
  spellings that the transpiler rewrites (JSON paths with ``[*]``, list functions, subscripts and
  slices, ``len``, ``json_*``, several ``events`` references) and whose prepared SQL is at most
  ``AFFORDABLE_SQL`` characters (the larger ones take 8-18 s each), plus the query parity suite;
- the adversarial battery without its widest queries (every leaf of the relation at once, and the
  WHERE/LIKE/BETWEEN/hash probes: 10-15 s apiece), each query as one masked role, alternating.

``TRAILMASK_SPARK_PARITY=full`` runs the whole matrix: every runbook and every battery query as
every role (about ten minutes here).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

MASKED_ROLES = ("investigator", "viewer")
DUCKDB_ISMS = re.compile(
    r"\[\*\]|\blen\(|\[-?\d+\]|\[\d*:\d*\]|json_type|json_exists|json_valid|list_|str_split|regexp_extract_all"
    r"|try_cast",
    re.IGNORECASE,
)
_EVENTS_REFERENCE = re.compile(r"\b(?:FROM|JOIN)\s+events\b", re.IGNORECASE)
WIDE_BATTERY = ("string function:", "select star", "cte", "nested cte", "WHERE/LIKE/BETWEEN/hash probes #")
AFFORDABLE_SQL = 30_000


def full_matrix() -> bool:
    return os.environ.get("TRAILMASK_SPARK_PARITY", "").lower() == "full"


def needs_rewrites(sql: str) -> bool:
    """Does this SQL use DuckDB spellings the transpiler rewrites (or read events twice)?"""
    return bool(DUCKDB_ISMS.search(sql)) or len(_EVENTS_REFERENCE.findall(sql)) > 1


def runbook_pairs(runbooks: Sequence[Any], prepared_size: Callable[[str, Any], int]) -> list[tuple[str, Any]]:
    """(role, runbook): admin for all; masked roles as described in the module docstring.

    ``prepared_size(role, runbook)``: length of the SQL the role's run would execute.
    """
    chosen: list[tuple[str, Any]] = [("admin", runbook) for runbook in runbooks]
    if full_matrix():
        return chosen + [(role, runbook) for runbook in runbooks for role in MASKED_ROLES]
    candidates = [r for r in runbooks if needs_rewrites(r.sql)]
    for index, runbook in enumerate(candidates):
        role = MASKED_ROLES[index % len(MASKED_ROLES)]
        if prepared_size(role, runbook) <= AFFORDABLE_SQL:
            chosen.append((role, runbook))
    return chosen


def battery_pairs(queries: Sequence[Any]) -> list[tuple[str, Any]]:
    """(role, query): every query as every masked role (full), else the narrow ones alternating."""
    if full_matrix():
        return [(role, query) for query in queries for role in MASKED_ROLES]
    narrow = [q for q in queries if not any(q.label == w or q.label.startswith(w) for w in WIDE_BATTERY)]
    return [(MASKED_ROLES[index % len(MASKED_ROLES)], query) for index, query in enumerate(narrow)]
