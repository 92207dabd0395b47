"""The test suite as a tool: plain ``pytest`` works from any folder, golden files are never written silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.masking.golden_files import UPDATE_ENV, check_golden

ROOT = Path(__file__).resolve().parent.parent


def test_plain_pytest_imports_the_tests_package_from_another_folder(tmp_path: Path) -> None:
    """``pytest tests/...`` (no ``python -m``, any working folder) imports ``tests.*`` helpers."""
    pytest_bin = Path(sys.executable).parent / "pytest"
    target = ROOT / "tests" / "masking" / "test_mask_golden.py"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", UPDATE_ENV}}
    done = subprocess.run(
        [str(pytest_bin), "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(target), "-k", "pseudonym_mirrors"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_missing_golden_file_fails_and_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    path = tmp_path / "case.sql"
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        check_golden(path, "SELECT 1\n")
    assert not path.exists()


def test_changed_golden_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    path = tmp_path / "case.sql"
    path.write_text("SELECT 1\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="differs"):
        check_golden(path, "SELECT 2\n")
    assert path.read_text(encoding="utf-8") == "SELECT 1\n"


def test_golden_files_are_written_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    path = tmp_path / "sub" / "case.sql"
    check_golden(path, "SELECT 3\n")
    assert path.read_text(encoding="utf-8") == "SELECT 3\n"
