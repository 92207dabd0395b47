"""The commands: explain, policy check, policy drift and verify, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.conftest import Cli, run_subprocess
from tests.masking.masking_support import KEY

DEFAULT = Path(__file__).parents[2] / "src/trailmask/masking/default_policy.yaml"


def test_explain_prints_the_masked_sql_without_the_key(tm: Cli, third_party_dir: Path) -> None:
    assert tm("ingest", str(third_party_dir)).exit_code == 0
    result = tm("explain", "SELECT userIdentity.userName FROM events", "--as", "investigator")
    assert result.exit_code == 0
    assert "GETVARIABLE('tm_mask_key__k')" in result.stdout and "main.events" in result.stdout
    assert KEY not in result.stdout
    key_file = Path(str(tm.db) + ".key")
    assert not key_file.exists() or key_file.read_text().strip() not in result.stdout
    raw = tm("explain", "SELECT userIdentity.userName FROM events", "--as", "admin")
    assert "GETVARIABLE" not in raw.stdout


def test_sql_as_roles(tm: Cli, third_party_dir: Path) -> None:
    tm("ingest", str(third_party_dir))
    sql = "SELECT userIdentity.userName AS u, count(*) AS n FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"
    admin = tm("sql", sql, "--as", "admin", "--format", "json").json()
    investigator = tm("sql", sql, "--as", "investigator", "--format", "json").json()
    assert [r["n"] for r in admin] == [r["n"] for r in investigator]
    assert all(r["u"] is None or r["u"].startswith("user_") for r in investigator)
    rejected = tm("sql", "SELECT * FROM duckdb_settings()", "--as", "investigator")
    assert rejected.exit_code == 7 and "table functions are not allowed" in rejected.stderr


def test_policy_check(tm: Cli, tmp_path: Path) -> None:
    result = tm("policy", "check", "--format", "json")
    assert result.exit_code == 0
    report = result.json()
    assert report["origin"] == "built-in default policy"
    assert {r["role"] for r in report["roles"]} == {"admin", "investigator", "viewer"}
    row = next(r for r in report["fields"] if r["field"] == "sourceIPAddress")
    assert row == {
        "field": "sourceIPAddress",
        "class": "ip",
        "named": True,
        "admin": "raw",
        "investigator": "ip_truncate(ipv4_prefix=24, ipv6_prefix=48)",
        "viewer": "redact",
    }
    table = tm("policy", "check")
    assert table.exit_code == 0 and "valid" in table.stdout


def test_policy_check_invalid_file(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT.read_text())
    data["roles"]["viewer"]["operators"]["ip"] = {"op": "ip_truncate", "ipv4_prefix": 12}
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(data))
    result = Cli(tmp_path / "s.duckdb", env={"TRAILMASK_POLICY": str(policy)})("policy", "check")
    assert result.exit_code == 2
    assert "roles.viewer.operators.ip.ipv4_prefix: must be one of 0, 8, 16, 24 (got 12)" in result.stderr


def test_policy_drift(tm: Cli, third_party_dir: Path) -> None:
    tm("ingest", str(third_party_dir))
    result = tm("policy", "drift", "--format", "json")
    assert result.exit_code == 0
    findings = {(f["kind"], f["path"]): f for f in result.json()}
    assert ("field", "p_log_type") in findings  # Panther's own field: outside the schema
    assert ("json_key", "requestParameters.documentName") in findings  # no rule names it
    assert ("json_key", "requestParameters.bucketName") not in findings  # a resource name: classified
    assert all(f["events"] > 0 for f in findings.values())
    assert not any(f["path"].endswith(".password") for f in findings.values())  # a rule names it


@pytest.mark.slow
def test_verify_passes_on_the_default_policy(tmp_path: Path) -> None:
    result = run_subprocess(["--db", str(tmp_path / "s.duckdb"), "verify", "--format", "json"], timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["ok"] and report["findings"] == []
    assert set(report["roles"]) == {"investigator", "viewer"}
    assert report["queries"] > 100
    assert report["runbook_runs"] > 0
    assert not (tmp_path / "s.duckdb").exists()  # verify builds its own store


@pytest.mark.slow
def test_verify_fails_and_names_the_leak(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT.read_text())
    data["roles"]["viewer"]["operators"]["ip"] = "keep"
    data["roles"]["investigator"]["operators"]["secret"] = "keep"
    policy = tmp_path / "leaky.yaml"
    policy.write_text(yaml.safe_dump(data))
    result = Cli(tmp_path / "s.duckdb", env={"TRAILMASK_POLICY": str(policy)})("verify")
    assert result.exit_code == 1
    assert "LEAK viewer: select star: canary IPv4" in result.stdout
    assert (
        "LEAK investigator" not in result.stdout.replace("LEAK investigator: ", "") or "investigator" in result.stdout
    )
