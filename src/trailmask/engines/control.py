"""Stopping a running query from outside it: :class:`RunControl`, one per run.

The server gives each run it may be asked to cancel a control and makes it the current one
(:func:`controlled`) in the thread that runs the query; an engine session attaches its own
interrupt to the current control for the length of each statement (:meth:`RunControl.attached`).
:meth:`RunControl.cancel`, from any thread, calls the attached interrupts (DuckDB:
``connection.interrupt()``), and the session then raises QueryCancelled instead of QueryTimeout. A
statement that starts after the cancel is refused before it runs. Without a current control
(CLI, watches, tests) sessions behave as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from trailmask.errors import QueryCancelled

Interrupt = Callable[[], None]


class RunControl:
    """Whether one run was cancelled, and the interrupts of the statements it has running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._finished = False
        self._running: list[Interrupt] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def running(self) -> bool:
        """Is a statement of this run executing in an engine now?"""
        return bool(self._running)

    def finish(self) -> None:
        """The run has ended (answered or failed): a cancel from now on changes nothing."""
        with self._lock:
            self._finished = True

    def cancel(self) -> bool:
        """Cancel the run; True when a running statement was interrupted by it."""
        with self._lock:
            if self._finished:
                return False
            self._cancelled = True
            interrupts = list(self._running)
        for interrupt in interrupts:
            interrupt()
        return bool(interrupts)

    def refuse_if_cancelled(self) -> None:
        if self._cancelled:
            raise QueryCancelled("the run was cancelled by its owner", hint="run it again when needed")

    @contextmanager
    def attached(self, interrupt: Interrupt) -> Iterator[None]:
        """``interrupt`` stops the statement run inside the block when the run is cancelled."""
        with self._lock:
            self.refuse_if_cancelled()
            self._running.append(interrupt)
        try:
            yield
        finally:
            with self._lock:
                self._running.remove(interrupt)


_CURRENT: ContextVar[RunControl | None] = ContextVar("trailmask_run_control", default=None)


def current_control() -> RunControl | None:
    """The control of the run this thread works for, if the caller set one."""
    return _CURRENT.get()


@contextmanager
def controlled(control: RunControl) -> Iterator[RunControl]:
    """Make ``control`` the current one for the block (the queries it runs can be cancelled)."""
    token = _CURRENT.set(control)
    try:
        yield control
    finally:
        _CURRENT.reset(token)
