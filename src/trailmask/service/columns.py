"""Per result column: whether and how it is masked for the caller's role (for the web UI and API).

The query's lineage (sqlkit.lineage) and the role's policy (masking.columns) decide; a query the
sandbox accepted once is parsed again here (cheap), so the description matches what ran.
"""

from __future__ import annotations

from trailmask.masking.columns import ColumnMasking, column_masking
from trailmask.models import QueryResult
from trailmask.service.context import AppContext
from trailmask.sqlkit.lineage import output_lineage
from trailmask.sqlkit.sandbox import check_query
from trailmask.sqlkit.token_fn import lift_token_calls


def result_column_masking(
    ctx: AppContext, role: str, sql: str, columns: list[str], *, unmasked: bool = False
) -> dict[str, ColumnMasking]:
    """Each result column's masking (mode none|value|parts|unknown, and the operators that apply)."""
    policy = ctx.policy
    lineage = output_lineage(check_query(lift_token_calls(sql).sql), columns)  # token() as a run lifts it
    return {
        item.name: column_masking(policy, role, item.paths, direct=item.direct, unmasked=unmasked) for item in lineage
    }


def describe_result(ctx: AppContext, result: QueryResult, sql: str | None) -> dict[str, ColumnMasking]:
    """The masking of ``result``'s columns: none for a raw (or approved unmasked) run, else from ``sql``."""
    if result.masking_profile == "raw":
        return {name: ColumnMasking("none") for name in result.columns}
    if sql is None:
        return {name: ColumnMasking("unknown") for name in result.columns}
    return result_column_masking(ctx, result.role, sql, result.columns)
