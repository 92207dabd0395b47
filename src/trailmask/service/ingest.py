"""Ingest through the service: the store owner (or a role allowed to ingest) loads sources."""

from __future__ import annotations

from collections.abc import Sequence

from trailmask.ingest.local import Progress, ingest_paths
from trailmask.models import Actor, IngestSummary
from trailmask.service.context import AppContext


def ingest(
    ctx: AppContext,
    actor: Actor,
    sources: Sequence[str],
    *,
    progress: Progress | None = None,
    batch_files: int | None = None,
) -> IngestSummary:
    return ingest_paths(ctx.store, sources, progress=progress, batch_files=batch_files)
