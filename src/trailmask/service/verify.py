"""``trailmask verify``: prove on canary data that no masked role can see a planted secret.

1. Build a canary store in a temporary folder: masking.canary events (a secret in every sensitive
   position of the policy in force, in unknown JSON keys and nested arrays), ingested through
   service.ingest like any trail (delivered under ``AWSLogs/<canary account>/...``, so the source
   path is sensitive too), plus the raw event keys (``tm_event_key``) as canaries.
2. For every role that is not raw: run the adversarial battery (masking.battery) through
   service.prepare and the context's engine, exactly as run_query does, and every runbook through
   service.runbooks.run_runbook.
3. Scan each output (cells, rows, columns) and each error message for every canary, in any case,
   reversed, hashed (md5/sha1/sha256), base64 or hex; probes must count zero; sandbox cases must be
   rejected. Any finding fails verify, with the role, the query and the canary named.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailmask.errors import QueryRejected, TrailmaskError
from trailmask.masking.battery import BatteryQuery, battery
from trailmask.masking.canary import ACCOUNT, Canary, LeakScanner, canaries, canary_events
from trailmask.masking.model import Policy
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.service.context import AppContext
from trailmask.service.engine import run_plan
from trailmask.service.ingest import ingest
from trailmask.service.prepare import prepare
from trailmask.service.runbooks import list_runbooks, run_runbook

Progress = Callable[[str], None]


@dataclass
class Finding:
    role: str
    query: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "query": self.query, "problem": self.problem}


@dataclass
class VerifyReport:
    roles: list[str] = field(default_factory=list)
    queries: int = 0
    runbooks: int = 0
    not_run: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "roles": self.roles,
            "queries": self.queries,
            "runbook_runs": self.runbooks,
            "not_run": self.not_run,
            "findings": [f.to_dict() for f in self.findings],
        }


@contextmanager
def canary_store(ctx: AppContext, policy: Policy) -> Iterator[tuple[AppContext, list[Canary]]]:
    """A temporary store holding the canary trail, and the canaries to look for."""
    with tempfile.TemporaryDirectory(prefix="trailmask-verify-") as folder:
        root = Path(folder)
        events = canary_events(policy)
        trail = root / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1" / "2026" / "01" / "15"
        trail.mkdir(parents=True)
        (trail / f"{ACCOUNT}_CloudTrail_us-east-1_20260115T1000Z_canary.json").write_text(
            json.dumps({"Records": events}), encoding="utf-8"
        )
        canary_ctx = ctx.for_store(root / "canary.duckdb")
        ingest(canary_ctx, Actor(name="verify", role="admin"), [str(root / "AWSLogs")])
        found = canaries(events, policy)
        with canary_ctx.store_engine.session() as session:
            keys = session.execute("SELECT tm_event_key FROM events").rows
        found += [Canary("tm_event_key (raw)", str(row[0])) for row in keys]
        yield canary_ctx, found


def _run(ctx: AppContext, role: str, sql: str, params: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """prepare + execute like service.query.run_query (engine messages only for raw plans)."""
    plan = prepare(ctx, role, sql, params)
    rows = run_plan(ctx.engine, plan, timeout_s=ctx.settings.query_timeout_s, max_rows=10_000)
    return rows.columns, [list(row) for row in rows.rows]


def _check(ctx: AppContext, role: str, query: BatteryQuery, scanner: LeakScanner) -> list[Finding]:
    try:
        columns, rows = _run(ctx, role, query.sql, {})
    except QueryRejected as exc:
        if query.expect == "rejected":
            return []
        return [Finding(role, query.label, f"rejected unexpectedly: {exc}")]
    except TrailmaskError as exc:
        if query.expect == "rejected":
            return [Finding(role, query.label, "accepted by the sandbox (failed later in the engine)")]
        return [
            Finding(role, query.label, f"canary {leak.canary.label} ({leak.form}) in the error message")
            for leak in scanner.scan(str(exc), query.label)
        ]
    if query.expect == "rejected":
        return [Finding(role, query.label, "accepted by the sandbox")]
    if query.expect == "zero":
        hits = [c for c, value in zip(columns, rows[0] if rows else [], strict=False) if value not in (0, False, None)]
        return [Finding(role, query.label, f"probe {name} matched raw data (an oracle)") for name in hits]
    return [
        Finding(role, query.label, f"canary {leak.canary.label} ({leak.form})")
        for leak in scanner.scan_rows(columns, rows, query.label)
    ]


def _runbook_params(runbook: Runbook) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for parameter in runbook.parameters:
        if parameter.name == "since":
            params["since"] = "all"
        elif parameter.required and parameter.default is None and parameter.example is not None:
            params[parameter.name] = parameter.example
    return params


def _check_runbooks(ctx: AppContext, role: str, scanner: LeakScanner, report: VerifyReport) -> None:
    actor = Actor(name="verify", role=role)
    for runbook in list_runbooks(ctx):
        label = f"runbook {runbook.id}"
        try:
            result = run_runbook(ctx, actor, runbook.id, _runbook_params(runbook))
        except TrailmaskError as exc:
            report.not_run.append(f"{role}: {label}: {exc.kind}")
            for leak in scanner.scan(str(exc), label):
                report.findings.append(Finding(role, label, f"canary {leak.canary.label} ({leak.form}) in the error"))
            continue
        report.runbooks += 1
        rows = [[row.get(c) for c in result.columns] for row in result.rows]
        for leak in scanner.scan_rows(result.columns, rows, label):
            report.findings.append(Finding(role, label, f"canary {leak.canary.label} ({leak.form})"))


def verify(ctx: AppContext, *, progress: Progress | None = None) -> VerifyReport:
    """Run the whole check; the report lists every finding (empty when nothing leaked)."""
    policy = ctx.policy
    report = VerifyReport(roles=[name for name, role in policy.roles.items() if not role.raw])
    with canary_store(ctx, policy) as (canary_ctx, found):
        scanner = LeakScanner(found)
        queries = battery(found)
        for role in report.roles:
            if progress:
                progress(f"{role}: {len(queries)} adversarial queries")
            for query in queries:
                report.queries += 1
                report.findings += _check(canary_ctx, role, query, scanner)
            if progress:
                progress(f"{role}: runbooks")
            _check_runbooks(canary_ctx, role, scanner, report)
    return report
