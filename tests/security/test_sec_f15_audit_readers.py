"""Finding 15: audit readers and the audit itself.

- A reader without ``audit:raw`` saw the ``token`` a failed reveal was given and an unknown
  runbook id as typed (people paste raw values there).
- A runbook parameter holding a lone surrogate made the audit write fail: 503 and no entry.
- Requests refused at validation (400, 413) were not audited.
- Permissions were checked only when a request started: a disabled user's running query answered.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import OWNER, auth, with_extra

from trailmask.api import create_app, routes_core
from trailmask.audit import AuditLog, verify
from trailmask.service.context import AppContext
from trailmask.service.users import add_user, set_disabled

RAW = "203.0.113.77"
KNOWN = "failed-api-calls-by-service"


def _log(ctx: AppContext) -> AuditLog:
    db = ctx.settings.db
    return AuditLog(db.with_name(db.name + ".audit.jsonl"))


def _entries(ctx: AppContext, **match: Any) -> list[dict[str, Any]]:
    return [e for e in _log(ctx).entries() if all(e.get(k) == v for k, v in match.items())]


@pytest.fixture
def auditor(ctx: AppContext, custom_roles: None) -> str:
    return add_user(ctx, OWNER, "auditor1", "auditor")[1]


def test_failed_reveal_token_and_unknown_runbook_hidden_from_audit_readers(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], auditor: str
) -> None:
    investigator = auth(tokens["investigator"])
    pasted = {"token": f"user_{RAW}", "justification": "INC-42: who is this"}
    assert client.post("/api/reveal", json=pasted, headers=investigator).status_code == 400
    assert client.post(f"/api/runbooks/acct-{RAW}/run", json={"params": {}}, headers=investigator).status_code == 404
    known = client.post(
        f"/api/runbooks/{KNOWN}/run", json={"params": {"service": "s3.amazonaws.com"}}, headers=investigator
    )
    assert known.status_code == 200, known.text

    page = client.get("/api/audit", params={"limit": 50}, headers=auth(auditor))
    assert page.status_code == 200
    assert RAW not in page.text
    runbooks = {e.get("runbook") for e in page.json()["entries"]}
    assert KNOWN in runbooks  # the review still sees which runbooks ran
    assert "[unknown]" in runbooks
    reveals = [e for e in page.json()["entries"] if e["action"] == "reveal"]
    assert reveals and all(e["token"] == "[masked]" for e in reveals)

    raw_page = client.get("/api/audit", params={"limit": 50}, headers=auth(tokens["admin"]))
    assert RAW in raw_page.text  # audit:raw sees what was typed


def test_lone_surrogate_parameter_is_audited_not_503(
    client: TestClient, ctx: AppContext, tokens: dict[str, str]
) -> None:
    body = b'{"params": {"service": "s3.amazonaws.com", "error_code": "\\ud800"}}'
    answer = client.post(
        f"/api/runbooks/{KNOWN}/run",
        content=body,
        headers={**auth(tokens["investigator"]), "Content-Type": "application/json"},
    )
    assert answer.status_code != 503, answer.text
    assert answer.status_code in (200, 400, 422), answer.text  # answered and recorded, whatever the outcome
    entries = _entries(ctx, action="runbook", runbook=KNOWN, actor="investigator")
    assert entries, "the request left no audit entry"
    assert verify(_log(ctx)).ok


def test_validation_refusals_are_audited(client: TestClient, ctx: AppContext, tokens: dict[str, str]) -> None:
    answer = client.post("/api/sql", json={"sql": 5, "bogus": RAW}, headers=auth(tokens["investigator"]))
    assert answer.status_code == 400
    refused = _entries(ctx, action="request.refused", actor="investigator")
    assert refused and refused[-1]["outcome"] == "usage" and refused[-1]["status"] == 400
    assert RAW not in _log(ctx).path.read_text()  # the refused input itself is not written


def test_too_large_bodies_are_audited_and_rate_limited(ctx: AppContext, tokens: dict[str, str]) -> None:
    small = with_extra(ctx, serve={"max_body_bytes": 200, "rate_limit": {"per_second": 0.01, "burst": 3}})
    with TestClient(create_app(small)) as client:
        codes = [
            client.post("/api/sql", content=b"x" * 1000, headers=auth(tokens["investigator"])).status_code
            for _ in range(5)
        ]
    assert codes[0] == 413 and 429 in codes, codes
    refused = _entries(ctx, action="request.refused", outcome="too_large")
    assert refused and refused[-1]["actor"] == "anonymous" and refused[-1]["status"] == 413
    assert len(refused) <= 3  # past the rate limit refusals are answered 429 and not written


def test_disabled_users_running_query_does_not_answer(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = routes_core.run_query

    def disabled_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        set_disabled(ctx, OWNER, "investigator", True)  # an admin disables the user while the query runs
        return result

    monkeypatch.setattr(routes_core, "run_query", disabled_meanwhile)
    answer = client.post(
        "/api/sql", json={"sql": "SELECT eventName FROM events LIMIT 3"}, headers=auth(tokens["investigator"])
    )
    assert answer.status_code == 401, answer.text
    assert "rows" not in answer.json()
    withheld = _entries(ctx, action="answer.withheld", actor="investigator")
    assert withheld and withheld[-1]["outcome"] == "unauthenticated"


def test_r2_typed_identifiers_of_every_operation_hidden_from_audit_readers(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], auditor: str
) -> None:
    """Red-team pass 2: the reader view hid a fixed list of fields, so the ids typed into other
    operations (a dashboard, approval, watch or user name; a token() kind; an HTTP method) reached
    ``audit:read`` readers as typed. The view is now an allowlist: a typed id shows only when it
    names a known object."""
    investigator = auth(tokens["investigator"])
    assert client.get(f"/api/dashboards/acct-{RAW}", headers=investigator).status_code == 404
    assert client.get(f"/api/approvals/{RAW}", headers=investigator).status_code == 404
    assert client.post(f"/api/watches/{RAW}/run", headers=investigator).status_code == 403
    assert client.post(f"/api/users/{RAW}/disable", headers=investigator).status_code == 403
    typed_kind = client.post("/api/sql", json={"sql": f"SELECT token('{RAW}', 'x')"}, headers=investigator)
    assert typed_kind.status_code == 400
    assert client.get("/api/dashboards/overview", headers=investigator).status_code == 200

    page = client.get("/api/audit", params={"limit": 50}, headers=auth(auditor))
    assert page.status_code == 200
    assert RAW not in page.text
    entries = page.json()["entries"]
    shown = {e["action"]: e for e in entries}
    assert {"dashboard.show", "approval.show", "watch.run-once", "user.disable", "indicator"} <= shown.keys()
    assert any(e.get("dashboard") == "overview" for e in entries)  # a found object is still named

    raw_page = client.get("/api/audit", params={"limit": 50}, headers=auth(tokens["admin"]))
    assert RAW in raw_page.text  # audit:raw sees what was typed
