"""Schema types (trailmask.schema) rendered as DuckDB DDL and as json_transform structures."""

from __future__ import annotations

import json

from trailmask.schema import EVENT_FIELDS, INTERNAL_COLUMNS, FieldType

_SCALARS = {"STRING": "VARCHAR", "BOOLEAN": "BOOLEAN", "TIMESTAMP": "TIMESTAMP", "JSON": "JSON", "VARCHAR": "VARCHAR"}


def quote(name: str) -> str:
    """Quote an identifier for DuckDB (names come from the schema, never from users)."""
    return '"' + name.replace('"', '""') + '"'


def ddl_type(ftype: FieldType) -> str:
    if isinstance(ftype, dict):
        inner = ", ".join(f"{quote(k)} {ddl_type(v)}" for k, v in ftype.items())
        return f"STRUCT({inner})"
    if isinstance(ftype, list):
        return f"{ddl_type(ftype[0])}[]"
    return _SCALARS[ftype]


def transform_structure(ftype: FieldType) -> FieldType:
    """The json_transform structure: strings and JSON read as text, typed columns cast later."""
    if isinstance(ftype, dict):
        return {k: transform_structure(v) for k, v in ftype.items()}
    if isinstance(ftype, list):
        return [transform_structure(ftype[0])]
    return "JSON" if ftype == "JSON" else "VARCHAR"


# The record as json_transform yields it: strings for scalars (typed later with TRY_CAST).
EVENT_FIELDS_AS_TEXT: dict[str, FieldType] = {k: transform_structure(v) for k, v in EVENT_FIELDS.items()}


RAW_COMPRESSION = " USING COMPRESSION zstd"


def events_ddl(table: str = "events") -> str:
    cols = [f"{quote(k)} {ddl_type(v)}" for k, v in EVENT_FIELDS.items()]
    # tm_raw (the whole record, admin only, rarely scanned) is zstd-compressed: less CPU to write
    # than the analysed default and about half the disk (docs/store.md)
    cols += [f"{quote(k)} {_SCALARS[v]}{RAW_COMPRESSION if k == 'tm_raw' else ''}" for k, v in INTERNAL_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {quote(table)} (\n  " + ",\n  ".join(cols) + "\n)"


def record_structure_json() -> str:
    """One json_transform structure for a whole record (one parse per record)."""
    return json.dumps({k: transform_structure(v) for k, v in EVENT_FIELDS.items()})


def typed_select(struct_col: str) -> list[str]:
    """Column expressions turning the transformed struct ``struct_col`` into typed columns."""
    exprs = []
    for name, ftype in EVENT_FIELDS.items():
        ref = f"{struct_col}.{quote(name)}"
        if ftype == "TIMESTAMP":
            exprs.append(f"TRY_CAST({ref} AS TIMESTAMP) AS {quote(name)}")
        elif ftype == "BOOLEAN":
            exprs.append(f"TRY_CAST({ref} AS BOOLEAN) AS {quote(name)}")
        elif ftype == "JSON":
            exprs.append(
                f"CASE WHEN {ref} IS NULL OR json_type({ref}) = 'NULL' THEN NULL ELSE {ref} END AS {quote(name)}"
            )
        else:
            exprs.append(f"{ref} AS {quote(name)}")
    return exprs
