"""Masking test fixtures: the canary store, a store of real third-party events, a query helper."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.conftest import awsdocs_events, awsdocs_record_files, panther_events, write_jsonl
from tests.masking.masking_support import KEY, context_for

from trailmask.masking.canary import Canary, LeakScanner
from trailmask.models import Actor
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.verify import canary_store


@pytest.fixture(autouse=True)
def _fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use a known key (tests of key handling unset it)."""
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", KEY)


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppContext, list[Canary], LeakScanner]]:
    """The verify canary store (default policy), shared by a module's tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRAILMASK_MASKING_KEY", KEY)
        ctx = context_for(tmp_path_factory.mktemp("canary") / "unused.duckdb")
        with canary_store(ctx, ctx.policy) as (canary_ctx, found):
            yield canary_ctx, found, LeakScanner(found)


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    """Every third-party fixture event (Panther, AWS docs) ingested into one store."""
    root = tmp_path_factory.mktemp("real")
    write_jsonl(root / "in" / "panther.jsonl", panther_events())
    write_jsonl(root / "in" / "awsdocs_events.jsonl", awsdocs_events())
    for index, document in enumerate(awsdocs_record_files()):
        (root / "in" / f"awsdocs_records_{index}.json").write_text(json.dumps(document), encoding="utf-8")
    ctx = context_for(root / "store.duckdb")
    ingest(ctx, Actor(name="test", role="admin"), [str(root / "in")])
    return ctx
