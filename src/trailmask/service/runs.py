"""Runs the server can stop or answer again: cancel (``run.cancel``) and replay (``run.replay``).

A client names each run with a request id (``X-Request-Id``). The server keeps its runs in memory
(trailmask.api.runs: per process, a few minutes) under the id and the user who sent it, and:

- :func:`cancel_run`: the owner of a run stops it; the query's session is interrupted through the
  run's :class:`RunControl` (trailmask.engines.control) and the query's own entry says
  ``cancelled``. Someone else's run is refused. Audited, whether it stopped something or not.
- :func:`replay_run`: a request resent with the same id (a browser retry, a reload) gets the first
  answer again instead of a second run; the replay is on record with the first run's audit id.

:func:`controlled` makes a control current for the service work of one run (the engine session
attaches to it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from trailmask.engines.control import RunControl, controlled
from trailmask.errors import PermissionDenied, UsageError
from trailmask.models import Actor
from trailmask.service.audited import audited
from trailmask.service.context import AppContext

__all__ = ["REQUEST_ID", "RunControl", "cancel_run", "check_request_id", "controlled", "replay_run", "run_controlled"]

T = TypeVar("T")
REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")


def check_request_id(request_id: str) -> str:
    """``request_id`` when it is 8 to 128 letters, digits, ``.``, ``_``, ``:`` or ``-``; else UsageError."""
    if not REQUEST_ID.match(request_id):
        raise UsageError(
            "a request id is 8 to 128 letters, digits, '.', '_', ':' or '-'",
            hint="send a UUID in X-Request-Id",
        )
    return request_id


def _owned(actor: Actor, owner: Actor, request_id: str) -> None:
    if (owner.name, owner.via) != (actor.name, actor.via):
        raise PermissionDenied(f"run {request_id} belongs to another user: only its owner may cancel or resend it")


def cancel_run(ctx: AppContext, actor: Actor, request_id: str, *, owner: Actor, control: RunControl) -> bool:
    """Cancel the run ``request_id`` of ``owner`` (only the owner may); True when a query was stopped.

    A run that has not started yet is refused when it starts; one that already ended is left as it
    ended (False).
    """
    with audited(ctx, actor, "run.cancel", run_id=request_id) as audit:
        check_request_id(request_id)
        _owned(actor, owner, request_id)
        stopped = control.cancel()
        audit.details["stopped"] = stopped
        return stopped


def replay_run(ctx: AppContext, actor: Actor, request_id: str, *, owner: Actor, audit_id: str | None) -> None:
    """Record that the answer of run ``request_id`` (audit entry ``audit_id``) is sent again to its owner."""
    with audited(ctx, actor, "run.replay", run_id=request_id, original=audit_id):
        check_request_id(request_id)
        _owned(actor, owner, request_id)


def run_controlled(control: RunControl, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with ``control`` current: its queries stop when the run is cancelled."""
    with controlled(control):
        return fn(*args, **kwargs)
