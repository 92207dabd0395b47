"""Cases: notes, pinned results and pinned rows collected into an incident (docs/web.md "Cases").

A case lives in the server state (service.statedb) and belongs to the user who opened it; only the
owner changes it. It is visible to its owner and to roles with ``cases:read``. Every operation is
one audited entry (``case.*``), with ids and counts only: never a title, a note or a row.

What a case holds is what its owner saw, never more:

- a pinned result or row names the run it came from by audit id; the server checks that the run is
  on record as the owner's own successful run and takes its runbook, parameters, row count, time
  and **masking profile** from the audit entry, not from the client;
- the rows are stored as the owner's screen showed them, under that profile. A reader is shown
  them only when the reader's own profile is the same one or the reader's role is raw; anyone
  else gets the item with its rows withheld and the runbook to re-run under their own view. A
  case therefore never shows a reader more than their role would (an unmasked break-glass result,
  profile ``raw``, is shown to raw roles only, its owner included);
- parameters and SQL text (what someone typed) are shown to the owner and to ``audit:raw``
  readers, as the audit log does; notes and the title are shown as written.

Exports (Markdown, JSON) and sends (a monitoring destination: webhook, Slack, PagerDuty, e-mail)
render the exporter's view of the case.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from trailmask.audit.fingerprint import sql_fingerprint
from trailmask.audit.log import entry_id
from trailmask.audit.view import MASKED
from trailmask.errors import Conflict, NotFound, PermissionDenied, Unreachable, UsageError
from trailmask.models import Actor
from trailmask.monitor.deliver import deliver_with_retries
from trailmask.service.audited import audited
from trailmask.service.auditing import audit_log
from trailmask.service.authz import decide, require_role
from trailmask.service.case_report import to_json, to_markdown
from trailmask.service.context import AppContext
from trailmask.service.prepare import profile_name
from trailmask.service.statedb import connect, now, read
from trailmask.service.watches import monitoring

MAX_TITLE = 200
MAX_NOTE = 10_000
MAX_ROWS = 1_000  # rows kept of one pinned result (the case says how many the run returned)
MAX_COLUMNS = 200
MAX_ITEM_BYTES = 900_000  # below the server's default 1 MiB request body
MAX_ITEMS = 500
STATUSES = ("open", "closed")
FORMATS = ("markdown", "json")
_AUDIT_ID = re.compile(r"^[0-9]{1,15}:[0-9a-f]{16}$")
_CASE_ID = re.compile(r"^case_[0-9a-f]{16}$")
_RUN_ACTIONS = ("runbook", "sql")
_ITEM_COLUMNS = (
    "id", "case_id", "position", "kind", "created_at", "note", "audit_id", "action", "runbook", "params",
    "sql", "run_at", "profile", "columns", "rows", "row_count",
)  # fmt: skip


def _text(value: str | None, name: str, limit: int, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise UsageError(f"a case {name} must not be empty")
    if len(text) > limit:
        raise UsageError(f"a case {name} holds at most {limit} characters ({len(text)} given)")
    return text or None


def _load(conn: sqlite3.Connection, case_id: str) -> dict[str, Any] | None:
    if not _CASE_ID.match(case_id):
        return None
    row = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    return None if row is None else dict(row)


def _items(conn: sqlite3.Connection, case_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM case_items WHERE case_id = ? ORDER BY position", (case_id,)).fetchall()
    found = []
    for row in rows:
        item = dict(row)
        for name in ("params", "columns", "rows"):
            item[name] = json.loads(item[name]) if item[name] is not None else None
        found.append(item)
    return found


def _readable(ctx: AppContext, actor: Actor, case: Mapping[str, Any] | None, case_id: str) -> Mapping[str, Any]:
    """The case when ``actor`` may read it; otherwise NotFound (a case one may not read does not exist)."""
    if case is None or (case["owner"] != actor.name and not decide(ctx, actor, "cases:read").allowed):
        raise NotFound(f"no case {case_id} that you may read", hint="`GET /api/cases` lists yours")
    return case


def _owned(ctx: AppContext, actor: Actor, conn: sqlite3.Connection, case_id: str) -> Mapping[str, Any]:
    case = _readable(ctx, actor, _load(conn, case_id), case_id)
    if case["owner"] != actor.name:
        raise PermissionDenied(f"case {case_id} belongs to {case['owner']}: only its owner changes it")
    return case


def _touch(conn: sqlite3.Connection, case_id: str) -> None:
    conn.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (now(), case_id))


def _reader_profile(ctx: AppContext, actor: Actor) -> str:
    """The masking profile the actor's queries run under (``raw`` for a raw role)."""
    require_role(ctx, actor.role)
    return profile_name(ctx.policy, actor.role, ctx.policy.roles[actor.role].raw)


def _item_view(item: dict[str, Any], *, profile: str, raw_role: bool, sees_typed: bool) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if k not in ("case_id", "position")}
    if not sees_typed:
        if shown.get("params"):
            shown["params"] = {name: MASKED for name in shown["params"]}
        if shown.get("sql"):
            shown["sql"] = MASKED
    if item["kind"] != "note" and not (raw_role or item["profile"] == profile):
        shown["rows"] = []
        what = f"re-run runbook {item['runbook']}" if item.get("runbook") else "re-run the query"
        shown["withheld"] = f"pinned under the view {item['profile']}, not yours ({profile}); {what} to see your view"
    return shown


def _view(ctx: AppContext, actor: Actor, case: Mapping[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    profile = _reader_profile(ctx, actor)
    raw_role = ctx.policy.roles[actor.role].raw
    sees_typed = case["owner"] == actor.name or decide(ctx, actor, "audit:raw").allowed
    shown = [_item_view(i, profile=profile, raw_role=raw_role, sees_typed=sees_typed) for i in items]
    runs: dict[str, dict[str, Any]] = {}
    for item in shown:
        if item.get("audit_id") and item["audit_id"] not in runs:
            runs[item["audit_id"]] = {k: item.get(k) for k in ("audit_id", "run_at", "action", "runbook")}
            runs[item["audit_id"]]["rows"] = item.get("row_count")
    return {
        **{k: case[k] for k in ("id", "owner", "title", "status", "created_at", "updated_at")},
        "reader": actor.name,
        "reader_role": actor.role,
        "reader_profile": profile,
        "exported_at": now(),
        "runs": list(runs.values()),
        "items": shown,
    }


def create_case(ctx: AppContext, actor: Actor, title: str) -> dict[str, Any]:
    """Open a case owned by ``actor`` (any signed-in user may keep cases of their own)."""
    with audited(ctx, actor, "case.create") as audit:
        text = _text(title, "title", MAX_TITLE, required=True)
        require_role(ctx, actor.role)
        case_id, stamp = f"case_{secrets.token_hex(8)}", now()
        with connect(ctx) as conn:
            conn.execute(
                "INSERT INTO cases (id, owner, owner_role, title, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'open', ?, ?)",
                (case_id, actor.name, actor.role, text, stamp, stamp),
            )
        audit.details["case_id"] = case_id
        return _view(ctx, actor, _load_case(ctx, case_id), [])


def _load_case(ctx: AppContext, case_id: str) -> Mapping[str, Any]:
    with read(ctx) as conn:
        case = _load(conn, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def list_cases(ctx: AppContext, actor: Actor) -> list[dict[str, Any]]:
    """One's own cases; every case for ``cases:read``. Newest first, without their items."""
    with audited(ctx, actor, "case.list") as audit:
        every = decide(ctx, actor, "cases:read").allowed
        query = "SELECT c.*, (SELECT COUNT(*) FROM case_items i WHERE i.case_id = c.id) AS items FROM cases c"
        with read(ctx) as conn:
            if every:
                rows = conn.execute(query + " ORDER BY updated_at DESC, id").fetchall()
            else:
                rows = conn.execute(query + " WHERE owner = ? ORDER BY updated_at DESC, id", (actor.name,)).fetchall()
        found = [
            {k: row[k] for k in ("id", "owner", "title", "status", "created_at", "updated_at", "items")} for row in rows
        ]
        audit.details["cases"] = len(found)
        return found


def get_case(ctx: AppContext, actor: Actor, case_id: str) -> dict[str, Any]:
    """The case as ``actor`` may see it (see the module docstring)."""
    with audited(ctx, actor, "case.read", case_id=case_id):
        view = _read_view(ctx, actor, case_id)
        if view["owner"] == actor.name:  # where the owner may send it (names only)
            view["destinations"] = sorted(monitoring(ctx)[1])
        return view


def _read_view(ctx: AppContext, actor: Actor, case_id: str) -> dict[str, Any]:
    with read(ctx) as conn:
        case = _readable(ctx, actor, _load(conn, case_id), case_id)
        items = _items(conn, case_id)
    return _view(ctx, actor, case, items)


def _add_item(ctx: AppContext, actor: Actor, case_id: str, item: dict[str, Any]) -> dict[str, Any]:
    with connect(ctx) as conn:
        case = _owned(ctx, actor, conn, case_id)
        if case["status"] != "open":
            raise Conflict(f"case {case_id} is closed", hint="reopen it to add to it")
        count, last = conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM case_items WHERE case_id = ?", (case_id,)
        ).fetchone()
        if count >= MAX_ITEMS:
            raise Conflict(f"case {case_id} already holds {MAX_ITEMS} items", hint="open another case")
        stored = {name: None for name in _ITEM_COLUMNS} | item
        stored |= {"id": f"item_{secrets.token_hex(6)}", "case_id": case_id, "position": last + 1, "created_at": now()}
        values = [
            json.dumps(stored[n]) if n in ("params", "columns", "rows") and stored[n] is not None else stored[n]
            for n in _ITEM_COLUMNS
        ]
        conn.execute(
            f"INSERT INTO case_items ({', '.join(_ITEM_COLUMNS)}) VALUES ({', '.join('?' * len(_ITEM_COLUMNS))})",
            values,
        )
        _touch(conn, case_id)
    return stored


def add_note(ctx: AppContext, actor: Actor, case_id: str, text: str) -> dict[str, Any]:
    """Add a note (the owner only; shown as written to everyone who may read the case)."""
    with audited(ctx, actor, "case.note", case_id=case_id) as audit:
        note = _text(text, "note", MAX_NOTE, required=True)
        stored = _add_item(ctx, actor, case_id, {"kind": "note", "note": note})
        audit.details["item_id"] = stored["id"]
        return _read_view(ctx, actor, case_id)


def _run_entry(ctx: AppContext, actor: Actor, audit_id: str) -> Mapping[str, Any]:
    """The audit entry of ``actor``'s own successful runbook or SQL run ``audit_id``."""
    if not _AUDIT_ID.match(audit_id):
        raise UsageError("audit_id must look like SEQ:HASH (the audit id a result shows)")
    seq = int(audit_id.split(":", 1)[0])
    found = audit_log(ctx).newest(1, before_seq=seq + 1)
    entry = found[0] if found else None
    if (
        entry is None
        or entry_id(entry) != audit_id
        or entry.get("actor") != actor.name
        or entry.get("action") not in _RUN_ACTIONS
        or entry.get("outcome") != "ok"
    ):
        raise NotFound(f"no successful run {audit_id} of yours is on record", hint="pin a result you ran")
    if not entry.get("profile"):
        raise Conflict(f"run {audit_id} has no masking profile on record: it cannot be pinned")
    return entry


def _check_rows(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], *, kind: str, returned: int) -> None:
    if len(columns) > MAX_COLUMNS or any(not isinstance(c, str) or not c or len(c) > 200 for c in columns):
        raise UsageError(f"columns must be up to {MAX_COLUMNS} names of 1-200 characters")
    if kind == "row" and len(rows) != 1:
        raise UsageError("a pinned row holds exactly one row")
    if len(rows) > min(returned, MAX_ROWS):
        raise UsageError(f"the run returned {returned} rows: at most {min(returned, MAX_ROWS)} can be pinned")
    known = set(columns)
    if any(set(row) - known for row in rows):
        raise UsageError("every row key must be one of `columns`")
    if len(json.dumps(rows, default=str)) > MAX_ITEM_BYTES:
        raise UsageError(f"a pinned item holds at most {MAX_ITEM_BYTES} bytes of rows")


def pin(
    ctx: AppContext,
    actor: Actor,
    case_id: str,
    *,
    audit_id: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    kind: str = "result",
    sql: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Pin a result (or one row of it) of the owner's own run ``audit_id`` to the case."""
    with audited(ctx, actor, "case.pin", case_id=case_id, audit_ref=audit_id, kind=kind) as audit:
        if kind not in ("result", "row"):
            raise UsageError("kind must be 'result' or 'row'")
        entry = _run_entry(ctx, actor, audit_id)
        returned = int(entry.get("rows") or 0)
        _check_rows(columns, rows, kind=kind, returned=returned)
        if sql is not None and (entry.get("action") != "sql" or sql_fingerprint(sql) != entry.get("sql_fingerprint")):
            raise UsageError(f"`sql` is not the query run {audit_id} ran")
        item = {
            "kind": kind,
            "note": _text(note, "note", MAX_NOTE, required=False),
            "audit_id": audit_id,
            "action": entry["action"],
            "runbook": entry.get("runbook"),
            "params": entry.get("params") or None,
            "sql": sql,
            "run_at": entry.get("ts"),
            "profile": "raw" if entry.get("unmasked") else str(entry["profile"]),
            "columns": list(columns),
            "rows": [dict(row) for row in rows],
            "row_count": returned,
        }
        stored = _add_item(ctx, actor, case_id, item)
        audit.details["rows"] = len(rows)
        audit.details["item_id"] = stored["id"]
        return _read_view(ctx, actor, case_id)


def remove_item(ctx: AppContext, actor: Actor, case_id: str, item_id: str) -> dict[str, Any]:
    with audited(ctx, actor, "case.unpin", case_id=case_id, item_id=item_id):
        with connect(ctx) as conn:
            _owned(ctx, actor, conn, case_id)
            gone = conn.execute("DELETE FROM case_items WHERE id = ? AND case_id = ?", (item_id, case_id)).rowcount
            if not gone:
                raise NotFound(f"case {case_id} has no item {item_id}")
            _touch(conn, case_id)
        return _read_view(ctx, actor, case_id)


def set_status(ctx: AppContext, actor: Actor, case_id: str, status: str) -> dict[str, Any]:
    """Close or reopen a case (a closed case takes no new items)."""
    with audited(ctx, actor, "case.status", case_id=case_id, status=status):
        if status not in STATUSES:
            raise UsageError(f"status must be one of {', '.join(STATUSES)}")
        with connect(ctx) as conn:
            _owned(ctx, actor, conn, case_id)
            conn.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (status, now(), case_id))
        return _read_view(ctx, actor, case_id)


def export_case(ctx: AppContext, actor: Actor, case_id: str, fmt: str) -> str:
    """The case as Markdown or JSON, in the exporter's view."""
    with audited(ctx, actor, "case.export", case_id=case_id, format=fmt) as audit:
        if fmt not in FORMATS:
            raise UsageError(f"format must be one of {', '.join(FORMATS)}")
        view = _read_view(ctx, actor, case_id)
        audit.details["rows"] = sum(len(item.get("rows") or []) for item in view["items"])
        return to_markdown(view) if fmt == "markdown" else to_json(view)


def _payload(view: Mapping[str, Any]) -> dict[str, Any]:
    rows = [{"item": n, **row} for n, item in enumerate(view["items"], start=1) for row in (item.get("rows") or [])][
        :50
    ]
    summary = f"trailmask case {view['id']} '{view['title']}': {len(view['items'])} item(s), {len(view['runs'])} run(s)"
    return {
        "kind": "case",
        "watch": f"case {view['id']}",
        "summary": summary[:500],
        "dedup_key": view["id"],
        "role": view["reader_role"],
        "runbook": None,
        "rows": rows,
        "case": dict(view),
        "markdown": to_markdown(view),
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def send_case(ctx: AppContext, actor: Actor, case_id: str, destination: str) -> dict[str, Any]:
    """Send the owner's view of the case to a configured monitoring destination (the owner only)."""
    with audited(ctx, actor, "case.send", case_id=case_id, destination=destination) as audit:
        with read(ctx) as conn:
            _owned(ctx, actor, conn, case_id)
        _, destinations = monitoring(ctx)
        target = destinations.get(destination)
        if target is None:
            known = ", ".join(sorted(destinations)) or "none is configured"
            raise NotFound(
                f"no destination '{destination}' (configured: {known})",
                hint='see "Monitoring: watches and alert destinations" in the trailmask documentation',
            )
        view = _read_view(ctx, actor, case_id)
        attempts: list[str | None] = []
        delivery_id = f"{case_id}-{secrets.token_hex(4)}"
        delivered = deliver_with_retries(
            target, _payload(view), delivery_id, on_attempt=lambda _n, e: attempts.append(e)
        )
        audit.details.update(attempts=len(attempts), delivery_id=delivery_id)
        if not delivered:
            raise Unreachable(
                f"destination '{destination}' did not accept case {case_id} after {len(attempts)} attempt(s)"
                f" (last: {attempts[-1] if attempts else 'no attempt'})"
            )
        return {"case_id": case_id, "destination": destination, "delivery_id": delivery_id, "attempts": len(attempts)}
