"""Spark over a masked role's own dataset (``export --as ROLE``): no masking logic in the query.

The investigator's dataset is exported from the parity store (the third-party events and the
canary trail) as a user would; a Spark context over it answers every runbook with the rows
DuckDB gives that role (the dynamic masked relation over the raw store), no canary appears, the
SQL that runs has no masking key and no masking operator, and everybody else is refused: a raw
role (it would take masked values for raw ones), an unmasked run, another role, and the same role
once the policy changed (the dataset was masked under the old one).
"""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.spark.compare import difference
from tests.spark.conftest import ScaleEnv
from tests.spark.runs import THREADS, attempt

from trailmask.errors import ConfigError, PermissionDenied, UsageError
from trailmask.masking.canary import LeakScanner
from trailmask.masking.loader import policy_from_data
from trailmask.models import Actor, QueryRequest, QueryResult
from trailmask.service.catalog import catalog
from trailmask.service.context import AppContext
from trailmask.service.explain import explain
from trailmask.service.export import export
from trailmask.service.prepare import prepare
from trailmask.service.query import run_query
from trailmask.service.runbooks import run_runbook

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# The masked roles that may export (the viewer may not: permission 'export'); the others query
# the raw dataset through the dynamic masked relation (test_spark_parity, test_spark_noleak).
DATASET_ROLES = ("investigator",)


def _actor(role: str) -> Actor:
    return Actor(name="masked-dataset", role=role, via="cli-owner")


@pytest.fixture(scope="module")
def role_contexts(scale_env: ScaleEnv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, AppContext]:
    """role -> a Spark context over that role's masked dataset."""
    root = tmp_path_factory.mktemp("masked-datasets")
    contexts = {}
    for role in DATASET_ROLES:
        directory = root / role
        result = export(scale_env.duck, _actor(role), "parquet", directory)
        assert result.rows == scale_env.events
        settings = dataclasses.replace(scale_env.duck.settings, engine="spark", dataset=directory)
        contexts[role] = AppContext.from_settings(settings)
        assert contexts[role].masked_dataset is not None
        assert contexts[role].masked_dataset[0] == role  # type: ignore[index]
    return contexts


def _run(ctx: AppContext, role: str, runbook: Any) -> QueryResult | str:
    return attempt(ctx, _actor(role), runbook)


def test_every_runbook_on_each_masked_dataset(scale_env: ScaleEnv, role_contexts: dict[str, AppContext]) -> None:
    runbooks = sorted(catalog(scale_env.duck), key=lambda r: r.id)
    jobs = [(role, runbook) for role in DATASET_ROLES for runbook in runbooks]
    expected = [_run(scale_env.duck, role, runbook) for role, runbook in jobs]
    with ThreadPoolExecutor(THREADS) as pool:
        actual = list(pool.map(lambda job: _run(role_contexts[job[0]], *job), jobs))
    scanner = LeakScanner(scale_env.canaries)
    problems, ran = [], 0
    for (role, runbook), want, got in zip(jobs, expected, actual, strict=True):
        where = f"{runbook.id} as {role}"
        if isinstance(want, str) or isinstance(got, str):
            if not (isinstance(want, str) and want.startswith("PermissionDenied") and want == got):
                problems.append(f"{where}: duckdb {want if isinstance(want, str) else 'ok'} / spark {got}")
            continue  # refused alike on both (the role lacks a permission the runbook needs)
        ran += 1
        if diff := difference(want, got):
            problems.append(f"{where}: {diff}")
        cells = [[row.get(c) for c in got.columns] for row in got.rows]
        problems += [f"{where}: canary {leak.canary.label}" for leak in scanner.scan_rows(got.columns, cells, where)]
    assert not problems, "\n".join(problems)
    assert ran >= len(jobs) - 4  # only the few runbooks a role may not run at all are skipped


def test_the_query_carries_no_masking(role_contexts: dict[str, AppContext]) -> None:
    sql = "SELECT userIdentity.arn AS arn, sourceIPAddress AS ip, count(*) AS n FROM events GROUP BY ALL"
    ctx = role_contexts["investigator"]
    text = explain(ctx, _actor("investigator"), sql, dialect="spark")
    assert "tm_mask_key" not in text and "sha256" not in text.lower() and "hmac" not in text.lower()
    assert ctx.masking_key.reveal() not in text
    masked = run_query(ctx, _actor("investigator"), QueryRequest(sql=sql))
    assert masked.rows and all(str(row["arn"] or "").count("arn:") <= 1 for row in masked.rows)


@pytest.mark.parametrize(("dataset_role", "asker"), [("investigator", "admin"), ("investigator", "viewer")])
def test_other_roles_are_refused(role_contexts: dict[str, AppContext], dataset_role: str, asker: str) -> None:
    ctx = role_contexts[dataset_role]
    with pytest.raises(PermissionDenied) as refused:
        run_runbook(ctx, _actor(asker), "cis-root-account-usage", {"since": "all"})
    assert f"holds the masked events of role {dataset_role!r}" in str(refused.value)
    assert "export --as" in (refused.value.hint or "")


def test_an_unmasked_run_is_refused(role_contexts: dict[str, AppContext]) -> None:
    """An approved break-glass run reaches prepare with unmasked=True: the raw values are not there."""
    with pytest.raises(PermissionDenied, match="an unmasked run cannot query it"):
        prepare(role_contexts["investigator"], "investigator", "SELECT count(*) AS n FROM events", {}, unmasked=True)


def test_a_changed_policy_refuses(role_contexts: dict[str, AppContext], tmp_path: Path) -> None:
    from importlib import resources

    data = yaml.safe_load(
        resources.files("trailmask.masking").joinpath("default_policy.yaml").read_text(encoding="utf-8")
    )
    data["roles"]["auditor"] = dict(data["roles"]["viewer"])  # any change: a new role
    ctx = role_contexts["investigator"]
    changed = dataclasses.replace(ctx, _policy=policy_from_data(data, "changed policy"), relations={})
    assert changed.policy.digest != ctx.policy.digest
    with pytest.raises(ConfigError, match="under another policy") as refused:
        run_query(changed, _actor("investigator"), QueryRequest(sql="SELECT count(*) AS n FROM events"))
    assert "--as investigator --overwrite" in (refused.value.hint or "")


def _dataset_rows(directory: Path) -> tuple[list[str], set[str]]:
    """Every row (JSON, partition columns included) and every partition folder of a dataset."""
    import duckdb

    files = sorted(directory.rglob("*.parquet"))
    assert files, f"no Parquet files under {directory}"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    listing = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    relation = con.sql(f"SELECT * FROM read_parquet({listing}, hive_partitioning = true, union_by_name = true)")
    names = relation.columns
    rows = [json.dumps(dict(zip(names, row, strict=True)), default=str, sort_keys=True) for row in relation.fetchall()]
    rows.sort()
    return rows, {str(f.parent.relative_to(directory)) for f in files}


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_spark_builds_the_same_dataset_as_duckdb(
    scale_env: ScaleEnv, role_contexts: dict[str, AppContext], tmp_path: Path, role: str
) -> None:
    """``trailmask --engine spark --dataset RAW export --format parquet DIR --as ROLE``: Spark's executors
    write the role's dataset from the raw one; it equals the DuckDB export of the store, files
    0600, folders 0700, no Hadoop side files, the same manifest."""
    by_duckdb = tmp_path / "duckdb"
    export(scale_env.duck, _actor(role), "parquet", by_duckdb)
    by_spark = tmp_path / "spark"
    result = export(scale_env.spark, _actor(role), "parquet", by_spark)
    assert result.rows == scale_env.events and result.files
    want, want_folders = _dataset_rows(by_duckdb)
    got, got_folders = _dataset_rows(by_spark)
    assert got_folders == want_folders
    assert len(got) == len(want)
    mismatched = [(a, b) for a, b in zip(want, got, strict=True) if a != b]
    if mismatched:
        a, b = (json.loads(x) for x in mismatched[0])
        fields = {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
        pytest.fail(f"{len(mismatched)} rows differ; first, duckdb vs spark: {str(fields)[:3000]}")
    assert not [p for p in by_spark.rglob("*") if p.name.endswith(".crc") or p.name == "_SUCCESS"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in by_spark.rglob("*"))
    manifests = [json.loads((d / "_trailmask.json").read_text(encoding="utf-8")) for d in (by_duckdb, by_spark)]
    assert manifests[0] == manifests[1]
    if role == "admin":  # --overwrite replaces the partitions written (folder names with spaces included)
        assert any("%20" in folder for folder in got_folders)
        again = export(scale_env.spark, _actor(role), "parquet", by_spark, overwrite=True)
        assert again.rows == result.rows
        assert _dataset_rows(by_spark) == (got, got_folders)
    with pytest.raises(UsageError, match="is the dataset Spark reads"):
        export(scale_env.spark, _actor(role), "parquet", scale_env.dataset, overwrite=True)
