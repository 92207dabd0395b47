"""Audit records for every data request, written to the hash-chained log before the answer.

``record`` is called by the query path for every request (allowed, denied, failed); ``record_event``
by users, approvals, reveal and audit reads. Both raise AuditError when the entry cannot be
written, so the request fails rather than answering unrecorded.

What an entry holds (docs/audit.md): who (actor, via, role), what (action, runbook, parameters
with secret-named ones hidden, SQL fingerprint and shape, the SQL text only when the config says
``audit: {store_sql_text: true}``), how it went (outcome, rows, masking profile, duration), and the
approval and HTTP request it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from trailmask.audit import AuditLog, entry_id, sql_fingerprint, sql_shape
from trailmask.audit.view import hide_secret_params, is_raw_access, reader_view
from trailmask.errors import AuditError, TrailmaskError
from trailmask.models import Actor, QueryRequest
from trailmask.service.audit_anchor import ensure_anchor
from trailmask.service.authz import current_grant, decide, require
from trailmask.service.catalog import runbook_ids
from trailmask.service.context import AppContext

_REQUEST: ContextVar[Mapping[str, Any] | None] = ContextVar("trailmask_request_info", default=None)


@contextmanager
def request_info(**info: Any) -> Iterator[None]:
    """Attach interface details (request id, client address) to the entries written in this block."""
    token = _REQUEST.set(info)
    try:
        yield
    finally:
        _REQUEST.reset(token)


def audit_log(ctx: AppContext) -> AuditLog:
    """The store's audit log (``<db>.audit.jsonl`` unless ``audit: {path: ...}`` says otherwise)."""
    return ctx.audit_log


def _append(ctx: AppContext, body: Mapping[str, Any]) -> str:
    """Append ``body`` and make sure the state anchors the log (service.audit_anchor)."""
    log = audit_log(ctx)
    entry = log.append(body)
    try:
        ensure_anchor(ctx, log, int(entry["seq"]), str(entry["hash"]))
    except TrailmaskError as exc:
        raise AuditError(f"could not anchor the audit log in the server state ({exc})") from None
    return entry_id(entry)


def _who(actor: Actor) -> dict[str, Any]:
    body: dict[str, Any] = {"actor": actor.name, "via": actor.via, "role": actor.role}
    info = _REQUEST.get()
    if info:
        body.update({k: v for k, v in info.items() if v is not None})
    grant = current_grant()
    if grant:
        body["approval"] = grant
    return body


def record(
    ctx: AppContext,
    actor: Actor,
    request: QueryRequest,
    *,
    outcome: str,
    elapsed_ms: float,
    rows: int = 0,
    profile: str = "",
    engine_error: str | None = None,
) -> str | None:
    """Append the entry for one query request; returns its id ("SEQ:HASH-PREFIX").

    ``engine_error``: the engine's own message of a failed run (shown to ``audit:raw`` readers only)."""
    body = _who(actor)
    body.update(
        {
            "action": request.kind,
            "outcome": outcome,
            "rows": rows,
            "profile": profile,
            "duration_ms": round(elapsed_ms, 3),
            "sql_fingerprint": sql_fingerprint(request.sql),
        }
    )
    if request.runbook_id:
        body["runbook"] = request.runbook_id
    if request.params:
        body["params"] = hide_secret_params(request.params)
    if request.unmasked:
        body["unmasked"] = True
    if engine_error:
        body["engine_error"] = engine_error
    if request.kind != "runbook":
        body["sql_shape"] = sql_shape(request.sql)
        if ctx.settings.audit.store_sql_text:
            body["sql"] = request.sql
    return _append(ctx, body)


def record_event(ctx: AppContext, actor: Actor, action: str, *, outcome: str = "ok", **details: Any) -> str:
    """Append an entry for a non-query action (user admin, approvals, reveal, audit read)."""
    body = _who(actor)
    body.update({"action": action, "outcome": outcome})
    body.update({k: v for k, v in details.items() if v is not None})
    return _append(ctx, body)


def read_entries(
    ctx: AppContext, reader: Actor, *, limit: int = 100, before: int | None = None, raw_access: bool = False
) -> list[dict[str, Any]]:
    """Newest entries first, masked per the reader's role; the read itself is recorded first.

    ``raw_access``: only the raw-access feed (reveals and unmasked runs, audit.view.is_raw_access).
    """
    try:
        require(ctx, reader, "audit:read")
    except TrailmaskError as exc:
        record_event(ctx, reader, "audit.read", outcome=exc.kind)
        raise
    raw = decide(ctx, reader, "audit:raw").allowed
    record_event(ctx, reader, "audit.read", limit=limit, before=before, feed="raw-access" if raw_access else None)
    known = () if raw else _known_runbooks(ctx)
    entries = audit_log(ctx).newest(limit, before_seq=before, where=is_raw_access if raw_access else None)
    return [reader_view(entry, raw=raw, known_runbooks=known) for entry in entries]


def _known_runbooks(ctx: AppContext) -> frozenset[str]:
    """The catalog's runbook ids (none when it cannot be loaded: then every runbook id is hidden)."""
    try:
        return runbook_ids(ctx)
    except TrailmaskError:
        return frozenset()
