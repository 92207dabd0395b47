"""``trailmask export``: the events a role may see, as Parquet (partitioned), CSV or JSON lines.

The export reads ``SELECT * FROM events`` through the same preparation as every query
(service.prepare: the role's masked relation and its key tables), so a masked role's files hold
exactly what that role sees in ``trailmask sql``; partition folder names are computed from the
masked values too. Raw rows are exported only for roles the policy makes raw (profile ``raw``); a
plan for a masked role that left the query unchanged fails closed.

The export is authorized (permission ``export``) and audited before any file is written (an
``export`` entry; an ``export.done`` entry with the row count once written).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from trailmask.engines.base import PartitionedWriter
from trailmask.errors import PermissionDenied, UsageError
from trailmask.export.manifest import write_manifest
from trailmask.export.parquet import PARTITIONS, write_parquet
from trailmask.export.target import ExportResult, make_private, prepare_directory
from trailmask.export.text import write_csv, write_jsonl
from trailmask.models import Actor, PreparedQuery
from trailmask.schema import JSON_OBJECT_FIELDS
from trailmask.service.audited import audited
from trailmask.service.authz import authorize
from trailmask.service.binding import export_manifest
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare
from trailmask.sqlkit.builders import partition_sql, sample_sql

FORMATS = ("parquet", "csv", "json")
EXPORT_SQL = "SELECT * FROM events"
JSON_COLUMNS = (*JSON_OBJECT_FIELDS, "tm_raw")

__all__ = ["FORMATS", "ExportResult", "export"]


def _partition_sql(plan: PreparedQuery, schema: pa.Schema) -> str:
    """``plan``'s rows plus account/region/date computed from the (masked) values the role sees."""
    names = {name.lower(): name for name in schema.names}
    clash = [p for p in PARTITIONS if p in names]
    if clash:
        raise UsageError(f"the exported relation already has a column {clash[0]!r}; cannot partition by it")
    account = [[names["recipientaccountid"]]] if "recipientaccountid" in names else []
    identity = names.get("useridentity")
    if identity and pa.types.is_struct(schema.field(identity).type) and "accountId" in _fields(schema, identity):
        account.append([identity, "accountId"])
    event_time = names.get("eventtime")
    when = (event_time, pa.types.is_timestamp(schema.field(event_time).type)) if event_time else None
    return partition_sql(plan.sql, account, names.get("awsregion"), when)


def _fields(schema: pa.Schema, name: str) -> list[str]:
    kind = schema.field(name).type
    return [kind.field(i).name for i in range(kind.num_fields)]


def _same(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()


def _refuse_unmasked(plan: PreparedQuery, role: str) -> None:
    """Fail closed: a plan that claims masking but left the query as it was would export raw rows."""
    if plan.profile != "raw" and plan.sql.strip() == EXPORT_SQL:
        raise PermissionDenied(
            f"no masked view is available for role {role!r}; refusing to export raw events",
            hint="check the masking policy for this role",
        )


def _write(ctx: AppContext, plan: PreparedQuery, fmt: str, target: Path, overwrite: bool) -> ExportResult:
    """DuckDB over the store; with ``--engine spark``, Spark over the dataset (its executors write a
    Parquet export, so a role's masked dataset is built where the raw one lives)."""
    engine = ctx.engine if ctx.settings.engine == "spark" else ctx.store_engine
    with engine.session(temp_tables=plan.temp_tables) as session:
        params: Any = plan.params or None
        if fmt == "parquet":
            shape = session.stream(sample_sql(plan.sql), params).schema
            rows = _partition_sql(plan, shape)
            if isinstance(session, PartitionedWriter):
                written = session.write_partitioned(rows, params, target, PARTITIONS, overwrite=overwrite)
                make_private(target, written.files)
                return ExportResult("parquet", target, written.rows, written.files)
            return write_parquet(session.stream(rows, params), target, overwrite=overwrite)
        reader = session.stream(plan.sql, params)
        writer: Callable[[pa.RecordBatchReader, Path], ExportResult] = (
            write_csv if fmt == "csv" else lambda r, d: write_jsonl(r, d, json_columns=JSON_COLUMNS)
        )
        return writer(reader, target)


def export(ctx: AppContext, actor: Actor, fmt: str, directory: Path, *, overwrite: bool = False) -> ExportResult:
    """Write what ``actor``'s role may see of ``events`` into ``directory``.

    Two audited steps: ``export`` (authorized and planned, before any file is written) and
    ``export.done`` (the files written, with the row count).
    """
    started = time.perf_counter()
    with audited(ctx, actor, "export", format=fmt) as audit:
        if fmt not in FORMATS:
            raise UsageError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
        authorize(ctx, actor, "export", None)
        if ctx.settings.engine != "spark":  # Spark reads the dataset (service.binding checked it)
            ctx.store.require_exists()
        elif ctx.settings.dataset is not None and _same(Path(directory), ctx.settings.dataset):
            raise UsageError(
                f"export target {directory} is the dataset Spark reads", hint="export into another directory"
            )
        plan = prepare(ctx, actor.role, EXPORT_SQL, {})
        _refuse_unmasked(plan, actor.role)
        target = prepare_directory(directory, overwrite=overwrite)
        manifest = (  # the dataset's key and audit log (service.binding)
            export_manifest(ctx.settings, ctx.masking_key, ctx.audit_log.path, actor.role, plan.profile, target)
            if fmt == "parquet"
            else None
        )
        audit.details.update(profile=plan.profile, directory=str(target))
    with audited(ctx, actor, "export.done", format=fmt) as done:
        result = _write(ctx, plan, fmt, target, overwrite)
        if manifest is not None:
            write_manifest(target, manifest)
        elapsed = round((time.perf_counter() - started) * 1000, 3)
        done.details.update(rows=result.rows, files=len(result.files), duration_ms=elapsed)
    return result
