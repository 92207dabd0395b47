"""Finding 12: one small file stopped ingest for good.

A 122 KB ``.json.gz`` holding one record with a 120 MiB userAgent (under the old 256 MiB
per-document cap) raised an uncaught DuckDB out-of-memory error in the loader: traceback, exit 1,
the whole batch lost, and every re-run failed at the same file. Now the per-document cap follows
the writer's memory limit (well below it), and an engine error while loading a file rejects that
file with the reason while the rest of the batch loads.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from tests.conftest import awsdocs_events, run_subprocess, write_jsonl

from trailmask.engines.duckdb import loader
from trailmask.engines.duckdb.store import Store
from trailmask.ingest.local import ingest_paths, quarantine_dir

MiB = 2**20


def _huge_field_file(path: Path, field_bytes: int) -> Path:
    """A delivery file whose one record has a userAgent of ``field_bytes`` (streamed, compresses ~1000x)."""
    head, tail = json.dumps({"Records": [{**awsdocs_events()[0], "userAgent": "@@"}]}).split('"@@"')
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = b"Mozilla/5.0 " * (MiB // 12)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(head.encode() + b'"')
        written = 0
        while written < field_bytes:
            piece = chunk[: field_bytes - written]
            handle.write(piece)
            written += len(piece)
        handle.write(b'"' + tail.encode())
    return path


def _good_files(root: Path) -> None:
    events = awsdocs_events()
    write_jsonl(root / "a_good.jsonl", events[:3])
    (root / "c_good.json").write_text(json.dumps({"Records": events[3:6]}), encoding="utf-8")


def test_out_of_memory_rejects_the_file_and_the_rest_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same code path as the CLI (ingest_paths -> load_batch) on a small writer (256 MB), with the
    cap set as loose as main's was relative to memory (1/4 of the limit), so that a file under the
    cap runs DuckDB out of memory as the red team's did at 3 GB."""
    monkeypatch.setattr(loader, "MEMORY_PER_OBJECT", 4, raising=False)
    source = tmp_path / "logs"
    _good_files(source)
    huge = _huge_field_file(source / "b_huge.json.gz", 20 * MiB)
    assert huge.stat().st_size < 200 * 1024
    store = Store(tmp_path / "s.duckdb", writer_memory_limit="256MB")
    for run in range(2):  # a re-run proceeds past the file the same way
        summary = ingest_paths(store, [source])
        by_name = {Path(o.path).name: o for o in summary.files}
        assert by_name["a_good.jsonl"].status == "loaded" and by_name["c_good.json"].status == "loaded"
        assert by_name["a_good.jsonl"].new == (3 if run == 0 else 0)
        rejected = by_name["b_huge.json.gz"]
        assert rejected.status == "rejected"
        assert "more memory than the ingest memory limit" in rejected.reason
        assert "Mozilla" not in rejected.reason  # reasons never quote content
    copies = [p.name for p in quarantine_dir(store).rglob("*") if p.is_file() and p.name.endswith("b_huge.json.gz")]
    assert copies, "the rejected file is kept in quarantine"
    with store.writer() as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchall()[0][0] == 6
        reasons = conn.execute("SELECT reason FROM tm_rejections WHERE source LIKE '%b_huge%'").fetchall()
    assert len(reasons) == 2 and "memory" in reasons[0][0]


def test_the_reported_file_is_rejected_by_the_cap_at_the_default_limit(tmp_path: Path) -> None:
    """The red team's file (120 MiB userAgent, ~122 KB gzip) through the real console script."""
    source = tmp_path / "logs"
    _good_files(source)
    _huge_field_file(source / "b_huge.json.gz", 120 * MiB)
    db = tmp_path / "s.duckdb"
    for run in range(2):
        result = run_subprocess(["--db", str(db), "ingest", str(source), "--format", "json"], timeout=300)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 3, result.stderr  # InputRejected: some files rejected, others loaded
        summary = json.loads(result.stdout)
        assert [Path(r["path"]).name for r in summary["rejected"]] == ["b_huge.json.gz"]
        assert "larger than 84 MiB uncompressed" in summary["rejected"][0]["reason"]
        assert summary["new_events"] == (6 if run == 0 else 0), summary


def test_the_cap_sits_well_below_the_memory_limit() -> None:
    from trailmask.engines.duckdb.loader import MEMORY_BASE, MEMORY_PER_OBJECT, max_object_bytes

    for limit in (256 * 10**6, 10**9, 3 * 10**9, 8 * 10**9, 64 * 10**9):
        cap = max_object_bytes(limit)
        assert MEMORY_BASE + cap * MEMORY_PER_OBJECT <= limit
        assert cap <= limit // 16
    assert max_object_bytes(int(2.7 * 2**30)) // MiB == 84  # the default writer: 3GB, which DuckDB shows as 2.7 GiB
