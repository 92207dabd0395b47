"""The watch scheduler's cron parser: fields, steps, ranges, both-day-fields rule, refusals."""

from __future__ import annotations

from datetime import datetime

import pytest

from trailmask.monitor.cron import parse_cron


def test_every_five_minutes() -> None:
    cron = parse_cron("*/5 * * * *")
    assert cron.next_after(datetime(2024, 1, 1, 10, 2, 30)) == datetime(2024, 1, 1, 10, 5)
    assert cron.next_after(datetime(2024, 1, 1, 10, 5)) == datetime(2024, 1, 1, 10, 10)


def test_daily_at_a_time_rolls_over_to_the_next_day() -> None:
    cron = parse_cron("30 6 * * *")
    assert cron.next_after(datetime(2024, 1, 1, 7, 0)) == datetime(2024, 1, 2, 6, 30)


def test_weekdays_range_and_lists() -> None:
    cron = parse_cron("0 9,17 * * 1-5")
    # 2024-01-06 is a Saturday: next is Monday 09:00
    assert cron.next_after(datetime(2024, 1, 5, 17, 0)) == datetime(2024, 1, 8, 9, 0)
    assert cron.next_after(datetime(2024, 1, 8, 9, 0)) == datetime(2024, 1, 8, 17, 0)


def test_sunday_is_0_or_7() -> None:
    assert parse_cron("0 0 * * 7").weekdays == parse_cron("0 0 * * 0").weekdays == frozenset({0})


def test_both_day_fields_restricted_match_either() -> None:
    cron = parse_cron("0 0 13 * 5")  # the 13th, or any Friday
    assert cron.matches(datetime(2024, 1, 5))  # a Friday
    assert cron.matches(datetime(2024, 1, 13))  # a Saturday, the 13th
    assert not cron.matches(datetime(2024, 1, 6))


def test_leap_day_is_found() -> None:
    assert parse_cron("0 0 29 2 *").next_after(datetime(2024, 3, 1)) == datetime(2028, 2, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("* * * *", "5 fields"),
        ("60 * * * *", "minute field '60'"),
        ("* 24 * * *", "hour field"),
        ("*/0 * * * *", "step must be at least 1"),
        ("a * * * *", "'a' where a number"),
        ("0 0 31 2 *", "never fires"),
    ],
)
def test_invalid_expressions_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cron(text)
