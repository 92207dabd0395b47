"""Masked projections in service: which one a masked role reads, and keeping them current.

A masked role's compiled masking (masking.compiler.compile_relation over every column, its row
filter included) plus the masking key's fingerprint name a projection: ``digest`` = SHA-256 of the
format version, the key fingerprint and the relation's SQL. Roles whose compiled masking is the
same share one projection; a policy change that alters a role's relation, or another key, gives
another digest, so a projection built under an old policy or key is never read again.

- :func:`route`: for a masked role, the plan over its projection and the projection's engine
  (engines.duckdb.projection: a session that has only the projection file attached), or None
  when the projection is missing or does not cover every ingest batch of the store (then
  service.query runs today's dynamic compile: nothing is answered under an old policy or key, nor
  from fewer rows than the store holds).
- :func:`refresh`: build what is missing (from nothing for a new digest; else only the batches
  committed since), crash-safe and idempotent (see engines.duckdb.projection).
- :func:`build_projections`: the audited operation (permission ``ingest``) that builds them and so
  switches them on for a store: a store keeps projections once its ``<store>.projections`` folder
  exists, and service.ingest then extends them after every ingest (:func:`after_ingest`).
  Off by default: a store without the folder is queried through the dynamic compile only.
- :func:`use_projections`: switch routing off for a context (the equivalence tests, benchmarks).

The relation's SQL and the manifest hold no secret: the key reaches the build connection as a
session value and never the projection file (it holds masked values only).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from trailmask.config import Secret
from trailmask.engines.duckdb.projection import (
    FORMAT,
    RAW_CATALOG,
    Manifest,
    ProjectionDir,
    ProjectionEngine,
    build_version,
    projections_root,
)
from trailmask.errors import TrailmaskError, UsageError
from trailmask.masking.compiler import KEY_COLUMN, KEY_TABLE, RAW_TABLE, WINDOW_ALIAS, compile_relation
from trailmask.models import Actor, PreparedQuery
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.prepare import prepare_for_projection
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.dialects import rename_tables
from trailmask.sqlkit.expr import Expr
from trailmask.sqlkit.render import to_sql
from trailmask.sqlkit.rewrite import RawWindow

__all__ = [
    "ProjectionStatus",
    "Routed",
    "after_ingest",
    "build_projections",
    "refresh",
    "route",
    "status",
    "use_projections",
]

Progress = Callable[[str], None]


def key_fingerprint(key: Secret) -> str:
    """A keyed fingerprint of the masking key (the key cannot be recovered from it)."""
    return hmac.new(key.reveal().encode(), b"trailmask masked projection", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class _Spec:
    """One role's compiled masking, over the raw store as the build connection names it."""

    digest: str
    role: str
    policy_digest: str
    key_fingerprint: str

    def sql(self, ctx: AppContext, batches: frozenset[str] | None, catalog: str | None) -> str:
        """The role's masked SELECT over ``<catalog>.main.events`` (None: ``main.events``), narrowed to
        ``batches`` (None: every row)."""
        window = None if batches is None else RawWindow(sx.in_(sx.column("tm_batch", WINDOW_ALIAS), sorted(batches)))
        relation = compile_relation(ctx.policy, self.role, window=window)
        return to_sql(_over_raw_catalog(relation) if catalog == RAW_CATALOG else relation, "duckdb")


def _over_raw_catalog(relation: Expr) -> Expr:
    return rename_tables(relation, {".".join(RAW_TABLE): f"{RAW_CATALOG}.{'.'.join(RAW_TABLE)}"})


@dataclass(eq=False)
class _State:
    directory: ProjectionDir
    enabled: bool = True
    specs: dict[tuple[str, str, str], _Spec] = field(default_factory=dict)
    raw: tuple[Any, frozenset[str]] | None = None


_STATES: WeakKeyDictionary[AppContext, _State] = WeakKeyDictionary()


def _state(ctx: AppContext) -> _State:
    state = _STATES.get(ctx)
    if state is None or state.directory.root != projections_root(ctx.store.path):
        state = _State(ProjectionDir(projections_root(ctx.store.path)))
        _STATES[ctx] = state
    return state


def use_projections(ctx: AppContext, enabled: bool) -> None:
    """Route masked queries of ``ctx`` to projections (default) or always compile dynamically."""
    _state(ctx).enabled = enabled


def _spec(ctx: AppContext, role: str) -> _Spec:
    state, policy = _state(ctx), ctx.policy
    fingerprint = key_fingerprint(ctx.masking_key)
    key = (policy.digest, role, fingerprint)
    if key not in state.specs:
        text = to_sql(_over_raw_catalog(compile_relation(policy, role)), "duckdb")
        digest = hashlib.sha256(f"{FORMAT}\n{fingerprint}\n{text}".encode()).hexdigest()[:32]
        state.specs[key] = _Spec(digest, role, policy.digest, fingerprint)
    return state.specs[key]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _raw_batches(ctx: AppContext) -> frozenset[str]:
    """The ingest batches the store holds (read again only when the store file or its WAL changed)."""
    state, path = _state(ctx), ctx.store.path
    stamp = (_stamp(path), _stamp(path.with_name(path.name + ".wal")))
    if state.raw is None or state.raw[0] != stamp:
        with ctx.store_engine.session() as session:
            rows = session.execute("SELECT DISTINCT tm_batch FROM events", max_rows=10_000_000).rows
        state.raw = (stamp, frozenset(str(row[0]) for row in rows))
    return state.raw[1]


def masked_roles(ctx: AppContext) -> list[str]:
    return [name for name, role in ctx.policy.roles.items() if not role.raw]


def projection_engine(ctx: AppContext, role: str) -> ProjectionEngine | None:
    """The engine over ``role``'s current projection, or None (raw role, Spark, no store, missing
    or stale projection, routing switched off)."""
    state = _state(ctx)
    if not state.enabled or ctx.settings.engine != "duckdb" or not ctx.store.exists:
        return None
    if role not in ctx.policy.roles or ctx.policy.role(role).raw:
        return None
    spec = _spec(ctx, role)
    manifest = state.directory.read_manifest(spec.digest)
    if manifest is None or manifest.batches != _raw_batches(ctx):
        return None
    path = state.directory.file_path(manifest)
    if not path.exists():
        return None
    return ProjectionEngine(path, spec.digest, memory_limit=ctx.settings.memory_limit)


@dataclass(frozen=True)
class Routed:
    """A masked plan and the projection engine it must run on (and nowhere else)."""

    plan: PreparedQuery
    engine: ProjectionEngine


def route(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> Routed | None:
    """``sql`` for masked ``role`` on its projection, or None: use service.prepare (dynamic)."""
    engine = projection_engine(ctx, role)
    if engine is None:
        return None
    return Routed(prepare_for_projection(ctx, role, sql, params), engine)


@dataclass
class ProjectionStatus:
    """One projection after :func:`refresh` (or as :func:`status` finds it)."""

    digest: str
    roles: list[str]
    state: str  # built | extended | fresh | busy | missing | stale
    rows: int = 0
    raw_rows: int = 0
    bytes: int = 0
    build_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _sql_for(ctx: AppContext, spec: _Spec) -> Callable[[frozenset[str] | None, str | None], str]:
    return lambda batches, catalog: spec.sql(ctx, batches, catalog)


def _groups(ctx: AppContext) -> dict[str, tuple[_Spec, list[str]]]:
    groups: dict[str, tuple[_Spec, list[str]]] = {}
    for role in masked_roles(ctx):
        spec = _spec(ctx, role)
        groups.setdefault(spec.digest, (spec, []))[1].append(role)
    return groups


def refresh(ctx: AppContext, *, progress: Progress | None = None) -> list[ProjectionStatus]:
    """Bring every masked role's projection up to the store (see the module docstring)."""
    if ctx.settings.engine != "duckdb" or not ctx.store.exists:
        return []
    directory = _state(ctx).directory
    key_tables = {KEY_TABLE: {KEY_COLUMN: ctx.masking_key.reveal()}}
    done = []
    for digest, (spec, roles) in _groups(ctx).items():
        with directory.building(digest) as mine:
            if not mine:
                done.append(ProjectionStatus(digest, roles, "busy"))
                continue
            directory.clean(digest)  # what a killed build left
            previous = directory.read_manifest(digest)
            if progress:
                progress(f"masked projection {digest[:12]} ({', '.join(roles)}): building")
            started = time.perf_counter()
            built = build_version(
                directory,
                ctx.store,
                digest,
                previous,
                _sql_for(ctx, spec),
                key_tables,
                memory_limit=ctx.settings.memory_limit,
            )
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            if built.file is None and previous is not None:
                done.append(ProjectionStatus(digest, roles, "fresh", previous.rows, built.raw_rows))
                done[-1].bytes = directory.size(previous)
                continue
            assert built.file is not None
            manifest = Manifest(
                digest=digest,
                file=built.file,
                policy_digest=spec.policy_digest,
                key_fingerprint=spec.key_fingerprint,
                roles=tuple(roles),
                batches=built.batches,
                raw_rows=built.raw_rows,
                rows=built.rows,
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_ms=elapsed,
            )
            directory.write_manifest(manifest)
            directory.clean(digest)
            state = "extended" if previous is not None else "built"
            done.append(
                ProjectionStatus(digest, roles, state, built.rows, built.raw_rows, directory.size(manifest), elapsed)
            )
            if progress:
                progress(f"masked projection {digest[:12]}: {state}, {built.rows} rows in {elapsed / 1000:.1f} s")
    return done


def status(ctx: AppContext) -> list[ProjectionStatus]:
    """Each masked role's projection as it stands: fresh, stale (batches missing) or missing."""
    if ctx.settings.engine != "duckdb" or not ctx.store.exists:
        return []
    directory, batches = _state(ctx).directory, _raw_batches(ctx)
    found = []
    for digest, (_, roles) in _groups(ctx).items():
        manifest = directory.read_manifest(digest)
        if manifest is None:
            found.append(ProjectionStatus(digest, roles, "missing"))
            continue
        state = "fresh" if manifest.batches == batches else "stale"
        found.append(ProjectionStatus(digest, roles, state, manifest.rows, manifest.raw_rows, directory.size(manifest)))
    return found


def enabled_for_store(ctx: AppContext) -> bool:
    """Whether the store keeps masked projections: its ``<store>.projections`` folder exists
    (:func:`build_projections` creates it; removing it switches them off)."""
    return _state(ctx).directory.root.is_dir()


def build_projections(ctx: AppContext, actor: Actor, *, progress: Progress | None = None) -> list[ProjectionStatus]:
    """Build (or bring up to date) every masked role's projection of the store: audited as
    ``projection.build``, permission ``ingest``. From then on the store keeps them (see
    :func:`enabled_for_store`) and masked queries read them."""
    with audited(ctx, actor, "projection.build") as audit:
        require(ctx, actor, "ingest")
        if ctx.settings.engine != "duckdb":
            raise UsageError("masked projections are built from the DuckDB store", hint="use --engine duckdb")
        ctx.store.require_exists()
        built = refresh(ctx, progress=progress)
        audit.details.update(projections=len(built), rows=sum(s.rows for s in built))
    return built


def after_ingest(ctx: AppContext, *, progress: Progress | None = None) -> list[ProjectionStatus]:
    """service.ingest's hook once its batches are committed: extend the store's projections.

    A build that fails leaves the previous projection in place (queries then use the dynamic
    compile until a build succeeds); the ingest itself has committed and is not undone.
    """
    if not enabled_for_store(ctx):
        return []
    try:
        return refresh(ctx, progress=progress)
    except (TrailmaskError, OSError):  # a StoreError above all: the next build retries
        return []
