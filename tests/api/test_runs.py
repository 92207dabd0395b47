"""Runs by request id (api.runs, service.runs): one run per id and user, cancel by the owner only."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
from tests.api.conftest import TestClient, auth

from trailmask.api.runs import Runs

# a cross join that takes many seconds on the test store (tests/api/test_routes_behaviour.py)
SLOW_SQL = (
    "SELECT count(*) AS n FROM events a, events b, (SELECT * FROM events LIMIT 16) c "
    "WHERE md5(concat(a.eventTime, b.eventTime, c.eventTime)) < '1'"
)
FAST_SQL = "SELECT eventName, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"
RUNBOOK = "cis-cloudtrail-config-changes"


def _rid() -> str:
    return str(uuid.uuid4())


def _entries(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get("/api/audit?limit=200", headers=auth(token))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def _of(entries: list[dict[str, Any]], run_id: str, action: str) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("run_id") == run_id and e.get("action") == action]


def _with_id(token: str, request_id: str) -> dict[str, str]:
    return {**auth(token), "X-Request-Id": request_id}


def test_a_resent_request_id_is_answered_from_the_first_run(client: TestClient, tokens: dict[str, str]) -> None:
    rid = _rid()
    first = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], rid))
    again = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], rid))
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.json() == first.json()  # the same answer, audit id included
    entries = _entries(client, tokens["admin"])
    assert [e["outcome"] for e in _of(entries, rid, "sql")] == ["ok"]  # ran once
    replays = _of(entries, rid, "run.replay")
    assert [(e["outcome"], e["original"]) for e in replays] == [("ok", first.json()["audit_id"])]
    # without an id every request runs
    plain = [client.post("/api/sql", json={"sql": FAST_SQL}, headers=auth(tokens["investigator"])) for _ in range(2)]
    assert plain[0].json()["audit_id"] != plain[1].json()["audit_id"]


def test_a_resend_during_the_run_waits_for_it_instead_of_running_again(
    client: TestClient, tokens: dict[str, str]
) -> None:
    rid = _rid()
    body = {"params": {"since": "all"}}
    answers: list[httpx.Response] = []

    def send() -> None:
        answers.append(client.post(f"/api/runbooks/{RUNBOOK}/run", json=body, headers=_with_id(tokens["viewer"], rid)))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert len({a.json()["audit_id"] for a in answers}) == 1
    entries = _entries(client, tokens["admin"])
    assert len(_of(entries, rid, "runbook")) == 1
    assert len(_of(entries, rid, "run.replay")) == 2


def test_the_same_id_for_another_request_or_by_another_user(client: TestClient, tokens: dict[str, str]) -> None:
    rid = _rid()
    ok = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], rid))
    assert ok.status_code == 200
    other = client.post("/api/sql", json={"sql": "SELECT 1 AS one"}, headers=_with_id(tokens["investigator"], rid))
    assert other.status_code == 409 and other.json()["error"] == "conflict", other.text
    # another user's id is their own: it runs, masked for them, and does not get the first answer
    theirs = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["admin"], rid))
    assert theirs.status_code == 200 and theirs.json()["audit_id"] != ok.json()["audit_id"]
    assert theirs.json()["role"] == "admin"
    bad = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], "x"))
    assert bad.status_code == 400, bad.text


def _wait_until_running(client: TestClient, rid: str) -> None:
    runs: Runs = client.app.state.trailmask_runs  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [r for r in runs._runs.values() if r.request_id == rid and r.control.running]
        if found:
            return
        time.sleep(0.02)
    raise AssertionError("the run never started")


def test_only_the_owner_cancels_and_the_query_stops(client: TestClient, tokens: dict[str, str]) -> None:
    rid = _rid()
    answers: list[httpx.Response] = []
    body = {"sql": SLOW_SQL, "timeout_s": 60}
    thread = threading.Thread(
        target=lambda: answers.append(client.post("/api/sql", json=body, headers=_with_id(tokens["admin"], rid)))
    )
    started = time.monotonic()
    thread.start()
    _wait_until_running(client, rid)
    refused = client.post(f"/api/runs/{rid}/cancel", headers=auth(tokens["admin2"]))  # an admin, but not the owner
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden", refused.text
    cancelled = client.post(f"/api/runs/{rid}/cancel", headers=auth(tokens["admin"]))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"request_id": rid, "cancelled": True, "stopped": True}
    thread.join(30)
    took = time.monotonic() - started
    assert answers and answers[0].status_code == 409, answers[0].text if answers else "no answer"
    assert answers[0].json()["error"] == "cancelled"
    assert took < 20, f"the cancelled query still took {took:.1f} s"
    entries = _entries(client, tokens["admin"])
    [query] = _of(entries, rid, "sql")
    assert query["outcome"] == "cancelled" and query["rows"] == 0
    cancels = {(e["actor"], e["outcome"]) for e in _of(entries, rid, "run.cancel")}
    assert cancels == {("admin2", "forbidden"), ("admin", "ok")}
    # resent, the cancelled run answers the same (it is not run again)
    again = client.post("/api/sql", json=body, headers=_with_id(tokens["admin"], rid))
    assert again.status_code == 409 and again.json()["error"] == "cancelled"
    assert len(_of(_entries(client, tokens["admin"]), rid, "sql")) == 1


def test_a_cancel_before_the_run_arrives_stops_it_from_reading(client: TestClient, tokens: dict[str, str]) -> None:
    rid = _rid()
    early = client.post(f"/api/runs/{rid}/cancel", headers=auth(tokens["viewer"]))
    assert early.status_code == 200 and early.json() == {"request_id": rid, "cancelled": True, "stopped": False}
    run = client.post(f"/api/runbooks/{RUNBOOK}/run", json={"params": {}}, headers=_with_id(tokens["viewer"], rid))
    assert run.status_code == 409 and run.json()["error"] == "cancelled", run.text
    [entry] = _of(_entries(client, tokens["admin"]), rid, "runbook")
    assert entry["outcome"] == "cancelled" and entry["rows"] == 0


def test_cancelling_an_ended_run_changes_nothing(client: TestClient, tokens: dict[str, str]) -> None:
    rid = _rid()
    first = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], rid))
    assert first.status_code == 200
    late = client.post(f"/api/runs/{rid}/cancel", headers=auth(tokens["investigator"]))
    assert late.status_code == 200 and late.json() == {"request_id": rid, "cancelled": False, "stopped": False}
    again = client.post("/api/sql", json={"sql": FAST_SQL}, headers=_with_id(tokens["investigator"], rid))
    assert again.status_code == 200 and again.json() == first.json()
    assert client.post("/api/runs/not ok/cancel", headers=auth(tokens["investigator"])).status_code in (400, 404)


def test_ended_runs_are_forgotten_after_keep_s() -> None:
    runs = Runs(keep_s=0.0, max_kept=1)

    async def go() -> list[int]:
        from trailmask.models import Actor

        actor = Actor("a", "viewer", "token")
        calls: list[int] = []

        async def work(control: Any) -> int:
            calls.append(1)
            return len(calls)

        async def replay(answer: Any) -> None:
            return None

        await runs.once(actor, "request-0001", "f", work, replay)
        time.sleep(0.01)
        await runs.once(actor, "request-0001", "f", work, replay)  # forgotten: runs again
        return calls

    import asyncio

    assert asyncio.run(go()) == [1, 1]
