"""What the routes answer: SQL and runbook results, audit views per reader, approvals end to end, limits."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import OWNER, TestClient, auth, with_extra

from trailmask.api import create_app
from trailmask.service.context import AppContext
from trailmask.service.users import add_user

RUNBOOK = "cis-cloudtrail-config-changes"
IP_SQL = "SELECT sourceIPAddress FROM events WHERE sourceIPAddress IS NOT NULL ORDER BY 1 LIMIT 3"


def _audit(client: TestClient, token: str, limit: int = 50) -> list[dict[str, Any]]:
    response = client.get(f"/api/audit?limit={limit}", headers=auth(token))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def test_sql_result_shape_and_audit(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post("/api/sql", json={"sql": IP_SQL, "max_rows": 2}, headers=auth(tokens["admin"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["columns"] == ["sourceIPAddress"]
    assert body["row_count"] == 2 and body["truncated"] is True
    assert body["role"] == "admin"
    entry = next(e for e in _audit(client, tokens["admin"]) if e["action"] == "sql")
    assert entry["seq"] == int(body["audit_id"].split(":")[0])
    assert entry["rows"] == 2 and entry["outcome"] == "ok"
    assert entry["request_id"] and entry["client"] == "testclient"


def test_failed_query_is_audited_and_shaped(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post("/api/sql", json={"sql": "SELECT nope FROM events"}, headers=auth(tokens["investigator"]))
    assert response.status_code in (400, 422)
    assert set(response.json()) <= {"error", "message", "hint"}
    entry = next(e for e in _audit(client, tokens["admin"]) if e["action"] == "sql")
    assert entry["outcome"] == response.json()["error"]


SLOW_SQL = (
    "SELECT count(*) AS n FROM events a, events b, (SELECT * FROM events LIMIT 16) c "
    "WHERE md5(concat(a.eventTime, b.eventTime, c.eventTime)) < '1'"
)


def test_query_timeout_is_504_and_runs_once(client: TestClient, tokens: dict[str, str]) -> None:
    """Not 408: Chromium resends a request answered 408 by itself, so one click ran the query twice."""
    body = {"sql": SLOW_SQL, "timeout_s": 0.2}
    response = client.post("/api/sql", json=body, headers=auth(tokens["admin"]))
    assert response.status_code == 504, response.text
    assert response.json()["error"] == "query_timeout"
    timed_out = [e for e in _audit(client, tokens["admin"]) if e["action"] == "sql"]
    assert [e["outcome"] for e in timed_out] == ["query_timeout"]


def test_runbook_list_show_and_run(client: TestClient, tokens: dict[str, str]) -> None:
    listed = client.get("/api/runbooks", headers=auth(tokens["viewer"])).json()["runbooks"]
    assert RUNBOOK in [r["id"] for r in listed]
    assert all("path" not in r for r in listed)  # fixtures as names and counts only, never their events
    assert all(set(f) == {"name", "matching", "not_matching"} for r in listed for f in r["fixtures"])
    shown = client.get(f"/api/runbooks/{RUNBOOK}", headers=auth(tokens["viewer"])).json()
    assert shown["id"] == RUNBOOK and "parameters" in shown
    run = client.post(f"/api/runbooks/{RUNBOOK}/run", json={"params": {"since": "all"}}, headers=auth(tokens["viewer"]))
    assert run.status_code == 200, run.text
    assert run.json()["columns"] == [c["name"] for c in shown["output"]]
    bad = client.post(f"/api/runbooks/{RUNBOOK}/run", json={"params": {"nosuch": 1}}, headers=auth(tokens["viewer"]))
    assert bad.status_code == 400 and bad.json()["error"] == "usage"
    missing = client.get("/api/runbooks/no-such-runbook", headers=auth(tokens["admin"]))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    actions = [(e["action"], e.get("runbook"), e["outcome"]) for e in _audit(client, tokens["admin"])]
    assert ("runbook", RUNBOOK, "ok") in actions and ("runbook", RUNBOOK, "usage") in actions


def test_audit_entries_masked_for_reader_without_raw(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], custom_roles: None
) -> None:
    auditor = add_user(ctx, OWNER, "aud", "auditor")[1]
    client.post(f"/api/runbooks/{RUNBOOK}/run", json={"params": {"since": "30d"}}, headers=auth(tokens["investigator"]))
    raw = next(e for e in _audit(client, tokens["admin"]) if e["action"] == "runbook")
    masked = next(e for e in _audit(client, auditor) if e["action"] == "runbook")
    assert raw["params"] and all(value != "[masked]" for value in raw["params"].values())
    assert masked["params"] == dict.fromkeys(raw["params"], "[masked]")
    assert masked["actor"] == "investigator" and masked["seq"] == raw["seq"]


def test_approvals_end_to_end(client: TestClient, tokens: dict[str, str]) -> None:
    inv, adm, adm2 = auth(tokens["investigator"]), auth(tokens["admin"]), auth(tokens["admin2"])
    ask = {"kind": "sql", "sql": IP_SQL, "justification": "INC-42: confirm attacker source addresses"}
    # a viewer may not ask; a short justification is refused
    denied = client.post("/api/approvals", json=ask, headers=auth(tokens["viewer"]))
    assert denied.status_code == 403 and "unmask:request" in denied.json()["message"]
    assert client.post("/api/approvals", json={**ask, "justification": "x"}, headers=inv).status_code == 400
    created = client.post("/api/approvals", json=ask, headers=inv)
    assert created.status_code == 201, created.text
    approval = created.json()
    assert approval["status"] == "pending" and approval["requester"] == "investigator"
    ident = approval["id"]
    # not approved yet: cannot run; the requester cannot approve; approvers see it, others do not
    assert client.post(f"/api/approvals/{ident}/run", headers=inv).status_code == 409
    assert client.post(f"/api/approvals/{ident}/approve", json={}, headers=inv).status_code == 403
    assert [a["id"] for a in client.get("/api/approvals?status=pending", headers=adm).json()["approvals"]] == [ident]
    assert client.get("/api/approvals", headers=auth(tokens["viewer"])).json()["approvals"] == []
    decided = client.post(f"/api/approvals/{ident}/approve", json={"comment": "ok, INC-42"}, headers=adm)
    assert decided.status_code == 200 and decided.json()["decided_by"] == "admin"
    assert client.post(f"/api/approvals/{ident}/reject", json={}, headers=adm2).status_code == 409
    assert client.post(f"/api/approvals/{ident}/run", headers=adm).status_code == 403  # not the requester
    masked = client.post("/api/sql", json={"sql": IP_SQL}, headers=inv).json()
    run = client.post(f"/api/approvals/{ident}/run", headers=inv)
    assert run.status_code == 200, run.text
    result = run.json()
    assert result["masking_profile"] == "raw" and result["role"] == "investigator"
    assert masked["masking_profile"] != "raw"
    assert {r["sourceIPAddress"] for r in masked["rows"]}.isdisjoint({r["sourceIPAddress"] for r in result["rows"]})
    again = client.post(f"/api/approvals/{ident}/run", headers=inv)
    assert again.status_code == 409 and "executed" in again.json()["message"]
    final = client.get(f"/api/approvals/{ident}", headers=inv).json()
    assert final["status"] == "executed" and final["audit_id"] == result["audit_id"]
    trail = [(e["action"], e["actor"], e["outcome"]) for e in reversed(_audit(client, tokens["admin"], 100))]
    for step in [
        ("approval.request", "viewer", "forbidden"),
        ("approval.request", "investigator", "ok"),
        ("approval.run", "investigator", "conflict"),
        ("approval.approve", "investigator", "forbidden"),
        ("approval.approve", "admin", "ok"),
        ("approval.reject", "admin2", "conflict"),
        ("approval.run", "admin", "forbidden"),
        ("sql", "investigator", "ok"),
        ("approval.run", "investigator", "conflict"),
    ]:
        assert step in trail, step
    run_entry = next(e for e in _audit(client, tokens["admin"], 100) if e.get("approval") == ident)
    assert run_entry["unmasked"] is True and run_entry["action"] == "sql"


def test_approver_cannot_approve_own_request_and_reject_blocks_run(client: TestClient, tokens: dict[str, str]) -> None:
    adm, adm2 = auth(tokens["admin"]), auth(tokens["admin2"])
    ask = {"kind": "runbook", "runbook": RUNBOOK, "params": {"since": "7d"}, "justification": "quarterly CIS review"}
    ident = client.post("/api/approvals", json=ask, headers=adm).json()["id"]
    own = client.post(f"/api/approvals/{ident}/approve", json={}, headers=adm)
    assert own.status_code == 403 and "different person" in own.json()["message"]
    assert (
        client.post(f"/api/approvals/{ident}/reject", json={"comment": "use masked"}, headers=adm2).status_code == 200
    )
    assert client.post(f"/api/approvals/{ident}/run", headers=adm).status_code == 409
    ident2 = client.post("/api/approvals", json=ask, headers=adm).json()["id"]
    client.post(f"/api/approvals/{ident2}/approve", json={}, headers=adm2)
    run = client.post(f"/api/approvals/{ident2}/run", headers=adm)
    assert run.status_code == 200, run.text
    bad = client.post("/api/approvals", json={**ask, "params": {"nosuch": 1}}, headers=adm)
    assert bad.status_code == 400


def test_rate_limit_per_token(ctx: AppContext, tokens: dict[str, str]) -> None:
    limited = with_extra(ctx, serve={"rate_limit": {"per_second": 0.5, "burst": 2}})
    with TestClient(create_app(limited)) as client:
        codes = [client.get("/api/whoami", headers=auth(tokens["viewer"])).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        response = client.get("/api/whoami", headers=auth(tokens["viewer"]))
        assert response.json()["error"] == "rate_limited" and int(response.headers["Retry-After"]) >= 1
        assert client.get("/api/whoami", headers=auth(tokens["admin"])).status_code == 200  # other token unaffected


def test_body_size_limit(ctx: AppContext, tokens: dict[str, str]) -> None:
    small = with_extra(ctx, serve={"max_body_bytes": 200, "rate_limit": {"per_second": 100}})
    with TestClient(create_app(small)) as client:
        big = {"sql": "SELECT 1 AS x FROM events WHERE eventName = '" + "a" * 300 + "'"}
        response = client.post("/api/sql", json=big, headers=auth(tokens["admin"]))
        assert response.status_code == 413 and response.json()["error"] == "too_large"

        def chunks() -> Any:
            yield b'{"sql": "'
            yield b"x" * 400
            yield b'"}'

        streamed = client.post("/api/sql", content=chunks(), headers=auth(tokens["admin"]))
        assert streamed.status_code == 413


def test_framework_errors_have_the_one_shape(client: TestClient, tokens: dict[str, str]) -> None:
    for response in (
        client.get("/api/nothing-here", headers=auth(tokens["admin"])),
        client.delete("/api/sql", headers=auth(tokens["admin"])),
        client.post(
            "/api/sql", content=b"{not json", headers={**auth(tokens["admin"]), "Content-Type": "application/json"}
        ),
        client.post("/api/sql", json={"sql": ""}, headers=auth(tokens["admin"])),
    ):
        assert response.status_code in (400, 404, 405), response.text
        assert set(response.json()) <= {"error", "message", "hint"} and response.json()["message"]


def test_health_needs_no_token_and_web_ui_is_served(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    index = client.get("/")
    assert index.status_code == 200 and "<html" in index.text.lower()
