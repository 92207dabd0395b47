"""``trailmask projections build`` (issue 11.1): builds every masked role's projection, audited; a
masked role's answers are the same before and after, ingest then keeps the projections current."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, awsdocs_events, write_jsonl

QUERY = (
    "SELECT sourceIPAddress, userIdentity.arn AS arn, count(*) AS n FROM events "
    "GROUP BY ALL ORDER BY n DESC, sourceIPAddress, arn"
)


def _audit(store: Path) -> list[dict[str, object]]:
    log = store.with_name(store.name + ".audit.jsonl")
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_build_then_masked_queries_answer_the_same_and_ingest_extends(
    tm: Cli, store_path: Path, tmp_path: Path
) -> None:
    events = awsdocs_events()
    half = len(events) // 2
    assert tm("ingest", str(write_jsonl(tmp_path / "a.jsonl", events[:half]))).exit_code == 0
    before = tm("--format", "json", "sql", "--as", "investigator", QUERY)
    assert before.exit_code == 0

    built = tm("projections", "build", "--format", "json")
    assert built.exit_code == 0, built.stderr
    statuses = built.json()
    assert {s["roles"] for s in statuses} == {"investigator", "viewer"}
    assert all(s["state"] == "built" and s["rows"] > 0 for s in statuses)
    assert (store_path.parent / f"{store_path.name}.projections").is_dir()
    entry = _audit(store_path)[-1]
    assert entry["action"] == "projection.build" and entry["outcome"] == "ok"

    assert tm("--format", "json", "sql", "--as", "investigator", QUERY).json() == before.json()

    assert tm("ingest", str(write_jsonl(tmp_path / "b.jsonl", events[half:]))).exit_code == 0
    again = tm("projections", "build", "--format", "json").json()
    assert {s["state"] for s in again} == {"fresh"}  # the ingest extended them already
    assert sum(s["rows"] for s in again if s["roles"] == "investigator") >= len(events) - 1


def test_build_without_a_store_is_a_clear_error(tm: Cli, store_path: Path) -> None:
    result = tm("projections", "build")
    assert result.exit_code != 0
    assert str(store_path) in result.stderr
    assert not store_path.exists()
