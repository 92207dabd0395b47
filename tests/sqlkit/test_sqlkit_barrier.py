"""The row filter's optimisation barrier (sqlkit.barrier) and engines that lack one."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from trailmask.masking.compiler import compile_relation
from trailmask.masking.loader import load_policy_file
from trailmask.sqlkit.dialects import NotPortable, transpile
from trailmask.sqlkit.render import to_sql

DEFAULT = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        DEFAULT.read_text(encoding="utf-8")
        + """
  limited:
    description: one region
    permissions: [sql]
    row_filter: {regions: [eu-west-1]}
    operators: {public: keep, time: keep, free_text: detect}
""",
        encoding="utf-8",
    )
    return path


def test_the_filter_is_a_materialised_cte_at_the_head(tmp_path: Path) -> None:
    policy = load_policy_file(_policy(tmp_path))
    sql = to_sql(compile_relation(policy, "limited"))
    assert sql.startswith("WITH tm_rows AS MATERIALIZED (SELECT * FROM main.events AS tm_s WHERE ")
    assert sql.count("main.events") == 1  # everything else reads the barrier's rows
    connection = duckdb.connect()
    connection.execute("CREATE TABLE events AS SELECT 'eu-west-1' AS awsRegion UNION ALL SELECT 'us-east-1'")
    barrier = sql[len("WITH tm_rows AS MATERIALIZED (") : sql.index(")")] + ")"
    assert connection.execute(barrier.replace("main.events", "events")).fetchall() == [("eu-west-1",)]
    assert "MATERIALIZED" not in to_sql(compile_relation(policy, "investigator")).replace("NOT MATERIALIZED", "")


@pytest.mark.parametrize("dialect", ["spark", "athena"])
def test_engines_without_a_barrier_refuse_a_filtered_role(tmp_path: Path, dialect: str) -> None:
    policy = load_policy_file(_policy(tmp_path))
    with pytest.raises(NotPortable, match="row filter needs a materialised CTE"):
        transpile(to_sql(compile_relation(policy, "limited")), dialect)
    assert transpile(to_sql(compile_relation(policy, "viewer")), dialect).sql
