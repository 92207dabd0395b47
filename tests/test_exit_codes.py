"""Issue 12.5: every exit code docs/cli.md documents is the one the real console script returns.

Each documented code has a scenario run through `python -m trailmask` (a real server on 127.0.0.1
for the client-mode codes); a code added to the docs without a scenario here fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.api.server import ServerProcess, free_port
from tests.conftest import tm_process

from trailmask.synth import write_jsonl

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def documented_codes() -> set[int]:
    table = DOC.read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    return {int(m) for m in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("exit")
    db = root / "t.duckdb"
    assert tm_process("--db", str(db), "ingest", str(write_jsonl(root / "e.jsonl", 300, seed=3))).returncode == 0
    tokens = {}
    for name, role in (("ivy", "investigator"), ("vic", "viewer")):
        out = tm_process("--db", str(db), "user", "add", name, "--role", role)
        tokens[role] = out.stdout.strip().splitlines()[-1]
    local = root / "local" / "t.duckdb"  # the server owns `db` while it runs: local reads use a copy
    local.parent.mkdir()
    local.write_bytes(db.read_bytes())
    server = ServerProcess(db, serve={"rate_limit": {"per_second": 0.01, "burst": 2}}).start()
    yield {"db": str(db), "local": str(local), "root": root, "tokens": tokens, "url": server.url}
    server.stop()


Scenario = Callable[[dict[str, object]], subprocess.CompletedProcess[str]]


def _bad_file(w: dict[str, object]) -> subprocess.CompletedProcess[str]:
    bad = Path(str(w["root"])) / "bad.json"
    bad.write_text("{not json")
    return tm_process("--db", str(w["db"]), "ingest", str(bad))


def _rate_limited(w: dict[str, object]) -> subprocess.CompletedProcess[str]:
    tokens = w["tokens"]
    assert isinstance(tokens, dict)
    remote = ("--server", str(w["url"]), "--token", tokens["investigator"])
    last = tm_process(*remote, "sql", "SELECT 1 AS x")
    for _ in range(4):
        last = tm_process(*remote, "sql", "SELECT 1 AS x")
        if last.returncode == 13:
            break
    return last


def _tampered_audit(w: dict[str, object]) -> subprocess.CompletedProcess[str]:
    copy = Path(str(w["root"])) / "tampered"
    copy.mkdir(exist_ok=True)
    source = Path(str(w["db"])).with_name("t.duckdb.audit.jsonl")
    lines = source.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["outcome"] = "edited"
    lines[0] = json.dumps(entry)
    target = copy / "t.duckdb.audit.jsonl"
    target.write_text("\n".join(lines) + "\n")
    for suffix in (".head", ".key"):
        extra = source.with_name(source.name + suffix)
        if extra.exists():
            (copy / extra.name).write_bytes(extra.read_bytes())
    return tm_process("--db", str(copy / "t.duckdb"), "audit", "verify")


def _audit_unwritable(w: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """A copy of the store whose audit log cannot be written (a folder stands where the file goes)."""
    source = Path(str(w["db"]))
    copy = Path(str(w["root"])) / "no-audit"
    copy.mkdir(exist_ok=True)
    for side in source.parent.glob("t.duckdb*"):
        if side.is_file() and "audit" not in side.name:
            (copy / side.name).write_bytes(side.read_bytes())
    (copy / "t.duckdb.audit.jsonl").mkdir(exist_ok=True)
    return tm_process("--db", str(copy / "t.duckdb"), "sql", "--as", "admin", "SELECT 1 AS x")


SCENARIOS: dict[int, Scenario] = {
    0: lambda w: tm_process("--db", str(w["local"]), "sql", "--as", "admin", "SELECT 1 AS x"),
    2: lambda w: tm_process("--db", str(w["db"]), "sql", "--as", "admin", "--max-rows", "0", "SELECT 1"),
    3: _bad_file,
    4: lambda w: tm_process("--db", str(w["db"]), "sql", "--as", "no-such-role", "SELECT 1"),
    5: lambda w: tm_process("--server", str(w["url"]), "--token", "tm_wrong", "sql", "SELECT 1"),
    6: lambda w: tm_process("--server", str(w["url"]), "--token", w["tokens"]["viewer"], "sql", "SELECT 1"),
    7: lambda w: tm_process("--db", str(w["db"]), "sql", "--as", "admin", "DROP TABLE events"),
    8: lambda w: tm_process(
        "--db", str(w["local"]), "sql", "--as", "admin", "SELECT CAST(eventName AS INTEGER) FROM events"
    ),
    9: _tampered_audit,
    10: _audit_unwritable,
    11: lambda w: tm_process("--db", str(w["db"]), "user", "add", "ivy", "--role", "viewer"),
    12: lambda w: tm_process("--db", str(Path(str(w["root"])) / "missing.duckdb"), "sql", "--as", "admin", "SELECT 1"),
    13: _rate_limited,
    14: lambda w: tm_process("--server", f"http://127.0.0.1:{free_port()}", "--token", "t", "sql", "SELECT 1"),
}
# Exit 1 is "unexpected internal error": by definition there is no supported way to cause it.
UNTRIGGERABLE = {1}


def test_every_documented_code_has_a_scenario() -> None:
    assert documented_codes() - UNTRIGGERABLE == set(SCENARIOS)


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_exit_code_matches_the_docs(world: dict[str, object], code: int) -> None:
    out = SCENARIOS[code](world)
    assert out.returncode == code, (out.returncode, out.stderr[-800:])
    if code:
        assert out.stderr.strip(), "a failure says why on stderr"
        assert "Traceback" not in out.stderr
