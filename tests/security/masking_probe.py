"""Helpers for the masking findings: mask a value exactly as the masked relation does, any role.

``masked_text`` runs the free-text path (preparation, both scan passes) in DuckDB; ``ask`` runs
a query as a role through ``service.prepare`` on a real store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from tests.conftest import write_jsonl
from tests.masking.masking_support import KEY, Answer, ask, context_for

from trailmask.masking.compiler import key_expression
from trailmask.masking.loader import default_policy
from trailmask.masking.model import Policy
from trailmask.masking.operators import MaskContext, mask_value
from trailmask.masking.scanner import Scanner
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import to_sql

__all__ = ["KEY", "Answer", "ask", "masked_field", "masked_text", "store_with"]


def _connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET VARIABLE tm_mask_key__k = ?", [KEY])
    return connection


def _context(policy: Policy, role: str) -> MaskContext:
    """What the compiler gives operators and detectors for this role (allow and ignore lists too)."""
    return MaskContext(key_expression(), policy.role(role), allow=policy.allow, ignore=policy.ignore)


def masked_text(
    text: str | None,
    role: str = "investigator",
    *,
    as_json: bool = False,
    event: tuple[str, str] = ("iam.amazonaws.com", "X"),
    policy: Policy | None = None,
) -> Any:
    """A free-text (or JSON) value as ``role`` sees it."""
    policy = policy or default_policy()
    scanner = Scanner(_context(policy, role), policy.detectors, policy.json_keys)
    value = sx.column("v")
    columns = {"eventSource": sx.column("s"), "eventName": sx.column("n")}
    prepared = scanner.prepare_json(value, columns) if as_json else scanner.prepare_text(value)
    expression = scanner.mask(prepared)
    if as_json:
        expression = sx.cast(expression, "JSON", safe=True)
    sql = f"SELECT {to_sql(expression)} FROM (SELECT CAST(? AS VARCHAR) AS v, ? AS s, ? AS n)"
    row = _connection().execute(sql, [text, *event]).fetchone()
    assert row is not None
    return row[0]


def masked_field(value: str | None, cls: str, role: str = "investigator", policy: Policy | None = None) -> Any:
    """A structured STRING field of class ``cls`` as ``role`` sees it."""
    policy = policy or default_policy()
    ctx = _context(policy, role)
    expression = mask_value(ctx.role.operator_for(cls), sx.column("v"), cls, "STRING", ctx)
    row = _connection().execute(f"SELECT {to_sql(expression)} FROM (SELECT CAST(? AS VARCHAR) AS v)", [value])
    found = row.fetchone()
    assert found is not None
    return found[0]


def store_with(tmp_path: Path, events: list[dict[str, Any]], **settings: Any) -> AppContext:
    """A real DuckDB store holding these events."""
    write_jsonl(tmp_path / "in" / "events.jsonl", events)
    ctx = context_for(tmp_path / "store.duckdb", **settings)
    ingest(ctx, Actor(name="test", role="admin"), [str(tmp_path / "in")])
    return ctx
