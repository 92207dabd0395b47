"""The one CSV cell encoder: every CSV trailmask writes (``export --format csv``, the CLI's
``--format csv``) turns values into cells here; the web UI's download (web/static/download.js)
applies the same rule in the browser.

Rows are RFC 4180 (``csv_writer``): CRLF line ends, and a cell holding a comma, a quote, CR or LF
is quoted (with a bare ``\n`` line end Python's writer leaves a CR unquoted, which splits the row
for a reader: a row-injection of its own). Cells hold text: ``None`` is empty, booleans
``true``/``false``, nested values (structs, lists) compact JSON, timestamps ISO-8601 UTC (``Z``),
bytes hex, numbers as written.

Formula injection (OWASP "CSV injection"): CloudTrail fields are written by whoever made the API
call (``userAgent``, ``errorMessage``, request parameters), and a spreadsheet evaluates a cell
that starts like a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``+``, ``-``, ``@``). A
text cell is prefixed with ``'`` (which spreadsheets show as text and do not display) when it
starts with one of ``= + - @`` or their full-width forms ``＝ ＋ － ＠``, possibly after leading
blanks (space, tab, CR, LF), or when it starts with a tab, CR or LF. Numbers and booleans are never
prefixed (a negative number stays a number); a text value such as ``-1`` is (it is text).
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from trailmask.values import json_ready

FORMULA_START = re.compile("^(?:[\t\r\n]|[ \t\r\n]*[=+\\-@\uff1d\uff0b\uff0d\uff20])")


def plain(value: Any) -> Any:
    """A JSON-ready value for files: datetimes as ISO-8601 UTC (``Z``) (trailmask.values)."""
    return json_ready(value, utc_z=True)


def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates (prefixed with ``'`` when it looks like a formula)."""
    return "'" + text if FORMULA_START.match(text) else text


def csv_cell(value: Any) -> str:
    """The cell text for one value (see the module docstring for the rule)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, datetime | date | bytes):
        return str(plain(value))
    return neutralise(str(value))


def csv_writer(handle: IO[str]) -> Any:
    """An RFC 4180 writer (CRLF; CR and LF inside a cell are quoted) on a text handle opened with newline=""."""
    return csv.writer(handle, lineterminator="\r\n")
