"""Golden files: compared, never written by a normal run.

A missing or different golden file fails the test. ``TRAILMASK_UPDATE_GOLDEN=1`` (re)writes the
files after an intended change; review the diff before committing (see tests/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

UPDATE_ENV = "TRAILMASK_UPDATE_GOLDEN"


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1"


def check_golden(path: Path, text: str) -> None:
    """Assert that ``path`` holds exactly ``text``; with TRAILMASK_UPDATE_GOLDEN=1, write it first."""
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(
            f"golden file {path} is missing: run the test with {UPDATE_ENV}=1 to write it, then review and commit it",
            pytrace=False,
        )
    assert text == path.read_text(encoding="utf-8"), f"{path} differs (intended? rerun with {UPDATE_ENV}=1)"
