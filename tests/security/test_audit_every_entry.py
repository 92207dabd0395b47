"""Every service operation and every API route leaves an audit entry: on success, denial and failure.

Regression for issue 10, finding 4: ``POST /api/sql`` with ``SELECT requestParameters->'$..x' FROM
events`` raised a sqlglot ValueError inside ``prepare`` (500, no audit entry) and a denied
``explain`` was not audited. Every operation now runs inside ``service.audited.audited``.

The lists below are checked against the code, so a new operation cannot slip through:

- the API routes are read from the app's OpenAPI document; a route without a case here fails
  ``test_every_route_has_cases`` (only ``UNAUTHENTICATED`` endpoints are exempt: health);
- the service operations are the public ``service.*`` functions taking ``(ctx, actor, ...)``; one
  without a case fails ``test_every_service_operation_has_cases`` unless ``NOT_OPERATIONS`` names it
  with the reason it is not an operation of its own.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import awsdocs_events, panther_events, write_jsonl

import trailmask.service as service_package
from trailmask.config import Settings, with_sections
from trailmask.engines.duckdb import Store
from trailmask.errors import TrailmaskError
from trailmask.models import Actor, QueryRequest
from trailmask.runbooks.model import Runbook
from trailmask.service import (
    approvals,
    athena,
    cases,
    dashboards,
    drift,
    explain,
    export,
    health,
    indicators,
    ingest,
    projections,
    query,
    reveal,
    runbooks,
    saved_queries,
    sql_schema,
    token_fn,
    users,
    watches,
)
from trailmask.service import runs as runs_service
from trailmask.service.auditing import read_entries
from trailmask.service.context import AppContext
from trailmask.service.runs import RunControl
from trailmask.service.serving import owner_actor, server_ingest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using .httpx. with .starlette.testclient.")
    from fastapi.testclient import TestClient

OWNER = Actor("local-owner", "admin", "cli-owner")
INVESTIGATOR = Actor("investigator", "investigator", "token")
VIEWER = Actor("viewer", "viewer", "token")
OWNER_AS_ADMIN = Actor("admin", "admin", "token")  # the "admin" user of the world's tokens
RUNBOOK = "cis-cloudtrail-config-changes"
TOKEN_SQL = "SELECT eventID FROM events WHERE sourceIPAddress = token('ip', '{}')"
BAD_SQL = "SELECT requestParameters->'$..x' FROM events"  # sqlglot cannot print it: was a 500, unaudited
UNAUTHENTICATED = {("get", "/healthz"): "liveness only: no credentials, nothing about the data"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("audit-every-entry")
    source = write_jsonl(root / "events.jsonl", awsdocs_events() + panther_events())
    db = root / "store.duckdb"
    ingest.ingest(AppContext.from_settings(Settings(db=db)), OWNER, [str(source)])
    return db


@pytest.fixture
def ctx(tmp_path: Path, store: Path) -> AppContext:
    db = tmp_path / "store.duckdb"
    db.write_bytes(store.read_bytes())
    watch = {
        "name": "root",
        "runbook": "cis-root-account-usage",
        "params": {"since": "all"},
        "schedule": {"every": "5m"},
        "role": "investigator",
        "dedup": ["recipientAccountId"],
        "destinations": ["sink"],
        "enabled": False,
    }
    settings = with_sections(
        Settings(db=db),
        serve={"rate_limit": {"per_second": 1000}},
        destinations={"sink": {"type": "file", "path": str(tmp_path / "alerts.jsonl")}},
        watches=[watch],
    )
    return AppContext.from_settings(settings)


@dataclass
class World:
    ctx: AppContext
    tokens: dict[str, str]
    approval: str  # pending, filed by the investigator
    approved: str  # approved by admin2, not yet run
    token: str  # a pseudonym token the investigator sees


@pytest.fixture
def world(ctx: AppContext) -> World:
    tokens = {}
    for name, role in (("admin", "admin"), ("admin2", "admin"), ("investigator", "investigator"), ("viewer", "viewer")):
        tokens[name] = users.add_user(ctx, OWNER, name, role)[1]

    def file() -> str:
        return approvals.request_unmasked(
            ctx, INVESTIGATOR, kind="sql", sql="SELECT 1 AS one", runbook=None, params={}, justification="incident 42"
        ).id

    pending, approved = file(), file()
    approvals.decide_request(ctx, Actor("admin2", "admin", "token"), approved, approve=True)
    rows = query.run_query(
        ctx,
        INVESTIGATOR,
        QueryRequest(sql="SELECT userIdentity.userName AS u FROM events WHERE userIdentity.userName IS NOT NULL"),
    ).rows
    token = next(str(r["u"]) for r in rows if str(r["u"]).startswith("user_"))
    return World(ctx, tokens, pending, approved, token)


def _entries(ctx: AppContext) -> list[dict[str, Any]]:
    log = ctx.audit_log
    return list(log.entries()) if log.path.exists() else []


def _expect_entry(ctx: AppContext, before: int, outcome_ok: bool, what: str) -> None:
    new = _entries(ctx)[before:]
    assert new, f"{what}: no audit entry was written"
    outcomes = [str(e.get("outcome")) for e in new]
    if outcome_ok:
        assert "ok" in outcomes, f"{what}: expected an 'ok' entry, got {outcomes}"
    else:
        assert any(o != "ok" for o in outcomes), f"{what}: expected a refused/failed entry, got {outcomes}"


# ---- API routes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    user: str | None  # token of this user; None: no credentials
    url: str
    body: dict[str, Any] | None = None
    status: int | None = None  # None: any 2xx


def _approval_body(justification: str = "incident 1234 review") -> dict[str, Any]:
    return {"kind": "sql", "sql": "SELECT 1 AS one", "justification": justification}


def _reveal_body(token: str) -> dict[str, Any]:
    return {"token": token, "justification": "incident 1234 review"}


def _more_events(w: World) -> str:
    return str(write_jsonl(w.ctx.store.path.parent / "more.jsonl", awsdocs_events()[:2]))


def _saved_query(w: World) -> str:
    return saved_queries.save_query(w.ctx, INVESTIGATOR, "saved", "SELECT 1 AS one").id


def _watch_route(method_path: str, ok_status: int | None = None) -> dict[str, Callable[[World], Call]]:
    """A watches route: admin may (watches:manage), the investigator may not, an unknown watch fails."""
    return {
        "ok": lambda w: Call("admin", method_path.format(name="root"), status=ok_status),
        "denied": lambda w: Call("investigator", method_path.format(name="root"), status=403),
        "failed": lambda w: Call("admin", method_path.format(name="no-such-watch"), status=404),
    }


# (method, path) -> {"ok" | "denied" | "failed": world -> Call}
ROUTE_CASES: dict[tuple[str, str], dict[str, Callable[[World], Call]]] = {
    ("post", "/api/ingest"): {  # local paths: the store owner only (the server file's credential)
        "ok": lambda w: Call("owner", "/api/ingest", {"sources": [_more_events(w)]}),
        "denied": lambda w: Call("admin", "/api/ingest", {"sources": [_more_events(w)]}, 403),
        "failed": lambda w: Call("owner", "/api/ingest", {"sources": ["/no/such/trail"]}, 404),
    },
    ("get", "/api/watches"): {
        "ok": lambda w: Call("admin", "/api/watches"),
        "denied": lambda w: Call("investigator", "/api/watches", status=403),
        "failed": lambda w: Call(None, "/api/watches", status=401),  # takes no input: refusal is its failure
    },
    ("get", "/api/watches/{name}"): _watch_route("/api/watches/{name}"),
    ("get", "/api/watches/{name}/history"): _watch_route("/api/watches/{name}/history"),
    ("get", "/api/watches/{name}/state"): _watch_route("/api/watches/{name}/state"),
    ("post", "/api/watches/{name}/run"): _watch_route("/api/watches/{name}/run"),
    ("post", "/api/watches/{name}/reset"): _watch_route("/api/watches/{name}/reset"),
    ("get", "/metrics"): {
        "ok": lambda w: Call("admin", "/metrics"),
        "denied": lambda w: Call("investigator", "/metrics", status=403),
        "failed": lambda w: Call(None, "/metrics", status=401),
    },
    ("get", "/api/whoami"): {
        "ok": lambda w: Call("viewer", "/api/whoami"),
        "denied": lambda w: Call(None, "/api/whoami", status=401),
        "failed": lambda w: Call(None, "/api/whoami", status=401),  # takes no input: refusal is its failure
    },
    ("post", "/api/sql"): {
        "ok": lambda w: Call("investigator", "/api/sql", {"sql": "SELECT eventName FROM events LIMIT 1"}),
        "denied": lambda w: Call("viewer", "/api/sql", {"sql": "SELECT eventName FROM events"}, 403),
        "failed": lambda w: Call("investigator", "/api/sql", {"sql": BAD_SQL}, 400),
    },
    ("get", "/api/audit"): {
        "ok": lambda w: Call("admin", "/api/audit"),
        "denied": lambda w: Call("viewer", "/api/audit", status=403),
        "failed": lambda w: Call(None, "/api/audit", status=401),
    },
    ("get", "/api/runbooks"): {
        "ok": lambda w: Call("viewer", "/api/runbooks"),
        "denied": lambda w: Call(None, "/api/runbooks", status=401),
        "failed": lambda w: Call("viewer-token-that-does-not-exist", "/api/runbooks", status=401),
    },
    ("get", "/api/runbooks/{runbook_id}"): {
        "ok": lambda w: Call("viewer", f"/api/runbooks/{RUNBOOK}"),
        "denied": lambda w: Call(None, f"/api/runbooks/{RUNBOOK}", status=401),
        "failed": lambda w: Call("viewer", "/api/runbooks/no-such-runbook", status=404),
    },
    ("post", "/api/runbooks/{runbook_id}/run"): {
        "ok": lambda w: Call("viewer", f"/api/runbooks/{RUNBOOK}/run", {"params": {"since": "all"}}),
        "denied": lambda w: Call(None, f"/api/runbooks/{RUNBOOK}/run", {"params": {}}, 401),
        "failed": lambda w: Call("viewer", f"/api/runbooks/{RUNBOOK}/run", {"params": {"no_such": 1}}, 400),
    },
    ("post", "/api/runs/{request_id}/cancel"): {  # a cancel before its run: refuses the run when it comes
        "ok": lambda w: Call("viewer", "/api/runs/run-0000000000000001/cancel"),
        "denied": lambda w: Call(None, "/api/runs/run-0000000000000001/cancel", status=401),
        "failed": lambda w: Call("viewer", "/api/runs/bad/cancel", status=400),
    },
    ("post", "/api/approvals"): {
        "ok": lambda w: Call("investigator", "/api/approvals", _approval_body()),
        "denied": lambda w: Call("viewer", "/api/approvals", _approval_body(), 403),
        "failed": lambda w: Call("investigator", "/api/approvals", _approval_body("short"), 400),
    },
    ("get", "/api/approvals"): {
        "ok": lambda w: Call("investigator", "/api/approvals"),
        "denied": lambda w: Call(None, "/api/approvals", status=401),
        "failed": lambda w: Call("bogus", "/api/approvals", status=401),
    },
    ("get", "/api/approvals/{approval_id}"): {
        "ok": lambda w: Call("investigator", f"/api/approvals/{w.approval}"),
        "denied": lambda w: Call("viewer", f"/api/approvals/{w.approval}", status=403),
        "failed": lambda w: Call("investigator", "/api/approvals/apr_0000000000000000", status=404),
    },
    ("post", "/api/approvals/{approval_id}/approve"): {
        "ok": lambda w: Call("admin2", f"/api/approvals/{w.approval}/approve", {"comment": ""}),
        "denied": lambda w: Call("investigator", f"/api/approvals/{w.approval}/approve", {"comment": ""}, 403),
        "failed": lambda w: Call("admin2", "/api/approvals/apr_0000000000000000/approve", {"comment": ""}, 404),
    },
    ("post", "/api/approvals/{approval_id}/reject"): {
        "ok": lambda w: Call("admin2", f"/api/approvals/{w.approval}/reject", {"comment": ""}),
        "denied": lambda w: Call("investigator", f"/api/approvals/{w.approval}/reject", {"comment": ""}, 403),
        "failed": lambda w: Call("admin2", "/api/approvals/apr_0000000000000000/reject", {"comment": ""}, 404),
    },
    ("post", "/api/approvals/{approval_id}/run"): {
        "ok": lambda w: Call("investigator", f"/api/approvals/{w.approved}/run"),
        "denied": lambda w: Call("viewer", f"/api/approvals/{w.approved}/run", status=403),
        "failed": lambda w: Call("investigator", f"/api/approvals/{w.approval}/run", status=409),
    },
    ("get", "/api/users"): {
        "ok": lambda w: Call("admin", "/api/users"),
        "denied": lambda w: Call("viewer", "/api/users", status=403),
        "failed": lambda w: Call(None, "/api/users", status=401),
    },
    ("post", "/api/users"): {
        "ok": lambda w: Call("admin", "/api/users", {"name": "zed", "role": "viewer"}),
        "denied": lambda w: Call("viewer", "/api/users", {"name": "zed", "role": "viewer"}, 403),
        "failed": lambda w: Call("admin", "/api/users", {"name": "viewer", "role": "viewer"}, 409),
    },
    **{
        ("post", f"/api/users/{{name}}/{verb}"): {
            "ok": lambda w, verb=verb: Call("admin", f"/api/users/viewer/{verb}"),
            "denied": lambda w, verb=verb: Call("viewer", f"/api/users/admin2/{verb}", status=403),
            "failed": lambda w, verb=verb: Call("admin", f"/api/users/nobody-here/{verb}", status=404),
        }
        for verb in ("rotate", "disable", "enable")
    },
    ("get", "/api/dashboards"): {
        "ok": lambda w: Call("viewer", "/api/dashboards"),
        "denied": lambda w: Call(None, "/api/dashboards", status=401),
        "failed": lambda w: Call("bogus", "/api/dashboards", status=401),  # takes no input: refusal is its failure
    },
    ("get", "/api/dashboards/{dashboard_id}"): {
        "ok": lambda w: Call("viewer", "/api/dashboards/overview"),
        "denied": lambda w: Call(None, "/api/dashboards/overview", status=401),
        "failed": lambda w: Call("viewer", "/api/dashboards/no-such-dashboard", status=404),
    },
    ("get", "/api/status"): {
        "ok": lambda w: Call("viewer", "/api/status"),
        "denied": lambda w: Call(None, "/api/status", status=401),
        "failed": lambda w: Call("bogus", "/api/status", status=401),  # takes no input: refusal is its failure
    },
    ("get", "/api/sql/schema"): {
        "ok": lambda w: Call("investigator", "/api/sql/schema"),
        "denied": lambda w: Call("viewer", "/api/sql/schema", status=403),
        "failed": lambda w: Call(None, "/api/sql/schema", status=401),  # takes no input: refusal is its failure
    },
    ("get", "/api/sql/saved"): {
        "ok": lambda w: Call("investigator", "/api/sql/saved"),
        "denied": lambda w: Call("viewer", "/api/sql/saved", status=403),
        "failed": lambda w: Call(None, "/api/sql/saved", status=401),  # takes no input: refusal is its failure
    },
    ("post", "/api/sql/saved"): {
        "ok": lambda w: Call("investigator", "/api/sql/saved", {"name": "mine", "sql": "SELECT 1 AS one"}, 201),
        "denied": lambda w: Call("viewer", "/api/sql/saved", {"name": "mine", "sql": "SELECT 1 AS one"}, 403),
        "failed": lambda w: Call("investigator", "/api/sql/saved", {"name": "x" * 81, "sql": "SELECT 1"}, 400),
    },
    ("delete", "/api/sql/saved/{query_id}"): {
        "ok": lambda w: Call("investigator", f"/api/sql/saved/{_saved_query(w)}", status=204),
        "denied": lambda w: Call("viewer", f"/api/sql/saved/{_saved_query(w)}", status=403),
        "failed": lambda w: Call("admin", f"/api/sql/saved/{_saved_query(w)}", status=404),  # not the owner
    },
    ("post", "/api/reveal"): {
        "ok": lambda w: Call("investigator", "/api/reveal", _reveal_body(w.token)),
        "denied": lambda w: Call("viewer", "/api/reveal", _reveal_body(w.token), 403),
        "failed": lambda w: Call("investigator", "/api/reveal", _reveal_body("not-a-token"), 400),
    },
}


def _case(w: World) -> str:
    """A case of the investigator's, holding one note."""
    case_id = str(cases.create_case(w.ctx, INVESTIGATOR, "INC-1")["id"])
    cases.add_note(w.ctx, INVESTIGATOR, case_id, "a note")
    return case_id


def _note(w: World, case_id: str) -> str:
    return str(cases.get_case(w.ctx, INVESTIGATOR, case_id)["items"][0]["id"])


def _pin_body(w: World, actor: Actor = INVESTIGATOR) -> dict[str, Any]:
    result = query.run_query(w.ctx, actor, QueryRequest(sql="SELECT eventName FROM events LIMIT 2"))
    return {"audit_id": result.audit_id, "columns": ["eventName"], "rows": result.rows}


def _case_route(
    method: str,
    path: str,
    ok: Callable[[World], Call],
    denied: Callable[[World], Call],
    failed: Callable[[World], Call],
) -> dict[tuple[str, str], dict[str, Callable[[World], Call]]]:
    return {(method, path): {"ok": ok, "denied": denied, "failed": failed}}


CASES_PATH, CASE_PATH = "/api/cases", "/api/cases/{case_id}"
ROUTE_CASES |= {
    **_case_route(
        "post", CASES_PATH,
        lambda w: Call("investigator", CASES_PATH, {"title": "INC-2"}, 201),
        lambda w: Call(None, CASES_PATH, {"title": "INC-2"}, 401),
        lambda w: Call("investigator", CASES_PATH, {"title": ""}, 400),
    ),
    **_case_route(
        "get", CASES_PATH,
        lambda w: Call("investigator", CASES_PATH),
        lambda w: Call(None, CASES_PATH, status=401),
        lambda w: Call("bogus", CASES_PATH, status=401),  # takes no input: refusal is its failure
    ),
    **_case_route(
        "get", CASE_PATH,
        lambda w: Call("investigator", f"/api/cases/{_case(w)}"),
        lambda w: Call("viewer", f"/api/cases/{_case(w)}", status=404),  # not the viewer's: not there for them
        lambda w: Call("investigator", "/api/cases/case_0000000000000000", status=404),
    ),
    **_case_route(
        "post", CASE_PATH + "/notes",
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/notes", {"text": "more"}, 201),
        lambda w: Call("admin", f"/api/cases/{_case(w)}/notes", {"text": "more"}, 403),  # reads, may not change
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/notes", {"text": ""}, 400),
    ),
    **_case_route(
        "post", CASE_PATH + "/pins",
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/pins", _pin_body(w), 201),
        lambda w: Call("admin", f"/api/cases/{_case(w)}/pins", _pin_body(w, OWNER_AS_ADMIN), 403),
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/pins", {**_pin_body(w), "audit_id": "1:x"}, 400),
    ),
    **_case_route(
        "delete", CASE_PATH + "/items/{item_id}",
        lambda w: Call("investigator", f"/api/cases/{(c := _case(w))}/items/{_note(w, c)}"),
        lambda w: Call("admin", f"/api/cases/{(c := _case(w))}/items/{_note(w, c)}", status=403),
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/items/item_000000000000", status=404),
    ),
    **_case_route(
        "post", CASE_PATH + "/status",
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/status", {"status": "closed"}),
        lambda w: Call("admin", f"/api/cases/{_case(w)}/status", {"status": "closed"}, 403),
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/status", {"status": "gone"}, 400),
    ),
    **_case_route(
        "get", CASE_PATH + "/export",
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/export?format=json"),
        lambda w: Call("viewer", f"/api/cases/{_case(w)}/export", status=404),
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/export?format=xml", status=400),
    ),
    **_case_route(
        "post", CASE_PATH + "/send",
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/send", {"destination": "sink"}),
        lambda w: Call("admin", f"/api/cases/{_case(w)}/send", {"destination": "sink"}, 403),
        lambda w: Call("investigator", f"/api/cases/{_case(w)}/send", {"destination": "nope"}, 404),
    ),
}  # fmt: skip


def _operations() -> list[tuple[str, str]]:
    from trailmask.api import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app(AppContext.from_settings(Settings(db=Path("/nonexistent/trailmask-openapi.duckdb"))))
        paths = app.openapi()["paths"]
    return sorted((method, path) for path, ops in paths.items() for method in ops)


def test_every_route_has_cases() -> None:
    operations = _operations()
    assert ("post", "/api/sql") in operations
    missing = [op for op in operations if op not in ROUTE_CASES and op not in UNAUTHENTICATED]
    assert not missing, f"routes without audit cases (add them to ROUTE_CASES): {missing}"
    stale = [op for op in ROUTE_CASES if op not in operations]
    assert not stale, f"ROUTE_CASES names routes the app no longer has: {stale}"


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    from trailmask.api import create_app

    app = create_app(world.ctx)
    world.tokens["owner"] = app.state.trailmask.owner_secret  # the store owner's credential (server file)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("outcome", ["ok", "denied", "failed"])
@pytest.mark.parametrize("operation", sorted(ROUTE_CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_route_is_audited(world: World, client: TestClient, operation: tuple[str, str], outcome: str) -> None:
    call = ROUTE_CASES[operation][outcome](world)
    headers = {}
    if call.user is not None:
        headers["Authorization"] = f"Bearer {world.tokens.get(call.user, 'tm_000000000000_' + 'x' * 43)}"
    before = len(_entries(world.ctx))
    response = client.request(operation[0].upper(), call.url, json=call.body, headers=headers)
    if call.status is None:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == call.status, response.text
    _expect_entry(world.ctx, before, outcome == "ok", f"{operation[0].upper()} {call.url} ({outcome})")


# ---- service operations ------------------------------------------------------------------------

NOT_OPERATIONS = {
    "audited.audited": "the audited entry point itself",
    "auditing.record": "the audit writer itself",
    "auditing.record_event": "the audit writer itself",
    "authz.authorize": "a check used inside operations",
    "authz.decide": "a check used inside operations",
    "authz.require": "a check used inside operations",
    "authz.require_not_stronger": "a check used inside operations (users, watches)",
    "runbooks.execute_runbook": "runs through query.run_query, which is audited",
    "approvals.claim_approval": "a step of approvals.run_approved / reveal, audited there",
    "demo.setup_demo": "composed of ingest and user.add, each audited",
    "validate.validate_logs": "reads S3 only and touches no store (no audit log to write to)",
    "indicator_view.count_lookups": "a step of indicators.map_indicators / token_fn.resolve_token_calls, audited there",
    "indicator_view.require_permission": "a check used inside indicators.map_indicators / token_fn.resolve_token_calls",
}


def _on_missing_store(world: World, tmp: Path) -> AppContext:
    """The world's settings (so its audit log) over a store file that does not exist."""
    return AppContext(settings=world.ctx.settings, store=Store(tmp / "missing.duckdb"))


def _ip_activity(world: World) -> Runbook:
    return runbooks.get_runbook(world.ctx, "ip-activity")


# name -> (ok, denied, failed); each takes (world, tmp_path) and calls the operation
SERVICE_CASES: dict[str, tuple[Callable[[World, Path], Any], ...]] = {
    "token_fn.resolve_token_calls": (
        lambda w, t: token_fn.resolve_token_calls(
            w.ctx, INVESTIGATOR, QueryRequest(sql=TOKEN_SQL.format("203.0.113.10"))
        ),
        lambda w, t: token_fn.resolve_token_calls(w.ctx, VIEWER, QueryRequest(sql=TOKEN_SQL.format("203.0.113.10"))),
        lambda w, t: token_fn.resolve_token_calls(w.ctx, INVESTIGATOR, QueryRequest(sql=TOKEN_SQL.format("300.1.1.1"))),
    ),
    "query.run_query": (
        lambda w, t: query.run_query(w.ctx, INVESTIGATOR, QueryRequest(sql="SELECT eventName FROM events LIMIT 1")),
        lambda w, t: query.run_query(w.ctx, VIEWER, QueryRequest(sql="SELECT eventName FROM events")),
        lambda w, t: query.run_query(w.ctx, INVESTIGATOR, QueryRequest(sql=BAD_SQL)),
    ),
    "explain.explain": (
        lambda w, t: explain.explain(w.ctx, INVESTIGATOR, "SELECT eventName FROM events"),
        lambda w, t: explain.explain(w.ctx, VIEWER, "SELECT eventName FROM events"),
        lambda w, t: explain.explain(w.ctx, INVESTIGATOR, BAD_SQL),
    ),
    "athena.athena_ddl": (
        lambda w, t: athena.athena_ddl(w.ctx, OWNER, "s3://bucket/trail/"),
        lambda w, t: athena.athena_ddl(w.ctx, VIEWER, "s3://bucket/trail/"),
        lambda w, t: athena.athena_ddl(w.ctx, OWNER, "https://example.com/trail/"),
    ),
    "runbooks.run_runbook": (
        lambda w, t: runbooks.run_runbook(w.ctx, VIEWER, RUNBOOK, {"since": "all"}),
        lambda w, t: runbooks.run_runbook(w.ctx, Actor("x", "no-such-role"), RUNBOOK, {}),
        lambda w, t: runbooks.run_runbook(w.ctx, VIEWER, RUNBOOK, {"no_such": 1}),
    ),
    "runbooks.show_runbook": (
        lambda w, t: runbooks.show_runbook(w.ctx, VIEWER, RUNBOOK),
        lambda w, t: runbooks.show_runbook(w.ctx, Actor("x", "no-such-role"), RUNBOOK),
        lambda w, t: runbooks.show_runbook(w.ctx, VIEWER, "no-such-runbook"),
    ),
    "runbooks.list_runbooks": (
        lambda w, t: runbooks.list_runbooks(w.ctx, VIEWER),
        lambda w, t: runbooks.list_runbooks(w.ctx, Actor("x", "no-such-role")),
        lambda w, t: runbooks.list_runbooks(w.ctx, Actor("y", "no-such-role")),
    ),
    "export.export": (
        lambda w, t: export.export(w.ctx, INVESTIGATOR, "csv", t / "out"),
        lambda w, t: export.export(w.ctx, VIEWER, "csv", t / "out"),
        lambda w, t: export.export(w.ctx, INVESTIGATOR, "xlsx", t / "out"),
    ),
    "indicators.map_indicators": (
        lambda w, t: indicators.map_indicators(w.ctx, INVESTIGATOR, _ip_activity(w), {"ip": "203.0.113.10"}),
        lambda w, t: indicators.map_indicators(w.ctx, VIEWER, _ip_activity(w), {"ip": "203.0.113.10"}),
        lambda w, t: indicators.map_indicators(
            _on_missing_store(w, t), INVESTIGATOR, _ip_activity(w), {"ip": "1.2.3.4"}
        ),
    ),
    "reveal.reveal_token": (
        lambda w, t: reveal.reveal_token(w.ctx, INVESTIGATOR, w.token, justification="incident 1234 review"),
        lambda w, t: reveal.reveal_token(w.ctx, VIEWER, w.token, justification="incident 1234 review"),
        lambda w, t: reveal.reveal_token(w.ctx, INVESTIGATOR, "not-a-token", justification="incident 1234 review"),
    ),
    "auditing.read_entries": (
        lambda w, t: read_entries(w.ctx, OWNER),
        lambda w, t: read_entries(w.ctx, VIEWER),
        lambda w, t: read_entries(w.ctx, Actor("x", "no-such-role")),
    ),
    "drift.drift": (
        lambda w, t: drift.drift(w.ctx, OWNER),
        lambda w, t: drift.drift(w.ctx, VIEWER),
        lambda w, t: drift.drift(_on_missing_store(w, t), OWNER),
    ),
    "ingest.ingest": (  # the store owner's operation (no permission of its own): refusal = invalid request
        lambda w, t: ingest.ingest(w.ctx, OWNER, [str(write_jsonl(t / "e.jsonl", awsdocs_events()[:2]))]),
        lambda w, t: ingest.ingest(w.ctx, OWNER, [str(t)], options=ingest.IngestOptions(accounts=("1",))),
        lambda w, t: ingest.ingest(w.ctx, OWNER, ["lookup-events"], options=ingest.IngestOptions(start="not-a-time")),
    ),
    "serving.server_ingest": (
        lambda w, t: server_ingest(w.ctx, owner_actor(), [str(write_jsonl(t / "e.jsonl", awsdocs_events()[:2]))]),
        lambda w, t: server_ingest(w.ctx, VIEWER, ["s3://bucket/prefix"]),
        lambda w, t: server_ingest(w.ctx, owner_actor(), [str(t / "missing")]),
    ),
    "saved_queries.save_query": (
        lambda w, t: saved_queries.save_query(w.ctx, INVESTIGATOR, "mine", "SELECT 1 AS one"),
        lambda w, t: saved_queries.save_query(w.ctx, VIEWER, "mine", "SELECT 1 AS one"),
        lambda w, t: saved_queries.save_query(w.ctx, INVESTIGATOR, "", "SELECT 1 AS one"),
    ),
    "saved_queries.list_queries": (
        lambda w, t: saved_queries.list_queries(w.ctx, INVESTIGATOR),
        lambda w, t: saved_queries.list_queries(w.ctx, VIEWER),
        lambda w, t: saved_queries.list_queries(w.ctx, Actor("x", "no-such-role")),
    ),
    "saved_queries.delete_query": (
        lambda w, t: saved_queries.delete_query(w.ctx, INVESTIGATOR, _saved_query(w)),
        lambda w, t: saved_queries.delete_query(w.ctx, VIEWER, _saved_query(w)),
        lambda w, t: saved_queries.delete_query(w.ctx, OWNER, _saved_query(w)),  # another user's: not found
    ),
    "sql_schema.events_schema": (
        lambda w, t: sql_schema.events_schema(w.ctx, INVESTIGATOR),
        lambda w, t: sql_schema.events_schema(w.ctx, VIEWER),
        lambda w, t: sql_schema.events_schema(w.ctx, Actor("x", "no-such-role")),
    ),
    "users.whoami": (
        lambda w, t: users.whoami(w.ctx, VIEWER),
        lambda w, t: users.whoami(w.ctx, Actor("x", "no-such-role")),
        lambda w, t: users.whoami(w.ctx, Actor("y", "no-such-role")),
    ),
    "users.add_user": (
        lambda w, t: users.add_user(w.ctx, OWNER, "zed", "viewer"),
        lambda w, t: users.add_user(w.ctx, VIEWER, "zed", "viewer"),
        lambda w, t: users.add_user(w.ctx, OWNER, "viewer", "viewer"),
    ),
    "users.list_users": (
        lambda w, t: users.list_users(w.ctx, OWNER),
        lambda w, t: users.list_users(w.ctx, VIEWER),
        lambda w, t: users.list_users(w.ctx, Actor("x", "no-such-role")),
    ),
    "users.rotate_token": (
        lambda w, t: users.rotate_token(w.ctx, OWNER, "viewer"),
        lambda w, t: users.rotate_token(w.ctx, VIEWER, "viewer"),
        lambda w, t: users.rotate_token(w.ctx, OWNER, "nobody-here"),
    ),
    "users.set_disabled": (
        lambda w, t: users.set_disabled(w.ctx, OWNER, "viewer", True),
        lambda w, t: users.set_disabled(w.ctx, VIEWER, "admin", True),
        lambda w, t: users.set_disabled(w.ctx, OWNER, "nobody-here", True),
    ),
    "approvals.request_unmasked": (
        lambda w, t: approvals.request_unmasked(
            w.ctx,
            INVESTIGATOR,
            kind="sql",
            sql="SELECT 1 AS one",
            runbook=None,
            params={},
            justification="incident 77 review",
        ),
        lambda w, t: approvals.request_unmasked(
            w.ctx,
            VIEWER,
            kind="sql",
            sql="SELECT 1 AS one",
            runbook=None,
            params={},
            justification="incident 77 review",
        ),
        lambda w, t: approvals.request_unmasked(
            w.ctx, INVESTIGATOR, kind="sql", sql="SELECT 1", runbook=None, params={}, justification="short"
        ),
    ),
    "approvals.list_approvals": (
        lambda w, t: approvals.list_approvals(w.ctx, INVESTIGATOR),
        lambda w, t: approvals.list_approvals(w.ctx, Actor("x", "no-such-role")),
        lambda w, t: approvals.list_approvals(w.ctx, Actor("y", "no-such-role")),
    ),
    "approvals.get_approval": (
        lambda w, t: approvals.get_approval(w.ctx, INVESTIGATOR, w.approval),
        lambda w, t: approvals.get_approval(w.ctx, VIEWER, w.approval),
        lambda w, t: approvals.get_approval(w.ctx, INVESTIGATOR, "apr_0000000000000000"),
    ),
    "approvals.decide_request": (
        lambda w, t: approvals.decide_request(w.ctx, Actor("admin2", "admin", "token"), w.approval, approve=False),
        lambda w, t: approvals.decide_request(w.ctx, INVESTIGATOR, w.approval, approve=True),
        lambda w, t: approvals.decide_request(w.ctx, OWNER, "apr_0000000000000000", approve=True),
    ),
    "watches.list_watches": (
        lambda w, t: watches.list_watches(w.ctx, OWNER),
        lambda w, t: watches.list_watches(w.ctx, INVESTIGATOR),
        lambda w, t: watches.list_watches(w.ctx, Actor("x", "no-such-role")),
    ),
    "watches.manage": (
        lambda w, t: watches.manage(w.ctx, OWNER, "state", "root"),
        lambda w, t: watches.manage(w.ctx, INVESTIGATOR, "state", "root"),
        lambda w, t: watches.manage(w.ctx, OWNER, "state", "no-such-watch"),
    ),
    "watches.watch_counters": (
        lambda w, t: watches.watch_counters(w.ctx, OWNER),
        lambda w, t: watches.watch_counters(w.ctx, INVESTIGATOR),
        lambda w, t: watches.watch_counters(w.ctx, Actor("x", "no-such-role")),
    ),
    "watches.run_watch": (
        lambda w, t: watches.run_watch(w.ctx, OWNER, "root", manual=True),
        lambda w, t: watches.run_watch(w.ctx, INVESTIGATOR, "root", manual=True),
        lambda w, t: watches.run_watch(w.ctx, OWNER, "no-such-watch", manual=True),
    ),
    "projections.build_projections": (
        lambda w, t: projections.build_projections(w.ctx, OWNER),
        lambda w, t: projections.build_projections(w.ctx, VIEWER),
        lambda w, t: projections.build_projections(_on_missing_store(w, t), OWNER),
    ),
    "dashboards.list_dashboards": (
        lambda w, t: dashboards.list_dashboards(w.ctx, VIEWER),
        lambda w, t: dashboards.list_dashboards(w.ctx, Actor("x", "no-such-role")),
        lambda w, t: dashboards.list_dashboards(w.ctx, Actor("y", "no-such-role")),
    ),
    "dashboards.show_dashboard": (
        lambda w, t: dashboards.show_dashboard(w.ctx, VIEWER, "overview"),
        lambda w, t: dashboards.show_dashboard(w.ctx, Actor("x", "no-such-role"), "overview"),
        lambda w, t: dashboards.show_dashboard(w.ctx, VIEWER, "no-such-dashboard"),
    ),
    "dashboards.data_status": (
        lambda w, t: dashboards.data_status(w.ctx, VIEWER),
        lambda w, t: dashboards.data_status(w.ctx, Actor("x", "no-such-role")),
        lambda w, t: dashboards.data_status(_on_missing_store(w, t), VIEWER),
    ),
    "health.run_check": (
        lambda w, t: health.run_check(w.ctx, OWNER, "masking-canary"),
        lambda w, t: health.run_check(w.ctx, INVESTIGATOR, "masking-canary"),
        lambda w, t: health.run_check(w.ctx, OWNER, "no-such-check"),
    ),
    "approvals.run_approved": (
        lambda w, t: approvals.run_approved(w.ctx, INVESTIGATOR, w.approved),
        lambda w, t: approvals.run_approved(w.ctx, VIEWER, w.approved),
        lambda w, t: approvals.run_approved(w.ctx, INVESTIGATOR, w.approval),
    ),
    "runs.cancel_run": (
        lambda w, t: runs_service.cancel_run(w.ctx, VIEWER, "run-0000000001", owner=VIEWER, control=RunControl()),
        lambda w, t: runs_service.cancel_run(w.ctx, VIEWER, "run-0000000001", owner=INVESTIGATOR, control=RunControl()),
        lambda w, t: runs_service.cancel_run(w.ctx, VIEWER, "bad", owner=VIEWER, control=RunControl()),
    ),
    "runs.replay_run": (
        lambda w, t: runs_service.replay_run(w.ctx, VIEWER, "run-0000000001", owner=VIEWER, audit_id=None),
        lambda w, t: runs_service.replay_run(w.ctx, VIEWER, "run-0000000001", owner=INVESTIGATOR, audit_id=None),
        lambda w, t: runs_service.replay_run(w.ctx, VIEWER, "bad", owner=VIEWER, audit_id=None),
    ),
}

NO_ROLE = Actor("x", "no-such-role")
SERVICE_CASES |= {
    "cases.create_case": (
        lambda w, t: cases.create_case(w.ctx, INVESTIGATOR, "INC-3"),
        lambda w, t: cases.create_case(w.ctx, NO_ROLE, "INC-3"),
        lambda w, t: cases.create_case(w.ctx, INVESTIGATOR, " "),
    ),
    "cases.list_cases": (
        lambda w, t: cases.list_cases(w.ctx, INVESTIGATOR),
        lambda w, t: cases.list_cases(w.ctx, NO_ROLE),
        lambda w, t: cases.list_cases(w.ctx, Actor("y", "no-such-role")),
    ),
    "cases.get_case": (
        lambda w, t: cases.get_case(w.ctx, INVESTIGATOR, _case(w)),
        lambda w, t: cases.get_case(w.ctx, VIEWER, _case(w)),
        lambda w, t: cases.get_case(w.ctx, INVESTIGATOR, "case_0000000000000000"),
    ),
    "cases.add_note": (
        lambda w, t: cases.add_note(w.ctx, INVESTIGATOR, _case(w), "more"),
        lambda w, t: cases.add_note(w.ctx, OWNER, _case(w), "more"),
        lambda w, t: cases.add_note(w.ctx, INVESTIGATOR, _case(w), "x" * (cases.MAX_NOTE + 1)),
    ),
    "cases.pin": (
        lambda w, t: cases.pin(w.ctx, INVESTIGATOR, _case(w), **_pin_body(w)),
        lambda w, t: cases.pin(w.ctx, OWNER, _case(w), **_pin_body(w, OWNER)),
        lambda w, t: cases.pin(w.ctx, INVESTIGATOR, _case(w), **_pin_body(w, OWNER)),  # not the pinner's run
    ),
    "cases.remove_item": (
        lambda w, t: cases.remove_item(w.ctx, INVESTIGATOR, (c := _case(w)), _note(w, c)),
        lambda w, t: cases.remove_item(w.ctx, OWNER, (c := _case(w)), _note(w, c)),
        lambda w, t: cases.remove_item(w.ctx, INVESTIGATOR, _case(w), "item_000000000000"),
    ),
    "cases.set_status": (
        lambda w, t: cases.set_status(w.ctx, INVESTIGATOR, _case(w), "closed"),
        lambda w, t: cases.set_status(w.ctx, OWNER, _case(w), "closed"),
        lambda w, t: cases.set_status(w.ctx, INVESTIGATOR, _case(w), "gone"),
    ),
    "cases.export_case": (
        lambda w, t: cases.export_case(w.ctx, INVESTIGATOR, _case(w), "markdown"),
        lambda w, t: cases.export_case(w.ctx, VIEWER, _case(w), "markdown"),
        lambda w, t: cases.export_case(w.ctx, INVESTIGATOR, _case(w), "xml"),
    ),
    "cases.send_case": (
        lambda w, t: cases.send_case(w.ctx, INVESTIGATOR, _case(w), "sink"),
        lambda w, t: cases.send_case(w.ctx, OWNER, _case(w), "sink"),
        lambda w, t: cases.send_case(w.ctx, INVESTIGATOR, _case(w), "nope"),
    ),
}


def _service_operations() -> list[str]:
    found = []
    for info in pkgutil.iter_modules(service_package.__path__):
        module = importlib.import_module(f"{service_package.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if len(params) >= 2 and params[0] == "ctx" and params[1] in ("actor", "caller", "reader", "owner"):
                found.append(f"{info.name}.{name}")
    return sorted(found)


def test_every_service_operation_has_cases() -> None:
    operations = _service_operations()
    assert "query.run_query" in operations
    missing = [op for op in operations if op not in SERVICE_CASES and op not in NOT_OPERATIONS]
    assert not missing, f"service operations without audit cases (add them to SERVICE_CASES): {missing}"
    stale = [op for op in [*SERVICE_CASES, *NOT_OPERATIONS] if op not in operations]
    assert not stale, f"cases name operations that no longer exist: {stale}"


@pytest.mark.parametrize("outcome", ["ok", "denied", "failed"])
@pytest.mark.parametrize("operation", sorted(SERVICE_CASES))
def test_service_operation_is_audited(world: World, tmp_path: Path, operation: str, outcome: str) -> None:
    call = SERVICE_CASES[operation][["ok", "denied", "failed"].index(outcome)]
    before = len(_entries(world.ctx))
    if outcome == "ok":
        call(world, tmp_path)
    else:
        with pytest.raises(TrailmaskError):
            call(world, tmp_path)
    _expect_entry(world.ctx, before, outcome == "ok", f"{operation} ({outcome})")


def test_a_non_trailmask_error_is_audited_and_propagates(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug inside an operation (here: the engine raising a plain RuntimeError) is on record as ``error``."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(query, "run_plan", broken)
    before = len(_entries(world.ctx))
    with pytest.raises(RuntimeError):
        query.run_query(world.ctx, INVESTIGATOR, QueryRequest(sql="SELECT eventName FROM events"))
    new = _entries(world.ctx)[before:]
    assert [e["outcome"] for e in new] == ["error"]
    assert new[0]["action"] == "sql"
