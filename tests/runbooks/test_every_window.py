"""Every runbook runs with every standard window shape, for the raw and a masked role.

``since=all`` binds ``$start``/``$end`` as untyped NULLs: arithmetic on them (``$start - INTERVAL``)
must cast explicitly or DuckDB cannot bind the query. The 1M-event performance test found this
late and slowly; this small store finds it in seconds, for built-in runbooks added later too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trailmask.config import load_settings
from trailmask.models import Actor
from trailmask.runbooks.model import Runbook
from trailmask.service import runbooks as service
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.synth import DEFAULT_START, write_jsonl

REQUIRED = {
    "principal": "arn:aws:iam::111122223333:user/alice",
    "ip": "198.51.100.7",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "service": "s3.amazonaws.com",
    "cidr": "10.0.0.0/8",
}
WINDOWS = {
    "all": {"since": "all"},
    "explicit": {"start": DEFAULT_START.isoformat(), "end": (DEFAULT_START.replace(hour=23)).isoformat()},
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    folder: Path = tmp_path_factory.mktemp("windows")
    source = write_jsonl(folder / "base.jsonl", 500)
    ctx = AppContext.from_settings(load_settings({"db": str(folder / "store.duckdb")}, env={}))
    assert not ingest(ctx, Actor(name="t", role="admin"), [str(source)]).rejected
    return AppContext.from_settings(ctx.settings)


def _params(runbook: Runbook, window: dict[str, str]) -> dict[str, str]:
    values = dict(window)
    for param in runbook.parameters:
        if param.required:
            values[param.name] = REQUIRED[param.name]
    return values


@pytest.mark.parametrize("role", ["admin", "investigator"])
@pytest.mark.parametrize("shape", sorted(WINDOWS))
def test_every_runbook_binds_and_runs_for_every_window(small: AppContext, role: str, shape: str) -> None:
    failures = {}
    for runbook in service.list_runbooks(small):
        window = WINDOWS[shape]
        if shape == "all" and runbook.window is not None and runbook.window.maximum:
            continue  # such a runbook refuses since=all by design (tested in test_params)
        try:
            service.run_runbook(small, Actor(name="t", role=role), runbook.id, _params(runbook, window), max_rows=5)
        except Exception as exc:  # collect every failure, report them together
            failures[runbook.id] = str(exc)[:160]
    assert not failures, failures
