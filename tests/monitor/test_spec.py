"""Watch and destination specs fail closed: unknown keys name the nearest key, bad values the key."""

from __future__ import annotations

from typing import Any

import pytest

from trailmask.errors import ConfigError
from trailmask.monitor.spec import parse_monitoring

DESTINATIONS: dict[str, Any] = {
    "pager": {"type": "pagerduty", "url": "http://127.0.0.1:9/v2/enqueue", "secret_env": "PD_KEY"},
    "sink": {"type": "file", "path": "alerts.jsonl"},
}


def _watch(**changes: Any) -> dict[str, Any]:
    watch: dict[str, Any] = {
        "name": "root",
        "runbook": "root-account-activity",
        "schedule": {"every": "5m"},
        "role": "investigator",
        "condition": {"threshold": {"column": "events", "op": ">=", "value": 3}},
        "dedup": ["recipientAccountId"],
        "destinations": ["pager", "sink"],
    }
    watch.update(changes)
    return {k: v for k, v in watch.items() if v is not None}


def test_a_full_watch_parses() -> None:
    watches, destinations = parse_monitoring([_watch()], DESTINATIONS)
    watch = watches["root"]
    assert watch.schedule.every_s == 300
    assert watch.threshold is not None and watch.threshold.holds(3) and not watch.threshold.holds(2)
    assert watch.dedup == ("recipientAccountId",)
    assert destinations["pager"].retries == 3


def test_cron_schedule_and_any_new_row() -> None:
    watches, _ = parse_monitoring(
        [_watch(schedule={"cron": "*/15 * * * *"}, condition={"any_new_row": True})], DESTINATIONS
    )
    assert watches["root"].schedule.cron is not None and watches["root"].threshold is None


@pytest.mark.parametrize(
    ("watch", "message", "hint"),
    [
        (_watch(runbok="x"), "unknown key 'runbok' in watch 'root'", "did you mean 'runbook'?"),
        (_watch(schedule={"evry": "5m"}), "unknown key 'evry'", "did you mean 'every'?"),
        (_watch(schedule={"every": "5 minutes"}), "not a duration", None),
        (_watch(schedule={"cron": "61 * * * *"}), "minute field", None),
        (_watch(condition={"threshold": {"column": "n", "op": "=>", "value": 1}}), "threshold.op", None),
        (_watch(destinations=["pagr"]), "unknown destination 'pagr'", "did you mean 'pager'?"),
        (_watch(role=None), "missing key 'role'", None),
    ],
)
def test_invalid_watches_name_the_key(watch: dict[str, Any], message: str, hint: str | None) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_monitoring([watch], DESTINATIONS)
    if hint:
        assert caught.value.hint == hint


def test_destination_unknown_key_and_inline_secret_refused() -> None:
    with pytest.raises(ConfigError, match="unknown key 'ur'") as caught:
        parse_monitoring([], {"hook": {"type": "webhook", "ur": "http://x"}})
    assert caught.value.hint == "did you mean 'url'?"
    with pytest.raises(ConfigError, match="unknown key 'secret'"):
        parse_monitoring([], {"hook": {"type": "webhook", "url": "http://x", "secret": "s3cr3t"}})
    with pytest.raises(ConfigError, match="must be one of webhook"):
        parse_monitoring([], {"hook": {"type": "jira", "url": "http://x"}})


def test_duplicate_watch_names_refused() -> None:
    with pytest.raises(ConfigError, match="two watches are named 'root'"):
        parse_monitoring([_watch(), _watch()], DESTINATIONS)
