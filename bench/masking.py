"""Masked vs raw: the same investigation queries as admin (raw) and as investigator (masked).

Usage:
    .venv/bin/python bench/masking.py [--events 1000000] [--workdir /tmp/trailmask-bench] [--runs 3]
        [--row-filter "awsRegion <> 'ap-south-1'"]

Builds (once, reused afterwards) a store of synthetic CloudTrail events (trailmask.synth), then
runs each query through service.prepare + a hardened QuerySession, exactly as run_query does,
``--runs`` times per role, and reports the best time of each: ``prepare`` (sandbox + rewrite, Python)
and ``engine`` (DuckDB: bind, plan, execute, fetch). The ratio is masked/raw of prepare + engine.
``--row-filter``: the investigator (and the admin, for the raw side) read through that row filter
(``row_filter: {where: ...}``), to measure its cost.
``--projection``: also build the store's masked projections (service.projections, timed, with
their disk size against the store's) and run each query a third way, as the investigator on its
projection (service.projections.route + a session with only the projection attached, as
run_query does): the table then gives raw, dynamic masked and projected masked times and both
ratios to raw, all measured in the same process. Not a test: figures depend on the machine (2
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
from trailmask.service import projections
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


def timed_projection(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> tuple[float, float, int]:
    started = time.perf_counter()
    routed = projections.route(ctx, role, sql, params)
    if routed is None:
        raise SystemExit("the masked projection is missing or stale: run with --projection on a fresh store")
    prepared = time.perf_counter() - started
    with routed.engine.session() as session:
        started = time.perf_counter()
        rows = session.execute(routed.plan.sql, routed.plan.params, timeout_s=600, max_rows=1_000_000)
        engine = time.perf_counter() - started
    return prepared, engine, len(rows.rows)


def build_projections(ctx: AppContext) -> None:
    started = time.perf_counter()
    built = projections.build_projections(ctx, Actor(name="bench", role="admin"))
    elapsed = time.perf_counter() - started
    store = ctx.store.path.stat().st_size
    print(f"projections: {elapsed:.1f} s in all; store {store / 2**20:.1f} MiB", file=sys.stderr)
    for status in built:
        print(
            f"  {'/'.join(status.roles)}: {status.state}, {status.rows} rows, {status.build_ms / 1000:.1f} s, "
            f"{status.bytes / 2**20:.1f} MiB ({status.bytes / store:.2f}x the store)",
            file=sys.stderr,
        )


def compare_projection(ctx: AppContext, actors: dict[str, str], runs: int) -> None:
    """Raw, dynamic masked and projected masked, per query, in this process."""
    print(f"{'query':34} {'rows':>5} {'raw ms':>8} {'dyn ms':>8} {'proj ms':>8} {'dyn/raw':>8} {'proj/raw':>8}")
    dyn_ratios, proj_ratios = [], []
    for label, sql in QUERIES:
        best = {}
        for name, role, run in (
            ("raw", "admin", timed),
            ("dynamic", "investigator", timed),
            ("projected", "investigator", timed_projection),
        ):
            params = {"who": actors[role]} if "$who" in sql else {}
            best[name] = min((run(ctx, role, sql, params) for _ in range(runs)), key=lambda r: r[0] + r[1])
        raw, dyn, proj = (sum(best[n][:2]) for n in ("raw", "dynamic", "projected"))
        if best["dynamic"][2] != best["projected"][2]:
            raise SystemExit(f"{label}: {best['dynamic'][2]} rows dynamic, {best['projected'][2]} projected")
        dyn_ratios.append(dyn / raw)
        proj_ratios.append(proj / raw)
        print(
            f"{label:34} {best['projected'][2]:>5} {1000 * raw:>8.1f} {1000 * dyn:>8.1f} {1000 * proj:>8.1f} "
            f"{dyn / raw:>7.2f}x {proj / raw:>7.2f}x"
        )
    print(
        f"geometric mean: dynamic/raw {statistics.geometric_mean(dyn_ratios):.2f}x, "
        f"projected/raw {statistics.geometric_mean(proj_ratios):.2f}x (max {max(proj_ratios):.2f}x)"
    )


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
    parser.add_argument("--projection", action="store_true", help="also run on the masked projection")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ctx = build_store(args.workdir, args.events, args.row_filter)
    actors = {"admin": who(ctx, "admin"), "investigator": who(ctx, "investigator")}
    if args.projection:
        build_projections(ctx)
        compare_projection(ctx, actors, args.runs)
        return
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
