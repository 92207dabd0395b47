"""Load local files and folders into the store, batch by batch, with progress and a summary."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from trailmask.engines.duckdb.loader import InputFile, load_batch
from trailmask.engines.duckdb.store import Store
from trailmask.ingest.batches import plan
from trailmask.ingest.discover import iter_files
from trailmask.models import FileOutcome, IngestSummary

Progress = Callable[[int, int], None]  # (files done, files total)


def quarantine_dir(store: Store) -> Path:
    """Where copies of rejected local files are kept, beside the store."""
    return store.path.parent / (store.path.name + ".quarantine")


def _quarantine(store: Store, outcomes: Sequence[FileOutcome], items: Sequence[InputFile], batch: str) -> None:
    by_source = {item.source: item for item in items}
    for outcome in outcomes:
        item = by_source.get(outcome.path)
        if outcome.status != "rejected" or item is None or not item.local.is_file():
            continue
        target = quarantine_dir(store) / batch / item.local.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.local, target)


def load_inputs(
    store: Store,
    items: Iterable[InputFile],
    *,
    progress: Progress | None = None,
    total: int = 0,
    batch_files: int | None = None,
) -> IngestSummary:
    """Load prepared inputs (local copies of any source); one transaction per batch."""
    started = time.perf_counter()
    summary = IngestSummary()
    pending = list(items)
    by_local = {item.local: item for item in pending}
    sizes = {"max_files": batch_files} if batch_files else {}
    with store.writer() as conn:
        for paths in plan((item.local for item in pending), **sizes):
            batch = uuid.uuid4().hex[:12]
            chunk = [by_local[p] for p in paths]
            outcomes = load_batch(conn, chunk, batch)
            _quarantine(store, outcomes, chunk, batch)
            summary.files.extend(outcomes)
            if progress:
                progress(len(summary.files), total or len(pending))
    summary.elapsed_s = time.perf_counter() - started
    return summary


def ingest_paths(
    store: Store, sources: Sequence[str | Path], *, progress: Progress | None = None, batch_files: int | None = None
) -> IngestSummary:
    files = list(iter_files(sources))
    items = [InputFile(path, str(path)) for path in files]
    return load_inputs(store, items, progress=progress, total=len(items), batch_files=batch_files)
