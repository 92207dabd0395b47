"""This server process's runs by request id: one run per id and user, and its cancel switch.

A client sends ``X-Request-Id`` (8-128 characters: a UUID) with a query route
(``POST /api/runbooks/{id}/run``, ``POST /api/sql``). The run is kept here, in memory, under the
id and the user (name and sign-in kind) who sent it:

- the same request sent again with the same id (Chromium resending it on a dropped connection, a
  client retrying) waits for the first run and gets its answer, or its error, again: the query
  never runs twice (audited ``run.replay``, service.runs). The same id with another body or role
  is a 409 ``conflict``.
- ``POST /api/runs/{id}/cancel`` by the run's owner interrupts its query (service.runs.cancel_run);
  a cancel that arrives before the run leaves a cancelled run behind, so the run, when it
  arrives, is refused without touching the data.
- The work runs as a task of its own, so a client that goes away does not stop it half-recorded.
  Ended runs are kept for ``keep_s`` (5 minutes), at most ``max_kept`` of them (the oldest go
  first); runs in flight are always kept. Runs are per process and lost on restart.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from trailmask.errors import Conflict
from trailmask.models import Actor
from trailmask.service.runs import RunControl

T = TypeVar("T")
KEEP_S = 300.0
MAX_KEPT = 64


@dataclass
class Run:
    owner: Actor
    request_id: str
    fingerprint: str | None  # None: cancelled before the request arrived
    control: RunControl = field(default_factory=RunControl)
    task: asyncio.Task[Any] | None = None
    created: float = field(default_factory=time.monotonic)
    ended: float | None = None


def _key(actor: Actor, request_id: str) -> tuple[str, str, str]:
    return (actor.name, actor.via, request_id)


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a run's exception as seen (each waiter re-raises it; none may be left waiting)."""
    if not task.cancelled():
        task.exception()


class Runs:
    """The runs of one app (see the module docstring)."""

    def __init__(self, *, keep_s: float = KEEP_S, max_kept: int = MAX_KEPT) -> None:
        self.keep_s = keep_s
        self.max_kept = max_kept
        self._runs: dict[tuple[str, str, str], Run] = {}

    def _expire(self) -> None:
        now = time.monotonic()
        for key, run in list(self._runs.items()):
            ended = run.ended if run.task is not None else run.created
            if ended is not None and now - ended > self.keep_s:
                del self._runs[key]
        ended_runs = sorted((r.ended or r.created, k) for k, r in self._runs.items() if r.task is None or r.ended)
        for _, key in ended_runs[: max(0, len(ended_runs) - self.max_kept)]:
            del self._runs[key]

    def for_cancel(self, actor: Actor, request_id: str) -> Run:
        """The run ``request_id`` to cancel: the actor's own, else another user's (the service
        refuses that one), else a new cancelled-before-it-came run of the actor's."""
        self._expire()
        own = self._runs.get(_key(actor, request_id))
        if own is not None:
            return own
        other = next((r for r in self._runs.values() if r.request_id == request_id), None)
        if other is not None:
            return other
        run = Run(owner=actor, request_id=request_id, fingerprint=None)
        self._runs[_key(actor, request_id)] = run
        return run

    async def once(
        self,
        actor: Actor,
        request_id: str,
        fingerprint: str,
        work: Callable[[RunControl], Awaitable[T]],
        on_replay: Callable[[Any], Awaitable[None]],
    ) -> T:
        """``work(control)`` run once for (actor, request_id); a resend waits for the same answer.

        ``on_replay(answer_or_error)`` records a resend before it is answered.
        """
        self._expire()
        key = _key(actor, request_id)
        run = self._runs.get(key)
        if run is not None and run.fingerprint is not None and run.fingerprint != fingerprint:
            raise Conflict(
                f"request id {request_id} was already used for another request",
                hint="send a new X-Request-Id with each new request",
            )
        if run is not None and run.task is not None:
            try:
                answer: T = await asyncio.shield(run.task)
            except Exception as exc:
                await on_replay(exc)
                raise
            await on_replay(answer)
            return answer
        if run is None:
            run = Run(owner=actor, request_id=request_id, fingerprint=fingerprint)
            self._runs[key] = run
        run.fingerprint = fingerprint
        current = run

        async def tracked() -> T:
            try:
                return await work(current.control)
            finally:
                current.control.finish()
                current.ended = time.monotonic()

        run.task = asyncio.ensure_future(tracked())
        run.task.add_done_callback(_retrieve)
        return await asyncio.shield(run.task)
