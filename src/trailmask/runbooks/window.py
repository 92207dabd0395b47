"""The time window every runbook takes.

A runbook declares ``window: 24h`` (its default look-back). That gives it three standard inputs:
``since`` (a duration back from ``end``, or ``all``), ``start`` and ``end`` (timestamps, UTC). Only
``$start`` and ``$end`` appear in the SQL, always as::

    ($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)

``since=all`` binds both as NULL, so "all time" also covers records whose eventTime is missing
(some real test data lacks it); any explicit bound excludes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from trailmask.errors import UsageError
from trailmask.runbooks.model import Parameter, Window
from trailmask.runbooks.params import convert, parse_duration

ALL = "all"
WINDOW_PREDICATE = "($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)"


def window_parameters(window: Window) -> tuple[Parameter, ...]:
    """The standard parameters a window adds, documented like any other parameter."""
    return (
        Parameter(
            name="since",
            type="string",
            description=f"How far back from `end`: a duration (30m, 24h, 7d) or `all`; default {window.default}.",
            default=window.default,
            pattern=r"(?i)all|(\d+[wdhms])+",
            example=window.default,
            window=True,
        ),
        Parameter(
            name="start",
            type="timestamp",
            description="Start of the window (ISO-8601, UTC unless an offset is given); overrides `since`.",
            example="2024-05-01T00:00:00Z",
            window=True,
        ),
        Parameter(
            name="end",
            type="timestamp",
            description="End of the window, exclusive (ISO-8601); default: now.",
            example="2024-05-02T00:00:00Z",
            window=True,
        ),
    )


def _given(supplied: Mapping[str, Any], name: str) -> Any:
    value = supplied.get(name)
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def resolve_window(
    window: Window, params: tuple[Parameter, ...], supplied: Mapping[str, Any], now: datetime | None = None
) -> dict[str, datetime | None]:
    """Bound values for ``$start``/``$end`` from since/start/end as supplied (naive UTC datetimes)."""
    by_name = {p.name: p for p in params if p.window}
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    since_raw, start_raw, end_raw = (_given(supplied, n) for n in ("since", "start", "end"))
    if since_raw is not None and start_raw is not None:
        raise UsageError("give either parameter 'since' or parameter 'start', not both")
    end = convert(by_name["end"], end_raw) if end_raw is not None else None
    if start_raw is not None:
        start = convert(by_name["start"], start_raw)
        _check_span(window, start, end or moment)
        return {"start": start, "end": end or moment}
    since_text = str(convert(by_name["since"], since_raw if since_raw is not None else window.default))
    if since_text.strip().lower() == ALL:
        if window.maximum:
            raise UsageError(f"parameter 'since' cannot be 'all': this runbook looks back at most {window.maximum}")
        return {"start": None, "end": end}
    span = parse_duration(since_text)
    if span <= timedelta(0):
        raise UsageError("parameter 'since' must be longer than zero")
    upper = end or moment
    _check_span(window, upper - span, upper)
    return {"start": upper - span, "end": end or moment}


def _check_span(window: Window, start: datetime, end: datetime) -> None:
    if start >= end:
        raise UsageError("the time window is empty: 'start' must be before 'end'")
    if window.maximum and end - start > parse_duration(window.maximum):
        raise UsageError(f"the time window is longer than this runbook's maximum of {window.maximum}")
