"""Running a runbook the way every Spark test module does: the wide window, required parameters
from their examples, and a refusal or failure kept as text so both engines' outcomes compare."""

from __future__ import annotations

from typing import Any

from trailmask.errors import TrailmaskError
from trailmask.models import Actor, QueryResult
from trailmask.service.context import AppContext
from trailmask.service.runbooks import run_runbook

THREADS = 3  # Spark runs are submitted from a few threads, as a server would
WINDOW = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}


def runbook_params(runbook: Any) -> dict[str, Any]:
    """The wide window (for windowed runbooks) and each required parameter's example."""
    params: dict[str, Any] = dict(WINDOW) if runbook.window else {}
    for parameter in runbook.parameters:
        if parameter.required and not parameter.window and parameter.example is not None:
            params[parameter.name] = parameter.example
    return params


def attempt(ctx: AppContext, actor: Actor, runbook: Any) -> QueryResult | str:
    """The runbook's result, or ``"ErrorKind: message"`` when it is refused or fails."""
    try:
        return run_runbook(ctx, actor, runbook.id, runbook_params(runbook))
    except TrailmaskError as exc:
        return f"{type(exc).__name__}: {exc}"
