"""Finding 7: the audit log's tail cannot be cut, nor the log deleted, without `audit verify` noticing.

The red team cut N lines off the log and rewrote ``<log>.head`` from the last remaining line (plain
JSON, no MAC): verify said "ok". Deleting the log and its head verified too. Now the head carries
an HMAC under the audit key, an append refuses to chain onto a log shorter than its head, and the
server state anchors the log's first entry so that a deleted log (with head and key) is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Cli, awsdocs_events, write_jsonl

from trailmask.audit import AuditLog, verify
from trailmask.errors import AuditError


def _log(tmp_path: Path, n: int = 6) -> AuditLog:
    log = AuditLog(tmp_path / "store.duckdb.audit.jsonl")
    for i in range(n):
        log.append({"actor": f"user{i}", "action": "sql", "outcome": "ok", "rows": i})
    return log


def _cut_and_rewrite_head(log: AuditLog, keep: int) -> None:
    """What the red team did: drop the last lines and write a head that matches the new last line."""
    lines = log.path.read_text(encoding="utf-8").splitlines()[:keep]
    log.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    last = json.loads(lines[-1])
    log.head_file.write_text(json.dumps({"seq": last["seq"], "hash": last["hash"]}) + "\n", encoding="ascii")


def test_cut_tail_with_rewritten_head_fails_verify(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _cut_and_rewrite_head(log, keep=3)
    report = verify(log)
    assert not report.ok
    assert any("not authenticated by the audit key" in p for p in report.problems), report.problems


def test_cut_tail_with_forged_mac_fails_verify(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _cut_and_rewrite_head(log, keep=3)
    head = json.loads(log.head_file.read_text())
    head["mac"] = "0" * 64
    log.head_file.write_text(json.dumps(head))
    assert any("not authenticated" in p for p in verify(log).problems)


def test_append_refuses_to_legitimise_a_cut_log(tmp_path: Path) -> None:
    """The next writer must not rewrite an authentic head over the cut (that would hide it for good)."""
    log = _log(tmp_path)
    _cut_and_rewrite_head(log, keep=3)
    with pytest.raises(AuditError, match="not authentic"):
        AuditLog(log.path).append({"actor": "next"})


def test_append_refuses_a_log_shorter_than_its_authentic_head(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = log.path.read_text().splitlines()[:2]
    log.path.write_text("".join(line + "\n" for line in lines))
    with pytest.raises(AuditError, match="entries cut off"):
        AuditLog(log.path).append({"actor": "next"})


def test_head_file_is_private_and_authenticated(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert log.head_file.stat().st_mode & 0o077 == 0
    head = log.read_head()
    assert head is not None and head.authentic(log._key(create=False))
    assert verify(log).ok


def test_deleted_log_and_head_fails_verify(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.path.unlink()
    log.head_file.unlink()
    report = verify(log)
    assert any("log deleted" in p for p in report.problems), report.problems


@pytest.fixture
def queried(tm: Cli, tmp_path: Path) -> Cli:
    source = write_jsonl(tmp_path / "events.jsonl", awsdocs_events()[:20])
    assert tm("ingest", str(source)).exit_code == 0
    assert tm("sql", "SELECT count(*) FROM events", "--as", "admin").exit_code == 0
    return tm


def test_log_head_and_key_deleted_after_queries_fails_verify(queried: Cli, store_path: Path) -> None:
    """Nothing left beside the store says a log existed; the server state's anchor does."""
    log = AuditLog(store_path.with_name(store_path.name + ".audit.jsonl"))
    assert queried("audit", "verify").exit_code == 0
    for path in (log.path, log.head_file, log.key_file):
        path.unlink()
    result = queried("audit", "verify")
    assert result.exit_code == 9, result.stdout + result.stderr
    assert "server state records that it was started" in result.stderr


def test_log_deleted_and_restarted_fails_verify(queried: Cli, store_path: Path) -> None:
    log = AuditLog(store_path.with_name(store_path.name + ".audit.jsonl"))
    for path in (log.path, log.head_file):
        path.unlink()
    assert queried("sql", "SELECT 1 FROM events LIMIT 1", "--as", "admin").exit_code == 0  # a fresh log
    result = queried("audit", "verify")
    assert result.exit_code == 9
    assert "does not begin with the first entry recorded in the server state" in result.stderr


def test_reseal_authenticates_an_old_head_and_is_audited(queried: Cli, store_path: Path) -> None:
    log = AuditLog(store_path.with_name(store_path.name + ".audit.jsonl"))
    head = log.read_head()
    assert head is not None
    log.head_file.write_text(json.dumps({"seq": head.seq, "hash": head.digest}))  # an older version's head
    assert queried("audit", "verify").exit_code == 9
    result = queried("audit", "verify", "--reseal")
    assert result.exit_code == 0, result.stderr
    assert verify(log).ok
    assert list(log.entries())[-1]["action"] == "audit.reseal"
    lines = log.path.read_text().splitlines()
    lines[0] = lines[0].replace('"action":"', '"action":"x')
    log.path.write_text("".join(line + "\n" for line in lines))
    assert queried("audit", "verify", "--reseal").exit_code == 9  # only a head problem is resealed


@pytest.mark.parametrize(
    "edit",
    [
        lambda line: '{"outcome":"ok","actor":"someone-else",' + line[1:],  # a first-wins reader sees these
        lambda line: line.replace('","', '", "', 1),  # spacing
        lambda line: line[:-1] + ',"actor":"user2"}',  # the same key again, the same value
    ],
    ids=["duplicate-keys-first", "spacing", "duplicate-key-last"],
)
def test_r2_a_line_edited_without_changing_its_parsed_value_fails_verify(
    tmp_path: Path, edit: Callable[[str], str]
) -> None:
    """Red-team pass 2: verify compared parsed entries only, so a line edited without the key into
    one that parses to the same object (a duplicate key in front saying ``"outcome":"ok"``, which
    grep and first-wins parsers read) verified "ok". Every line must be the bytes trailmask writes."""
    log = _log(tmp_path)
    lines = log.path.read_text(encoding="utf-8").splitlines()
    lines[2] = edit(lines[2])
    log.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    report = verify(log)
    assert not report.ok
    assert any("line 3" in problem and "edited" in problem for problem in report.problems), report.problems
