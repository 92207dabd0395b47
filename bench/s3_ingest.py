"""S3 ingest throughput against a moto server on loopback.

Usage: .venv/bin/python bench/s3_ingest.py [--objects 3000] [--per-file 20] [--workers 16 4 1]

Writes a synthetic organisation-trail delivery tree (trailmask.synth.write_delivery_tree, gzip
Records files), uploads it to a bucket on a moto server started here on 127.0.0.1, then for each
worker count ingests ``s3://bucket`` into a fresh store (list + parallel download + load +
incremental state) and runs the same ingest again (nothing new: listing and skip only). Prints one
JSON line per run. moto runs in its own process (one Python interpreter serving every request), so these figures
bound trailmask from below: real S3 serves parallel downloads with far higher throughput.
``loader_seconds`` is the part spent in the loader (DuckDB), which overlaps the next chunk's downloads.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3

import trailmask.ingest.s3 as s3_module
from trailmask.engines.duckdb.store import Store
from trailmask.ingest import aws
from trailmask.ingest.s3 import S3Request, ingest_s3
from trailmask.synth.delivery import write_delivery_tree

BUCKET = "bench-trail"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(port: int) -> subprocess.Popen[bytes]:
    """moto's server in its own process (its own interpreter lock), like a remote endpoint."""
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("moto server did not start")


class LoadTimer:
    """Wraps the loader to split an ingest's time into loading and the rest (listing, downloads)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.real = s3_module.load_inputs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.real(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def upload(tree: Path, files: list[Path]) -> int:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)

    def put(path: Path) -> int:
        body = path.read_bytes()
        client.put_object(Bucket=BUCKET, Key=path.relative_to(tree).as_posix(), Body=body)
        return len(body)

    with ThreadPoolExecutor(max_workers=16) as pool:
        return sum(pool.map(put, files))


def run(workers: int, folder: Path, total_bytes: int) -> list[dict[str, Any]]:
    store = Store(folder / f"store-{workers}.duckdb")
    s3 = aws.client(aws.session(), "s3", pool=workers)
    results = []
    for label in ("initial", "incremental"):
        timer = LoadTimer()
        s3_module.load_inputs = timer  # type: ignore[assignment]
        started = time.perf_counter()
        try:
            summary = ingest_s3(store, S3Request(f"s3://{BUCKET}", workers=workers), s3)
        finally:
            s3_module.load_inputs = timer.real  # type: ignore[assignment]
        seconds = time.perf_counter() - started
        totals = summary.totals()
        fetched = totals["files_loaded"] + totals["files_rejected"]
        results.append(
            {
                "run": label,
                "workers": workers,
                "objects": totals["files"],
                "fetched": fetched,
                "skipped": totals["files_skipped"],
                "rejected": totals["files_rejected"],
                "new_events": totals["new_events"],
                "seconds": round(seconds, 2),
                "loader_seconds": round(timer.seconds, 2),
                "objects_per_s": round(totals["files"] / seconds, 1),
                "events_per_s": round(totals["events"] / seconds, 1),
                "compressed_mib_per_s": round(total_bytes / 2**20 / seconds, 2) if fetched else 0.0,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=3000, help="about this many delivery files")
    parser.add_argument("--per-file", type=int, default=20, help="records per delivery file")
    parser.add_argument("--workers", type=int, nargs="+", default=[16, 4])
    args = parser.parse_args()
    port = free_port()
    server = start_moto(port)
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        with tempfile.TemporaryDirectory(prefix="trailmask-bench-s3-") as tmp:
            folder = Path(tmp)
            files = write_delivery_tree(folder / "tree", args.objects * args.per_file, events_per_file=args.per_file)
            started = time.perf_counter()
            total_bytes = upload(folder / "tree", files)
            print(
                json.dumps(
                    {
                        "uploaded_objects": len(files),
                        "mib": round(total_bytes / 2**20, 2),
                        "upload_seconds": round(time.perf_counter() - started, 2),
                    }
                ),
                flush=True,
            )
            for workers in args.workers:
                for result in run(workers, folder, total_bytes):
                    print(json.dumps(result), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
