"""Built-in health checks run by watches: the masking itself, policy drift, the audit chain, the
raw-access feed and the full ``verify``.

A watch with ``check: NAME`` runs one of these instead of a runbook; its rows are alerts like a
runbook's. None returns data values:

- ``masking-canary``: a temporary canary store (service.verify.canary_store: a secret planted in
  every sensitive position of the policy in force); every masked role reads its whole relation
  (``SELECT * FROM events``) and the output is scanned for every canary in every form. A row per
  leak names the role, the field and the form (``reversed``, ``sha256`` ...), never the secret.
  This is the cheap, frequent part of ``trailmask verify`` (which adds the adversarial battery and
  every runbook).
- ``policy-drift``: service.drift over the store (fields outside the schema, JSON keys no rule
  names), as the watch's role (which must be raw). A key name that looks like a value (an
  address, an e-mail, an account id, an access key) is shown as ``<value-like key>``.
- ``audit-chain``: ``trailmask audit verify`` (audit.verify with the state's anchor). A row per
  problem: its kind (``entry-edited``, ``entries-deleted``, ``head-unsealed`` ...) and where
  (``line 5 (seq 5)``, ``head``, ``log``); never the message's paths nor anything of the entry.
  A problem this module does not recognise is a row of kind ``unrecognised`` (never dropped).
- ``raw-access``: the raw-access feed (audit.view.is_raw_access: reveals that ran, approved
  unmasked runs) written in the watch's window: a row per entry with who, role, action, approval
  id, time and audit id; never the token, the revealed value, the justification or the SQL.
- ``verify``: the whole ``trailmask verify`` (minutes: the battery and every runbook for every
  masked role); a row per finding: role, query (a sandbox case by a digest, not its SQL), kind,
  and the canary's field and form when one leaked; never the secret nor an error's text.

A check runs for an actor holding ``watches:manage`` (the built-in health watches run as admin).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trailmask.audit import entry_id
from trailmask.audit import verify as verify_audit_log
from trailmask.audit.view import is_raw_access
from trailmask.errors import NotFound
from trailmask.masking.canary import LeakScanner
from trailmask.models import Actor
from trailmask.service.audit_anchor import started_hash
from trailmask.service.audited import audited
from trailmask.service.authz import require
from trailmask.service.context import AppContext
from trailmask.service.drift import drift
from trailmask.service.engine import run_plan
from trailmask.service.prepare import prepare
from trailmask.service.verify import Finding, canary_store, verify

CANARY_SQL = "SELECT * FROM events"
_VALUE_LIKE = re.compile(
    r"@|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b\d{12}\b|\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b|[0-9a-fA-F]{0,4}:[0-9a-fA-F]{0,4}:"
)
# The raw-access feed's first run (no high-water mark yet) looks back this far; every later run
# starts a little before its high-water mark, so an entry written while the previous run read the
# log is not missed (the audit id dedup keeps the overlap from alerting twice).
FEED_FIRST_LOOKBACK = timedelta(days=1)
FEED_OVERLAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Window:
    """The watch's window: from its high-water mark (None: it never ran) to the run's end."""

    start: datetime | None
    end: datetime


Check = Callable[[AppContext, Actor, Window], list[dict[str, Any]]]


def _masking_canary(ctx: AppContext, actor: Actor, window: Window) -> list[dict[str, Any]]:
    """One row per canary a masked role can read (none when the masking holds)."""
    del actor, window  # the check reads canaries only, never the store
    policy = ctx.policy
    found: list[dict[str, Any]] = []
    with canary_store(ctx, policy) as (canary_ctx, canaries):
        scanner = LeakScanner(canaries)
        for role in sorted(name for name, r in policy.roles.items() if not r.raw):
            plan = prepare(canary_ctx, role, CANARY_SQL, {})
            rows = run_plan(canary_ctx.engine, plan, timeout_s=ctx.settings.query_timeout_s, max_rows=100_000)
            table = [list(row) for row in rows.rows]
            for leak in scanner.scan_rows(list(rows.columns), table, CANARY_SQL):
                found.append({"role": role, "check": "canary", "field": leak.canary.label, "form": leak.form})
    return sorted(found, key=lambda r: (r["role"], r["field"], r["form"]))


def _safe_path(path: str) -> str:
    return "<value-like key>" if _VALUE_LIKE.search(path) else path


def _policy_drift(ctx: AppContext, actor: Actor, window: Window) -> list[dict[str, Any]]:
    """One row per field or JSON key the policy does not classify, with the events holding it."""
    del window  # drift is over the whole store
    rows = [f.to_dict() for f in drift(ctx, actor)]
    return [{**r, "path": _safe_path(str(r["path"]))} for r in rows]


# ---- the audit chain ----

# (kind, what audit.verify says): the first match names the problem; the order matters where one
# message contains another's words.
AUDIT_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("entry-edited", "hash does not match its content"),
    ("no-seq", "has no sequence number"),
    ("entries-deleted", "missing (entries deleted)"),
    ("entries-reordered", "(entries reordered or inserted)"),
    ("chain-broken", "does not chain to the entry before it"),
    ("entry-rewritten", "not the bytes trailmask writes"),
    ("entry-damaged", "not a JSON object"),
    ("last-line-incomplete", "the last line is incomplete"),
    ("log-missing", "is missing but"),
    ("head-unsealed", "is not authenticated by the audit key"),
    ("head-unreadable", "is unreadable"),
    ("head-mismatch", "does not match the entry with that seq"),
    ("entries-cut-off", "(entries cut off)"),
    ("head-missing", "head file"),
    ("key-missing", "audit key"),
    ("log-replaced", "does not begin with the first entry recorded"),
)
_HEAD_KINDS = frozenset({"head-missing", "head-unsealed", "head-mismatch", "head-unreadable", "entries-cut-off"})
_LINE = re.compile(r"^line (\d+)(?: \(seq (\d+)\))?")


def audit_problem(problem: str) -> dict[str, Any]:
    """A problem of audit.verify as a row: its kind and position only (no path, no entry content)."""
    kind = "unrecognised"
    for name, words in AUDIT_PROBLEMS:
        if words in problem:
            kind = name
            break
    found = _LINE.match(problem)
    if found:
        position = f"line {found.group(1)}" + (f" (seq {found.group(2)})" if found.group(2) else "")
    else:
        position = "head" if kind in _HEAD_KINDS else "log"
    return {"kind": kind, "position": position}


def _audit_chain(ctx: AppContext, actor: Actor, window: Window) -> list[dict[str, Any]]:
    """One row per problem ``trailmask audit verify`` finds (none while the chain verifies)."""
    del actor, window  # the whole chain, every run
    log = ctx.audit_log
    report = verify_audit_log(log, started=started_hash(ctx, log))
    rows = {(r["kind"], r["position"]): r for r in map(audit_problem, report.problems)}
    return [rows[key] for key in sorted(rows)]


# ---- the raw-access feed ----


def _when(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _raw_access(ctx: AppContext, actor: Actor, window: Window) -> list[dict[str, Any]]:
    """One row per reveal that ran and per approved unmasked run written in the window."""
    del actor
    end = window.end if window.end.tzinfo else window.end.replace(tzinfo=UTC)
    start = window.start - FEED_OVERLAP if window.start else end - FEED_FIRST_LOOKBACK
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    found = []
    for entry in ctx.audit_log.entries():
        if not is_raw_access(entry):
            continue
        when = _when(entry.get("ts"))
        if when is not None and not start <= when < end:  # no readable time: reported (once), not dropped
            continue
        found.append(
            {
                "audit_id": entry_id(entry),
                "time": str(entry.get("ts")),
                "actor": str(entry.get("actor", "")),
                "via": str(entry.get("via", "")),
                "role": str(entry.get("role", "")),
                "action": str(entry.get("action", "")),
                "kind": "reveal" if entry.get("raw_access") else "unmasked-run",
                "approval_id": entry.get("approval") or entry.get("approval_id"),
            }
        )
    return found


# ---- the full verify ----


def verify_finding(finding: Finding) -> dict[str, Any]:
    """A finding of ``trailmask verify`` as a row: no error text, no SQL of a sandbox case."""
    query = finding.query
    if query.startswith("sandbox: "):  # the label is the case's SQL
        query = "sandbox case " + hashlib.sha256(query.encode()).hexdigest()[:12]
    problem = finding.problem
    leak = re.match(r"^canary (.+) \(([a-z0-9]+)\)( in the error)?", problem)
    row: dict[str, Any] = {"role": finding.role, "query": query, "field": None, "form": None}
    if leak:
        row.update(kind="leak-in-error" if leak.group(3) else "leak", field=leak.group(1), form=leak.group(2))
    elif problem.startswith("rejected unexpectedly"):
        row["kind"] = "rejected-unexpectedly"
    elif problem.startswith("accepted by the sandbox"):
        row["kind"] = "sandbox-accepted"
    elif problem.startswith("probe "):
        row.update(kind="oracle", field=problem.split(" ")[1])
    else:
        row["kind"] = "unrecognised"
    return row


def _verify(ctx: AppContext, actor: Actor, window: Window) -> list[dict[str, Any]]:
    """One row per finding of the whole ``trailmask verify`` (none when nothing leaked)."""
    del actor, window  # canary data only
    rows = {tuple(str(v) for v in r.values()): r for r in map(verify_finding, verify(ctx).findings)}
    return [rows[key] for key in sorted(rows)]


CHECKS: dict[str, Check] = {
    "masking-canary": _masking_canary,
    "policy-drift": _policy_drift,
    "audit-chain": _audit_chain,
    "raw-access": _raw_access,
    "verify": _verify,
}


def run_check(ctx: AppContext, actor: Actor, name: str, window: Window | None = None) -> list[dict[str, Any]]:
    """Run one health check for an actor holding ``watches:manage`` (audited as ``health.check``).

    ``window``: the watch's (the raw-access feed reads the entries written in it); by default the
    check has never run and ends now."""
    with audited(ctx, actor, "health.check", check=name) as audit:
        require(ctx, actor, "watches:manage")
        if name not in CHECKS:
            raise NotFound(f"no health check named '{name}'", hint="checks: " + ", ".join(sorted(CHECKS)))
        rows = CHECKS[name](ctx, actor, window or Window(None, datetime.now(UTC)))
        audit.rows = len(rows)
    return rows
