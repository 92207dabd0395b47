"""The generated masking key file: created once, never seen half-written by a concurrent reader."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

from trailmask.config import Settings
from trailmask.service.keys import read_masking_key


def _read(db: str, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start.wait()
    try:
        out.put(("ok", read_masking_key(Settings(db=Path(db))).reveal()))
    except Exception as exc:  # the test reports every failure class, not only ConfigError
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def test_concurrent_first_use_agrees_on_one_whole_key(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRAILMASK_MASKING_KEY", raising=False)
    db = tmp_path / "store.duckdb"
    db.write_bytes(b"")
    context = multiprocessing.get_context("fork")
    start = context.Event()
    out = context.Queue()
    workers = [context.Process(target=_read, args=(str(db), start, out)) for _ in range(24)]
    for worker in workers:
        worker.start()
    start.set()
    answers = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert all(kind == "ok" for kind, _ in answers), answers
    assert len({key for _, key in answers}) == 1
    key_file = Path(f"{db}.key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert key_file.read_text(encoding="utf-8").strip() == answers[0][1]


def test_an_existing_key_file_is_kept(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TRAILMASK_MASKING_KEY", raising=False)
    db = tmp_path / "store.duckdb"
    db.write_bytes(b"")
    first = read_masking_key(Settings(db=db)).reveal()
    os.utime(f"{db}.key")
    assert read_masking_key(Settings(db=db)).reveal() == first
