"""The server's watch scheduler: a background task of the app's lifespan, one tick every TICK_S.

Each tick runs ``service.watches.run_due`` in a worker thread: pending deliveries left by a previous
process first, then every watch that is due (a missed schedule catches up over its window).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from trailmask.service.context import AppContext
from trailmask.service.watches import run_due

TICK_S = 30.0
log = logging.getLogger("trailmask.watches")


async def _loop(ctx: AppContext, tick_s: float) -> None:
    while True:
        try:
            await asyncio.to_thread(run_due, ctx)
        except Exception as exc:  # a tick that fails (bad config read, state file) is retried next tick
            log.warning("watch scheduler tick failed: %s", type(exc).__name__)
        await asyncio.sleep(tick_s)


def lifespan(ctx: AppContext, tick_s: float = TICK_S) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app lifespan: starts the scheduler when the config declares monitoring (any watch or
    destination); the built-in health watches then run with the configured ones."""

    @asynccontextmanager
    async def run(_app: FastAPI) -> AsyncIterator[None]:
        configured = bool(ctx.settings.watches or ctx.settings.destinations)
        task = asyncio.create_task(_loop(ctx, tick_s)) if configured else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return run
