"""Ingest CloudTrail log files from S3: list, skip what the store has, download in parallel, load.

Objects are downloaded by a thread pool into a private temporary folder, one chunk ahead of the
loader (so network and DuckDB overlap and disk use stays at two chunks), then loaded through
:func:`trailmask.ingest.local.load_inputs` under their ``s3://bucket/key`` names: batches stay
atomic and reports name the S3 object. After a chunk's batch committed, its objects are recorded
(:mod:`trailmask.ingest.s3_state`) so the next run fetches only new or changed objects. An object
that cannot be downloaded is reported as rejected and is not recorded, so the next run retries it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions

from trailmask.engines.duckdb.loader import InputFile
from trailmask.engines.duckdb.store import Store
from trailmask.ingest import s3_state
from trailmask.ingest.aws import aws_errors, error_code, parse_s3_uri
from trailmask.ingest.batches import MAX_BYTES, in_time_order
from trailmask.ingest.local import Progress, load_inputs
from trailmask.ingest.s3_layout import KeyFilter, S3Object, list_objects
from trailmask.models import FileOutcome, IngestSummary

DEFAULT_WORKERS = 16
CHUNK_FILES = 1024  # files per download chunk and batch (each at most MAX_BYTES): amortises per-batch costs
_COPY_BUFFER = 1 << 20


@dataclass(frozen=True)
class S3Request:
    """One ``s3://bucket/prefix`` source with its filters."""

    uri: str
    keys: KeyFilter = field(default_factory=KeyFilter)
    workers: int = DEFAULT_WORKERS
    chunk_files: int = CHUNK_FILES


def object_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def _local_name(key: str) -> str:
    """A safe file name for ``key`` (its last segment; never a path that could leave the folder)."""
    name = key.rsplit("/", 1)[-1]
    return name if name not in ("", ".", "..") else "object"


def _download(s3: Any, bucket: str, obj: S3Object, target: Path) -> Path:
    """Fetch exactly the listed version (If-Match on the ETag) into ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    args = {"Bucket": bucket, "Key": obj.key}
    if obj.etag:
        args["IfMatch"] = f'"{obj.etag}"'
    response = s3.get_object(**args)
    with target.open("wb") as handle:
        shutil.copyfileobj(response["Body"], handle, _COPY_BUFFER)
    return target


def _chunks(objects: Sequence[S3Object], max_files: int) -> Iterator[list[S3Object]]:
    chunk: list[S3Object] = []
    size = 0
    for obj in objects:
        if chunk and (len(chunk) >= max_files or size + obj.size > MAX_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(obj)
        size += obj.size
    if chunk:
        yield chunk


@dataclass
class _Run:
    """Shared state of one S3 ingest: where files go and how far downloads got."""

    s3: Any
    bucket: str
    folder: Path
    pool: ThreadPoolExecutor
    total: int
    progress: Progress | None
    downloaded: int = 0

    def submit(self, index: int, chunk: list[S3Object]) -> list[tuple[S3Object, Future[Path]]]:
        base = self.folder / f"{index:06d}"
        return [
            (obj, self.pool.submit(_download, self.s3, self.bucket, obj, base / f"{n:04d}" / _local_name(obj.key)))
            for n, obj in enumerate(chunk)
        ]

    def collect(self, jobs: list[tuple[S3Object, Future[Path]]]) -> tuple[list[InputFile], list[FileOutcome]]:
        for _ in as_completed(future for _, future in jobs):
            self.downloaded += 1
            if self.progress:
                self.progress(self.downloaded, self.total)
        items, failures = [], []
        for obj, future in jobs:
            error = future.exception()
            if error is None:
                items.append(InputFile(future.result(), object_uri(self.bucket, obj.key)))
            else:
                failures.append(FileOutcome(object_uri(self.bucket, obj.key), "rejected", reason=_why(error)))
        return items, failures


def _why(error: BaseException) -> str:
    if isinstance(error, botocore.exceptions.ClientError):
        return f"download failed ({error_code(error)}); it will be retried on the next run"
    return f"download failed ({type(error).__name__}); it will be retried on the next run"


def _taken(chunk: list[S3Object], bucket: str, outcomes: list[FileOutcome]) -> list[s3_state.Taken]:
    by_source = {o.path: o.status for o in outcomes if o.status in ("loaded", "rejected")}
    taken = []
    for obj in chunk:
        source = object_uri(bucket, obj.key)
        if source in by_source:
            taken.append(s3_state.Taken(obj.key, obj.etag, obj.size, source, by_source[source]))
    return taken


def ingest_s3(store: Store, request: S3Request, s3: Any, *, progress: Progress | None = None) -> IngestSummary:
    """Load the new objects of one S3 source; already-taken objects are reported as skipped."""
    started = time.perf_counter()
    bucket, prefix = parse_s3_uri(request.uri)
    with aws_errors(f"listing {request.uri}"):
        objects = list(list_objects(s3, bucket, prefix, request.keys))
    have = s3_state.known(store, bucket, prefix)
    todo = in_time_order([obj for obj in objects if have.get(obj.key) != obj.etag], lambda obj: obj.key)
    summary = IngestSummary(
        files=[FileOutcome(object_uri(bucket, o.key), "skipped") for o in objects if have.get(o.key) == o.etag]
    )
    chunks = list(_chunks(todo, request.chunk_files))
    with (
        tempfile.TemporaryDirectory(prefix="trailmask-s3-") as folder,
        ThreadPoolExecutor(max_workers=request.workers, thread_name_prefix="s3-get") as pool,
    ):
        run = _Run(s3, bucket, Path(folder), pool, len(todo), progress)
        pending = run.submit(0, chunks[0]) if chunks else []
        try:
            for index, chunk in enumerate(chunks):
                items, failures = run.collect(pending)
                pending = run.submit(index + 1, chunks[index + 1]) if index + 1 < len(chunks) else []
                loaded = load_inputs(store, items).files if items else []
                s3_state.record(store, bucket, _taken(chunk, bucket, loaded))
                summary.files.extend(loaded + failures)
                shutil.rmtree(Path(folder) / f"{index:06d}", ignore_errors=True)
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
    summary.elapsed_s = time.perf_counter() - started
    return summary
