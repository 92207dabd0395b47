"""Masked vs raw: the same investigation queries as admin (raw) and as investigator (masked).

Usage:
    .venv/bin/python bench/masking.py [--events 1000000] [--workdir /tmp/trailmask-bench] [--runs 3]
        [--row-filter "awsRegion <> 'ap-south-1'"]

Builds (once, reused afterwards) a store of synthetic CloudTrail events (trailmask.synth), then
runs each query through service.prepare + a hardened QuerySession, exactly as run_query does,
``--runs`` times per role, and reports the best time of each: ``prepare`` (sandbox + rewrite, Python)
and ``engine`` (DuckDB: bind, plan, execute, fetch). The ratio is masked/raw of prepare + engine.
``--row-filter``: the investigator (and the admin, for the raw side) read through that row filter
(``row_filter: {where: ...}``), to measure its cost. Not a test: figures depend on the machine (2
shared cores here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from trailmask.config import load_settings
from trailmask.engines.duckdb.session import QuerySession
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.prepare import prepare
from trailmask.synth import write_jsonl

QUERIES: list[tuple[str, str]] = [
    ("events by name", "SELECT eventName, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC"),
    (
        "top principals",
        "SELECT userIdentity.arn AS who, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
    ),
    (
        "failed calls by source IP",
        "SELECT sourceIPAddress, count(*) AS n FROM events WHERE errorCode IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
    ),
    (
        "access keys in use",
        "SELECT userIdentity.accessKeyId AS k, count(*) AS n, min(eventTime) AS first, max(eventTime) AS last "
        "FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
    ),
    (
        "one actor's timeline",
        "SELECT eventTime, eventName, sourceIPAddress FROM events WHERE userIdentity.userName = $who "
        "ORDER BY eventTime DESC LIMIT 100",
    ),
    ("accounts and regions", "SELECT recipientAccountId, awsRegion, count(*) AS n FROM events GROUP BY ALL"),
    (
        "errors with messages",
        "SELECT errorCode, errorMessage, count(*) AS n FROM events WHERE errorCode IS NOT NULL "
        "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20",
    ),
    (
        "IAM writes with parameters",
        "SELECT eventTime, eventName, userIdentity.arn, requestParameters FROM events "
        "WHERE eventSource = 'iam.amazonaws.com' AND NOT readOnly ORDER BY eventTime DESC LIMIT 100",
    ),
    ("latest 100 events, all columns", "SELECT * FROM events ORDER BY eventTime DESC LIMIT 100"),
    (
        "search all request parameters",
        "SELECT count(*) AS n FROM events WHERE CAST(requestParameters AS VARCHAR) LIKE '%prod%'",
    ),
]


def _filtered_policy(workdir: Path, where: str) -> Path:
    """The default policy with ``where`` as the row filter of admin and investigator."""
    default = Path(__file__).parents[1] / "src/trailmask/masking/default_policy.yaml"
    policy = yaml.safe_load(default.read_text(encoding="utf-8"))
    for role in ("admin", "investigator"):
        policy["roles"][role]["row_filter"] = {"where": where}
    path = workdir / "row-filter-policy.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    return path


def build_store(workdir: Path, events: int, row_filter: str | None = None) -> AppContext:
    db = workdir / f"bench-{events}.duckdb"
    os.environ.setdefault("TRAILMASK_MASKING_KEY", "bench-masking-key-0123456789abcdef")
    settings: dict[str, Any] = {"db": str(db)}
    if row_filter:
        settings["policy_file"] = str(_filtered_policy(workdir, row_filter))
    ctx = AppContext.from_settings(load_settings(settings, env={}))
    if db.exists():
        return ctx
    source = workdir / f"synth-{events}.jsonl"
    started = time.perf_counter()
    write_jsonl(source, events, seed=42, days=30)
    print(f"generated {events} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    ingest(ctx, Actor(name="bench", role="admin"), [str(source)])
    print(f"ingested in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    source.unlink()
    return ctx


def timed(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> tuple[float, float, int]:
    started = time.perf_counter()
    plan = prepare(ctx, role, sql, params)
    prepared = time.perf_counter() - started
    with QuerySession(ctx.store, temp_tables=plan.temp_tables, memory_limit=ctx.settings.memory_limit) as session:
        started = time.perf_counter()
        rows = session.execute(plan.sql, plan.params, timeout_s=600, max_rows=1_000_000)
        engine = time.perf_counter() - started
    return prepared, engine, len(rows.rows)


def who(ctx: AppContext, role: str) -> str:
    sql = (
        "SELECT userIdentity.userName AS u, count(*) FROM events WHERE userIdentity.userName IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    )
    plan = prepare(ctx, role, sql, {})
    with QuerySession(ctx.store, temp_tables=plan.temp_tables) as session:
        return str(session.execute(plan.sql).rows[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trailmask-bench"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--row-filter", default=None, help="a row filter (SQL condition) for both roles")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ctx = build_store(args.workdir, args.events, args.row_filter)
    actors = {"admin": who(ctx, "admin"), "investigator": who(ctx, "investigator")}
    print(f"{'query':34} {'rows':>5} {'raw ms':>9} {'masked ms':>10} {'(prepare)':>9} {'ratio':>6}")
    ratios = []
    for label, sql in QUERIES:
        best: dict[str, tuple[float, float, int]] = {}
        for role in ("admin", "investigator"):
            params = {"who": actors[role]} if "$who" in sql else {}
            runs = [timed(ctx, role, sql, params) for _ in range(args.runs)]
            best[role] = min(runs, key=lambda r: r[0] + r[1])
        raw, masked = best["admin"], best["investigator"]
        ratio = (masked[0] + masked[1]) / (raw[0] + raw[1])
        ratios.append(ratio)
        print(
            f"{label:34} {masked[2]:>5} {1000 * (raw[0] + raw[1]):>9.1f} {1000 * (masked[0] + masked[1]):>10.1f} "
            f"{1000 * masked[0]:>9.1f} {ratio:>5.2f}x"
        )
    print(f"geometric mean ratio {statistics.geometric_mean(ratios):.2f}x; median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
