"""Ingest benchmark: trailmask ingest vs DuckDB's own read_json -> table, same files, same run.

Usage: .venv/bin/python bench/ingest.py [--events 100000 1000000] [--per-file 1000] [--out bench/out]

For each size it writes a synthetic delivery tree (trailmask.synth, gzip Records files), then in
separate child processes (so peak RSS is measured per contender) runs:
  baseline   CREATE TABLE AS SELECT unnest(Records, max_depth := 2) FROM read_json(files) in DuckDB
  trailmask  trailmask's ingest (validation, dedup keys, typed columns, raw record kept)
and prints events/s, the ratio trailmask/baseline (time), and peak RSS of each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

# DuckDB's auto-detection fails on real CloudTrail (keys that differ only in case, e.g. "ARN" and
# "arn" in one requestParameters object), so the baseline gives read_json the record structure:
# the same CloudTrail fields trailmask types, free-form objects as JSON.
CHILD_BASELINE = """
import duckdb, sys, time, json
from trailmask.engines.duckdb.types import EVENT_FIELDS_AS_TEXT, ddl_type
files = json.load(open(sys.argv[1]))
conn = duckdb.connect(sys.argv[2])
t = time.perf_counter()
listing = "[" + ", ".join("'" + f + "'" for f in files) + "]"
records = ddl_type([EVENT_FIELDS_AS_TEXT])
conn.execute(f"CREATE TABLE raw AS SELECT unnest(Records, max_depth := 2) FROM read_json({listing}, "
             f"columns = {{'Records': '{records}'}}, maximum_object_size = 1073741824)")
n = conn.execute("SELECT count(*) FROM raw").fetchone()[0]
conn.close()
import resource
print(json.dumps({"seconds": time.perf_counter() - t, "events": n,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_TRAILMASK = """
import sys, time, json
from pathlib import Path
from trailmask.engines.duckdb.store import Store
from trailmask.ingest.local import ingest_paths
t = time.perf_counter()
summary = ingest_paths(Store(Path(sys.argv[2])), [sys.argv[1]])
import resource
print(json.dumps({"seconds": time.perf_counter() - t, "events": summary.totals()["new_events"],
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter (its own peak RSS); returns its JSON result line."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_size(events: int, per_file: int, out: Path) -> dict[str, dict[str, float]]:
    from trailmask.synth import write_delivery_tree

    tree = out / f"tree-{events}"
    if not tree.exists():
        write_delivery_tree(tree, events, seed=11, events_per_file=per_file)
    files = sorted(str(p) for p in tree.rglob("*.json.gz"))
    listing = out / f"files-{events}.json"
    listing.write_text(json.dumps(files))
    results: dict[str, dict[str, float]] = {"input": {"events": events, "files": len(files)}}
    for name, code, arg in (("trailmask", CHILD_TRAILMASK, str(tree)), ("baseline", CHILD_BASELINE, str(listing))):
        db = out / f"{name}-{events}.duckdb"
        for suffix in ("", ".wal"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        results[name] = run_child(code, arg, str(db))
    return results


def report(results: dict[str, dict[str, float]]) -> str:
    ours, base, given = results["trailmask"], results["baseline"], results["input"]
    ratio = ours["seconds"] / base["seconds"]
    return (
        f"{given['events']:>9.0f} events in {given['files']:.0f} files: "
        f"trailmask {ours['events'] / ours['seconds']:>8.0f} ev/s ({ours['seconds']:.2f} s, "
        f"peak RSS {ours['peak_rss_mib']:.0f} MiB) | duckdb read_json {base['events'] / base['seconds']:>8.0f} ev/s "
        f"({base['seconds']:.2f} s, peak RSS {base['peak_rss_mib']:.0f} MiB) | time ratio {ratio:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--keep", action="store_true", help="keep generated trees and stores")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for events in args.events:
        results = bench_size(events, args.per_file, args.out)
        print(report(results))
        print(json.dumps(results))
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
