"""``trailmask user ...`` and ``trailmask audit ...`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli

from trailmask.config import Settings
from trailmask.service.context import AppContext
from trailmask.service.identity import authenticate


def _ctx(store_path: Path) -> AppContext:
    return AppContext.from_settings(Settings(db=store_path))


def test_user_add_prints_token_once_and_it_works(tm: Cli, store_path: Path) -> None:
    result = tm("user", "add", "alice", "--role", "investigator", "--format", "json")
    assert result.exit_code == 0, result.stderr
    body = result.json()
    assert set(body) == {"name", "role", "token"}
    assert (body["name"], body["role"]) == ("alice", "investigator")
    assert authenticate(_ctx(store_path), f"Bearer {body['token']}").role == "investigator"
    listed = tm("user", "list", "--format", "json")
    assert body["token"] not in listed.stdout
    assert [(u["name"], u["status"]) for u in listed.json()] == [("alice", "active")]


def test_user_table_output_prints_bare_token(tm: Cli) -> None:
    result = tm("user", "add", "bob", "--role", "viewer")
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("tm_")
    assert "shown once" in result.stderr


def test_user_disable_rotate_and_errors(tm: Cli, store_path: Path) -> None:
    token = tm("user", "add", "carol", "--role", "viewer", "--format", "json").json()["token"]
    assert tm("user", "disable", "carol").exit_code == 0
    assert tm("user", "list", "--format", "json").json()[0]["status"] == "disabled"
    assert tm("user", "enable", "carol").exit_code == 0
    new = tm("user", "rotate", "carol", "--format", "json").json()["token"]
    assert new != token
    assert tm("user", "add", "carol", "--role", "viewer").exit_code == 11  # Conflict
    assert tm("user", "rotate", "nobody").exit_code == 4  # NotFound
    denied = tm("user", "add", "dave", "--role", "superuser")
    assert denied.exit_code == 6
    assert "not defined" in denied.stderr


def test_audit_list_and_verify(tm: Cli, store_path: Path) -> None:
    tm("user", "add", "erin", "--role", "viewer")
    listed = tm("audit", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    actions = [e["action"] for e in listed.json()]
    assert actions[:2] == ["audit.read", "user.add"]
    ok = tm("audit", "verify", "--format", "json")
    assert ok.exit_code == 0
    report = ok.json()
    assert report["ok"] and report["entries"] == 2
    head = report["head"]
    assert tm("audit", "verify", "--head", head).exit_code == 0

    log = store_path.with_name(store_path.name + ".audit.jsonl")
    lines = log.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["user"] = "mallory"
    lines[0] = json.dumps(entry)
    log.write_text("\n".join(lines) + "\n")
    bad = tm("audit", "verify")
    assert bad.exit_code == 9
    assert "hash does not match" in bad.stderr
