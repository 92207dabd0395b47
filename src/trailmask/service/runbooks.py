"""Runbooks through the service: list, show, run (the single query path), test, lint, import, docs.

A run validates the caller's values once (``runbooks.binding``), then hands the runbook SQL and the
typed values to :func:`trailmask.service.query.run_query`, which authorizes, applies the role's
masking and sandbox, binds the values as named parameters, executes and audits. Requests that
fail before reaching run_query (permission, unknown runbook, invalid parameter) are audited here.

``test_runbooks`` loads each fixture's events into a fresh temporary store through
:func:`trailmask.service.ingest.ingest` and runs the runbook there through the same path.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from trailmask.config import Secret
from trailmask.errors import QueryFailed, TrailmaskError
from trailmask.models import Actor, QueryRequest, QueryResult
from trailmask.runbooks.binding import bind_parameters
from trailmask.runbooks.docs import render_all, runbook_page
from trailmask.runbooks.fixtures import (
    FixtureOutcome,
    check_full_run,
    check_no_match_run,
    events_jsonl,
)
from trailmask.runbooks.lint import Finding, lint_catalog
from trailmask.runbooks.model import Fixture, FixtureEvent, Runbook
from trailmask.runbooks.sigma.importer import ImportReport, import_rules, read_rules, write_runbooks
from trailmask.service.audited import audited
from trailmask.service.authz import authorize, decide, require, role_names, runbook_resource
from trailmask.service.catalog import catalog, get_runbook
from trailmask.service.context import AppContext
from trailmask.service.indicators import Mapped, map_indicators
from trailmask.service.ingest import ingest
from trailmask.service.prepare import prepare
from trailmask.service.query import require_store, run_query

TEST_ACTOR = Actor(name="runbook-test", role="admin", via="cli-owner")

__all__ = ["list_runbooks", "run_runbook", "show_runbook"]


def list_runbooks(ctx: AppContext, actor: Actor | None = None) -> list[Runbook]:
    """Every runbook, sorted by id; with ``actor``, only those the actor's role may run (audited)."""
    runbooks = list(catalog(ctx))
    if actor is None:
        return runbooks
    with audited(ctx, actor, "runbook.list") as audit:
        allowed = [r for r in runbooks if decide(ctx, actor, "runbook", runbook_resource(ctx, r.id)).allowed]
        audit.rows = len(allowed)
        audit.details["runbooks"] = len(allowed)
    return allowed


def role_sees_raw(ctx: AppContext, role: str) -> bool:
    """Whether ``role`` queries unmasked data (then identity parameters are checked strictly)."""
    known = ctx.raw_roles
    if role not in known:
        plan = prepare(ctx, role, "SELECT eventName FROM events", {})
        known[role] = plan.profile == "raw"
    return known[role]


def run_runbook(
    ctx: AppContext,
    actor: Actor,
    runbook_id: str,
    raw_params: Mapping[str, Any],
    *,
    max_rows: int | None = None,
    now: datetime | None = None,
) -> QueryResult:
    """Validate ``raw_params`` and run the runbook as ``actor`` through run_query.

    A request refused before the run (permission, unknown runbook, invalid parameter) is recorded
    by this block; from the run on, run_query's entry is the record.
    """
    require_store(ctx)  # before any side file (audit log, state) is created
    with audited(ctx, actor, "runbook", request=QueryRequest(sql="", kind="runbook", runbook_id=runbook_id)) as audit:
        authorize(ctx, actor, "runbook", runbook_id)
        runbook = get_runbook(ctx, runbook_id)
        masked = not role_sees_raw(ctx, actor.role)
        params = bind_parameters(runbook, raw_params, masked=masked, now=now)
        mapped = map_indicators(ctx, actor, runbook, params) if masked else Mapped(params)
        audit.delegate()
        result = execute_runbook(ctx, actor, runbook, mapped.params, max_rows=max_rows)
        result.notices.extend(mapped.notices)
        return result


def _output_contract(runbook: Runbook) -> Callable[[QueryResult], None]:
    declared = [c.name for c in runbook.output]

    def check(result: QueryResult) -> None:
        if [c.lower() for c in result.columns] != [c.lower() for c in declared]:
            raise QueryFailed(
                f"runbook '{runbook.id}' returned columns {', '.join(result.columns)} "
                f"but its output contract declares {', '.join(declared)}",
                hint="fix the runbook's SQL or its 'output' list",
            )

    return check


def execute_runbook(
    ctx: AppContext, actor: Actor, runbook: Runbook, params: dict[str, Any], *, max_rows: int | None = None
) -> QueryResult:
    """Run already-validated values; the result is checked against the runbook's output contract."""
    limit = min(max_rows, runbook.limits.max_rows) if max_rows and runbook.limits.max_rows else None
    request = QueryRequest(
        sql=runbook.sql,
        params=params,
        kind="runbook",
        runbook_id=runbook.id,
        max_rows=limit or max_rows or runbook.limits.max_rows,
        timeout_s=runbook.limits.timeout_s,
    )
    return run_query(ctx, actor, request, check=_output_contract(runbook))


def show_runbook(ctx: AppContext, actor: Actor, runbook_id: str) -> Runbook:
    """One runbook for a caller allowed to run it (``runbook:ID`` or a matching tag), audited."""
    with audited(ctx, actor, "runbook.show", runbook=runbook_id):
        require(ctx, actor, "runbook", runbook_resource(ctx, runbook_id))
        return get_runbook(ctx, runbook_id)


def _run_on_events(
    ctx: AppContext, runbook: Runbook, fixture: Fixture, events: Sequence[FixtureEvent]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of ``runbook`` over exactly ``events`` (a fresh store), or the problems that stopped it."""
    with tempfile.TemporaryDirectory(prefix="trailmask-fixture-") as folder:
        temp = ctx.for_store(Path(folder) / "fixture.duckdb")
        source = Path(folder) / "events.jsonl"
        source.write_text(events_jsonl(events), encoding="utf-8")
        summary = ingest(temp, TEST_ACTOR, [str(source)])
        if summary.rejected:
            return [], [f"fixture events rejected by ingest: {summary.rejected[0].reason}"]
        try:
            params = bind_parameters(runbook, fixture.params, masked=False)
            return execute_runbook(temp, TEST_ACTOR, runbook, params).rows, []
        except TrailmaskError as exc:
            return [], [f"run failed: {exc}"]


def test_fixture(ctx: AppContext, runbook: Runbook, fixture: Fixture) -> FixtureOutcome:
    outcome = FixtureOutcome(runbook=runbook.id, fixture=fixture.name)
    rows, problems = _run_on_events(ctx, runbook, fixture, fixture.events)
    outcome.rows = len(rows)
    outcome.problems.extend(problems or check_full_run(fixture, rows))
    if not problems and fixture.not_matching and fixture.matching:
        rows, problems = _run_on_events(ctx, runbook, fixture, fixture.not_matching)
        outcome.problems.extend(problems or check_no_match_run(rows))
    return outcome


def test_runbooks(ctx: AppContext, ids: Iterable[str] | None) -> list[FixtureOutcome]:
    """Run the fixtures of the named runbooks (all when ``ids`` is None); one outcome per fixture."""
    selected = [get_runbook(ctx, i) for i in ids] if ids else list(catalog(ctx))
    outcomes: list[FixtureOutcome] = []
    for runbook in selected:
        if not runbook.fixtures:
            outcomes.append(FixtureOutcome(runbook.id, "(none)", problems=["the runbook has no fixtures"]))
        for fixture in runbook.fixtures:
            outcomes.append(test_fixture(ctx, runbook, fixture))
    return outcomes


def event_verdict(ctx: AppContext, runbook: Runbook, event: dict[str, Any], params: Mapping[str, Any]) -> bool | None:
    """Does ``runbook`` report ``event`` alone? None when the event cannot be loaded or run."""
    fixture = Fixture(name="verdict", events=(FixtureEvent(event=event, match=True),), params=dict(params))
    rows, problems = _run_on_events(ctx, runbook, fixture, fixture.events)
    return None if problems else bool(rows)


def lint_runbooks(ctx: AppContext) -> list[Finding]:
    """Static findings plus, for every role allowed to run a runbook, whether the sandbox accepts its SQL."""
    cat = catalog(ctx)
    findings = lint_catalog(cat)
    # Lint prepares every plan and runs none: a key of its own, so linting reads no key file and
    # creates none (a runbook folder is linted without a store; service.keys creates a key only
    # beside an existing store). The plans are discarded with this context.
    ctx = AppContext(
        settings=ctx.settings,
        store=ctx.store,
        _policy=ctx.policy,
        _masking_key=Secret(secrets.token_hex(32)),
        _catalog=cat,
        _bound=True,
    )
    for runbook in cat:
        params = {name: None for name in runbook.placeholders}
        for role in role_names(ctx):
            actor = Actor(name="runbook-lint", role=role)
            if not decide(ctx, actor, "runbook", runbook_resource(ctx, runbook.id)).allowed:
                continue
            try:
                prepare(ctx, role, runbook.sql, params)
            except TrailmaskError as exc:
                findings.append(Finding("error", runbook.id, f"role '{role}': the SQL sandbox rejects the SQL: {exc}"))
    return findings


def render_page(ctx: AppContext, runbook: Runbook) -> str:
    """The Markdown documentation page of one runbook (as `runbook show` prints it)."""
    return runbook_page(runbook, list(catalog(ctx)))


def write_docs(ctx: AppContext, out: Path, *, check: bool = False) -> list[Path]:
    """Write docs pages for the built-in and configured runbooks into ``out``; with ``check``, only
    compare and return the files that are missing, different or no longer generated."""
    pages = render_all(list(catalog(ctx)))
    stale: list[Path] = []
    existing = {p.name: p for p in out.glob("*.md")} if out.is_dir() else {}
    for name, text in pages.items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            stale.append(path)
            if not check:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for name, path in sorted(existing.items()):
        if name not in pages:
            stale.append(path)
            if not check:
                path.unlink()
    return stale


def import_sigma(ctx: AppContext, path: Path, out: Path | None = None) -> ImportReport:
    """Compile the Sigma rule(s) in ``path`` to runbooks; write them to ``out`` when given."""
    report = import_rules(read_rules(path))
    if out is not None:
        write_runbooks(report, out)
    return report
