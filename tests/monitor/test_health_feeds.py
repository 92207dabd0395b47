"""Built-in health watches over the audit log and the full verify: a tampered audit line alerts
once and resolves when the line is restored; each reveal and approved unmasked run alerts once
(a feed, never repeated, never resolved); a leaking verify alerts with no canary, SQL or error text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.monitor.test_health import DEFAULT_POLICY, LEAKY, _alerts, _ctx
from tests.monitor.test_runner import OWNER, _event, _ingest

from trailmask.masking.canary import canaries, canary_events
from trailmask.models import Actor, QueryRequest
from trailmask.service import verify as verify_module
from trailmask.service import watches as service
from trailmask.service.approvals import decide_request, request_unmasked, run_approved
from trailmask.service.health import audit_problem, verify_finding
from trailmask.service.query import run_query
from trailmask.service.reveal import reveal_token
from trailmask.service.verify import Finding

IVY = Actor("ivy", "investigator", "token")
WHY = "INC-42: confirm the account"
RAW_ACCOUNT = "111122223333"
UNMASKED_SQL = "SELECT count(*) AS n_unmasked FROM events"


def test_audit_chain_alerts_once_on_a_tampered_line_and_resolves_once_restored(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"name": "health-audit-chain", "destinations": ["sink"]}])
    _ingest(ctx, tmp_path, [_event("CreateUser", "alice", "2024-05-01T10:00:00Z")], "a")
    clean = service.run_watch(ctx, OWNER, "health-audit-chain", now=datetime(2026, 1, 1, 10, tzinfo=UTC))
    assert (clean["rows"], clean["matches"]) == (0, 0)
    log = ctx.audit_log
    lines = log.path.read_bytes().split(b"\n")
    original = lines[0]
    entry = json.loads(original)
    assert entry["seq"] == 1 and '"actor":"owner"' in original.decode()
    lines[0] = original.replace(b'"actor":"owner"', b'"actor":"mallory-canary-7731"')  # an edit, same bytes form
    log.path.write_bytes(b"\n".join(lines))
    tampered = service.run_watch(ctx, OWNER, "health-audit-chain", now=datetime(2026, 1, 1, 11, tzinfo=UTC))
    again = service.run_watch(ctx, OWNER, "health-audit-chain", now=datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert (tampered["matches"], again["matches"], again["resolved"]) == (1, 0, 0)
    [alert] = _alerts(tmp_path)
    assert alert["rows"] == [{"kind": "entry-edited", "position": "line 1 (seq 1)"}]
    body = (tmp_path / "alerts.jsonl").read_text()
    assert "mallory" not in body and str(log.path) not in body  # no entry content, no path
    # restored from a backup (the original bytes of that line): the chain verifies, the alert resolves
    current = log.path.read_bytes().split(b"\n")
    current[0] = original
    log.path.write_bytes(b"\n".join(current))
    healed = service.run_watch(ctx, OWNER, "health-audit-chain", now=datetime(2026, 1, 1, 13, tzinfo=UTC))
    assert (healed["rows"], healed["resolved"]) == (0, 1)
    assert [a.get("resolved", False) for a in _alerts(tmp_path)] == [False, True]


@pytest.mark.parametrize(
    ("problem", "kind", "position"),
    [
        ("line 4 (seq 9): seq 5..8 missing (entries deleted)", "entries-deleted", "line 4 (seq 9)"),
        ("line 3 (seq x-secret): has no sequence number", "no-seq", "line 3"),
        ("line 2: not a JSON object (entry damaged)", "entry-damaged", "line 2"),
        ("the head file /x/a.jsonl.head is not authenticated by the audit key (rewritten)", "head-unsealed", "head"),
        ("head file /x/a.jsonl.head is missing (deleted, or entries cut off)", "head-missing", "head"),
        ("the log ends at seq 3 but the head says 6 (entries cut off)", "entries-cut-off", "head"),
        ("audit log /x/a.jsonl is missing but its head file (log deleted)", "log-missing", "log"),
        ("audit key /x/a.jsonl.key is missing", "key-missing", "log"),
        ("something new went wrong with /x/secret", "unrecognised", "log"),
    ],
)
def test_audit_problems_become_kind_and_position_only(problem: str, kind: str, position: str) -> None:
    assert audit_problem(problem) == {"kind": kind, "position": position}


def test_each_raw_access_alerts_once_and_the_feed_never_resolves(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [{"name": "health-raw-access", "destinations": ["sink"]}])
    _ingest(ctx, tmp_path, [_event("CreateUser", "alice", "2024-05-01T10:00:00Z")], "a")
    token = str(run_query(ctx, IVY, QueryRequest(sql="SELECT recipientAccountId AS t FROM events")).rows[0]["t"])
    assert RAW_ACCOUNT not in token
    assert reveal_token(ctx, IVY, token, justification=WHY).matches
    approval = request_unmasked(
        ctx, IVY, kind="sql", sql=UNMASKED_SQL, runbook=None, params={}, justification="INC-42: the raw count"
    )
    decide_request(ctx, OWNER, approval.id, approve=True, comment="ok")
    unmasked = run_approved(ctx, IVY, approval.id)
    first = service.run_watch(ctx, OWNER, "health-raw-access", manual=True)
    assert (first["matches"], first["delivered"]) == (2, 2)
    alerts = _alerts(tmp_path)
    rows = sorted((row for a in alerts for row in a["rows"]), key=lambda r: r["kind"])
    assert [(r["kind"], r["actor"], r["role"], r["action"]) for r in rows] == [
        ("reveal", "ivy", "investigator", "reveal"),
        ("unmasked-run", "ivy", "investigator", "sql"),
    ]
    assert rows[0]["approval_id"] is None and rows[1]["approval_id"] == approval.id
    assert rows[1]["audit_id"] == unmasked.audit_id and all(r["time"].endswith("Z") for r in rows)
    assert sorted(a["dedup_key"] for a in alerts) == sorted(f"audit_id={r['audit_id']}" for r in rows)
    body = (tmp_path / "alerts.jsonl").read_text()
    for secret in (RAW_ACCOUNT, token, WHY, "n_unmasked", "the raw count"):
        assert secret not in body, secret  # no revealed value, token, justification or SQL
    # the next run overlaps the last window a little: nothing repeats, nothing resolves
    second = service.run_watch(ctx, OWNER, "health-raw-access", now=datetime.now(UTC) + timedelta(seconds=2))
    assert (second["matches"], second["resolved"]) == (0, 0) and len(_alerts(tmp_path)) == 2
    assert reveal_token(ctx, IVY, token, justification=WHY).matches  # a new access: one new alert
    third = service.run_watch(ctx, OWNER, "health-raw-access", now=datetime.now(UTC) + timedelta(seconds=4))
    assert (third["matches"], third["resolved"]) == (1, 0) and len(_alerts(tmp_path)) == 3
    assert not any(a.get("resolved") for a in _alerts(tmp_path))
    # open feed alerts are news, not a fault: the health gauge stays 1
    health = dict((labels["watch"], ok) for labels, ok in service.watch_counters(ctx, OWNER)["health"])
    assert health["health-raw-access"] == 1


def _quick_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real verify, cut to the battery's structural queries and sandbox cases and no runbook
    (the whole battery and every runbook take minutes)."""
    full = verify_module.battery
    monkeypatch.setattr(verify_module, "battery", lambda found: [q for q in full(found) if q.expect != "zero"][:8])
    monkeypatch.setattr(verify_module, "list_runbooks", lambda ctx: [])


def test_a_failing_verify_alerts_per_finding_and_resolves_once_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _quick_verify(monkeypatch)
    policy = tmp_path / "policy.yaml"
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    policy.write_text(text.replace(LEAKY, "      arn: keep\n"), encoding="utf-8")
    watch = {"name": "health-verify", "destinations": ["sink"]}
    ctx = _ctx(tmp_path, [watch], policy)
    failing = service.run_watch(ctx, OWNER, "health-verify", now=datetime(2026, 1, 1, 10, tzinfo=UTC))
    assert failing["matches"] >= 1 and failing["delivered"] == failing["matches"]
    rows = [row for a in _alerts(tmp_path) for row in a["rows"]]
    assert {r["role"] for r in rows} == {"investigator"} and {r["kind"] for r in rows} == {"leak"}
    assert any("arn" in str(r["field"]).lower() for r in rows), rows
    secrets = [c.secret for c in canaries(canary_events(ctx.policy), ctx.policy)]
    body = (tmp_path / "alerts.jsonl").read_text()
    assert secrets and not [s for s in secrets if len(s) > 6 and s in body], "an alert carries a canary value"
    assert "SELECT" not in body
    repeat = service.run_watch(ctx, OWNER, "health-verify", now=datetime(2026, 1, 2, 10, tzinfo=UTC))
    assert repeat["matches"] == 0
    policy.write_text(text, encoding="utf-8")
    fixed = _ctx(tmp_path, [watch], policy)
    healed = service.run_watch(fixed, OWNER, "health-verify", now=datetime(2026, 1, 3, 10, tzinfo=UTC))
    assert (healed["rows"], healed["resolved"]) == (0, failing["matches"])


def test_verify_findings_carry_no_sql_nor_error_text() -> None:
    sandbox = verify_finding(Finding("investigator", "sandbox: SELECT * FROM tm_mask_key", "accepted by the sandbox"))
    assert sandbox["kind"] == "sandbox-accepted" and "SELECT" not in json.dumps(sandbox)
    rejected = verify_finding(Finding("analyst", "select star", "rejected unexpectedly: near 'hunter2-canary'"))
    assert rejected == {"role": "analyst", "query": "select star", "field": None, "form": None,
                        "kind": "rejected-unexpectedly"}  # fmt: skip
    leak = verify_finding(Finding("analyst", "runbook x", "canary event.userIdentity.arn (name) (sha256) in the error"))
    assert (leak["kind"], leak["field"], leak["form"]) == ("leak-in-error", "event.userIdentity.arn (name)", "sha256")
    oracle = verify_finding(Finding("analyst", "probes #1", "probe z12 matched raw data (an oracle)"))
    assert (oracle["kind"], oracle["field"]) == ("oracle", "z12")


def test_the_daily_verify_waits_for_its_first_time(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, [])
    due = service.due_watches(ctx, datetime(2026, 1, 1, 10, tzinfo=UTC))
    assert {"health-audit-chain", "health-raw-access"} <= set(due) and "health-verify" not in due
    assert "health-verify" not in service.due_watches(ctx, datetime(2026, 1, 2, 3, 29, tzinfo=UTC))
    assert "health-verify" in service.due_watches(ctx, datetime(2026, 1, 2, 3, 30, tzinfo=UTC))
