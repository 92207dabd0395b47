"""Group files into batches bounded by count and bytes, so memory does not grow with the input."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

MAX_FILES = 512
MAX_BYTES = 32 * 1024 * 1024  # on-disk bytes (gzip is ~10x smaller than the JSON it holds)


def plan(files: Iterable[Path], max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in files:
        try:
            length = path.stat().st_size
        except OSError:
            length = 0
        if batch and (len(batch) >= max_files or size + length > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch
