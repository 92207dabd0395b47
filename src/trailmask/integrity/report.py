"""The result of a validation: one finding per digest, log file and chain problem, by S3 key."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

VALID = "valid"
INVALID = "invalid"
MISSING = "missing"
UNVERIFIED = "unverified"  # a log file no valid digest vouches for
GAP = "gap"  # a digest named by the chain does not exist
BROKEN = "broken"  # a digest exists but is not the one its successor recorded


@dataclass(frozen=True)
class Finding:
    """``kind`` is ``digest``, ``log`` or ``chain``; ``problem`` decides the exit status."""

    kind: str
    key: str
    status: str
    reason: str = ""
    problem: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "status": self.status,
            "reason": self.reason,
            "problem": self.problem,
        }


@dataclass
class Report:
    bucket: str
    prefix: str
    start: str | None = None
    end: str | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, key: str, status: str, reason: str = "", *, problem: bool | None = None) -> None:
        flagged = status != VALID if problem is None else problem
        self.findings.append(Finding(kind, key, status, reason, flagged))

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        tally = Counter(f"{f.kind}:{f.status}" for f in self.findings)
        return {
            "digests_valid": tally["digest:valid"],
            "digests_invalid": tally["digest:invalid"],
            "logs_valid": tally["log:valid"],
            "logs_invalid": tally["log:invalid"],
            "logs_missing": tally["log:missing"],
            "logs_unverified": sum(
                1 for f in self.findings if f.kind == "log" and f.status == UNVERIFIED and f.problem
            ),
            "logs_not_yet_covered": sum(
                1 for f in self.findings if f.kind == "log" and f.status == UNVERIFIED and not f.problem
            ),
            "chain_gaps": tally["chain:gap"],
            "chain_broken": tally["chain:broken"],
            "problems": len(self.problems),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "prefix": self.prefix,
            "start": self.start,
            "end": self.end,
            "ok": self.ok,
            **self.counts(),
            "findings": [f.to_dict() for f in sorted(self.findings, key=lambda f: (f.kind, f.key))],
            "notes": self.notes,
        }
