"""Batch planning: files in event-time order by their CloudTrail names."""

from __future__ import annotations

from trailmask.ingest.batches import in_time_order, time_key


def test_time_key_reads_cloudtrail_names_and_day_folders() -> None:
    name = "AWSLogs/1/CloudTrail/us-east-1/2024/05/02/1_CloudTrail_us-east-1_20240502T1355Z_x.json.gz"
    assert time_key(name) == "20240502T1355"
    assert time_key("logs/2024/05/03/events.jsonl") == "20240503"
    assert time_key("events.jsonl") == ""


def test_in_time_order_keeps_the_order_of_ties_and_untimed_names() -> None:
    names = [
        "a/2/CloudTrail/r/2024/05/03/2_CloudTrail_r_20240503T0000Z_a.json.gz",
        "plain-b.json",
        "a/1/CloudTrail/r/2024/05/01/1_CloudTrail_r_20240501T0000Z_a.json.gz",
        "plain-a.json",
    ]
    assert in_time_order(names, str) == [names[1], names[3], names[2], names[0]]
