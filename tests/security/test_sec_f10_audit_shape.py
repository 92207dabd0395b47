"""Finding 10 (audit shape): the ``sql_shape`` shown to ``audit:read`` kept quoted identifiers and
leaked through ``E'...'`` strings (the lexer ended the string at ``\\'``). Now the shape comes from
the parse tree, and a statement that does not parse is redacted entirely.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import Cli, awsdocs_events, write_jsonl

from trailmask.audit import AuditLog, sql_fingerprint, sql_shape
from trailmask.audit.fingerprint import UNPARSED

RAW = "203.0.113.7"


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT eventName FROM events WHERE errorMessage = E'it\\'s {RAW}'",
        f"SELECT eventName FROM events WHERE errorMessage = E'x\\\\' OR userAgent = '{RAW}'",
        f'SELECT eventName AS "{RAW}" FROM events',
        f'SELECT "{RAW}" FROM (SELECT 1 AS "{RAW}")',
        f"SELECT eventName FROM events WHERE sourceIPAddress = $q${RAW}$q$",
        f"SELECT eventName FROM events -- {RAW}\n WHERE 1 = 1 /* {RAW} */",
        f"SELECT eventName FROM events WHERE eventName = '{RAW}' AND 'it''s {RAW}' <> ''",
        "SELECT eventName FROM events WHERE recipientAccountId = 210987654321",
    ],
)
def test_shape_holds_no_typed_value(sql: str) -> None:
    shape = sql_shape(sql)
    assert RAW not in shape and "210987654321" not in shape, shape
    assert shape.startswith("select") or shape == UNPARSED


def test_shape_keeps_the_query_structure() -> None:
    shape = sql_shape(f'SELECT "userIdentity".arn, count(*) AS "{RAW}" FROM events GROUP BY 1')
    assert shape == 'select "useridentity".arn, count(*) as "?" from events group by ?'


@pytest.mark.parametrize("sql", [f"SELECT E'{RAW}", f"SELEC eventName FROM events WHERE x = '{RAW}'", f"'{RAW}"])
def test_unparsable_sql_is_redacted_entirely(sql: str) -> None:
    assert sql_shape(sql) == UNPARSED
    assert sql_fingerprint(sql) == sql_fingerprint("SELECT (((")


def test_logged_shape_of_an_e_string_query(tm: Cli, tmp_path: Path, store_path: Path) -> None:
    source = write_jsonl(tmp_path / "events.jsonl", awsdocs_events()[:10])
    assert tm("ingest", str(source)).exit_code == 0
    sql = f"SELECT count(*) AS \"{RAW}\" FROM events WHERE errorMessage = E'a\\' OR 1=1 OR x=\\'{RAW}'"
    tm("sql", sql, "--as", "admin")
    log = AuditLog(store_path.with_name(store_path.name + ".audit.jsonl"))
    assert RAW not in log.path.read_text()
