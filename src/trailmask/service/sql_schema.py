"""The ``events`` relation as the SQL editor completes it: column and struct field names, their
types and how the caller's role sees each one (masking mode and operator names).

Names and types come from ``trailmask.schema`` (the catalog every engine builds ``events`` from),
masking from the policy (``masking.columns``, the same description every result carries as
``column_masking``). Nothing is read from the store: no value, no JSON key found in the data, no
count. JSON columns (``requestParameters``, ...) are listed with type JSON and no fields, because
their keys are data; ``tm_raw`` is NULL for every masked role and says so.
"""

from __future__ import annotations

from typing import Any

from trailmask.masking.columns import ColumnMasking, column_masking
from trailmask.models import Actor
from trailmask.schema import EVENT_FIELDS, INTERNAL_COLUMNS, FieldType
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext

RAW_COLUMN = "tm_raw"


def _type_name(ftype: FieldType) -> str:
    if isinstance(ftype, dict):
        return "STRUCT"
    if isinstance(ftype, list):
        return f"{_type_name(ftype[0])}[]"
    return ftype


def _node(ctx: AppContext, role: str, name: str, ftype: FieldType, path: str) -> dict[str, Any]:
    masking = column_masking(ctx.policy, role, frozenset({path.lower()}), direct=True)
    node: dict[str, Any] = {"name": name, "type": _type_name(ftype), "masking": masking.to_dict()}
    fields = ftype[0] if isinstance(ftype, list) else ftype
    if isinstance(fields, dict):
        prefix = f"{path}[]." if isinstance(ftype, list) else f"{path}."
        node["fields"] = [_node(ctx, role, child, sub, prefix + child) for child, sub in fields.items()]
    return node


def _raw_node(ctx: AppContext, role: str) -> dict[str, Any]:
    raw = ctx.policy.role(role).raw
    masking = ColumnMasking("none") if raw else ColumnMasking("value", ("null",))
    return {"name": RAW_COLUMN, "type": INTERNAL_COLUMNS[RAW_COLUMN], "masking": masking.to_dict()}


def events_schema(ctx: AppContext, actor: Actor) -> dict[str, Any]:
    """``{"table": "events", "columns": [{name, type, masking, fields?}, ...]}`` for the actor's role."""
    with audited(ctx, actor, "sql.schema") as audit:
        require(ctx, actor, "sql")
        role = actor.role
        columns = [_node(ctx, role, name, ftype, name) for name, ftype in EVENT_FIELDS.items()]
        for name, ftype in INTERNAL_COLUMNS.items():
            columns.append(_raw_node(ctx, role) if name == RAW_COLUMN else _node(ctx, role, name, ftype, name))
        audit.rows = len(columns)
        return {"table": "events", "columns": columns}
