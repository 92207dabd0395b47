"""Finding 11: log content rewrites the analyst's terminal.

``cli/render.py`` handed field values to Rich as markup: a userAgent of ``[/]`` crashed every table
showing it (one API call by an attacker hid every row returned with theirs), ``[link=...]``,
``[conceal]`` and ``[black on black]`` changed what was seen, and raw ESC sequences (clear screen,
window title, OSC 8 links) reached the terminal, through ``audit list`` too. Every value printed now
is plain text with its control characters shown as escapes (``\\x1b``). These tests run the real
console script, through a pipe and under a pseudo-terminal (where Rich styles its own output).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from tests.conftest import awsdocs_events, write_jsonl

from trailmask.audit import AuditLog

ESC = "\x1b"
MARKUP = ["[/]", "[link=https://evil.example/]click me[/link]", "[conceal]hidden[/conceal]", "[black on black]x[/]"]
SEQUENCES = [
    ESC + "[2J" + ESC + "[H",  # clear screen, cursor home
    ESC + "]0;pwned" + "\x07",  # window title
    ESC + "]8;;https://evil.example/" + ESC + "\\" + "docs" + ESC + "]8;;" + ESC + "\\",  # OSC 8 hyperlink
    "\x9b" + "31m",  # C1 CSI
    "admin\u202etxt.exe",  # right-to-left override
    "line1\rOVERWRITTEN",
]
PAYLOADS = MARKUP + SEQUENCES
# What reaches the terminal from an attacker's sequence if it is not made visible.
RAW = [ESC + "[2J", ESC + "]0;", ESC + "]8;", "\x9b", "\x07", "\u202e"]
WIDE = {"COLUMNS": "400", "LINES": "50", "TERM": "xterm-256color"}


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The real console script through pipes; output decoded as it is."""
    result = subprocess.run(
        [sys.executable, "-m", "trailmask", *args],
        capture_output=True,
        env={**os.environ, **WIDE, **(env or {})},
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def _run_tty(args: list[str]) -> tuple[int, str]:
    """The real console script with stdout and stderr on a pseudo-terminal (300 columns)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 300, 0, 0))
    env = {**os.environ, **WIDE, "COLUMNS": "300"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trailmask", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", errors="replace")


def _assert_nothing_raw(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the terminal"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("f11")
    base = awsdocs_events()[0]
    events = [
        {**base, "eventID": f"00000000-0000-0000-0000-{i:012d}", "userAgent": p, "errorMessage": p}
        for i, p in enumerate(PAYLOADS)
    ]
    db = root / "s.duckdb"
    code, _, err = _run(["--db", str(db), "ingest", str(write_jsonl(root / "in" / "attack.jsonl", events))])
    assert code == 0, err
    return db


QUERY = "SELECT eventID, userAgent FROM events ORDER BY eventID"


def test_markup_in_a_value_neither_crashes_nor_styles_the_table(store: Path) -> None:
    code, out, err = _run(["--db", str(store), "sql", QUERY, "--as", "admin"])
    assert code == 0, err
    for payload in MARKUP:
        assert payload in out, f"{payload!r} not shown as typed"
    assert out.count("00000000-0000-0000-0000-") == len(PAYLOADS)  # every row is there


def test_control_sequences_are_shown_not_sent(store: Path) -> None:
    code, out, err = _run(["--db", str(store), "sql", QUERY, "--as", "admin"])
    assert code == 0, err
    assert ESC not in out and "\r" not in out
    _assert_nothing_raw(out)
    assert "\\x1b[2J\\x1b[H" in out and "\\x1b]0;pwned\\x07" in out and "\\x9b31m" in out
    assert "admin\\u202etxt.exe" in out and "line1\\rOVERWRITTEN" in out


def test_under_a_terminal_only_rich_styles_reach_it(store: Path) -> None:
    for args in (["sql", QUERY, "--as", "admin"], ["sql", QUERY, "--as", "admin", "--format", "csv"]):
        code, out = _run_tty(["--db", str(store), *args])
        assert code == 0, out
        _assert_nothing_raw(out)
        assert "\\x1b]8;;https://evil.example/" in out
        assert "[link=https://evil.example/]click me[/link]" in out


def test_json_output_escapes_every_control_character(store: Path) -> None:
    code, out, err = _run(["--db", str(store), "sql", QUERY, "--as", "admin", "--format", "json"])
    assert code == 0, err
    assert all(ord(c) >= 0x20 and ord(c) < 0x7F for c in out.rstrip("\n"))
    assert sorted(row["userAgent"] for row in json.loads(out)) == sorted(PAYLOADS)


def test_audit_list_shows_a_hostile_runbook_id_as_text(store: Path) -> None:
    hostile = "[/]" + ESC + "]0;pwned\x07" + ESC + "[2J"
    AuditLog(Path(str(store) + ".audit.jsonl")).append(
        {"actor": "token:mallory", "action": "runbook", "outcome": "not_found", "runbook": hostile}
    )
    code, out, err = _run(["--db", str(store), "audit", "list", "--limit", "5"])
    assert code == 0, err
    _assert_nothing_raw(out)
    assert "[/]\\x1b]0;pwned\\x07\\x1b[2J" in out


def test_errors_and_rejections_echo_values_visibly(store: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / ("gone" + ESC + "[2J" + ESC + "]0;pwned\x07.json"))
    code, _, err = _run(["--db", str(store), "ingest", missing])
    assert code == 4
    _assert_nothing_raw(err)
    assert "gone\\x1b[2J\\x1b]0;pwned\\x07.json" in err
    bad = tmp_path / "in" / ("bad" + ESC + "]0;pwned\x07.json")
    bad.parent.mkdir()
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = _run(["--db", str(store), "ingest", str(bad.parent)])
    assert code == 3, err  # InputRejected
    _assert_nothing_raw(err)
    assert "rejected: " in err and "bad\\x1b]0;pwned\\x07.json" in err
