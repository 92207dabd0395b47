"""Runbook catalogue lookups (a leaf of the service: authorization and auditing read it too)."""

from __future__ import annotations

from trailmask.runbooks.catalog import Catalog
from trailmask.runbooks.model import Runbook
from trailmask.service.context import AppContext


def catalog(ctx: AppContext) -> Catalog:
    """The built-in library plus the configured runbook paths, loaded once per context."""
    return ctx.catalog


def get_runbook(ctx: AppContext, runbook_id: str) -> Runbook:
    """The runbook with this id (NotFound otherwise)."""
    return ctx.catalog.get(runbook_id)


def runbook_ids(ctx: AppContext) -> frozenset[str]:
    """Every runbook id of the catalog."""
    return frozenset(r.id for r in ctx.catalog)
