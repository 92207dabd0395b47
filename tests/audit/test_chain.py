"""The hash chain: appends, verification and the four tamperings (edit, delete, reorder, insert)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from trailmask.audit import AuditLog, verify
from trailmask.errors import AuditError


def _log(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "store.duckdb.audit.jsonl")
    for i in range(n):
        log.append({"actor": f"user{i}", "action": "sql", "outcome": "ok", "rows": i})
    return log


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def _write(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_clean_log_verifies(tmp_path: Path) -> None:
    log = _log(tmp_path)
    report = verify(log)
    assert report.ok, report.problems
    assert report.entries == 5
    entries = list(log.entries())
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1]["prev"] == entries[0]["hash"]
    assert (log.key_file.stat().st_mode & 0o777) == 0o600


def test_edited_entry_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    entry = json.loads(lines[2])
    entry["outcome"] = "forbidden"
    lines[2] = json.dumps(entry)
    _write(log, lines)
    report = verify(log)
    assert not report.ok
    assert any("line 3 (seq 3): hash does not match" in p for p in report.problems), report.problems


def test_deleted_entry_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    del lines[1]
    _write(log, lines)
    report = verify(log)
    assert any("seq 2..2 missing (entries deleted)" in p for p in report.problems), report.problems


def test_reordered_entries_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1], lines[2] = lines[2], lines[1]
    _write(log, lines)
    report = verify(log)
    assert any("reordered" in p for p in report.problems), report.problems


def test_inserted_entry_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    forged: dict[str, Any] = dict(json.loads(lines[1]))
    forged.update({"seq": 3, "prev": forged["hash"], "actor": "mallory"})  # looks right, cannot be re-signed
    lines.insert(2, json.dumps(forged))
    _write(log, lines)
    report = verify(log)
    assert any("line 3 (seq 3): hash does not match" in p for p in report.problems), report.problems
    assert any("reordered or inserted" in p for p in report.problems), report.problems


def test_duplicated_entry_detected(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines.insert(3, lines[1])
    _write(log, lines)
    assert not verify(log).ok


def test_truncated_tail_detected_by_head(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _write(log, _lines(log)[:3])
    report = verify(log)
    assert any("entries cut off" in p for p in report.problems), report.problems


def test_rechained_log_detected_by_expected_head(tmp_path: Path) -> None:
    log = _log(tmp_path)
    head = verify(log).to_dict()["head"]
    other = tmp_path / "other"
    other.mkdir()
    # an attacker holding the key rebuilds a whole log; the head recorded elsewhere no longer matches
    rebuilt = AuditLog(other / "a.jsonl", key_file=log.key_file)
    for i in range(5):
        rebuilt.append({"actor": f"other{i}"})
    log.path.write_bytes(rebuilt.path.read_bytes())
    log.head_file.write_bytes(rebuilt.head_file.read_bytes())
    assert verify(log).ok  # self-consistent ...
    report = verify(log, expected_head=head)
    assert any("does not match the expected head" in p for p in report.problems), report.problems


def test_missing_key_or_log(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.path.unlink()
    assert any("log deleted" in p for p in verify(log).problems)


def test_incomplete_last_line_refuses_appends(tmp_path: Path) -> None:
    log = _log(tmp_path)
    with log.path.open("ab") as handle:
        handle.write(b'{"seq": 6')
    assert any("incomplete" in p for p in verify(log).problems)
    with pytest.raises(AuditError, match="incomplete entry"):
        AuditLog(log.path).append({"actor": "x"})


def test_tampered_last_entry_refuses_appends(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[-1] = lines[-1].replace('"rows":4', '"rows":0')
    _write(log, lines)
    with pytest.raises(AuditError, match="does not match its hash"):
        AuditLog(log.path).append({"actor": "x"})


def test_unwritable_log_raises_audit_error(tmp_path: Path) -> None:
    target = tmp_path / "dir-not-file"
    target.mkdir()
    with pytest.raises(AuditError, match="could not write the audit log"):
        AuditLog(target).append({"actor": "x"})


def test_concurrent_appends_from_threads_and_instances(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    logs = [AuditLog(path), AuditLog(path)]  # two instances = two writers that share only the file lock

    def work(log: AuditLog, n: int) -> None:
        for i in range(25):
            log.append({"actor": f"t{n}", "i": i})

    threads = [threading.Thread(target=work, args=(logs[n % 2], n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = verify(AuditLog(path))
    assert report.ok, report.problems
    assert report.entries == 100


def test_newest_reads_backwards(tmp_path: Path) -> None:
    log = _log(tmp_path, 7)
    assert [e["seq"] for e in log.newest(3)] == [7, 6, 5]
    assert [e["seq"] for e in log.newest(2, before_seq=3)] == [2, 1]
