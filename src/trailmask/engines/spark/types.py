"""Schema types (trailmask.schema) as Spark SQL DDL types.

Timestamps are ``TIMESTAMP_NTZ``: the store keeps naive UTC timestamps (DuckDB ``TIMESTAMP``), the
session's default timestamp type is NTZ, so literals, bound datetimes and results mean the same
wall-clock UTC time in both engines. JSON is text (Spark has no JSON type; the export writes text).
"""

from __future__ import annotations

from trailmask.schema import FieldType

_SCALARS = {"STRING": "STRING", "JSON": "STRING", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP_NTZ"}


def quote(name: str) -> str:
    """A Spark identifier (names come from the schema, never from users)."""
    return "`" + name.replace("`", "``") + "`"


def spark_type(ftype: FieldType) -> str:
    """DDL of one field type: ``STRUCT<`a`: STRING, ...>``, ``ARRAY<...>``, scalars."""
    if isinstance(ftype, dict):
        return "STRUCT<" + ", ".join(f"{quote(name)}: {spark_type(sub)}" for name, sub in ftype.items()) + ">"
    if isinstance(ftype, list):
        return f"ARRAY<{spark_type(ftype[0])}>"
    return _SCALARS[ftype]
