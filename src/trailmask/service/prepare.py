"""Turn a request's SQL into the SQL that runs (sandbox and masking land here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trailmask.service.context import AppContext


@dataclass
class PreparedQuery:
    sql: str
    params: dict[str, Any]
    profile: str
    temp_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    raw_errors: bool = False  # may the engine's own error text be shown (raw roles only)?


def prepare(ctx: AppContext, role: str, sql: str, params: dict[str, Any], *, unmasked: bool = False) -> PreparedQuery:
    return PreparedQuery(sql=sql, params=dict(params), profile="raw", raw_errors=True)
