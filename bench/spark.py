"""Runbooks on DuckDB vs Spark local mode vs a two-worker Spark standalone cluster (issue 16.6).

Usage:
  .venv/bin/python bench/spark.py [--events 100000 1000000] [--roles admin investigator]
                                  [--runbooks ID ...] [--out bench/out] [--no-cluster]

For each size: builds (once, cached in --out) a store of synthetic CloudTrail events
(trailmask.synth → trailmask ingest) and its Parquet export, then runs each runbook as each role
over the whole window through the service (run_query: authorize, prepare, execute, audit) on

- ``duckdb``: the store;
- ``spark-local``: Spark in this process (``local[*]``) over the export, dataset cached;
- ``spark-local-masked-dataset``: the same session over the investigator's own dataset
  (``export --as investigator``): the query carries no masking (investigator only);
- ``spark-cluster``: a standalone master and two workers on 127.0.0.1 (one core, 2 GB each;
  executors of 1536 MB), started from the installed pyspark as tests/spark/cluster.py does.

Each (engine, role, runbook) is run twice: ``cold`` (the first run: Spark plans and compiles the
masked relation, reads and caches the dataset) and ``warm`` (the second run). Rows are checked
equal across engines. Prints a table and writes JSON to --out. Figures depend on the machine's
load: on the shared two-core test machine they are measured under contention; say so when
quoting them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.spark.cluster import start_cluster, stop_cluster  # noqa: E402

from trailmask.config import SparkSettings, load_settings  # noqa: E402
from trailmask.errors import TrailmaskError  # noqa: E402
from trailmask.models import Actor  # noqa: E402
from trailmask.service.context import AppContext  # noqa: E402
from trailmask.service.export import export  # noqa: E402
from trailmask.service.runbooks import run_runbook  # noqa: E402

# Shapes (tests/spark/matrix.py): filter, aggregate (2), list functions, JSON functions, join.
RUNBOOKS = (
    "cis-root-account-usage",
    "top-principals",
    "console-brute-force",
    "console-logins",
    "failed-api-calls-by-service",
    "first-use-of-region",
)
WINDOW = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}
KEY = "bench-spark-key-0123456789abcdef"
DRIVER_MEMORY = ["4g"]  # --driver-memory (local mode: the driver does all the work)
EXECUTORS = {"spark.executor.memory": "1536m", "spark.executor.cores": "1", "spark.cores.max": "2"}


def build(events: int, out: Path) -> tuple[Path, Path, Path, Path]:
    """(store, raw dataset, investigator's dataset, key file) for ``events`` synthetic events, cached in ``out``."""
    db, dataset, key = out / f"spark-{events}.duckdb", out / f"spark-{events}-dataset", out / "spark-bench.key"
    masked = out / f"spark-{events}-dataset-investigator"
    if not key.exists():
        key.write_text(KEY, encoding="utf-8")
    if not db.exists():
        from trailmask.synth import write_delivery_tree

        tree = out / f"spark-tree-{events}"
        if not tree.exists():
            print(f"writing {events} synthetic events to {tree} ...", flush=True)
            write_delivery_tree(tree, events, seed=16, events_per_file=1000)
        started = time.perf_counter()
        command = [sys.executable, "-m", "trailmask", "--db", str(db), "ingest", str(tree), "--no-progress"]
        subprocess.run(command, check=True)
        print(f"ingested {events} events in {time.perf_counter() - started:.0f} s", flush=True)
    if not dataset.exists():
        ctx = context(db, key)
        started = time.perf_counter()
        export(ctx, Actor("bench", "admin", "cli-owner"), "parquet", dataset)
        print(f"exported in {time.perf_counter() - started:.0f} s", flush=True)
    if not masked.exists():
        started = time.perf_counter()
        export(context(db, key), Actor("bench", "investigator", "cli-owner"), "parquet", masked)
        print(f"exported the investigator's dataset in {time.perf_counter() - started:.0f} s", flush=True)
    return db, dataset, masked, key


def context(db: Path, key: Path, *, dataset: Path | None = None, master: str | None = None) -> AppContext:
    settings = load_settings(
        {"db": str(db), "masking_key_file": str(key), "query_timeout_s": 3600, "max_rows": 100_000}, env={}
    )
    if dataset is not None:
        properties: dict[str, object] = {"spark.driver.memory": DRIVER_MEMORY[0]}
        if master:
            properties |= {"spark.master": master, **EXECUTORS}
        spark = SparkSettings(properties=properties, cache=True, timeout_factor=1.0)
        settings = dataclasses.replace(settings, engine="spark", dataset=dataset, spark=spark)
    return AppContext.from_settings(settings)


def run_set(ctx: AppContext, roles: list[str], runbooks: list[str]) -> dict[str, dict[str, Any]]:
    """``role/runbook`` -> {cold_s, warm_s, rows, result}: each run twice."""
    found: dict[str, dict[str, Any]] = {}
    for role in roles:
        for runbook in runbooks:
            times, result = [], None
            try:
                for _ in range(2):
                    started = time.perf_counter()
                    result = run_runbook(ctx, Actor("bench", role, "cli-owner"), runbook, WINDOW, max_rows=100_000)
                    times.append(time.perf_counter() - started)
            except TrailmaskError as exc:  # recorded, not fatal: the other runs still tell something
                failed = time.perf_counter() - started
                found[f"{role}/{runbook}"] = {"error": f"{type(exc).__name__}: {exc}", "after_s": failed}
                print(f"  {role}/{runbook}: FAILED after {failed:.1f} s ({exc})", flush=True)
                continue
            assert result is not None
            rows = sorted(json.dumps(row, sort_keys=True, default=str) for row in result.rows)
            found[f"{role}/{runbook}"] = {"cold_s": times[0], "warm_s": times[1], "rows": len(rows), "result": rows}
            print(f"  {role}/{runbook}: cold {times[0]:.2f} s, warm {times[1]:.2f} s, {len(rows)} rows", flush=True)
    return found


def bench_size(events: int, out: Path, roles: list[str], runbooks: list[str], cluster: bool) -> dict[str, Any]:
    from trailmask.engines.spark.runtime import stop_session

    db, dataset, masked, key = build(events, out)
    engines: dict[str, dict[str, dict[str, Any]]] = {}
    print(f"{events} events: duckdb", flush=True)
    engines["duckdb"] = run_set(context(db, key), roles, runbooks)
    print(f"{events} events: spark-local", flush=True)
    started = time.perf_counter()
    engines["spark-local"] = run_set(context(db, key, dataset=dataset), roles, runbooks)
    print(f"  (session start included in the first cold run; {time.perf_counter() - started:.0f} s in all)")
    if "investigator" in roles:  # the investigator over its own masked dataset: no masking in the query
        print(f"{events} events: spark-local over the investigator's masked dataset", flush=True)
        engines["spark-local-masked-dataset"] = run_set(context(db, key, dataset=masked), ["investigator"], runbooks)
    stop_session()
    if cluster:
        with tempfile.TemporaryDirectory(prefix="trailmask-bench-cluster-") as folder:
            running = start_cluster(Path(folder), workers=2, worker_memory="2g")
            try:
                print(f"{events} events: spark-cluster ({running.url})", flush=True)
                engines["spark-cluster"] = run_set(
                    context(db, key, dataset=dataset, master=running.url), roles, runbooks
                )
            finally:
                stop_session()
                stop_cluster(running)
    reference = {job: figures.get("result") for job, figures in engines["duckdb"].items()}
    for results in engines.values():
        for job, figures in results.items():
            if "error" not in figures:
                figures["same_rows_as_duckdb"] = figures.pop("result") == reference[job]
    return {"events": events, "engines": engines}


def report(results: list[dict[str, Any]]) -> str:
    lines = ["| events | engine | role/runbook | cold s | warm s | rows | same rows |", "|---|---|---|---|---|---|---|"]
    for size in results:
        for engine, jobs in size["engines"].items():
            for job, f in jobs.items():
                if "error" in f:
                    lines.append(f"| {size['events']} | {engine} | {job} | failed after {f['after_s']:.1f} s | | | |")
                    continue
                same = "yes" if f.get("same_rows_as_duckdb", True) else "NO"
                timing = f"{f['cold_s']:.2f} | {f['warm_s']:.2f}"
                lines.append(f"| {size['events']} | {engine} | {job} | {timing} | {f['rows']} | {same} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--roles", nargs="+", default=["admin", "investigator"])
    parser.add_argument("--runbooks", nargs="+", default=list(RUNBOOKS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--no-cluster", action="store_true", help="leave out the two-worker cluster")
    parser.add_argument("--driver-memory", default="4g", help="spark.driver.memory (default 4g, trailmask's)")
    args = parser.parse_args()
    DRIVER_MEMORY[0] = args.driver_memory
    args.out.mkdir(parents=True, exist_ok=True)
    results = [bench_size(n, args.out, args.roles, args.runbooks, not args.no_cluster) for n in args.events]
    (args.out / "spark.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report(results))


if __name__ == "__main__":
    main()
