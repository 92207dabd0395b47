"""No silent second key (issue 16.5): a dataset names its key and audit log; other runs refuse.

These runs never reach Spark: the refusal comes before any engine starts, so no JVM is needed,
and nothing (key file, audit log, head) may appear where the run looked for its store.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import Cli

from trailmask.cli.main import cli
from trailmask.config import Secret, load_settings
from trailmask.errors import ConfigError
from trailmask.export.manifest import MANIFEST_NAME
from trailmask.service.binding import bound_key, key_fingerprint
from trailmask.service.keys import read_masking_key

SQL = "SELECT count(*) AS n FROM events"


@pytest.fixture
def exported(tm: Cli, third_party_dir: Path, tmp_path: Path) -> Path:
    assert tm("ingest", str(third_party_dir)).exit_code == 0
    dataset = tmp_path / "dataset"
    result = tm("export", "--format", "parquet", str(dataset))
    assert result.exit_code == 0, result.stderr
    return dataset


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``trailmask ARGS`` from folder ``cwd`` without --db (as docs/scale.md's examples run it)."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stderr


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_export_records_key_fingerprint_and_audit_log(exported: Path, store_path: Path) -> None:
    manifest_file = exported / MANIFEST_NAME
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    key = Path(f"{store_path}.key").read_text(encoding="utf-8").strip()
    assert manifest["key_fingerprint"] == key_fingerprint(Secret(key))
    assert len(manifest["key_fingerprint"]) == 16
    assert manifest["key_file"] == str(Path(f"{store_path}.key").resolve())
    assert manifest["audit_log"] == str(store_path.with_name(store_path.name + ".audit.jsonl").resolve())
    assert manifest["store"] == str(store_path.resolve())
    assert (manifest["role"], manifest["profile"]) == ("admin", "raw")
    assert key not in manifest_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(manifest_file.stat().st_mode) == 0o600


def test_no_db_refuses_and_names_the_store_and_key(exported: Path, store_path: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    before = _lines(audit)
    for role in ("admin", "investigator"):
        code, err = _run(elsewhere, "--engine", "spark", "--dataset", str(exported), "sql", SQL, "--as", role)
        assert code == 2, err
        assert "no masking key for dataset" in err
        assert str(store_path.resolve()) in err
        assert f"--db {store_path.resolve()}" in err
    assert list(elsewhere.iterdir()) == []  # no key, no audit log, no head beside the missing store
    assert _lines(audit) == before


def test_another_key_refuses_with_both_fingerprints(exported: Path, store_path: Path) -> None:
    other = "another-key-0123456789abcdef-xyz"
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    before = _lines(audit)
    spark = Cli(store_path, env={"TRAILMASK_MASKING_KEY": other})
    result = spark("--engine", "spark", "--dataset", str(exported), "sql", SQL, "--as", "investigator")
    assert result.exit_code == 2
    assert key_fingerprint(Secret(other)) in result.stderr
    manifest = json.loads((exported / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["key_fingerprint"] in result.stderr
    assert "pseudonyms would differ" in result.stderr
    assert other not in result.stderr
    assert _lines(audit) == before


def test_another_audit_log_refuses(exported: Path, store_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "other-audit.yaml"
    config.write_text(f"audit:\n  path: {tmp_path / 'split.audit.jsonl'}\n", encoding="utf-8")
    result = Cli(store_path)(
        "--config", str(config), "--engine", "spark", "--dataset", str(exported), "sql", SQL, "--as", "admin"
    )
    assert result.exit_code == 2
    assert "belongs to the audit log" in result.stderr
    assert not (tmp_path / "split.audit.jsonl").exists()


def test_missing_audit_log_is_not_recreated(exported: Path, store_path: Path) -> None:
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    audit.rename(audit.with_name("moved.jsonl"))
    settings = load_settings({"db": str(store_path), "engine": "spark", "dataset": str(exported)}, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        bound_key(settings, audit)
    assert not audit.exists()


def test_the_right_key_and_log_without_the_store_are_accepted(exported: Path, store_path: Path) -> None:
    """A team that keeps only the key and the audit log (not the store) can still query the dataset."""
    key_file = Path(f"{store_path}.key")
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    settings = load_settings(
        {
            "db": str(store_path.with_name("absent.duckdb")),
            "engine": "spark",
            "dataset": str(exported),
            "masking_key_file": str(key_file),
        },
        env={},
    )
    assert bound_key(settings, audit).reveal() == key_file.read_text(encoding="utf-8").strip()


def test_datasets_without_a_manifest_or_folder_refuse(exported: Path, store_path: Path, tmp_path: Path) -> None:
    (exported / MANIFEST_NAME).unlink()
    base = {"db": str(store_path), "engine": "spark"}
    audit = store_path.with_name(store_path.name + ".audit.jsonl")
    with pytest.raises(ConfigError, match="does not say which masking key"):
        bound_key(load_settings({**base, "dataset": str(exported)}, env={}), audit)
    with pytest.raises(ConfigError, match="is not a directory"):
        bound_key(load_settings({**base, "dataset": str(tmp_path / "absent")}, env={}), audit)
    (exported / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        bound_key(load_settings({**base, "dataset": str(exported)}, env={}), audit)


def test_no_key_is_generated_beside_a_missing_store(tmp_path: Path) -> None:
    settings = load_settings({"db": str(tmp_path / "nowhere" / "s.duckdb")}, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        read_masking_key(settings)
    assert not (tmp_path / "nowhere").exists()


def test_overwrite_with_another_key_is_a_conflict(exported: Path, store_path: Path) -> None:
    other = Cli(store_path, env={"TRAILMASK_MASKING_KEY": "yet-another-key-0123456789abcdef"})
    result = other("export", "--format", "parquet", str(exported), "--overwrite")
    assert result.exit_code == 11
    assert "would mix" in result.stderr
    same = Cli(store_path)("export", "--format", "parquet", str(exported), "--overwrite")
    assert same.exit_code == 0, same.stderr
