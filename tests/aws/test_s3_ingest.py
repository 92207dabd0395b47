"""``ingest s3://...`` against a moto server: org layout, filters, incremental sync, failures."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.aws.s3data import BUCKET, delivery, log_key, record
from tests.conftest import Cli, run_subprocess

import trailmask.ingest.s3 as s3_module
from trailmask.engines.duckdb.store import Store
from trailmask.errors import StoreError
from trailmask.ingest import s3_state
from trailmask.ingest.s3 import S3Request, ingest_s3
from trailmask.ingest.s3_layout import KeyFilter

A1, A2 = "111111111111", "222222222222"
R1, R2 = "us-east-1", "eu-west-1"
DAYS = (date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 5))


def _put_tree(s3: Any, *, prefix: str = "") -> dict[str, int]:
    """Two accounts x two regions x three days, two records per file; returns {key: records}."""
    keys = {}
    serial = 0
    for account in (A1, A2):
        for region in (R1, R2):
            for day in DAYS:
                serial += 1
                key = log_key(account, region, day, serial, prefix=prefix)
                records = [record(account, region, day, serial * 10 + i) for i in range(2)]
                s3.put_object(Bucket=BUCKET, Key=key, Body=delivery(records))
                keys[key] = len(records)
    return keys


def _count(tm: Cli, where: str = "true") -> int:
    rows = tm("sql", f"SELECT count(*) AS n FROM events WHERE {where}", "--as", "admin", "--format", "json").json()
    return int(rows[0]["n"])


def test_org_trail_is_ingested_then_synced_incrementally(s3: Any, tm: Cli) -> None:
    keys = _put_tree(s3)
    s3.put_object(
        Bucket=BUCKET, Key="AWSLogs/o-exampleorg1/111111111111/CloudTrail-Digest/us-east-1/x.json.gz", Body=b"x"
    )
    s3.put_object(Bucket=BUCKET, Key="AWSLogs/o-exampleorg1/README.txt", Body=b"not a log")

    first = tm("ingest", f"s3://{BUCKET}", "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["files_loaded"] == len(keys)
    assert first.json()["new_events"] == sum(keys.values())
    sources = tm("sql", "SELECT DISTINCT tm_source FROM events", "--as", "admin", "--format", "json").json()
    assert {row["tm_source"] for row in sources} == {f"s3://{BUCKET}/{k}" for k in keys}

    again = tm("ingest", f"s3://{BUCKET}/AWSLogs/", "--format", "json").json()
    assert again["files_loaded"] == 0
    assert again["files_skipped"] == len(keys)

    new_key = log_key(A1, R1, date(2024, 5, 6), 999)
    s3.put_object(Bucket=BUCKET, Key=new_key, Body=delivery([record(A1, R1, date(2024, 5, 6), 9990)]))
    third = tm("ingest", f"s3://{BUCKET}")
    assert third.exit_code == 0
    assert "1 loaded" in third.stdout and f"{len(keys)} skipped" in third.stdout
    assert _count(tm) == sum(keys.values()) + 1


def test_filters_prune_the_listing(s3: Any, store_path: Path) -> None:
    keys = _put_tree(s3, prefix="trails/")
    prefixes: list[str] = []
    s3.meta.events.register(
        "before-parameter-build.s3.ListObjectsV2", lambda params, **_: prefixes.append(params.get("Prefix", ""))
    )
    from trailmask.ingest.aws import parse_time

    wanted = KeyFilter.build([A2], [R1], parse_time("2024-05-04", "--start"), parse_time("2024-05-05", "--end"))
    summary = ingest_s3(Store(store_path), S3Request(f"s3://{BUCKET}/trails/", wanted, workers=4), s3)
    expected = {k for k in keys if f"/{A2}/CloudTrail/{R1}/2024/05/05/" in k}
    assert {f.path for f in summary.files} == {f"s3://{BUCKET}/{k}" for k in expected}
    assert not any(A1 in p for p in prefixes), prefixes
    assert not any(f"/{R2}/" in p for p in prefixes), prefixes
    assert not any("/2024/05/01" in p or "/2024/05/02" in p for p in prefixes), prefixes


def test_start_end_keep_one_day_of_slack(s3: Any, tm: Cli) -> None:
    keys = _put_tree(s3)
    result = tm(
        "ingest", f"s3://{BUCKET}", "--start", "2024-05-03T10:00:00Z", "--end", "2024-05-03", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    # folders 2024/05/02 .. 2024/05/04 qualify: only the 05/02 ones exist
    assert result.json()["files_loaded"] == sum(1 for k in keys if "/2024/05/02/" in k)


def test_rejected_object_is_named_quarantined_and_remembered(s3: Any, tm: Cli, store_path: Path) -> None:
    good = log_key(A1, R1, DAYS[0], 1)
    bad = log_key(A1, R1, DAYS[0], 2)
    s3.put_object(Bucket=BUCKET, Key=good, Body=delivery([record(A1, R1, DAYS[0], 1)]))
    s3.put_object(Bucket=BUCKET, Key=bad, Body=gzip.compress(b'{"Records": [')[:-6])

    result = tm("ingest", f"s3://{BUCKET}")
    assert result.exit_code == 3
    assert f"rejected: s3://{BUCKET}/{bad}:" in result.stderr
    quarantined = list(Path(str(store_path) + ".quarantine").rglob("*.json.gz"))
    assert [p.name for p in quarantined] == [bad.rsplit("/", 1)[-1]]
    assert s3_state.summary(Store(store_path)) == {"loaded": 1, "rejected": 1}

    rerun = tm("ingest", f"s3://{BUCKET}")
    assert rerun.exit_code == 0 and "2 skipped" in rerun.stdout


def test_overwritten_object_is_fetched_again_without_duplicates(s3: Any, tm: Cli) -> None:
    key = log_key(A1, R1, DAYS[0], 1)
    first = [record(A1, R1, DAYS[0], 1)]
    s3.put_object(Bucket=BUCKET, Key=key, Body=delivery(first))
    assert tm("ingest", f"s3://{BUCKET}").exit_code == 0
    s3.put_object(Bucket=BUCKET, Key=key, Body=delivery([*first, record(A1, R1, DAYS[0], 2)]))
    result = tm("ingest", f"s3://{BUCKET}", "--format", "json").json()
    assert (result["files_loaded"], result["new_events"], result["duplicates"]) == (1, 1, 1)
    assert _count(tm) == 2


def test_state_is_recorded_only_for_committed_batches(
    s3: Any, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _put_tree(s3)
    real_load = s3_module.load_inputs
    calls = {"n": 0}

    def crash_on_second(store: Store, items: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise StoreError("simulated crash in the middle of the second batch")
        return real_load(store, items, **kw)

    monkeypatch.setattr(s3_module, "load_inputs", crash_on_second)
    request = S3Request(f"s3://{BUCKET}", workers=3, chunk_files=5)
    with pytest.raises(StoreError):
        ingest_s3(Store(store_path), request, s3)
    store = Store(store_path)
    assert s3_state.summary(store) == {"loaded": 5}
    assert len(s3_state.known(store, BUCKET, "")) == 5

    monkeypatch.setattr(s3_module, "load_inputs", real_load)
    summary = ingest_s3(store, request, s3)
    totals = summary.totals()
    assert (totals["files_skipped"], totals["files_loaded"]) == (5, len(keys) - 5)
    assert totals["new_events"] == sum(keys.values()) - 10
    assert s3_state.summary(store) == {"loaded": len(keys)}


def test_download_failure_is_reported_and_retried(s3: Any, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _put_tree(s3)
    victim = sorted(keys)[3]
    real_download = s3_module._download

    def flaky(client: Any, bucket: str, obj: Any, target: Path) -> Path:
        if obj.key == victim:
            client.get_object(Bucket=bucket, Key=obj.key + "-gone")  # raises NoSuchKey
        return real_download(client, bucket, obj, target)

    monkeypatch.setattr(s3_module, "_download", flaky)
    summary = ingest_s3(Store(store_path), S3Request(f"s3://{BUCKET}", workers=4), s3)
    assert [(f.path, f.reason) for f in summary.rejected] == [
        (f"s3://{BUCKET}/{victim}", "download failed (NoSuchKey); it will be retried on the next run")
    ]
    monkeypatch.setattr(s3_module, "_download", real_download)
    retry = ingest_s3(Store(store_path), S3Request(f"s3://{BUCKET}", workers=4), s3)
    assert [f.path for f in retry.files if f.status == "loaded"] == [f"s3://{BUCKET}/{victim}"]


def test_progress_reports_every_download(s3: Any, store_path: Path) -> None:
    keys = _put_tree(s3)
    seen: list[tuple[int, int]] = []
    ingest_s3(
        Store(store_path), S3Request(f"s3://{BUCKET}", chunk_files=4), s3, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (len(keys), len(keys))
    assert [d for d, _ in seen] == list(range(1, len(keys) + 1))


def test_missing_bucket_and_bad_uri_fail_cleanly(aws_env: str, tm: Cli) -> None:
    missing = tm("ingest", "s3://no-such-bucket-here")
    assert missing.exit_code == 4
    assert "s3://no-such-bucket-here" in missing.stderr and "NoSuchBucket" in missing.stderr
    bad = tm("ingest", "s3://")
    assert bad.exit_code == 2
    local_only = tm("ingest", "--account", A1, str(Path(__file__)))
    assert local_only.exit_code == 2 and "s3://" in local_only.stderr


def test_unknown_profile_is_a_config_error(aws_env: str, tm: Cli) -> None:
    result = tm("ingest", f"s3://{BUCKET}", "--profile", "nope")
    assert result.exit_code == 2
    assert "profile 'nope'" in result.stderr


def test_console_entry_point_honours_aws_endpoint_url(s3: Any, store_path: Path) -> None:
    keys = _put_tree(s3)
    result = run_subprocess(
        ["--db", str(store_path), "ingest", f"s3://{BUCKET}", "--region", R2, "--workers", "2", "--format", "json"]
    )  # the child inherits AWS_ENDPOINT_URL and the dummy credentials from the monkeypatched environment
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["files_loaded"] == sum(1 for k in keys if f"/{R2}/" in k)
