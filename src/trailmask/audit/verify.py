"""Check an audit log end to end: hashes, ``prev`` links, ``seq`` order, head, last line complete.

Each problem names the entry (by line and ``seq``) and what it suggests happened, for example
"line 5 (seq 5): hash does not match its content (entry edited)". Every line must also be exactly
the canonical JSON the writer produces: the HMAC covers the parsed object, so a line edited into
one that parses the same (a duplicate key in front, which grep and first-wins parsers read, or
changed spacing) is reported too. Verification does not stop at
the first problem; it re-synchronises on each entry's own ``hash`` so that one edit is reported
once, not as a cascade.

A log that is missing is a problem when anything says it existed: its head or key file, or the
``started`` anchor (the first entry's hash) that the service layer records in the server state
when the first entry is written (service.audit_anchor). Only a log nothing has ever written to
verifies empty.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from trailmask.audit.log import GENESIS, AuditLog, VerifyReport, canonical, entry_hash
from trailmask.errors import IntegrityError

UNSEALED = "is not authenticated by the audit key"


def _check_entry(entry: dict[str, Any], where: str, key: bytes, prev_seq: int, prev_hash: str) -> list[str]:
    problems: list[str] = []
    if not hmac.compare_digest(entry_hash(key, entry), str(entry.get("hash", ""))):
        problems.append(f"{where}: hash does not match its content (entry edited or forged)")
    seq = entry.get("seq")
    if not isinstance(seq, int):
        problems.append(f"{where}: has no sequence number")
    elif seq > prev_seq + 1:
        problems.append(f"{where}: seq {prev_seq + 1}..{seq - 1} missing (entries deleted)")
    elif seq <= prev_seq:
        problems.append(f"{where}: seq {seq} after seq {prev_seq} (entries reordered or inserted)")
    if entry.get("prev") != prev_hash:
        problems.append(f"{where}: does not chain to the entry before it (deleted, inserted or reordered entries)")
    return problems


def verify(log: AuditLog, *, expected_head: str | None = None, started: str | None = None) -> VerifyReport:
    """Verify ``log``; ``expected_head`` ("SEQ:HASH", recorded elsewhere) must be on the chain.

    ``started`` is the hash of the log's first entry as recorded outside the log (the state's
    anchor): the log must exist and begin with that entry.
    """
    report = VerifyReport()
    if not log.path.exists():
        _check_missing(log, report, started)
        return report
    try:
        key = log._key(create=False)
    except IntegrityError as exc:
        report.problems.append(str(exc))
        return report
    prev_seq, prev_hash = 0, GENESIS
    hashes: dict[int, str] = {}
    raw = log.path.read_bytes()
    if raw and not raw.endswith(b"\n"):
        report.problems.append("the last line is incomplete (interrupted write or truncated file)")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError
        except ValueError:
            report.problems.append(f"line {number}: not a JSON object (entry damaged)")
            continue
        where = f"line {number} (seq {entry.get('seq')})"
        report.problems.extend(_check_entry(entry, where, key, prev_seq, prev_hash))
        if canonical(entry) != line:  # the hash covers the parsed object, the line is more than that
            report.problems.append(
                f"{where}: not the bytes trailmask writes (edited: duplicate keys, spacing or key order)"
            )
        report.entries += 1
        if isinstance(entry.get("seq"), int):
            prev_seq = entry["seq"]
            hashes[prev_seq] = str(entry.get("hash", ""))
        prev_hash = str(entry.get("hash", ""))
    report.head_seq, report.head_hash = prev_seq, prev_hash
    _check_head(log, report, hashes, key)
    if started and hashes.get(1) != started:
        report.problems.append(
            "the log does not begin with the first entry recorded in the server state (log replaced or cut)"
        )
    if expected_head:
        _check_expected(expected_head, report, hashes)
    return report


def _check_missing(log: AuditLog, report: VerifyReport, started: str | None) -> None:
    evidence = [
        what
        for what, present in (
            ("its head file", log.head_file.exists()),
            ("its key file", log.key_file.exists()),
            ("the server state records that it was started", bool(started)),
        )
        if present
    ]
    if evidence:
        report.problems.append(f"audit log {log.path} is missing but {' and '.join(evidence)} (log deleted)")


def _check_head(log: AuditLog, report: VerifyReport, hashes: dict[int, str], key: bytes) -> None:
    try:
        head = log.read_head()
    except IntegrityError as exc:
        report.problems.append(str(exc))
        return
    if head is None:
        if report.entries:
            report.problems.append(f"head file {log.head_file} is missing (deleted, or entries cut off)")
        return
    if not head.authentic(key):
        report.problems.append(
            f"the head file {log.head_file} {UNSEALED} (rewritten without the key, or by an older version)"
        )
    seq, digest = head.seq, head.digest
    if seq > report.head_seq:
        report.problems.append(f"the log ends at seq {report.head_seq} but the head says {seq} (entries cut off)")
    elif hashes.get(seq) != digest:
        report.problems.append(f"the head (seq {seq}) does not match the entry with that seq")


def _check_expected(expected: str, report: VerifyReport, hashes: dict[int, str]) -> None:
    seq_text, _, digest = expected.partition(":")
    if not seq_text.isdigit() or not digest:
        report.problems.append("--head must look like SEQ:HASH (as printed by `trailmask audit verify`)")
        return
    seq = int(seq_text)
    if seq not in hashes:
        report.problems.append(f"expected head seq {seq} is not in the log (entries cut off)")
    elif not hashes[seq].startswith(digest):
        report.problems.append(f"entry seq {seq} does not match the expected head (log rewritten)")
