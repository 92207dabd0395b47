"""Ingest benchmark: trailmask ingest vs DuckDB's own read_json -> table, same files, same process.

Usage: .venv/bin/python bench/ingest.py [--events 100000 1000000] [--per-file 1000] [--days 7] [--out DIR]

For each size it writes a synthetic delivery tree (trailmask.synth, gzip Records files), then in
ONE child process per size runs back to back, on the same files:
  trailmask  trailmask's ingest (validation, content identity, typed columns, raw record kept)
  plain      CREATE TABLE AS SELECT unnest(Records, max_depth := 2) FROM read_json(files,
             ignore_errors = true): DuckDB's auto-detection, what a user would write instead of
             trailmask (the option is the one DuckDB's own error asks for on CloudTrail's
             case-colliding keys; every record is still read, the bench checks the count)
  typed      the same with read_json given the full typed record structure (as trailmask types it)
then queries the trailmask store for one UTC day (a cold connection) and for all days.
Each contender reports wall seconds, CPU seconds (all threads of the process: less sensitive to
other work on a shared machine than wall time) and the peak RSS sampled while it ran. Printed:
events/s and the trailmask/plain and trailmask/typed ratios of wall and CPU time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import datetime, json, os, sys, threading, time
from pathlib import Path
import duckdb
from trailmask.engines.duckdb.store import Store
from trailmask.engines.duckdb.types import EVENT_FIELDS_AS_TEXT, ddl_type
from trailmask.ingest.local import ingest_paths

tree, out = Path(sys.argv[1]), Path(sys.argv[2])
files = sorted(str(p) for p in tree.rglob("*.json.gz"))
listing = "[" + ", ".join("'" + f + "'" for f in files) + "]"
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE

def measured(run):
    peak, done = [rss()], threading.Event()
    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss())
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    wall, cpu = time.perf_counter(), time.process_time()
    events = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done.set(); watcher.join()
    return {"seconds": wall, "cpu_seconds": cpu, "events": events, "peak_rss_mib": max(peak[0], rss()) / 2**20}

def fresh(name):
    db = out / name
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return db

def trailmask():
    return ingest_paths(Store(fresh("trailmask.duckdb")), [tree]).totals()["new_events"]

def baseline(columns):
    def run():
        conn = duckdb.connect(str(fresh("baseline.duckdb")))
        conn.execute(f"CREATE TABLE raw AS SELECT unnest(Records, max_depth := 2) FROM read_json({listing}{columns})")
        n = conn.execute("SELECT count(*) FROM raw").fetchall()[0][0]
        conn.close()
        return n
    return run

def scaled(copies):
    # the trailmask store repeated ``copies`` times, each copy shifted past the previous one's days
    # (as a longer trail ingested in time order would be): for the one-day window at 10x the size
    import shutil
    target = out / "scaled.duckdb"
    shutil.copyfile(out / "trailmask.duckdb", target)
    conn = duckdb.connect(str(target))
    lo, hi = conn.execute("SELECT min(eventTime), max(eventTime) FROM events").fetchall()[0]
    span = (hi - lo).days + 1
    for k in range(1, copies):
        conn.execute(
            f"INSERT INTO events SELECT * REPLACE (eventTime + INTERVAL {k * span} DAY AS eventTime, "
            f"'copy-{k}' AS tm_batch) FROM events WHERE NOT starts_with(tm_batch, 'copy-') ORDER BY rowid"
        )
    conn.close()
    return target

def window(store):
    conn = duckdb.connect(str(store), read_only=True)
    lo, hi = conn.execute("SELECT min(eventTime), max(eventTime) FROM events").fetchall()[0]
    conn.close()
    day = lo.replace(hour=0, minute=0, second=0, microsecond=0) + (hi - lo) / 2
    day = day.replace(hour=0, minute=0, second=0, microsecond=0)
    sql = ("SELECT count(*), count(DISTINCT eventName), count(DISTINCT sourceIPAddress) FROM events "
           "WHERE eventTime >= $a AND eventTime < $a + INTERVAL 1 DAY")
    result = {"row_groups": row_groups(store, day)}
    for label, params in (("one_day", {"a": day}), ("all_days", None)):
        conn = duckdb.connect(str(store), read_only=True)
        text = sql if params else sql.split(" WHERE ")[0]
        started = time.perf_counter()
        rows = conn.execute(text, params or {}).fetchall()[0][0]
        result[label] = {"seconds": time.perf_counter() - started, "rows": rows}
        conn.close()
    return result

def row_groups(store, day):
    # row groups of events, and those whose eventTime min/max overlap the day (the ones a scan reads)
    conn = duckdb.connect(str(store), read_only=True)
    rows = conn.execute(
        "SELECT row_group_id, stats.min, stats.max "
        "FROM pragma_storage_info('events') WHERE column_name = 'eventTime' AND segment_type <> 'VALIDITY'"
    ).fetchall()
    conn.close()
    end = day + datetime.timedelta(days=1)
    groups = {r[0] for r in rows}
    hit = {r[0] for r in rows if r[1] is None or r[2] is None or (r[1] < end and r[2] >= day)}
    return {"total": len(groups), "overlapping_day": len(hit)}

typed = ddl_type([EVENT_FIELDS_AS_TEXT])
results = {"input": {"files": len(files)}}
results["trailmask"] = measured(trailmask)
# auto-detection stops at real CloudTrail's keys differing only in case ("ARN" and "aRN" in one
# object: 'Duplicate name in struct'); DuckDB's error says to add ignore_errors, as a user would
results["plain"] = measured(baseline(", ignore_errors = true"))
results["typed"] = measured(baseline(f", columns = {{'Records': '{typed}'}}, maximum_object_size = 1073741824"))
results["window"] = window(out / "trailmask.duckdb")
copies = int(sys.argv[3])
if copies > 1:
    results["window_scaled"] = {"copies": copies, **window(scaled(copies))}
for name in ("trailmask", "plain", "typed"):
    assert results[name]["events"] == results["window"]["all_days"]["rows"], (name, results[name])
print(json.dumps(results, default=str))
"""


def bench_size(events: int, per_file: int, days: int, out: Path, copies: int = 1) -> dict[str, dict[str, object]]:
    from trailmask.synth import write_delivery_tree

    tree = out / f"tree-{events}-{days}d"
    if not tree.exists():
        write_delivery_tree(tree, events, seed=11, events_per_file=per_file, days=days)
    work = out / f"stores-{events}"
    work.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-c", CHILD, str(tree), str(work), str(copies)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    results: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    results["input"]["events"] = events
    shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: dict[str, dict[str, object]]) -> str:
    def num(part: str, key: str) -> float:
        return float(results[part][key])  # type: ignore[arg-type]

    parts = [f"{num('input', 'events'):>10,.0f} events in {num('input', 'files'):,.0f} files"]
    for name in ("trailmask", "plain", "typed"):
        rate = num(name, "events") / num(name, "seconds")
        parts.append(
            f"{name} {rate:>8,.0f} ev/s ({num(name, 'seconds'):.1f} s, cpu {num(name, 'cpu_seconds'):.1f} s, "
            f"peak RSS {num(name, 'peak_rss_mib'):,.0f} MiB)"
        )
    for base in ("plain", "typed"):
        parts.append(
            f"trailmask/{base}: time {num('trailmask', 'seconds') / num(base, 'seconds'):.2f}x, "
            f"cpu {num('trailmask', 'cpu_seconds') / num(base, 'cpu_seconds'):.2f}x"
        )
    window = results["window"]
    one, every = window["one_day"], window["all_days"]  # type: ignore[index]
    groups = window["row_groups"]  # type: ignore[index]
    parts.append(
        f"one-day window {one['seconds'] * 1000:.0f} ms ({one['rows']:,} rows) vs all days "  # type: ignore[index]
        f"{every['seconds'] * 1000:.0f} ms ({every['rows']:,} rows); row groups overlapping the day "  # type: ignore[index]
        f"{groups['overlapping_day']} of {groups['total']}"  # type: ignore[index]
    )
    if "window_scaled" in results:
        big = results["window_scaled"]
        one, every, groups = big["one_day"], big["all_days"], big["row_groups"]  # type: ignore[index]
        parts.append(
            f"store x{big['copies']} ({every['rows']:,} rows): one-day window {one['seconds'] * 1000:.0f} ms "  # type: ignore[index]
            f"({one['rows']:,} rows) vs all days {every['seconds'] * 1000:.0f} ms; row groups overlapping "  # type: ignore[index]
            f"the day {groups['overlapping_day']} of {groups['total']}"  # type: ignore[index]
        )
    return "\n  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--days", type=int, default=7, help="days the synthetic events span")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--keep", action="store_true", help="keep generated trees")
    parser.add_argument(
        "--scale-window",
        type=int,
        default=1,
        metavar="N",
        help="also time the one-day window on the largest size's store copied N times, each copy shifted past the last",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for events in args.events:
        copies = args.scale_window if events == max(args.events) else 1
        results = bench_size(events, args.per_file, args.days, args.out, copies)
        print(report(results), flush=True)
        print(json.dumps(results), flush=True)
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
