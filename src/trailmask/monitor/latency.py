"""Query latency histograms per role and kind, read from the audit log's query entries.

Each query entry (``action`` sql / runbook / export ..., with ``duration_ms``) is counted into
Prometheus-style cumulative buckets. Only the role, the kind and the duration are read; the log is
read incrementally (from the last offset seen by this process), so a scrape costs only the new lines.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass
class Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS_S))
    count: int = 0
    total_s: float = 0.0

    def observe(self, seconds: float) -> None:
        self.count += 1
        self.total_s += seconds
        for i, bound in enumerate(BUCKETS_S):
            if seconds <= bound:
                self.buckets[i] += 1  # cumulative: every bucket at or above the value


@dataclass
class _Reader:
    offset: int = 0
    size_seen: int = 0
    histograms: dict[tuple[str, str], Histogram] = field(default_factory=dict)


_READERS: dict[Path, _Reader] = {}
_LOCK = threading.Lock()


def query_latency(audit_path: Path) -> dict[tuple[str, str], Histogram]:
    """(role, kind) -> histogram of every query entry in the audit log so far."""
    with _LOCK:
        reader = _READERS.setdefault(audit_path, _Reader())
        try:
            size = audit_path.stat().st_size
        except OSError:
            return {}
        if size < reader.size_seen:  # a new log file: start over
            _READERS[audit_path] = reader = _Reader()
        with audit_path.open("rb") as log:
            log.seek(reader.offset)
            for line in log:
                if not line.endswith(b"\n"):
                    break  # a line being written: read it next time
                reader.offset += len(line)
                _count(reader, line)
        reader.size_seen = reader.offset
        return {k: Histogram(list(h.buckets), h.count, h.total_s) for k, h in reader.histograms.items()}


def _count(reader: _Reader, line: bytes) -> None:
    try:
        entry = json.loads(line)
    except ValueError:
        return
    duration = entry.get("duration_ms") if isinstance(entry, dict) else None
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        return
    key = (str(entry.get("role", "")), str(entry.get("action", "")))
    reader.histograms.setdefault(key, Histogram()).observe(float(duration) / 1000)
