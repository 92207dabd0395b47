"""Cases over HTTP: pin what you ran, notes, who may read, masking per reader, export, send, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.api.conftest import TestClient, auth, with_extra
from tests.monitor.receivers import http_receiver

from trailmask.api import create_app
from trailmask.service import authz
from trailmask.service.context import AppContext

SQL = (
    "SELECT eventName, sourceIPAddress, userIdentity.arn AS arn FROM events"
    " WHERE userIdentity.arn IS NOT NULL AND sourceIPAddress LIKE '%.%' ORDER BY eventTime, eventID LIMIT 5"
)


def _run(client: TestClient, token: str, sql: str = SQL) -> dict[str, Any]:
    answer = client.post("/api/sql", json={"sql": sql}, headers=auth(token))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    assert result["audit_id"] and result["rows"]
    return result


def _open(client: TestClient, token: str, title: str = "INC-7 odd console logins") -> str:
    answer = client.post("/api/cases", json={"title": title}, headers=auth(token))
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    return case_id


def _pin(client: TestClient, token: str, case_id: str, result: dict[str, Any], **extra: Any) -> Any:
    body = {"audit_id": result["audit_id"], "columns": result["columns"], "rows": result["rows"], **extra}
    return client.post(f"/api/cases/{case_id}/pins", json=body, headers=auth(token))


def _audit(client: TestClient, token: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/api/audit?limit=200", headers=auth(token)).json()["entries"]
    return entries


@pytest.fixture
def viewer_reads_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in viewer role, plus `cases:read` (every case, shown in the viewer's view)."""
    original = authz.permissions_of

    def permissions_of(ctx: AppContext, role: str) -> tuple[str, ...] | None:
        found = original(ctx, role)
        return (*found, "cases:read") if role == "viewer" and found is not None else found

    monkeypatch.setattr(authz, "permissions_of", permissions_of)


def test_pin_note_read_export(client: TestClient, tokens: dict[str, str]) -> None:
    inv = tokens["investigator"]
    result = _run(client, inv)
    case_id = _open(client, inv)
    pinned = _pin(client, inv, case_id, result, sql=SQL, note="the first five")
    assert pinned.status_code == 201, pinned.text
    row = _pin(client, inv, case_id, result, kind="row", rows=result["rows"][:1])
    assert row.status_code == 201, row.text
    noted = client.post(f"/api/cases/{case_id}/notes", json={"text": "Looks like one actor."}, headers=auth(inv))
    assert noted.status_code == 201
    case = client.get(f"/api/cases/{case_id}", headers=auth(inv)).json()
    assert [i["kind"] for i in case["items"]] == ["result", "row", "note"]
    first = case["items"][0]
    # what was run comes from the audit log, not from the client
    assert first["action"] == "sql" and first["profile"] == result["masking_profile"] and first["sql"] == SQL
    assert first["row_count"] == result["row_count"] and first["rows"] == result["rows"]
    assert case["runs"] == [
        {"audit_id": result["audit_id"], "run_at": first["run_at"], "action": "sql", "runbook": None, "rows": 5}
    ]
    assert client.get("/api/cases", headers=auth(inv)).json()["cases"][0]["items"] == 3
    markdown = client.get(f"/api/cases/{case_id}/export?format=markdown", headers=auth(inv))
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    text = markdown.text
    assert f"# Case {case_id}: INC-7 odd console logins" in text and result["audit_id"] in text
    assert "> Looks like one actor." in text and str(result["rows"][0]["arn"]) in text
    exported = json.loads(client.get(f"/api/cases/{case_id}/export?format=json", headers=auth(inv)).text)
    assert exported["items"][0]["rows"] == result["rows"] and exported["reader"] == "investigator"


def test_forged_pins_are_refused(client: TestClient, tokens: dict[str, str]) -> None:
    inv = tokens["investigator"]
    mine, theirs = _run(client, inv), _run(client, tokens["admin"])
    case_id = _open(client, inv)
    # someone else's run, a made-up id, a malformed id
    assert _pin(client, inv, case_id, theirs).status_code == 404
    made_up = {**mine, "audit_id": mine["audit_id"].split(":")[0] + ":" + "0" * 16}
    assert _pin(client, inv, case_id, made_up).status_code == 404
    assert _pin(client, inv, case_id, {**mine, "audit_id": "1; DROP"}).status_code == 400
    # more rows than the run returned, keys outside the columns, SQL that is not the run's
    assert _pin(client, inv, case_id, mine, rows=mine["rows"] * 2).status_code == 400
    assert _pin(client, inv, case_id, mine, rows=[{"invented": 1}]).status_code == 400
    assert _pin(client, inv, case_id, mine, sql="SELECT 1").status_code == 400
    # a row pin holds one row; an unknown field is refused
    assert _pin(client, inv, case_id, mine, kind="row").status_code == 400
    assert _pin(client, inv, case_id, mine, profile="raw").status_code == 400
    assert client.get(f"/api/cases/{case_id}", headers=auth(inv)).json()["items"] == []


def test_who_may_read_and_change(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], viewer_reads_cases: None
) -> None:
    inv, adm, viewer = tokens["investigator"], tokens["admin"], tokens["viewer"]
    result = _run(client, inv)
    case_id = _open(client, inv)
    assert _pin(client, inv, case_id, result, sql=SQL).status_code == 201
    client.post(f"/api/cases/{case_id}/notes", json={"text": "seen from 198.51.100.0/24"}, headers=auth(inv))
    # the admin's own case is not the investigator's to read (no cases:read)
    other = _open(client, adm, "admin-only")
    assert client.get(f"/api/cases/{other}", headers=auth(inv)).status_code == 404
    assert [c["id"] for c in client.get("/api/cases", headers=auth(inv)).json()["cases"]] == [case_id]
    # cases:read (admin through '*') reads every case but changes none
    assert {c["id"] for c in client.get("/api/cases", headers=auth(adm)).json()["cases"]} == {case_id, other}
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": "x"}, headers=auth(adm)).status_code == 403
    assert client.post(f"/api/cases/{case_id}/status", json={"status": "closed"}, headers=auth(adm)).status_code == 403
    # the admin's role is raw: the investigator's masked rows are shown as pinned
    assert client.get(f"/api/cases/{case_id}", headers=auth(adm)).json()["items"][0]["rows"] == result["rows"]
    # a viewer with cases:read sees the case but not the investigator's view of the rows, nor what was typed
    seen = client.get(f"/api/cases/{case_id}", headers=auth(viewer)).json()
    pinned = seen["items"][0]
    assert pinned["rows"] == [] and "re-run the query" in pinned["withheld"] and pinned["sql"] == "[masked]"
    assert seen["items"][1]["note"] == "seen from 198.51.100.0/24"  # notes are shown as written
    exported = client.get(f"/api/cases/{case_id}/export?format=json", headers=auth(viewer)).text
    for row in result["rows"]:
        assert str(row["arn"]) not in exported and str(row["sourceIPAddress"]) not in exported


def test_unmasked_pin_is_shown_to_raw_roles_only(client: TestClient, tokens: dict[str, str]) -> None:
    inv, adm = auth(tokens["investigator"]), auth(tokens["admin"])
    ask = {"kind": "sql", "sql": SQL, "justification": "INC-7: confirm the source addresses"}
    ident = client.post("/api/approvals", json=ask, headers=inv).json()["id"]
    client.post(f"/api/approvals/{ident}/approve", json={"comment": "ok"}, headers=adm)
    raw = client.post(f"/api/approvals/{ident}/run", headers=inv).json()
    assert raw["masking_profile"] == "raw"
    case_id = _open(client, tokens["investigator"])
    assert _pin(client, tokens["investigator"], case_id, raw).status_code == 201
    own = client.get(f"/api/cases/{case_id}", headers=inv).json()["items"][0]
    assert own["profile"] == "raw" and own["rows"] == [] and own["withheld"]
    assert client.get(f"/api/cases/{case_id}", headers=adm).json()["items"][0]["rows"] == raw["rows"]


def test_closed_case_takes_nothing_until_reopened(client: TestClient, tokens: dict[str, str]) -> None:
    inv = tokens["investigator"]
    case_id = _open(client, inv)
    closed = client.post(f"/api/cases/{case_id}/status", json={"status": "closed"}, headers=auth(inv))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": "late"}, headers=auth(inv)).status_code == 409
    client.post(f"/api/cases/{case_id}/status", json={"status": "open"}, headers=auth(inv))
    added = client.post(f"/api/cases/{case_id}/notes", json={"text": "late"}, headers=auth(inv)).json()
    item = added["items"][0]["id"]
    removed = client.delete(f"/api/cases/{case_id}/items/{item}", headers=auth(inv))
    assert removed.status_code == 200 and removed.json()["items"] == []
    assert client.delete(f"/api/cases/{case_id}/items/{item}", headers=auth(inv)).status_code == 404


def test_every_case_operation_is_audited_without_its_text(client: TestClient, tokens: dict[str, str]) -> None:
    inv = tokens["investigator"]
    result = _run(client, inv)
    case_id = _open(client, inv, "secret-title-zebra")
    _pin(client, inv, case_id, result)
    client.post(f"/api/cases/{case_id}/notes", json={"text": "secret-note-okapi"}, headers=auth(inv))
    client.get(f"/api/cases/{case_id}/export?format=markdown", headers=auth(inv))
    client.get(f"/api/cases/{case_id}", headers=auth(tokens["viewer"]))  # not the viewer's: refused, on record
    entries = _audit(client, tokens["admin"])
    trail = [(e["action"], e["actor"], e["outcome"]) for e in reversed(entries) if e["action"].startswith("case.")]
    assert trail == [
        ("case.create", "investigator", "ok"),
        ("case.pin", "investigator", "ok"),
        ("case.note", "investigator", "ok"),
        ("case.export", "investigator", "ok"),
        ("case.read", "viewer", "not_found"),
    ]
    pin_entry = next(e for e in entries if e["action"] == "case.pin")
    assert pin_entry["case_id"] == case_id and pin_entry["audit_ref"] == result["audit_id"] and pin_entry["rows"] == 5
    text = json.dumps(entries)
    assert "zebra" not in text and "okapi" not in text


@pytest.fixture
def receiver() -> Iterator[Any]:
    with http_receiver([500]) as found:
        yield found


def test_send_to_a_destination(ctx: AppContext, tokens: dict[str, str], receiver: Any) -> None:
    destinations = {"hook": {"type": "webhook", "url": receiver.url, "retries": 1, "backoff_s": 0.01}}
    with TestClient(create_app(with_extra(ctx, destinations=destinations))) as client:
        inv = tokens["investigator"]
        result = _run(client, inv)
        case_id = _open(client, inv)
        _pin(client, inv, case_id, result)
        sent = client.post(f"/api/cases/{case_id}/send", json={"destination": "hook"}, headers=auth(inv))
        assert sent.status_code == 200, sent.text
        assert sent.json()["attempts"] == 2  # the receiver answered 500 once, then 200
        body = json.loads(receiver.requests[-1].body)
        assert (
            body["kind"] == "case"
            and body["case"]["id"] == case_id
            and body["rows"][0]["arn"] == result["rows"][0]["arn"]
        )
        assert f"# Case {case_id}" in body["markdown"] and body["role"] == "investigator"
        unknown = client.post(f"/api/cases/{case_id}/send", json={"destination": "nope"}, headers=auth(inv))
        assert unknown.status_code == 404 and "hook" in unknown.json()["message"]
        receiver.statuses.extend([500, 500])
        failed = client.post(f"/api/cases/{case_id}/send", json={"destination": "hook"}, headers=auth(inv))
        assert failed.status_code == 502 and "HTTP 500" in failed.json()["message"]
        # only the owner sends
        not_owner = client.post(
            f"/api/cases/{case_id}/send", json={"destination": "hook"}, headers=auth(tokens["admin"])
        )
        assert not_owner.status_code == 403
        outcomes = [e["outcome"] for e in _audit(client, tokens["admin"]) if e["action"] == "case.send"]
        assert outcomes == ["forbidden", "unreachable", "not_found", "ok"]
