"""Finding 14: files.

Ingest followed symbolic links and quarantine copied their targets 0644, so a link to the 0600
state file (token hashes, pending break-glass SQL) ended up world-readable; two rejected files with
one base name overwrote each other in quarantine; ``export --overwrite`` wrote through a symlinked
``events.csv`` to a file outside the export folder; the store, exports and quarantine were 0644.
These tests run the real console script (with the test's umask, 022).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.conftest import awsdocs_events, run_subprocess, write_jsonl

SECRET = "tm_state_token_hash_5e3c1a9f"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    state = outside / "state.json"
    state.write_text(json.dumps({"tokens": {"alice": SECRET}}), encoding="utf-8")
    state.chmod(0o600)
    write_jsonl(outside / "more" / "events.jsonl", awsdocs_events()[5:8])
    logs = tmp_path / "logs"
    write_jsonl(logs / "good.jsonl", awsdocs_events()[:3])
    (logs / "link.json").symlink_to(state)
    (logs / "more").symlink_to(outside / "more", target_is_directory=True)
    for sub, text in (("a", "{not json"), ("b", '{"Records": [1, 2]}')):
        (logs / sub).mkdir()
        (logs / sub / "bad.json").write_text(text, encoding="utf-8")
    return logs, outside, tmp_path / "store" / "s.duckdb"


def _ingest(db: Path, logs: Path) -> dict[str, object]:
    result = run_subprocess(["--db", str(db), "ingest", str(logs), "--format", "json"])
    assert result.returncode == 3, result.stderr  # some files rejected
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_ingest_never_follows_a_link_out_of_the_folder(tmp_path: Path) -> None:
    logs, _, db = _layout(tmp_path)
    summary = _ingest(db, logs)
    rejected = {Path(str(r["path"])).name: r["reason"] for r in summary["rejected"]}  # type: ignore[attr-defined]
    assert "symbolic link" in rejected["link.json"] and "symbolic link" in rejected["more"]
    assert summary["new_events"] == 3  # the linked folder's events were not read
    quarantine = db.with_name(db.name + ".quarantine")
    for path in quarantine.rglob("*"):
        assert not path.is_symlink()
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def test_rejected_files_with_one_name_both_stay_in_quarantine(tmp_path: Path) -> None:
    logs, _, db = _layout(tmp_path)
    _ingest(db, logs)
    quarantine = db.with_name(db.name + ".quarantine")
    copies = sorted(p for p in quarantine.rglob("bad.json"))
    assert sorted(p.read_text(encoding="utf-8") for p in copies) == ['{"Records": [1, 2]}', "{not json"]
    listed = [json.loads(line) for p in quarantine.rglob("rejections.jsonl") for line in p.read_text().splitlines()]
    assert sorted(Path(e["source"]).parent.name for e in listed if e["file"].endswith("/bad.json")) == ["a", "b"]
    assert all(e["reason"] for e in listed)


def test_everything_trailmask_writes_is_private(tmp_path: Path) -> None:
    logs, _, db = _layout(tmp_path)
    _ingest(db, logs)
    for fmt in ("csv", "json", "parquet"):
        result = run_subprocess(["--db", str(db), "export", "--format", fmt, str(tmp_path / "store" / f"x-{fmt}")])
        assert result.returncode == 0, result.stderr
    assert run_subprocess(["--db", str(db), "audit", "list"]).returncode == 0
    written = [db.parent, *db.parent.rglob("*")]
    assert any(p.name.endswith(".quarantine") for p in written) and any(p.suffix == ".parquet" for p in written)
    for path in written:
        expected = 0o700 if path.is_dir() else 0o600
        assert _mode(path) == expected, f"{path} is {oct(_mode(path))}"


def test_export_overwrite_refuses_a_symlinked_file(tmp_path: Path) -> None:
    logs, outside, db = _layout(tmp_path)
    _ingest(db, logs)
    out = tmp_path / "export"
    assert run_subprocess(["--db", str(db), "export", "--format", "csv", str(out)]).returncode == 0
    victim = outside / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / "events.csv").unlink()
    (out / "events.csv").symlink_to(victim)
    for fmt in ("csv", "parquet"):
        result = run_subprocess(["--db", str(db), "export", "--format", fmt, "--overwrite", str(out)])
        assert result.returncode == 11, result.stderr
        assert "symbolic link" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert os.readlink(out / "events.csv") == str(victim)
