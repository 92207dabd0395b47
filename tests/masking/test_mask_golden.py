"""Golden tests of the operators: the SQL for DuckDB, Spark and Trino, and the values on DuckDB.

Cases live in golden/operators.yaml (input, expected output); the rendered SQL of each case is in
golden/sql/<name>.<engine>.sql. A missing or different file fails; set TRAILMASK_UPDATE_GOLDEN=1 to
rewrite the SQL files after an intended change (then review the diff); the expected values are never
generated. Whole queries (user SQL -> masked SQL) are in test_mask_query_golden.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from tests.masking.golden_files import check_golden
from tests.masking.masking_support import KEY

from trailmask.masking.compiler import key_expression
from trailmask.masking.model import Operator, Role
from trailmask.masking.operators import MaskContext, mask_value, pseudonym_py
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.render import DIALECTS, to_sql

GOLDEN = Path(__file__).parent / "golden"
CASES: list[dict[str, Any]] = yaml.safe_load((GOLDEN / "operators.yaml").read_text(encoding="utf-8"))


def _operator(spec: Any) -> Operator:
    if isinstance(spec, str):
        return Operator(spec)
    return Operator(spec["op"], {k: v for k, v in spec.items() if k != "op"})


def _expression(case: dict[str, Any]) -> sx.Expr:
    op = _operator(case["operator"])
    operators = {case["class"]: op}
    if "account_operator" in case:
        operators["account_id"] = _operator(case["account_operator"])
    ctx = MaskContext(key=key_expression(), role=Role(name="golden", operators=operators))
    return mask_value(op, sx.column("v"), case["class"], case.get("type", "STRING"), ctx)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql_matches_golden_file(case: dict[str, Any], dialect: str) -> None:
    sql = to_sql(_expression(case), dialect, pretty=True) + "\n"
    check_golden(GOLDEN / "sql" / f"{case['name']}.{dialect}.sql", sql)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_values_on_duckdb(case: dict[str, Any]) -> None:
    connection = duckdb.connect()
    connection.execute("SET VARIABLE tm_mask_key__k = ?", [KEY])
    sql = f"SELECT {to_sql(_expression(case), 'duckdb')} FROM (SELECT CAST(? AS VARCHAR) AS v)"
    for given, expected in case["cases"]:
        got = connection.execute(sql, [given]).fetchone()
        assert got is not None
        value = got[0]
        assert (str(value) if value is not None else None) == expected, f"{case['name']}: {given!r}"


def test_python_pseudonym_mirrors_sql() -> None:
    """reveal() hashes in Python: the same key, class and value give the same token as the SQL."""
    op = Operator("pseudonym", {"prefix": "key", "keep_prefix": 4})
    expected = {c[0]: c[1] for c in next(x for x in CASES if x["name"] == "pseudonym_access_key_kept_prefix")["cases"]}
    for value, token in expected.items():
        assert pseudonym_py(value, "access_key", op, KEY) == token


def test_arn_names_share_the_principal_digest() -> None:
    """An IAM user's ARN carries the same digest as the user name: one actor, one token."""
    cases = {c["name"]: dict(c["cases"]) for c in CASES}
    user = cases["pseudonym_principal"]["alice"].removeprefix("user_")
    account = cases["pseudonym_account"]["123456789012"]
    assert cases["arn_pseudonym"]["arn:aws:iam::123456789012:user/alice"] == f"arn:aws:iam::{account}:user/name_{user}"
