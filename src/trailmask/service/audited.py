"""The one audited entry point: every service operation runs inside :func:`audited`.

``with audited(ctx, actor, action, **details) as audit:`` writes exactly one audit entry for the
block, *before* the block's answer leaves the service, whatever happens in it:

- the block returns: outcome ``ok``, with what the block added (``audit.rows``, ``audit.profile``,
  ``audit.details``);
- a :class:`~trailmask.errors.TrailmaskError` (a denial, a rejected query, a failure): outcome is
  the error's kind (``permission_denied``, ``query_rejected``, ...), then the error propagates;
- any other exception (a bug, a library error): outcome ``error`` and the exception's class, then
  it propagates (the interface answers 500; the attempt is on record all the same).

Query operations pass their :class:`~trailmask.models.QueryRequest` as ``request=`` and get the
query entry shape (SQL fingerprint and shape, runbook, parameters, rows, masking profile,
duration); other operations get an event entry (``action`` plus ``details``). If the entry cannot
be written the operation fails with AuditError: nothing is answered unrecorded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from trailmask.errors import TrailmaskError
from trailmask.models import Actor, QueryRequest
from trailmask.service.auditing import record, record_event
from trailmask.service.context import AppContext


@dataclass
class Audit:
    """What an operation adds to its entry while it runs."""

    request: QueryRequest | None = None
    rows: int = 0
    profile: str = ""
    elapsed_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    entry_id: str | None = None
    delegated: bool = False

    def delegate(self) -> None:
        """From here on an inner audited operation (run_query) writes the entry; this block writes none."""
        self.delegated = True


def _write(
    ctx: AppContext, actor: Actor, action: str, audit: Audit, outcome: str, started: float, **extra: Any
) -> str | None:
    elapsed = audit.elapsed_ms if audit.elapsed_ms is not None else (time.perf_counter() - started) * 1000
    if audit.request is not None:
        return record(
            ctx,
            actor,
            audit.request,
            outcome=outcome,
            elapsed_ms=elapsed,
            rows=audit.rows,
            profile=audit.profile,
            engine_error=extra.get("engine_error"),
        )
    return record_event(ctx, actor, action, outcome=outcome, **{**audit.details, **extra})


@contextmanager
def audited(
    ctx: AppContext, actor: Actor, action: str, *, request: QueryRequest | None = None, **details: Any
) -> Iterator[Audit]:
    """Run the block as one audited operation (see the module docstring)."""
    audit = Audit(request=request, details=dict(details))
    started = time.perf_counter()
    try:
        yield audit
    except TrailmaskError as exc:
        if not audit.delegated:
            engine = getattr(exc, "engine_message", None)  # the full text, for audit readers (issue 12.4)
            _write(ctx, actor, action, audit, exc.kind, started, engine_error=engine[:4000] if engine else None)
        raise
    except Exception as exc:
        if not audit.delegated:
            _write(ctx, actor, action, audit, "error", started, error=type(exc).__name__)
        raise
    if not audit.delegated:
        audit.entry_id = _write(ctx, actor, action, audit, "ok", started)
