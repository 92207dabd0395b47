"""A masked projection is read only when it is current (issue 11.1, 11.3): never under an old
policy or key, never with fewer batches than the store, never holding a raw value or the key, and
consistent after a build killed (``kill -9``) at any of its steps; a server extends them too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.masking.masking_support import KEY, context_for

from trailmask.engines.duckdb.projection import ProjectionDir, ProjectionEngine, projections_root
from trailmask.models import Actor, QueryRequest
from trailmask.service import ingest as ingest_module
from trailmask.service import projections
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.query import run_query
from trailmask.service.serving import owner_actor, server_ingest, start_serving
from trailmask.synth import write_jsonl

pytestmark = pytest.mark.slow

ADMIN = Actor(name="test", role="admin")
INVESTIGATOR = Actor(name="analyst", role="investigator")
COUNT = "SELECT count(*) AS n FROM events"
REPO = Path(__file__).resolve().parents[2]


def _store(root: Path, events: int = 600, **settings: str) -> AppContext:
    ctx = context_for(root / "store.duckdb", **settings)
    write_jsonl(root / "in-a" / "trail.jsonl", events, seed=21)
    ingest(ctx, ADMIN, [str(root / "in-a")])
    return ctx


def _count(ctx: AppContext, actor: Actor = INVESTIGATOR) -> int:
    return int(run_query(ctx, actor, QueryRequest(sql=COUNT)).rows[0]["n"])


def _second_batch(ctx: AppContext, root: Path, monkeypatch: pytest.MonkeyPatch, *, refresh: bool) -> None:
    """Ingest another batch; with ``refresh=False`` the hook is held back, as if the build were pending."""
    write_jsonl(root / "in-b" / "trail.jsonl", 300, seed=22)
    with monkeypatch.context() as patch:
        if not refresh:
            patch.setattr(ingest_module, "after_ingest", lambda ctx: [])
        ingest(ctx, ADMIN, [str(root / "in-b")])


def test_projections_are_off_until_built(tmp_path: Path) -> None:
    ctx = _store(tmp_path)
    assert not projections_root(ctx.store.path).exists()
    assert projections.route(ctx, "investigator", COUNT, {}) is None
    assert projections.after_ingest(ctx) == []  # a store that keeps none builds none
    built = projections.build_projections(ctx, ADMIN)
    assert {s.state for s in built} == {"built"} and all(s.rows == 600 for s in built)
    assert projections.route(ctx, "investigator", COUNT, {}) is not None


def test_a_new_batch_is_never_answered_from_a_projection_lacking_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _store(tmp_path)
    projections.build_projections(ctx, ADMIN)
    _second_batch(ctx, tmp_path, monkeypatch, refresh=False)
    assert {s.state for s in projections.status(ctx)} == {"stale"}
    assert projections.route(ctx, "investigator", COUNT, {}) is None
    assert _count(ctx) == 900  # the dynamic compile answers, with every row
    assert {s.state for s in projections.refresh(ctx)} == {"extended"}
    assert projections.route(ctx, "investigator", COUNT, {}) is not None
    assert _count(ctx) == 900
    write_jsonl(tmp_path / "in-c" / "trail.jsonl", 100, seed=23)
    ingest(ctx, ADMIN, [str(tmp_path / "in-c")])  # the hook extends them
    assert {s.state for s in projections.status(ctx)} == {"fresh"}
    assert _count(ctx) == 1000


def _filtered_policy(root: Path) -> Path:
    text = (REPO / "src/trailmask/masking/default_policy.yaml").read_text(encoding="utf-8")
    policy = yaml.safe_load(text)
    policy["roles"]["investigator"]["row_filter"] = {"where": "awsRegion = 'us-east-1'"}
    path = root / "filtered.yaml"
    path.write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    return path


def test_a_policy_change_is_never_answered_under_the_old_policy(tmp_path: Path) -> None:
    """The investigator gets a row filter: its projection is another one, missing until built; the
    old one is never read, and the new one holds only the rows the filter lets through."""
    ctx = _store(tmp_path)
    projections.build_projections(ctx, ADMIN)
    changed = context_for(ctx.store.path, policy_file=str(_filtered_policy(tmp_path)))
    assert projections.route(changed, "investigator", COUNT, {}) is None
    assert projections.route(changed, "viewer", COUNT, {}) is not None  # its masking did not change
    expected = _count(changed)
    regions = run_query(ctx, ADMIN, QueryRequest(sql="SELECT awsRegion, count(*) AS n FROM events GROUP BY 1"))
    assert expected == sum(r["n"] for r in regions.rows if r["awsRegion"] == "us-east-1") and expected < 600
    built = {tuple(s.roles): s for s in projections.build_projections(changed, ADMIN)}
    assert built[("investigator",)].state == "built" and built[("investigator",)].rows == expected
    assert built[("viewer",)].state == "fresh"
    routed = projections.route(changed, "investigator", "SELECT DISTINCT awsRegion AS r FROM events", {})
    assert routed is not None
    with routed.engine.session() as session:  # hidden rows are not in the file to probe
        assert session.execute("SELECT DISTINCT awsRegion FROM events").rows == [("us-east-1",)]
    assert _count(changed) == expected
    for sql in FILTERED_QUERIES:  # the filtered role's answers, projection and dynamic
        projections.use_projections(changed, False)
        dynamic = run_query(changed, INVESTIGATOR, QueryRequest(sql=sql)).rows
        projections.use_projections(changed, True)
        assert projections.route(changed, "investigator", sql, {}) is not None
        assert sorted(map(repr, run_query(changed, INVESTIGATOR, QueryRequest(sql=sql)).rows)) == sorted(
            map(repr, dynamic)
        ), sql


FILTERED_QUERIES = [
    "SELECT awsRegion, count(*) AS n FROM events GROUP BY 1",
    "SELECT sourceIPAddress, userIdentity.arn AS a, count(*) AS n FROM events GROUP BY 1, 2",
    "SELECT count(*) AS n FROM events WHERE awsRegion <> 'us-east-1' OR recipientAccountId IS NULL",
    "SELECT max(eventTime) AS t, count(DISTINCT userIdentity.principalId) AS p FROM events",
]


def test_another_key_is_never_answered_from_a_projection_built_with_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _store(tmp_path)
    projections.build_projections(ctx, ADMIN)
    monkeypatch.setenv("TRAILMASK_MASKING_KEY", "another-masking-key-0123456789abcdef")
    rotated = context_for(ctx.store.path)
    assert projections.route(rotated, "investigator", COUNT, {}) is None
    assert {s.state for s in projections.status(rotated)} == {"missing"}
    sql = "SELECT DISTINCT userIdentity.principalId AS p FROM events"

    def tokens(context: AppContext) -> set[str]:
        return {str(r["p"]) for r in run_query(context, INVESTIGATOR, QueryRequest(sql=sql)).rows if r["p"]}

    dynamic = tokens(rotated)
    assert len(dynamic) > 3
    projections.build_projections(rotated, ADMIN)
    assert projections.route(rotated, "investigator", sql, {}) is not None
    assert tokens(rotated) == dynamic
    assert not tokens(ctx) & dynamic  # the old key's projection: other tokens, read only under that key


def test_no_projection_file_holds_the_key_or_a_raw_value(tmp_path: Path) -> None:
    ctx = _store(tmp_path)
    projections.build_projections(ctx, ADMIN)
    raw = run_query(ctx, ADMIN, QueryRequest(sql="SELECT DISTINCT sourceIPAddress AS ip FROM events")).rows
    addresses = [r["ip"] for r in raw if r["ip"] and r["ip"][0].isdigit() and "." in r["ip"]]
    assert len(addresses) > 5
    folder = projections_root(ctx.store.path)
    for path in folder.iterdir():
        data = path.read_bytes()
        assert KEY.encode() not in data, path.name
        assert path.stat().st_mode & 0o077 == 0, path.name
    for status in projections.status(ctx):
        manifest = ProjectionDir(folder).read_manifest(status.digest)
        assert manifest is not None
        with ProjectionEngine(folder / manifest.file, status.digest).session() as session:
            shown = {str(r[0]) for r in session.execute("SELECT DISTINCT sourceIPAddress FROM events").rows}
        assert not shown & set(addresses)


DIE_AT = """
import os, sys
from pathlib import Path
from tests.masking.masking_support import context_for
from trailmask.service import projections
point, real = sys.argv[2], os.replace
def dying(src, dst):
    if str(dst).endswith(point):
        os.kill(os.getpid(), 9)
    real(src, dst)
os.replace = dying
projections.refresh(context_for(Path(sys.argv[1])))
"""


def _killed_build(ctx: AppContext, point: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRAILMASK_MASKING_KEY": KEY}
    done = subprocess.run([sys.executable, "-c", DIE_AT, str(ctx.store.path), point], env=env, cwd=REPO, check=False)
    assert done.returncode == -9


@pytest.mark.parametrize("point", [".duckdb", ".json"])
def test_a_build_killed_at_any_step_leaves_the_store_consistent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """kill -9 before the new version is renamed into place, or before the manifest names it: the
    previous projection (or none) stays in force, the dynamic compile answers for the rest, and
    the next build removes the leftovers and completes."""
    ctx = _store(tmp_path)
    folder = projections_root(ctx.store.path)
    folder.mkdir(mode=0o700)
    _killed_build(ctx, point)  # the first build, from nothing
    assert projections.route(ctx, "investigator", COUNT, {}) is None
    assert _count(ctx) == 600
    assert {s.state for s in projections.refresh(ctx)} == {"built"}
    _second_batch(ctx, tmp_path, monkeypatch, refresh=False)
    _killed_build(ctx, point)  # an extension
    assert projections.route(ctx, "investigator", COUNT, {}) is None
    assert _count(ctx) == 900
    assert {s.state for s in projections.refresh(ctx)} == {"extended"}
    assert _count(ctx) == 900 and projections.route(ctx, "investigator", COUNT, {}) is not None
    names = sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))
    assert len(names) == 2 * len(projections.status(ctx)), names  # one manifest and one file each


def test_a_server_extends_its_projections_after_an_ingest_it_runs(tmp_path: Path) -> None:
    """``trailmask serve`` owns the store (one DuckDB instance): the build runs on a cursor of that
    instance, and the projection file is attached there only while it is written."""
    ctx = _store(tmp_path)
    projections.build_projections(ctx, ADMIN)
    served, serving = start_serving(context_for(ctx.store.path))
    try:
        write_jsonl(tmp_path / "in-b" / "trail.jsonl", 300, seed=22)
        server_ingest(served, owner_actor(), [str(tmp_path / "in-b")])
        assert {s.state for s in projections.status(served)} == {"fresh"}
        assert projections.route(served, "investigator", COUNT, {}) is not None
        assert _count(served) == 900
        with served.store_engine.session() as session:  # nothing of the build left attached
            names = session.execute("SELECT database_name FROM duckdb_databases() WHERE NOT internal").rows
        assert not [n for (n,) in names if str(n).startswith("tm_proj")]
    finally:
        serving.close()
    assert _count(context_for(ctx.store.path)) == 900
