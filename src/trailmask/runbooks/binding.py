"""From the values a caller supplied to the named values the engine binds: the one validation path.

CLI ``-p name=value`` strings, API JSON values and UI form fields all arrive here as a mapping;
what leaves is ``{placeholder: typed value}`` for exactly the runbook's ``$name`` placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from trailmask.errors import UsageError
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.params import bind
from trailmask.runbooks.window import resolve_window


def bind_parameters(
    runbook: Runbook, supplied: Mapping[str, Any], *, masked: bool = False, now: datetime | None = None
) -> dict[str, Any]:
    """Validate ``supplied`` against the runbook's parameters; unknown names are errors."""
    known = [p.name for p in runbook.parameters]
    unknown = sorted(name for name in supplied if name not in known)
    if unknown:
        listing = ", ".join(known) if known else "none"
        raise UsageError(
            f"runbook '{runbook.id}' has no parameter {', '.join(repr(n[:64]) for n in unknown)}",
            hint=f"its parameters: {listing}",
        )
    values = bind(runbook.parameters, supplied, masked=masked)
    if runbook.window is not None:
        values.update(resolve_window(runbook.window, runbook.parameters, supplied, now))
    return {name: values[name] for name in runbook.placeholders}
