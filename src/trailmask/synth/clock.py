"""Event timing: a diurnal/weekly activity curve and CloudTrail time formats."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from functools import lru_cache

DEFAULT_START = datetime(2026, 11, 1, tzinfo=UTC)
"""Default start of the generated window (tz-aware UTC)."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Relative activity per UTC hour on a weekday (office hours in Europe/US east).
_HOUR_WEIGHTS = (
    0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.9, 1.4, 2.4, 3.0, 3.2, 3.1,
    2.8, 3.2, 3.6, 3.4, 3.1, 2.6, 2.0, 1.5, 1.2, 1.0, 0.8, 0.7,
)  # fmt: skip
_WEEKEND_FACTOR = 0.4
_OUT_OF_ORDER_RATE = 0.02
_MAX_LAG_SECONDS = 240


def to_epoch(start: datetime | None) -> int:
    """Return whole epoch seconds for ``start`` (naive values are taken as UTC)."""
    if start is None:
        start = DEFAULT_START
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return int(start.timestamp())


@lru_cache(maxsize=4096)
def _day_prefix(day: int) -> str:
    """``YYYY-MM-DDT`` for a day number counted from the Unix epoch."""
    return (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%dT")


def fmt_time(epoch: int) -> str:
    """Format epoch seconds as CloudTrail's ``YYYY-MM-DDTHH:MM:SSZ``."""
    day, rem = divmod(epoch, 86400)
    hour, rem = divmod(rem, 3600)
    minute, second = divmod(rem, 60)
    return f"{_day_prefix(day)}{hour:02d}:{minute:02d}:{second:02d}Z"


def fmt_long(epoch: int) -> str:
    """Format like STS/IAM response dates, e.g. ``Nov 1, 2026, 1:05:03 AM``."""
    dt = datetime.fromtimestamp(epoch, UTC)
    hour12 = dt.hour % 12 or 12
    meridiem = "AM" if dt.hour < 12 else "PM"
    return f"{_MONTHS[dt.month - 1]} {dt.day}, {dt.year}, {hour12}:{dt.minute:02d}:{dt.second:02d} {meridiem}"


def fmt_delivery(epoch: int) -> tuple[str, str]:
    """Return ``("YYYY/MM/DD", "YYYYMMDDTHHMMZ")`` for a delivery file stamp."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y/%m/%d"), dt.strftime("%Y%m%dT%H%MZ")


class Clock:
    """Map event indices to ascending-ish epoch seconds within a window.

    The window ``[start, start + days)`` is divided into hours weighted by a
    weekday/weekend office-hours curve; event ``i`` of ``n`` lands at the
    quantile ``(i + u) / n`` of that curve, so times ascend.  A small share
    of events is shifted back by up to a few minutes, as late-delivered
    CloudTrail records are.
    """

    __slots__ = ("_cum", "_inv", "_last", "_rng", "_scale", "_start")

    def __init__(self, start: int, days: int, n: int, rng: random.Random) -> None:
        # Hour h of the window is UTC hour-of-day (hour0 + h) % 24 of calendar day (hour0 + h) // 24, so a
        # window that starts mid-day (the demo's, which ends at "now") keeps office hours where they belong.
        first = datetime.fromtimestamp(start - start % 3600, UTC)
        hour0, weekday0 = first.hour, first.weekday()
        factors = [
            (_WEEKEND_FACTOR if (weekday0 + day) % 7 >= 5 else 1.0) * (0.85 + 0.3 * rng.random())
            for day in range((hour0 + days * 24 + 23) // 24)
        ]
        weights = [_HOUR_WEIGHTS[(hour0 + h) % 24] * factors[(hour0 + h) // 24] for h in range(days * 24)]
        cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            cum.append(total)
        self._cum = cum
        self._inv = [3600.0 / w for w in weights]
        self._last = len(cum) - 1
        self._scale = total / max(n, 1)
        self._rng = rng
        self._start = start

    def at(self, index: int) -> int:
        """Epoch seconds of event ``index``."""
        rng = self._rng
        f = (index + rng.random()) * self._scale
        hour = bisect_right(self._cum, f)
        if hour > self._last:
            hour = self._last
        before = self._cum[hour - 1] if hour else 0.0
        offset = int((f - before) * self._inv[hour])
        t = self._start + hour * 3600 + min(max(offset, 0), 3599)
        if rng.random() < _OUT_OF_ORDER_RATE:
            t = max(self._start, t - rng.randint(1, _MAX_LAG_SECONDS))
        return t
