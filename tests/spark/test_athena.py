"""Athena (Trino) SQL from ``explain --dialect athena``: every runbook, as every role that may run
ad-hoc SQL, parses with sqlglot's Trino dialect and round-trips; the key is only ever a ``?``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from tests.conftest import Cli
from tests.spark.matrix import full_matrix, needs_rewrites

from trailmask.config import load_settings
from trailmask.models import Actor
from trailmask.service.catalog import catalog
from trailmask.service.context import AppContext
from trailmask.service.explain import explain

KEY = "athena-test-key-0123456789abcdef"
_VALUES = re.compile(r"^-- values, in order: (.*)$", re.MULTILINE)


def _context(tmp_path: Path) -> AppContext:
    key_file = tmp_path / "key"
    key_file.write_text(KEY, encoding="utf-8")
    return AppContext.from_settings(
        load_settings({"db": str(tmp_path / "s.duckdb"), "masking_key_file": str(key_file)}, env={})
    )


def _round_trips(text: str) -> None:
    once = sqlglot.parse_one(text, read="trino").sql("trino")
    assert sqlglot.parse_one(once, read="trino").sql("trino") == once


def _placeholders(text: str) -> int:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return sum(1 for token in sqlglot.tokenize(body, read="trino") if token.token_type.name == "PLACEHOLDER")


@pytest.mark.slow
def test_every_runbook_as_athena_sql(tmp_path: Path) -> None:
    """Every runbook as admin; as investigator those the transpiler rewrites (all with ...=full)."""
    ctx = _context(tmp_path)
    for runbook in catalog(ctx):
        for role in ("admin", "investigator") if full_matrix() or needs_rewrites(runbook.sql) else ("admin",):
            text = explain(ctx, Actor(name="athena", role=role), runbook.sql, "athena")
            assert KEY not in text
            _round_trips(text)
            values = _VALUES.search(text)
            declared = values.group(1).count(": ") if values else 0
            assert _placeholders(text) == declared, runbook.id
            if role == "investigator":
                assert "1: the masking key" in text, runbook.id
            assert "cloudtrail_trailmask" in text


def test_cli_explain_dialects(tmp_path: Path) -> None:
    tm = Cli(tmp_path / "s.duckdb", env={"TRAILMASK_MASKING_KEY": KEY})
    sql = "SELECT userIdentity.arn AS arn, count(*) AS n FROM events WHERE eventTime >= $since GROUP BY ALL"
    athena = tm("explain", sql, "--as", "investigator", "--dialect", "athena")
    assert athena.exit_code == 0, athena.stderr
    assert KEY not in athena.stdout
    assert "WITH tm_mask_key AS (\n  SELECT\n    CAST(? AS VARCHAR) AS k" in athena.stdout
    assert "GROUP BY\n  1" in athena.stdout
    _round_trips(athena.stdout)
    spark = tm("explain", sql, "--as", "investigator", "--dialect", "spark")
    assert spark.exit_code == 0, spark.stderr
    assert ":since" in spark.stdout
    assert KEY not in spark.stdout
    sqlglot.parse_one(spark.stdout, read="spark")
    duckdb = tm("explain", sql, "--as", "investigator")
    assert duckdb.exit_code == 0
    assert "GETVARIABLE('tm_mask_key__k')" in duckdb.stdout
    assert tm("explain", sql, "--as", "investigator", "--dialect", "oracle").exit_code == 2
