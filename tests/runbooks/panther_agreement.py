"""Agreement of built-in runbooks with Panther's labelled rule tests, and their fixture files.

For a runbook that declares ``panther: [{rule: ID, ...}]``, every labelled test event of that rule
(tests/fixtures/third_party/panther-analysis) is loaded alone into a fresh store and the runbook is
run on it (``since=all`` plus the mapping's ``params``): the runbook "flags" the event when it
returns a row. Agreement = events where that verdict equals Panther's ``expected`` label. Events
that cannot be loaded are left out of the count (and named).

Used by tests/runbooks/test_panther_agreement.py (checks the figures stated in the runbook files)
and, as a script, to (re)write a runbook's Panther fixture files (one per rule,
library/fixtures/RUNBOOK.RULE.jsonl) and print the figures:

    .venv/bin/python tests/runbooks/panther_agreement.py RUNBOOK_ID [--write]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trailmask.config import load_settings
from trailmask.runbooks.catalog import LIBRARY_DIR
from trailmask.runbooks.loader import load_runbook_file
from trailmask.runbooks.model import Runbook
from trailmask.service import runbooks as service
from trailmask.service.context import AppContext

PANTHER = Path(__file__).resolve().parents[1] / "fixtures" / "third_party" / "panther-analysis"
SOURCE = "panther-analysis (Apache-2.0)"


def labelled(rule: str) -> list[dict[str, Any]]:
    path = PANTHER / "panther_cloudtrail_rule_tests.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["rule_id"] == rule]


@dataclass
class Agreement:
    rule: str
    agree: int = 0
    total: int = 0
    disagreements: list[str] = field(default_factory=list)
    unloadable: list[str] = field(default_factory=list)
    verdicts: list[tuple[dict[str, Any], bool]] = field(default_factory=list)


def measure(ctx: AppContext, runbook: Runbook, rule: str, params: dict[str, Any]) -> Agreement:
    result = Agreement(rule)
    for row in labelled(rule):
        verdict = service.event_verdict(ctx, runbook, row["event"], {"since": "all", **params})
        if verdict is None:
            result.unloadable.append(row["test_name"])
            continue
        result.total += 1
        result.verdicts.append((row, verdict))
        if verdict == bool(row["expected"]):
            result.agree += 1
        else:
            result.disagreements.append(f"{row['test_name']} (Panther {row['expected']}, runbook {verdict})")
    return result


def context(folder: Path) -> AppContext:
    return AppContext.from_settings(load_settings({"db": str(folder / "unused.duckdb")}, env={}))


def fixture_lines(results: list[Agreement]) -> list[str]:
    """One JSON line per distinct event: the runbook's verdict as ``match``, its Panther origin."""
    seen: set[str] = set()
    lines = []
    for result in results:
        for row, verdict in result.verdicts:
            key = json.dumps(row["event"], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            source = f"{SOURCE} {result.rule}: {row['test_name']!r}, Panther expects {row['expected']}"
            lines.append(json.dumps({"match": verdict, "source": source, "event": row["event"]}, sort_keys=True))
    return lines


def fixture_file(runbook_id: str, rule: str) -> Path:
    return LIBRARY_DIR / "fixtures" / f"{runbook_id}.{rule}.jsonl"


def main(argv: list[str]) -> int:
    import tempfile

    path = LIBRARY_DIR / f"{argv[0]}.yaml"
    if "--write" in argv:  # the runbook names its fixture files; they may not exist yet
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("events_file: fixtures/"):
                (path.parent / line.split(":", 1)[1].strip()).touch(exist_ok=True)
    runbook = load_runbook_file(path)
    with tempfile.TemporaryDirectory() as folder:
        ctx = context(Path(folder))
        results = [measure(ctx, runbook, m.rule, m.params) for m in runbook.panther]
    for r in results:
        print(f"{r.rule}: agreement {r.agree}/{r.total}; disagree: {r.disagreements}; unloadable: {r.unloadable}")
        if "--write" in argv:
            target = fixture_file(runbook.id, r.rule)
            target.write_text("\n".join(fixture_lines([r])) + "\n", encoding="utf-8")
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
