"""Group files into batches bounded by count and bytes, so memory does not grow with the input.

Files are loaded in event-time order where their names tell it (CloudTrail names each delivery
file ``..._YYYYMMDDTHHMMZ_...`` under ``.../YYYY/MM/DD/``): an organisation trail lists account by
account and region by region, so without reordering one day's rows would be spread over the whole
store. In time order each batch holds a few days and the store stays clustered by event time,
which is what lets a one-day query, and the loader's duplicate lookup, read only that day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

MAX_FILES = 512
MAX_BYTES = 32 * 1024 * 1024  # on-disk bytes (gzip is ~10x smaller than the JSON it holds)
_STAMP = re.compile(r"_(\d{8}T\d{4})Z_")
_DAY = re.compile(r"/(\d{4})/(\d{2})/(\d{2})(?:/|$)")
T = TypeVar("T")


def time_key(name: str) -> str:
    """A sortable stamp from a CloudTrail file name or its ``YYYY/MM/DD`` folders ('' when none)."""
    stamp = _STAMP.search(name)
    if stamp:
        return stamp.group(1)
    day = _DAY.search(name.replace("\\", "/"))
    return "".join(day.groups()) if day else ""


def in_time_order(items: Sequence[T], name: Callable[[T], str]) -> list[T]:
    """``items`` ordered by time_key of their names; ties (and names without a time) keep their order."""
    return [item for _, _, item in sorted((time_key(name(item)), i, item) for i, item in enumerate(items))]


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
