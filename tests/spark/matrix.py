"""Which (role, item) pairs the Spark tests run.

Every Spark query costs 1-3 s on two shared cores (several jobs and stages per masked query),
so by default each runbook and each adversarial query runs on Spark as admin (when meaningful)
and as ONE masked role, alternating investigator and viewer down the sorted list: every item and
every role is covered, and both engines are compared on each pair that runs. Set
``TRAILMASK_SPARK_PARITY=full`` to run the whole matrix (every item as every role).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
MASKED_ROLES = ("investigator", "viewer")


def full_matrix() -> bool:
    return os.environ.get("TRAILMASK_SPARK_PARITY", "").lower() == "full"


def pairs(items: Sequence[T], *, admin: bool) -> list[tuple[str, T]]:
    """(role, item) pairs: admin for every item (if ``admin``), masked roles full or alternating."""
    chosen: list[tuple[str, T]] = [("admin", item) for item in items] if admin else []
    for index, item in enumerate(items):
        roles = MASKED_ROLES if full_matrix() else (MASKED_ROLES[index % len(MASKED_ROLES)],)
        chosen += [(role, item) for role in roles]
    return chosen
