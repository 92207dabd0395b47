"""Identity is a record's content: key order and envelope do not make two events, values do."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path
from typing import Any

import duckdb
from tests.conftest import Cli, awsdocs_events, awsdocs_record_files, panther_events, write_jsonl


def reordered(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse order, at every depth."""
    if isinstance(value, dict):
        return {k: reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(v) for v in value]
    return value


def nested_event() -> dict[str, Any]:
    """A real record with a nested requestParameters object (key order matters at depth)."""
    for event in awsdocs_events():
        params = event.get("requestParameters")
        if isinstance(params, dict) and len(params) > 1 and event.get("eventTime"):
            return event
    raise AssertionError("no real event with nested requestParameters")


def count(tm: Cli) -> int:
    rows = tm("sql", "SELECT count(*) AS n FROM events", "--as", "admin", "--format", "json").json()
    return int(rows[0]["n"])


def ingest(tm: Cli, path: Path) -> dict[str, Any]:
    result = tm("ingest", str(path), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_key_order_within_one_file_is_one_event(tm: Cli, tmp_path: Path) -> None:
    event = nested_event()
    other = reordered(event)
    assert json.dumps(other) != json.dumps(event) and other == event
    summary = ingest(tm, write_jsonl(tmp_path / "two.jsonl", [event, other, event]))
    assert (summary["events"], summary["new_events"], summary["duplicates"]) == (3, 1, 2)
    assert count(tm) == 1


def test_key_order_across_ingests_is_one_event(tm: Cli, tmp_path: Path) -> None:
    events = awsdocs_events()[:6]
    ingest(tm, write_jsonl(tmp_path / "a" / "first.jsonl", events))
    summary = ingest(tm, write_jsonl(tmp_path / "b" / "again.jsonl", [reordered(e) for e in events]))
    assert (summary["new_events"], summary["duplicates"]) == (0, len(events))
    assert count(tm) == len(events)


def test_lookup_events_copy_of_an_s3_record_is_one_event(tm: Cli, tmp_path: Path) -> None:
    """LookupEvents serialises the record itself (CloudTrailEvent, its own key order and spacing)."""
    records = awsdocs_record_files()[0]["Records"]
    folder = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2024" / "05" / "01"
    folder.mkdir(parents=True)
    with gzip.open(folder / "111122223333_CloudTrail_us-east-1_20240501T0000Z_abc.json.gz", "wt") as handle:
        json.dump({"Records": records}, handle)
    assert ingest(tm, tmp_path / "AWSLogs")["new_events"] == len(records)
    page = {
        "Events": [
            {"EventId": r.get("eventID"), "CloudTrailEvent": json.dumps(reordered(r), indent=1)} for r in records
        ]
    }
    (tmp_path / "lookup").mkdir()
    (tmp_path / "lookup" / "page.json").write_text(json.dumps(page), encoding="utf-8")
    summary = ingest(tm, tmp_path / "lookup")
    assert (summary["new_events"], summary["duplicates"]) == (0, len(records))
    assert count(tm) == len(records)


def test_one_changed_value_deep_inside_is_a_distinct_event(tm: Cli, tmp_path: Path) -> None:
    """Same eventID, time, name, source, region, account and requestID, keys reordered, one nested
    value differs: two events, in one batch and across batches."""
    event = nested_event()
    changed = reordered(json.loads(json.dumps(event)))
    key = next(iter(changed["requestParameters"]))
    changed["requestParameters"][key] = "a-different-value"
    ingest(tm, write_jsonl(tmp_path / "a" / "one.jsonl", [event]))
    summary = ingest(tm, write_jsonl(tmp_path / "b" / "both.jsonl", [event, changed, reordered(changed)]))
    assert (summary["new_events"], summary["duplicates"]) == (1, 2)
    assert count(tm) == 2


def test_distinct_panther_events_sharing_an_event_id_stay_distinct_across_batches(tm: Cli, tmp_path: Path) -> None:
    events = [e for e in panther_events() if e.get("eventID") == "1"]
    distinct = {json.dumps(e, sort_keys=True) for e in events}
    half = len(events) // 2
    ingest(tm, write_jsonl(tmp_path / "a" / "first.jsonl", events[:half]))
    ingest(tm, write_jsonl(tmp_path / "b" / "rest.jsonl", [reordered(e) for e in events[half:]]))
    assert count(tm) == len(distinct) > 50


def test_untimed_records_are_deduplicated_too(tm: Cli, tmp_path: Path) -> None:
    base = dict(awsdocs_events()[0])
    untimed = [{**base, "eventTime": "redacted", "eventID": f"u-{i}"} for i in range(3)]
    untimed.append({k: v for k, v in base.items() if k != "eventTime"})
    ingest(tm, write_jsonl(tmp_path / "a" / "u.jsonl", untimed))
    summary = ingest(tm, write_jsonl(tmp_path / "b" / "u.jsonl", [reordered(e) for e in untimed]))
    assert (summary["new_events"], summary["duplicates"], summary["untimed"]) == (0, 4, 4)
    assert count(tm) == 4


def test_files_are_loaded_in_event_time_order(tm: Cli, tmp_path: Path) -> None:
    """Clustering by time: an organisation trail lists account by account; files load by their time."""
    base = awsdocs_events()[0]
    for account, day in (("000000000000", "03"), ("111111111111", "02"), ("222222222222", "01")):
        folder = tmp_path / "AWSLogs" / account / "CloudTrail" / "us-east-1" / "2024" / "05" / day
        folder.mkdir(parents=True)
        name = f"{account}_CloudTrail_us-east-1_202405{day}T0000Z_abc.json.gz"
        records = [{**base, "eventTime": f"2024-05-{day}T0{h}:00:00Z", "eventID": f"{account}-{h}"} for h in range(3)]
        with gzip.open(folder / name, "wt") as handle:
            json.dump({"Records": records}, handle)
    # one file per batch: batches follow each other in the files' time order (the order of rows
    # inside one batch is DuckDB's: a batch spans a few days, below a row group's zone map)
    result = tm("ingest", str(tmp_path / "AWSLogs"), "--batch-files", "1", "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    conn = duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True)
    try:
        batches = conn.execute(
            "SELECT min(rowid), max(rowid), min(eventTime), max(eventTime), count(*) FROM events "
            "GROUP BY tm_batch ORDER BY 1"
        ).fetchall()
    finally:
        conn.close()
    assert [b[4] for b in batches] == [3, 3, 3]
    assert [b[2].day for b in batches] == [1, 2, 3]
    assert all(earlier[1] < later[0] and earlier[3] < later[2] for earlier, later in itertools.pairwise(batches))


def test_bad_input_never_changes_what_is_stored(tm: Cli, tmp_path: Path) -> None:
    """A batch mixing unreadable files, invalid files, duplicates and reordered copies of stored
    records leaves every stored row as it was (same rows, same order, same batch)."""
    events = awsdocs_events()[:5]
    ingest(tm, write_jsonl(tmp_path / "a" / "good.jsonl", events))

    def rows() -> list[tuple[Any, ...]]:
        conn = duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True)
        try:
            return conn.execute("SELECT rowid, tm_event_key, tm_raw, tm_batch FROM events ORDER BY rowid").fetchall()
        finally:
            conn.close()

    before = rows()
    mixed = tmp_path / "b"
    write_jsonl(mixed / "dups.jsonl", [*events, *(reordered(e) for e in events)])
    (mixed / "corrupt.json.gz").write_bytes(gzip.compress(b'{"Records": []}')[:12])
    (mixed / "truncated.json").write_bytes(b'{"Records": [{"eventName": "A", "eventSource": "s"')
    write_jsonl(mixed / "missing.jsonl", [events[0], {"eventName": "only"}])
    result = tm("ingest", str(mixed), "--format", "json")
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    assert (summary["new_events"], summary["files_rejected"]) == (0, 3)
    assert rows() == before
