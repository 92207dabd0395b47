"""Load local files and folders into the store, batch by batch, with progress and a summary.

Quarantine: a copy of each rejected local file is kept as ``<db>.quarantine/<batch>/<n>/<name>``
(``n`` its position in the batch, so two rejected files with one base name both stay), and
``<batch>/rejections.jsonl`` holds one ``{file, source, reason}`` per copy. Folders are 0700
and copies 0600, whatever the original's mode; a copy is made from a regular file opened without
following a symbolic link, so quarantine never copies a link's target.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from trailmask.engines.duckdb.loader import InputFile, load_batch
from trailmask.engines.duckdb.store import Store
from trailmask.ingest.batches import in_time_order, plan
from trailmask.ingest.discover import LINK_REASON, find_files
from trailmask.models import FileOutcome, IngestSummary

Progress = Callable[[int, int], None]  # (files done, files total)
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def quarantine_dir(store: Store) -> Path:
    """Where copies of rejected local files are kept, beside the store."""
    return store.path.parent / (store.path.name + ".quarantine")


def _private_dir(path: Path) -> None:
    path.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise FileExistsError(f"{path} is not a folder")
    os.chmod(path, PRIVATE_DIR)


def _copy_private(source: Path, target: Path) -> bool:
    """Copy a regular file (never through a link) to a new 0600 file; False if it is not one."""
    try:
        handle = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:  # a symbolic link (ELOOP), or gone
        return False
    with os.fdopen(handle, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
            return False
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
        with os.fdopen(out, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
    return True


def _quarantine(store: Store, outcomes: Sequence[FileOutcome], items: Sequence[InputFile], batch: str) -> None:
    by_source = {item.source: (index, item) for index, item in enumerate(items)}
    folder = quarantine_dir(store) / batch
    lines: list[str] = []
    for outcome in outcomes:
        found = by_source.get(outcome.path)
        if outcome.status != "rejected" or found is None:
            continue
        index, item = found
        if not lines:
            _private_dir(folder.parent)
            _private_dir(folder)
        _private_dir(folder / str(index))
        name = f"{index}/{item.local.name}"
        if _copy_private(item.local, folder / name):
            lines.append(json.dumps({"file": name, "source": item.source, "reason": outcome.reason}) + "\n")
    if lines:
        out = os.open(folder / "rejections.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, PRIVATE_FILE)
        with os.fdopen(out, "w", encoding="utf-8") as handle:
            handle.writelines(lines)


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
    sizes = {"max_files": batch_files} if batch_files else {}
    with store.writer() as conn:
        pending = [InputFile(store.readable(item.local), item.source) for item in items]
        by_local = {item.local: item for item in pending}
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
    """Load local SOURCEs; symbolic links inside folders are reported as rejected, never read."""
    found = find_files(sources)
    items = in_time_order([InputFile(path, str(path)) for path in found.files], lambda item: item.source)
    summary = load_inputs(store, items, progress=progress, total=len(items), batch_files=batch_files)
    summary.files.extend(FileOutcome(str(link), "rejected", reason=LINK_REASON) for link in found.links)
    return summary
