"""Issue 12 item 4 and issue 10 finding 10: errors that help without leaking.

Errors that depend only on the query and the schema (parser, binder, catalog) are shown in full to
every role; errors that can depend on data values are one generic message for masked roles (no
engine class name: a class per query is a bit of information about the data), and the engine's
full message goes to the audit, shown to ``audit:raw`` readers only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trailmask.audit.view import MASKED, reader_view
from trailmask.config import load_settings
from trailmask.engines.duckdb.session import DATA_ERROR
from trailmask.errors import QueryFailed, StoreError
from trailmask.models import Actor, QueryRequest
from trailmask.service.context import AppContext
from trailmask.service.ingest import ingest
from trailmask.service.query import run_query

ADMIN = Actor("owner", "admin")
IVY = Actor("ivy", "investigator")
VIC = Actor("vic", "viewer")
CONSOLE = Path(sys.executable).parent / "trailmask"
EVENT = {
    "eventVersion": "1.09",
    "eventTime": "2024-01-01T00:00:00Z",
    "eventSource": "iam.amazonaws.com",
    "eventName": "CreateUser",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "203.0.113.10",
    "userIdentity": {"type": "IAMUser", "userName": "alice-secret-name"},
    "eventID": "e1",
}
DATA_SQL = "SELECT CAST(userIdentity.userName AS INTEGER) AS n FROM events"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> AppContext:
    root = tmp_path_factory.mktemp("errors")
    (root / "e.jsonl").write_text(json.dumps(EVENT) + "\n", encoding="utf-8")
    context = AppContext.from_settings(load_settings({"db": str(root / "store.duckdb")}, env={}))
    assert not ingest(context, ADMIN, [str(root / "e.jsonl")]).rejected
    return context


def _fail(ctx: AppContext, actor: Actor, sql: str) -> QueryFailed:
    with pytest.raises(QueryFailed) as caught:
        run_query(ctx, actor, QueryRequest(sql=sql))
    return caught.value


def _no_nested_parentheses(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > 1:
            return False
    return True


@pytest.mark.parametrize("actor", [IVY, ADMIN])
def test_misspelt_column_names_the_column_and_candidates_for_every_role(ctx: AppContext, actor: Actor) -> None:
    error = _fail(ctx, actor, "SELECT eventNam FROM events")
    assert 'Referenced column "eventNam" not found' in error.message
    if actor.role == "admin":
        assert "eventName" in error.message.split("Candidate", 1)[1]
    else:  # a masked relation holds only the columns the query names: its candidates would mislead
        assert "Candidate" not in error.message and "tm_" not in error.message
    assert "BinderException)" not in error.message and _no_nested_parentheses(error.message)
    assert error.hint is None  # hints are for sandbox refusals


def test_masked_role_sees_one_generic_message_for_data_errors(ctx: AppContext) -> None:
    error = _fail(ctx, IVY, DATA_SQL)
    assert error.message == DATA_ERROR
    assert "Conversion" not in error.message and "alice" not in error.message
    assert _no_nested_parentheses(error.message)
    admin = _fail(ctx, ADMIN, DATA_SQL)
    assert "Conversion Error" in admin.message  # raw roles keep the engine's text


def test_the_full_engine_message_goes_to_the_audit_for_raw_readers_only(ctx: AppContext) -> None:
    _fail(ctx, IVY, DATA_SQL)
    path = Path(str(ctx.settings.db) + ".audit.jsonl")
    entry = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()][-1]
    assert entry["actor"] == "ivy" and entry["outcome"] == QueryFailed.kind
    assert "Conversion Error" in entry["engine_error"]
    assert reader_view(entry, raw=False)["engine_error"] == MASKED


def test_cli_masked_role_gets_the_binder_message(ctx: AppContext) -> None:
    out = subprocess.run(
        [str(CONSOLE), "--db", str(ctx.settings.db), "sql", "--as", "investigator", "SELECT eventNam FROM events"],
        capture_output=True, text=True, timeout=120, check=False, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert out.returncode == QueryFailed.exit_code
    assert 'Referenced column "eventNam" not found' in out.stderr
    assert "BinderException" not in out.stderr


def _tm(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAILMASK_")}
    return subprocess.run(
        [str(CONSOLE), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={**env, "COLUMNS": "200"},
    )  # fmt: skip


NEEDS_A_STORE: dict[str, tuple[str, ...]] = {
    "sql": ("sql", "--as", "admin", "select 1"),
    "runbook run": ("runbook", "run", "ip-activity", "--as", "admin", "-p", "ip=1.2.3.4"),
    "explain": ("explain", "--as", "investigator", "select 1"),
    "reveal": ("reveal", "user_0123456789ab", "--as", "admin", "--justification", "incident 42 triage"),
    "policy drift": ("policy", "drift"),
    "projections build": ("projections", "build"),
    "export": ("export", "--format", "csv", "out"),
    "athena ddl": ("athena", "ddl", "--location", "s3://bucket/prefix/"),
    "mcp": ("--token", "tm_x", "mcp"),
    "watch list": ("watch", "list"),
    "watch show": ("watch", "show", "health-masking"),
    "watch run-once": ("watch", "run-once", "health-masking"),
    "watch history": ("watch", "history", "health-masking"),
    "watch state": ("watch", "state", "health-masking"),
    "watch reset": ("watch", "reset", "health-masking"),
    "user list": ("user", "list"),
    "user rotate": ("user", "rotate", "alice"),
    "user disable": ("user", "disable", "alice"),
    "user enable": ("user", "enable", "alice"),
    "audit list": ("audit", "list"),
    "audit verify": ("audit", "verify"),
}
"""Every command that needs an existing store (or, for user and audit, what a first ``user add``
leaves), run in an empty folder."""

WITHOUT_A_STORE: dict[str, tuple[str, ...]] = {
    "policy check": ("policy", "check", "--no-fields"),
    "runbook list": ("runbook", "list"),
    "runbook show": ("runbook", "show", "ip-activity"),
    "runbook lint": ("runbook", "lint"),
    "coverage": ("coverage",),
}
"""Commands that work without a store and write nothing beside it."""

CREATES = {"ingest", "demo", "serve", "user add", "verify", "validate", "runbook test", "runbook docs"}
"""Commands meant to run before a store exists, tested elsewhere: they create it (ingest, demo,
serve), its first state (user add, docs/web.md), or use files of their own."""


@pytest.mark.parametrize("args", NEEDS_A_STORE.values(), ids=NEEDS_A_STORE.keys())
def test_a_command_failing_for_want_of_a_store_creates_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = _tm(tmp_path, *args)
    assert out.returncode == StoreError.exit_code, out.stderr
    assert "error: no store at trailmask.duckdb" in out.stderr and "first, or point --db" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no audit log, audit key, head or state file


@pytest.mark.parametrize("args", WITHOUT_A_STORE.values(), ids=WITHOUT_A_STORE.keys())
def test_a_command_without_need_of_a_store_creates_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = _tm(tmp_path, *args)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_first_user_add_before_any_ingest_works_and_then_user_and_audit_do(tmp_path: Path) -> None:
    """docs/web.md's first run: `user add` then `serve`; the users and the audit log are then there."""
    assert _tm(tmp_path, "user", "add", "alice", "--role", "viewer").returncode == 0
    listed = _tm(tmp_path, "user", "list", "--format", "json")
    assert listed.returncode == 0 and [u["name"] for u in json.loads(listed.stdout)] == ["alice"]
    assert _tm(tmp_path, "audit", "verify").returncode == 0
    assert _tm(tmp_path, "watch", "list").returncode == StoreError.exit_code


def test_every_command_says_whether_it_needs_a_store() -> None:
    """cli.context.NEEDS lists every command (an unlisted one needs the store) and this file tests each."""
    import click

    from trailmask.cli.context import NEEDS
    from trailmask.cli.main import cli

    def paths(group: click.Group, ctx: click.Context, prefix: str = "") -> list[str]:
        found = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                found += paths(command, ctx, f"{prefix}{name} ")
            elif command is not None:
                found.append(f"{prefix}{name}")
        return found

    client_only = {p for p in paths(cli, click.Context(cli)) if p.startswith("approval ")}  # server only
    commands = set(paths(cli, click.Context(cli))) - client_only
    assert commands == set(NEEDS)
    assert commands <= set(NEEDS_A_STORE) | set(WITHOUT_A_STORE) | CREATES | {"runbook import-sigma"}


def test_an_empty_table_says_0_rows(ctx: AppContext, tmp_path: Path) -> None:
    sql = "SELECT eventName FROM events WHERE eventName = 'NoSuchCall'"
    out = _tm(tmp_path, "--db", str(ctx.settings.db), "sql", "--as", "admin", "--format", "table", sql)
    assert out.returncode == 0, out.stderr
    assert "0 rows" in out.stderr
    full = _tm(tmp_path, "--db", str(ctx.settings.db), "sql", "--as", "admin", "--format", "table", "SELECT 1 AS x")
    assert "0 rows" not in full.stderr


SRC = Path(__file__).resolve().parents[1] / "src" / "trailmask"
DOCS = Path(__file__).resolve().parents[1] / "docs"
HINTS_OWNED_ELSEWHERE = {
    "is another trailmask process (an ingest or a server) using it?",
    "run `trailmask ingest` (or any write) once to migrate it",
    "write one with `trailmask export --format parquet DIR` (as admin: the raw events)",
    "choose an empty directory or pass --overwrite (replaces the partitions/files written)",
    "docs/monitoring.md lists every watch key",
    "--location takes s3://BUCKET/PREFIX/ (where the dataset was uploaded)",
    "see docs/scale.md (Athena)",
    "pass --region (repeatable) or set AWS_REGION",
    "token(kind, value) with kind one of {}, e.g. token('ip', '203.0.113.10')",
    "write token('<kind>', '<raw value>') with two quoted strings, e.g. token('ip', '203.0.113.10')",
}
"""Hints that do not have the shape yet, in modules outside the CLI's and the query path's (to fix there)."""


def _literal(node: object, names: dict[str, str]) -> str | None:
    """The text of a string literal, f-string (each field as ``{}``), concatenation or module constant."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, names), _literal(node.right, names)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _hints() -> list[tuple[str, int, str]]:
    """Every ``hint=`` given as text anywhere in the package: (module, line, text)."""
    import ast

    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                text = _literal(node.value, names)
                if text is not None:
                    names[node.targets[0].id] = text
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "hint":
                text = _literal(node.value, names)
                if text is not None:
                    found.append((str(path.relative_to(SRC)), node.lineno, text))
    return found


def test_every_hint_is_one_flat_sentence_citing_what_an_installed_user_has() -> None:
    """Issue 12.4: a hint is shown as ``message (hint)``, so it holds no parentheses outside `code`
    (no nesting), is one sentence, and names a page by its title, never a repository path."""
    import re

    titles = {p.read_text(encoding="utf-8").split("\n", 1)[0].removeprefix("# ") for p in DOCS.glob("*.md")}
    hints = _hints()
    assert len(hints) > 50  # the scan sees them
    bad = []
    for module, line, text in hints:
        if text in HINTS_OWNED_ELSEWHERE:
            continue
        prose = re.sub(r"`[^`]*`", "``", text)
        cited = re.findall(r'"([^"]+)" in the trailmask documentation', text)
        problems = [
            *(["parentheses"] if "(" in prose or ")" in prose else []),
            *(["a repository path"] if re.search(r"docs/|\.md\b", prose) else []),
            *(["more than one sentence"] if re.search(r"\.\s+[A-Z]", prose) or re.search(r"[^.]\.$", prose) else []),
            *[f"no page titled {title!r}" for title in cited if title not in titles],
        ]
        if problems:
            bad.append(f"{module}:{line}: {', '.join(problems)}: {text}")
    assert bad == []


def test_a_sandbox_refusal_reads_flat(ctx: AppContext, tmp_path: Path) -> None:
    sql = "SELECT * FROM read_csv('/etc/passwd')"
    out = _tm(tmp_path, "--db", str(ctx.settings.db), "sql", sql, "--as", "investigator")
    assert out.returncode == 7, out.stderr
    error = out.stderr.strip()
    assert error.startswith("error: table functions are not allowed in FROM")
    assert _no_nested_parentheses(error) and "docs/" not in error
    assert error.endswith('see "The SQL sandbox" in the trailmask documentation)')
