"""Writers: CloudTrail's S3 delivery tree and JSON Lines."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from trailmask.synth.catalog import ORG_ID, ORG_TRAIL_ACCOUNTS
from trailmask.synth.clock import fmt_delivery
from trailmask.synth.mix import generate_events, validate

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_GZIP_LEVEL = 6
_SEPARATORS = (",", ":")


class _DeliveryWriter:
    """Buffers records per (account, region, day) and writes delivery files."""

    def __init__(self, root: Path, seed: int, per_file: int, gzip_files: bool) -> None:
        self.root = root
        self.rng = random.Random(f"trailmask-delivery:{seed}")  # noqa: S311 - reproducible names, not security
        self.per_file = per_file
        self.gzip_files = gzip_files
        self.buffers: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self.latest: dict[tuple[str, str, str], str] = {}
        self.written: list[Path] = []

    def add(self, record: dict[str, Any]) -> None:
        """Buffer ``record``; flush its buffer once it holds ``per_file`` records."""
        stamp = record["eventTime"]
        key = (record["recipientAccountId"], record["awsRegion"], stamp[:10])
        buffer = self.buffers.setdefault(key, [])
        buffer.append(record)
        if stamp > self.latest.get(key, ""):
            self.latest[key] = stamp
        if len(buffer) >= self.per_file:
            self.flush(key)

    def flush(self, key: tuple[str, str, str]) -> None:
        """Write the buffered records of ``key`` as one delivery file."""
        records = self.buffers.pop(key)
        account, region, _ = key
        last = datetime.strptime(self.latest.pop(key), "%Y-%m-%dT%H:%M:%S%z")
        delivered = int(last.timestamp()) + self.rng.randrange(60, 600)
        day_dir, stamp = fmt_delivery(delivered)
        suffix = "".join(self.rng.choices(_ALNUM, k=16))
        base = self.root / "AWSLogs"
        if account in ORG_TRAIL_ACCOUNTS:
            base = base / ORG_ID
        name = f"{account}_CloudTrail_{region}_{stamp}_{suffix}.json" + (".gz" if self.gzip_files else "")
        path = base / account / "CloudTrail" / region / day_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"Records": records}, separators=_SEPARATORS).encode("utf-8")
        path.write_bytes(gzip.compress(body, _GZIP_LEVEL, mtime=0) if self.gzip_files else body)
        self.written.append(path)

    def close(self) -> list[Path]:
        """Flush every remaining buffer (in a stable order) and return the sorted paths."""
        for key in sorted(self.buffers):
            self.flush(key)
        return sorted(self.written)


def write_delivery_tree(
    root: Path,
    n: int,
    *,
    seed: int = 7,
    events_per_file: int = 100,
    start: datetime | None = None,
    days: int = 7,
    gzip_files: bool = True,
) -> list[Path]:
    """Write ``n`` records as native CloudTrail delivery files under ``root``.

    Files hold ``{"Records": [...]}`` for one account, region and UTC day,
    at most ``events_per_file`` records each, at
    ``AWSLogs/[<org id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/
    <account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<16 alnum>.json.gz``
    (``.json`` when ``gzip_files`` is false).  Accounts in
    :data:`ORG_TRAIL_ACCOUNTS` use the organisation-trail layout.  Returns the
    written paths, sorted.  Output bytes are deterministic.
    """
    validate(n, days)
    if events_per_file < 1:
        raise ValueError(f"events_per_file must be >= 1, got {events_per_file}")
    writer = _DeliveryWriter(Path(root), seed, events_per_file, gzip_files)
    for record in generate_events(n, seed=seed, start=start, days=days):
        writer.add(record)
    return writer.close()


def _write_lines(write: Callable[[bytes], object], n: int, seed: int, start: datetime | None, days: int) -> None:
    """Write one compact JSON record per line through ``write``."""
    dumps = json.JSONEncoder(separators=_SEPARATORS).encode
    batch: list[str] = []
    for record in generate_events(n, seed=seed, start=start, days=days):
        batch.append(dumps(record))
        if len(batch) >= 1000:
            write(("\n".join(batch) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        write(("\n".join(batch) + "\n").encode("utf-8"))


def write_jsonl(
    path: Path,
    n: int,
    *,
    seed: int = 7,
    start: datetime | None = None,
    days: int = 7,
    gzip_file: bool | None = None,
) -> Path:
    """Write ``n`` records to ``path`` as JSON Lines (one record per line).

    The file is gzip-compressed when ``gzip_file`` is true, or when it is
    ``None`` and ``path`` ends in ``.gz``.  Output bytes are deterministic.
    Returns ``path``.
    """
    validate(n, days)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    compress = path.suffix == ".gz" if gzip_file is None else gzip_file
    with path.open("wb") as raw:
        if compress:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=_GZIP_LEVEL, mtime=0) as gz:
                _write_lines(gz.write, n, seed, start, days)
        else:
            _write_lines(raw.write, n, seed, start, days)
    return path
