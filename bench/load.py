"""Load benchmark: N concurrent clients run runbooks (and some ad-hoc SQL) against `trailmask serve`.

Usage:
  .venv/bin/python bench/load.py [--events 1000000] [--clients 50] [--duration 60] [--sql-share 0.2]
                                 [--slots 1] [--db STORE] [--out bench/out]

Builds (once, cached in --out) a store of --events synthetic CloudTrail events (trailmask.synth →
trailmask ingest), or copies --db; starts a real server on 127.0.0.1 and a free port; creates an
investigator user; then --clients asyncio clients loop for --duration seconds, each request a
random catalogue runbook over the whole window (`since=all`) or, with probability --sql-share, an
ad-hoc aggregate SQL query. Reports requests, errors by status, throughput and latency percentiles,
verifies the audit chain afterwards, and writes the figures as JSON to --out. Traffic goes only to
127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

SQL = [
    "SELECT eventSource, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC LIMIT 10",
    "SELECT eventName, count(*) AS n FROM events WHERE errorCode IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 10",
    "SELECT awsRegion, count(DISTINCT sourceIPAddress) AS ips FROM events GROUP BY 1 ORDER BY 1",
]


def build_store(events: int, out: Path) -> Path:
    """A cached store of ``events`` synthetic events (delivery tree → trailmask ingest)."""
    db = out / f"load-{events}.duckdb"
    if db.exists():
        return db
    from trailmask.synth import write_delivery_tree

    tree = out / f"load-tree-{events}"
    if not tree.exists():
        print(f"writing {events} synthetic events to {tree} ...", flush=True)
        write_delivery_tree(tree, events, seed=5, events_per_file=1000)
    print(f"ingesting into {db} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), "ingest", str(tree), "--no-progress"], check=True
    )
    print(f"ingested in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(db: Path, slots: int) -> tuple[subprocess.Popen[bytes], str]:
    config = db.with_name(db.name + ".load.yaml")
    config.write_text(
        json.dumps(
            {"serve": {"rate_limit": {"per_second": 100000}, "max_concurrent_queries": slots, "queue_wait_s": 120}}
        )
    )
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "trailmask",
        "--db",
        str(db),
        "--config",
        str(config),
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(args, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def add_user(db: Path, name: str, role: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), "user", "add", name, "--role", role, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    token: str = json.loads(out.stdout)["token"]
    return token


async def client(
    url: str,
    token: str,
    runbooks: list[str],
    sql_share: float,
    deadline: float,
    seed: int,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                if rng.random() < sql_share:
                    response = await http.post("/api/sql", json={"sql": rng.choice(SQL)})
                else:
                    runbook = rng.choice(runbooks)
                    response = await http.post(f"/api/runbooks/{runbook}/run", json={"params": {"since": "all"}})
                statuses[response.status_code] += 1
            except httpx.HTTPError as exc:
                statuses[-1] += 1
                print(f"transport error: {type(exc).__name__}", file=sys.stderr)
            latencies.append((time.perf_counter() - started) * 1000)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else 0.0


async def run_load(url: str, token: str, clients: int, duration: float, sql_share: float) -> dict[str, Any]:
    runbooks = [
        r["id"]
        for r in httpx.get(f"{url}/api/runbooks", headers={"Authorization": f"Bearer {token}"}).json()["runbooks"]
        if not any(p.get("required") for p in r["parameters"])
    ]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(
        *(client(url, token, runbooks, sql_share, deadline, i, latencies, statuses) for i in range(clients))
    )
    elapsed = time.monotonic() - started
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    return {
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "runbooks": len(runbooks),
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p90": round(percentile(latencies, 90), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies, default=0), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="Use a copy of this store instead of synthetic events.")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--sql-share", type=float, default=0.2)
    parser.add_argument("--slots", type=int, default=1, help="serve.max_concurrent_queries")
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.db or build_store(args.events, args.out)
    work = args.out / "load-run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "store.duckdb"
    shutil.copyfile(source, db)
    token = add_user(db, "load-investigator", "investigator")
    proc, url = start_server(db, args.slots)
    try:
        figures = asyncio.run(run_load(url, token, args.clients, args.duration, args.sql_share))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    verify = subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), "audit", "verify", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    figures["audit"] = json.loads(verify.stdout) if verify.stdout else {"error": verify.stderr}
    figures["audit"].pop("problems", None) if figures["audit"].get("ok") else None
    count = subprocess.run(
        [
            sys.executable,
            "-m",
            "trailmask",
            "--db",
            str(db),
            "sql",
            "SELECT count(*) AS n FROM events",
            "--as",
            "admin",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures["events"] = json.loads(count.stdout)[0]["n"]
    figures["slots"] = args.slots
    print(json.dumps(figures, indent=2))
    (args.out / f"load-{figures['events']}-{args.clients}c.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
