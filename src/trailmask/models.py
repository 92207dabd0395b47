"""Plain data passed between layers (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who is asking. ``via`` says how the identity was established (cli-owner, token, oidc)."""

    name: str
    role: str
    via: str = "cli-owner"


@dataclass
class QueryRequest:
    """What to run. ``params`` are bound by name (``$name`` in the SQL), never pasted into it."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "sql"  # "sql" (ad-hoc), "runbook" or "explain"
    runbook_id: str | None = None
    max_rows: int | None = None
    timeout_s: float | None = None
    unmasked: bool = False  # a break-glass run, allowed only with an approval


@dataclass
class PreparedQuery:
    """The SQL that runs for one request (service.prepare): sandboxed, masked, parameters kept apart.

    ``temp_tables`` are session values (the masking key) the engine session receives as data;
    ``raw_errors`` says whether the engine's own error text may be shown (raw roles only).
    """

    sql: str
    params: dict[str, Any]
    profile: str
    temp_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    raw_errors: bool = False
    notices: list[str] = field(default_factory=list)  # for QueryResult.notices (a grouping on redacted fields)


@dataclass
class QueryResult:
    """Rows of one query, already masked for ``role``."""

    columns: list[str]
    rows: list[dict[str, Any]]
    role: str
    truncated: bool = False
    elapsed_ms: float = 0.0
    masking_profile: str = ""
    audit_id: str | None = None
    notices: list[str] = field(default_factory=list)  # what the caller should know (indicator matches)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "row_count": self.row_count,
            "truncated": self.truncated,
            "role": self.role,
            "masking_profile": self.masking_profile,
            "elapsed_ms": round(self.elapsed_ms, 3),
            "audit_id": self.audit_id,
            "notices": self.notices,
        }


@dataclass
class FileOutcome:
    """What happened to one input file: ``loaded``, ``skipped`` (already ingested) or ``rejected``."""

    path: str
    status: str
    events: int = 0
    new: int = 0
    duplicates: int = 0
    untimed: int = 0  # records kept without a usable eventTime (stored with NULL eventTime)
    reason: str = ""


@dataclass
class IngestSummary:
    """Totals of one ``ingest`` run."""

    files: list[FileOutcome] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "files_loaded": sum(1 for f in self.files if f.status == "loaded"),
            "files_skipped": sum(1 for f in self.files if f.status == "skipped"),
            "files_rejected": len(self.rejected),
            "events": sum(f.events for f in self.files),
            "new_events": sum(f.new for f in self.files),
            "duplicates": sum(f.duplicates for f in self.files),
            "untimed": sum(f.untimed for f in self.files),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.totals(),
            "elapsed_s": round(self.elapsed_s, 3),
            "rejected": [{"path": f.path, "reason": f.reason} for f in self.rejected],
        }
