"""Helpers shared by the masking tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from trailmask.config import load_settings
from trailmask.engines.duckdb.session import QuerySession
from trailmask.errors import QueryFailed
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare

KEY = "test-masking-key-0123456789abcdef"


@dataclasses.dataclass
class Answer:
    columns: list[str]
    rows: list[list[Any]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def ask(ctx: AppContext, role: str, sql: str, params: dict[str, Any] | None = None) -> Answer:
    """prepare + execute exactly as run_query does (engine text only for raw plans), any role."""
    plan = prepare(ctx, role, sql, params or {})
    with QuerySession(ctx.store, temp_tables=plan.temp_tables) as session:
        try:
            rows = session.execute(plan.sql, plan.params, max_rows=100_000)
        except QueryFailed as exc:
            if plan.raw_errors and exc.engine_message is not None:
                raise QueryFailed(f"the engine could not run the query: {exc.engine_message}") from None
            raise
    return Answer(rows.columns, [list(row) for row in rows.rows])


def context_for(db: Path, **overrides: Any) -> AppContext:
    settings = load_settings({"db": str(db), **overrides}, env={})
    return AppContext.from_settings(settings)
