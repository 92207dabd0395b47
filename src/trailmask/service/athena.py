"""``trailmask athena ddl``: the Athena table over a role's dataset, and the runbooks rendered for it.

The table is the one ``trailmask export --format parquet [--as ROLE]`` writes for that role,
uploaded to ``--location``: its columns and types are read from the role's relation exactly as
the export reads them (service.prepare + the store's schema), its projected partition values
(accounts, regions, the first day) from the store as the role sees them. The raw dataset (a raw
role, admin by default) is the table ``athena.table`` (default ``cloudtrail_trailmask``); a
masked role's is ``<athena.table>_<role>``.

Runbooks are rendered as Trino SQL for that table (trailmask.sqlkit.dialects): on the raw table
they read the raw columns (the SQL is for raw roles only); on a masked role's table the data is
masked already (issue 16.2), so the runbook's SQL reads the table as it is: no masking logic,
no key. Runbooks the role may not run are left out; one that cannot be expressed for Athena is
listed with the reason. Authorized like the export it describes (permission ``export``),
audited as ``athena.ddl``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from trailmask.errors import QueryRejected, UsageError
from trailmask.models import Actor, PreparedQuery
from trailmask.runbooks.model import Runbook
from trailmask.service.audited import audited
from trailmask.service.authz import authorize, decide, runbook_resource
from trailmask.service.catalog import catalog
from trailmask.service.context import AppContext
from trailmask.service.engine import transpiled
from trailmask.service.export import EXPORT_SQL, _partition_sql
from trailmask.service.prepare import prepare
from trailmask.sqlkit.athena_ddl import (
    DdlError,
    HiveType,
    Projection,
    check_location,
    create_table,
    folder_value,
    partition_values_sql,
)
from trailmask.sqlkit.builders import sample_sql

_SCALARS = {"string": "STRING", "large_string": "STRING", "bool": "BOOLEAN", "int64": "BIGINT", "int32": "INT"}
_SCALARS |= {"double": "DOUBLE", "date32[day]": "DATE"}


@dataclass(frozen=True)
class AthenaSetup:
    """The table's DDL and each runbook's Athena SQL (with a header saying how to run it)."""

    table: str
    role: str
    masked: bool
    ddl: str
    runbooks: dict[str, str] = field(default_factory=dict)
    not_portable: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """One SQL script: the DDL, then every runbook (each statement ends with ``;``)."""
        parts = [self.ddl + ";"]
        parts += [sql + ";" for sql in self.runbooks.values()]
        parts += [f"-- runbook {rid} is not rendered for Athena: {why}" for rid, why in self.not_portable.items()]
        return "\n\n".join(parts) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "role": self.role,
            "masked": self.masked,
            "ddl": self.ddl,
            "runbooks": self.runbooks,
            "not_portable": self.not_portable,
        }


def hive_type(kind: pa.DataType) -> HiveType:
    """An Arrow type (the store's schema as the export streams it) as a Hive column type."""
    if pa.types.is_struct(kind):
        return {kind.field(i).name: hive_type(kind.field(i).type) for i in range(kind.num_fields)}
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return [hive_type(kind.value_type)]
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP"
    name = _SCALARS.get(str(kind))
    if name is None:
        raise UsageError(f"a column of type {kind} has no Athena type here")
    return name


def _table_shape(ctx: AppContext, plan: PreparedQuery) -> tuple[dict[str, HiveType], Projection]:
    params: Any = plan.params or None
    with ctx.store_engine.session(temp_tables=plan.temp_tables) as session:
        schema = session.stream(sample_sql(plan.sql), params).schema
        found = session.execute(partition_values_sql(_partition_sql(plan, schema)), params, timeout_s=600)
    columns = {item.name: hive_type(item.type) for item in schema}
    accounts = tuple(sorted({folder_value(row[0]) for row in found.rows}))
    regions = tuple(sorted({folder_value(row[1]) for row in found.rows}))
    days = sorted(str(row[2]) for row in found.rows if row[2] is not None)
    return columns, Projection(accounts, regions, days[0] if days else "2013-01-01")


def _render(ctx: AppContext, actor: Actor, runbook: Runbook, table: str, masked: bool) -> str:
    params = dict.fromkeys(runbook.placeholders)
    # The table holds what the role may see (raw, or masked already): the SQL reads it as it is.
    # This plan never runs in trailmask; it is printed for Athena, over that role's own table.
    plan = prepare(ctx, actor.role, runbook.sql, params, unmasked=masked)
    text = transpiled(plan.sql, "athena", table, pretty=True)
    header = [f"-- runbook {runbook.id}: {runbook.title}", f"-- athena SQL for role {actor.role} over {table}"]
    if text.parameters:
        header.append("-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>")
        header.append("-- values, in order: " + ", ".join(f"{i}: ${n}" for i, n in enumerate(text.parameters, 1)))
    return "\n".join([*header, text.sql])


def athena_ddl(ctx: AppContext, actor: Actor, location: str) -> AthenaSetup:
    """The table over ``actor``'s role's dataset at ``location`` and the runbooks for it (module docstring)."""
    with audited(ctx, actor, "athena.ddl", location=location) as audit:
        authorize(ctx, actor, "export", None)
        try:
            location = check_location(location)
        except DdlError as exc:
            raise UsageError(
                str(exc), hint="--location takes s3://BUCKET/PREFIX/ (where the dataset was uploaded)"
            ) from None
        ctx.store.require_exists()
        plan = prepare(ctx, actor.role, EXPORT_SQL, {})
        masked = plan.profile != "raw"
        base = ctx.settings.athena.table
        table = f"{base}_{actor.role}" if masked else base
        columns, projection = _table_shape(ctx, plan)
        try:
            ddl = create_table(table, columns, location, projection)
        except DdlError as exc:
            raise UsageError(str(exc), hint="see docs/scale.md (Athena)") from None
        setup = AthenaSetup(table, actor.role, masked, ddl)
        for runbook in sorted(catalog(ctx), key=lambda r: r.id):
            if not decide(ctx, actor, "runbook", runbook_resource(ctx, runbook.id)).allowed:
                continue
            try:
                setup.runbooks[runbook.id] = _render(ctx, actor, runbook, table, masked)
            except QueryRejected as exc:
                setup.not_portable[runbook.id] = str(exc)
        audit.profile = plan.profile
        audit.details.update(table=table, runbooks=len(setup.runbooks), not_portable=len(setup.not_portable))
    return setup
