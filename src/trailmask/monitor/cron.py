"""A small 5-field cron parser (minute hour day-of-month month day-of-week), UTC.

Fields take ``*``, numbers, ranges ``a-b``, lists ``a,b`` and steps ``*/n`` / ``a-b/n``; day of week
is 0-6 with 0 = Sunday (7 is accepted as Sunday too). As in Vixie cron, when both day fields are
restricted a time matches if either one does. :func:`next_after` gives the next matching minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
_MAX_SCAN_DAYS = 366 * 5  # a schedule that never fires within 5 years is refused


@dataclass(frozen=True)
class Cron:
    """A parsed expression; each field is the set of values it allows."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def matches(self, when: datetime) -> bool:
        if when.minute not in self.minutes or when.hour not in self.hours:
            return False
        return self.day_matches(when)

    def day_matches(self, when: datetime) -> bool:
        if when.month not in self.months:
            return False
        day_ok = when.day in self.days
        weekday_ok = (when.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok

    def next_after(self, when: datetime) -> datetime:
        """The first matching minute strictly after ``when``."""
        current = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(_MAX_SCAN_DAYS):
            if self.day_matches(current):
                for hour in sorted(h for h in self.hours if h >= current.hour):
                    for minute in sorted(self.minutes):
                        candidate = current.replace(hour=hour, minute=minute)
                        if candidate >= current:
                            return candidate
            current = (current + timedelta(days=1)).replace(hour=0, minute=0)
        raise ValueError(f"cron expression '{self.text}' never fires")


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, name) if step_text else 1
        if step < 1:
            raise ValueError(f"the {name} step must be at least 1 (got '{part}')")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, name), _number(last, name)
        else:
            start = _number(base, name)
            end = high if step_text else start
        if not low <= start <= end <= high:
            raise ValueError(f"the {name} field '{part}' is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(text: str, name: str) -> int:
    if not text.isdigit():
        raise ValueError(f"the {name} field has '{text}' where a number is expected")
    return int(text)


def parse_cron(text: str) -> Cron:
    """Parse ``text``; a ValueError names the field that is wrong."""
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), got {len(parts)}")
    sets = [_field(part, name, low, high) for part, (name, low, high) in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(v % 7 for v in sets[4])
    cron = Cron(text, sets[0], sets[1], sets[2], sets[3], weekdays, parts[2] != "*", parts[4] != "*")
    cron.next_after(datetime(2000, 1, 1))  # refuse expressions that never fire (e.g. 31 February)
    return cron
