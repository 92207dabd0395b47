"""The application context: settings plus the long-lived objects built from them, each typed.

One AppContext per process (a CLI run or a server). What is costly or must be the same for every
request is built on first use and kept: the masking policy, the masking key, the runbook catalog,
the audit log, the query engine. :meth:`AppContext.for_store` is the one way to derive a context
for another store (fixture runs, the canary store of ``verify``): same policy, runbooks and
compiled relations, its own store and audit log.

Engines: :attr:`AppContext.engine` runs queries (``settings.engine``: DuckDB over the store, or
Spark over the exported dataset; chosen here, once). :attr:`AppContext.store_engine` is DuckDB over
the store file itself, for the operations that read the store as such (export, which writes the
dataset Spark reads; reveal; policy drift). Both are trailmask.engines.base.Engine objects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailmask.audit import AuditLog
from trailmask.config import AuditSettings, Secret, Settings, load_settings
from trailmask.engines.base import Engine
from trailmask.engines.duckdb import DuckDBEngine, Store
from trailmask.masking.loader import default_policy, load_policy_file
from trailmask.masking.model import Policy
from trailmask.runbooks.catalog import Catalog, load_catalog
from trailmask.service.binding import bind
from trailmask.service.engine import select_engine
from trailmask.service.keys import read_masking_key
from trailmask.sqlkit.render import RenderedRelation


@dataclass(eq=False)
class AppContext:
    """Everything a request needs; the lazily built parts are read through the properties."""

    settings: Settings
    store: Store
    # compiled masked relations (service.prepare): (policy digest, role, raw, columns, window) -> printed SQL
    relations: dict[tuple[Any, ...], RenderedRelation] = field(default_factory=dict, repr=False)
    # role -> whether it reads unmasked data (service.runbooks.role_sees_raw)
    raw_roles: dict[str, bool] = field(default_factory=dict, repr=False)
    # the audit log path whose first entry this process has seen anchored (service.audit_anchor)
    anchored_log: str | None = field(default=None, repr=False)
    _policy: Policy | None = field(default=None, repr=False)
    _masking_key: Secret | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)
    _audit_log: AuditLog | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _store_engine: Engine | None = field(default=None, repr=False)
    _bound: bool = field(default=False, repr=False)
    _dataset_profile: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AppContext:
        settings = settings or load_settings()
        return cls(settings=settings, store=Store(settings.db))

    @property
    def policy(self) -> Policy:
        """The policy in force: ``settings.policy_file``, else the built-in default (validated once)."""
        if self._policy is None:
            path = self.settings.policy_file
            self._policy = load_policy_file(path) if path else default_policy()
        return self._policy

    @property
    def masking_key(self) -> Secret:
        """The keyed-pseudonym key (service.keys says where it comes from)."""
        self._bind_dataset()
        if self._masking_key is None:
            self._masking_key = read_masking_key(self.settings)
        return self._masking_key

    @property
    def catalog(self) -> Catalog:
        """The built-in runbook library plus ``settings.runbook_paths``."""
        if self._catalog is None:
            self._catalog = load_catalog(self.settings.runbook_paths)
        return self._catalog

    @property
    def audit_log(self) -> AuditLog:
        """The store's audit log (``<db>.audit.jsonl`` unless ``audit: {path: ...}`` says otherwise)."""
        self._bind_dataset()
        if self._audit_log is None:
            self._audit_log = AuditLog(self._audit_path(), key_file=self.settings.audit.key_file)
        return self._audit_log

    def _audit_path(self) -> Path:
        options, db = self.settings.audit, self.settings.db
        return options.path or db.with_name(db.name + ".audit.jsonl")

    def _bind_dataset(self) -> None:
        """``--engine spark``: the dataset's own key and audit log, or a refusal before either is used."""
        if self.settings.engine == "spark" and not self._bound:
            self._masking_key, manifest = bind(self.settings, self._audit_path())
            self._dataset_profile = None if manifest.profile == "raw" else (manifest.role, manifest.profile)
            self._bound = True

    @property
    def masked_dataset(self) -> tuple[str, str] | None:
        """``--engine spark`` over a masked role's dataset (``export --as ROLE``): (role, masking
        profile) it was written with; None for a raw dataset and for the DuckDB engine."""
        self._bind_dataset()
        return self._dataset_profile

    @property
    def engine(self) -> Engine:
        """The engine queries run on (``settings.engine``)."""
        self._bind_dataset()
        if self._engine is None:
            self._engine = select_engine(self.settings, self.store)
        return self._engine

    @property
    def store_engine(self) -> Engine:
        """DuckDB over the store file, for operations on the store itself (export, reveal, drift)."""
        if self._store_engine is None:
            self._store_engine = DuckDBEngine(self.store, memory_limit=self.settings.memory_limit)
        return self._store_engine

    def for_store(self, db: Path) -> AppContext:
        """A context on the DuckDB store ``db`` (queried with DuckDB, audited beside it).

        The policy, the runbook catalog and the compiled relations are shared (they depend on the
        settings, not on the store), and so is the masking key once this context has read it.
        """
        settings = dataclasses.replace(self.settings, db=db, engine="duckdb", audit=AuditSettings())
        return AppContext(
            settings=settings,
            store=Store(db),
            relations=self.relations,
            raw_roles=self.raw_roles,
            _policy=self.policy,
            _masking_key=self._masking_key,
            _catalog=self.catalog,
        )
