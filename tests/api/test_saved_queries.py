"""Saved queries (per user) and the SQL editor's schema route: GET/POST /api/sql/saved,
DELETE /api/sql/saved/{id}, GET /api/sql/schema (service.saved_queries, service.sql_schema)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import auth

from trailmask.errors import NotFound, PermissionDenied, UsageError
from trailmask.models import Actor
from trailmask.service import saved_queries
from trailmask.service.context import AppContext
from trailmask.service.saved_queries import delete_query, list_queries, save_query

SQL = "SELECT eventName, count(*) AS n FROM events GROUP BY ALL"


def _save(client: Any, token: str, name: str, sql: str = SQL) -> Any:
    return client.post("/api/sql/saved", json={"name": name, "sql": sql}, headers=auth(token))


def _names(client: Any, token: str) -> list[str]:
    answer = client.get("/api/sql/saved", headers=auth(token))
    assert answer.status_code == 200, answer.text
    return [q["name"] for q in answer.json()["queries"]]


def test_save_list_replace_delete(client: Any, tokens: dict[str, str]) -> None:
    first = _save(client, tokens["investigator"], "errors by name")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"].startswith("sq_") and body["sql"] == SQL and body["name"] == "errors by name"
    assert _save(client, tokens["investigator"], "Another").status_code == 201
    assert _names(client, tokens["investigator"]) == ["Another", "errors by name"]  # by name, case-insensitive

    again = _save(client, tokens["investigator"], "  errors by name ", "SELECT 1 AS one")  # same name: replaced
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    listed = client.get("/api/sql/saved", headers=auth(tokens["investigator"])).json()["queries"]
    assert len(listed) == 2 and {q["sql"] for q in listed} == {SQL, "SELECT 1 AS one"}

    gone = client.delete(f"/api/sql/saved/{body['id']}", headers=auth(tokens["investigator"]))
    assert gone.status_code == 204 and gone.content == b""
    assert _names(client, tokens["investigator"]) == ["Another"]
    assert client.delete(f"/api/sql/saved/{body['id']}", headers=auth(tokens["investigator"])).status_code == 404


def test_another_users_query_is_neither_listed_nor_deletable(client: Any, tokens: dict[str, str]) -> None:
    mine = _save(client, tokens["admin"], "admin's own").json()
    assert _names(client, tokens["admin2"]) == []  # another admin: nothing, not even with `*`
    assert _names(client, tokens["investigator"]) == []
    refused = client.delete(f"/api/sql/saved/{mine['id']}", headers=auth(tokens["admin2"]))
    assert refused.status_code == 404, refused.text  # like an id that does not exist: no probing
    missing = client.delete("/api/sql/saved/sq_0000000000000000", headers=auth(tokens["admin2"]))
    assert missing.json()["message"].replace("sq_0000000000000000", mine["id"]) == refused.json()["message"]
    assert _names(client, tokens["admin"]) == ["admin's own"]  # still there


def test_the_same_name_saved_by_two_users_is_two_queries(client: Any, tokens: dict[str, str]) -> None:
    a = _save(client, tokens["admin"], "daily", "SELECT 1 AS a").json()
    b = _save(client, tokens["admin2"], "daily", "SELECT 2 AS b").json()
    assert a["id"] != b["id"]
    assert client.get("/api/sql/saved", headers=auth(tokens["admin"])).json()["queries"][0]["sql"] == "SELECT 1 AS a"


@pytest.mark.parametrize(
    ("name", "sql", "message"),
    [
        ("", SQL, "a saved query needs a name"),
        ("   ", SQL, "a saved query needs a name"),
        ("x" * 81, SQL, "at most 80 characters (this one has 81)"),
        ("tab\there", SQL, "control or invisible characters"),
        ("bidi\u202eeman", SQL, "control or invisible characters"),
        ("empty", "  \n", "a saved query needs SQL"),
        ("big", "S" * 20_001, "at most 20000 characters (this one has 20001)"),
    ],
)
def test_bad_names_and_sql_are_clear_400s(
    client: Any, tokens: dict[str, str], name: str, sql: str, message: str
) -> None:
    answer = _save(client, tokens["investigator"], name, sql)
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"]
    assert _names(client, tokens["investigator"]) == []


def test_oversized_body_fields_are_refused(client: Any, tokens: dict[str, str]) -> None:
    assert _save(client, tokens["investigator"], "n" * 400, SQL).status_code == 400
    assert client.post("/api/sql/saved", json={"name": "x"}, headers=auth(tokens["investigator"])).status_code == 400


def test_roles_without_sql_are_refused(client: Any, tokens: dict[str, str]) -> None:
    for call in (
        lambda: _save(client, tokens["viewer"], "mine"),
        lambda: client.get("/api/sql/saved", headers=auth(tokens["viewer"])),
        lambda: client.delete("/api/sql/saved/sq_0000000000000000", headers=auth(tokens["viewer"])),
        lambda: client.get("/api/sql/schema", headers=auth(tokens["viewer"])),
    ):
        answer = call()
        assert answer.status_code == 403, answer.text
        assert "sql" in answer.json()["message"]


def test_the_per_user_cap(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(saved_queries, "MAX_PER_USER", 2)
    ivy = Actor("ivy", "investigator", "token")
    save_query(ctx, ivy, "one", SQL)
    save_query(ctx, ivy, "two", SQL)
    save_query(ctx, ivy, "two", "SELECT 2 AS two")  # replacing is not a new one
    with pytest.raises(UsageError, match="the most one user may keep"):
        save_query(ctx, ivy, "three", SQL)
    save_query(ctx, Actor("other", "investigator", "token"), "three", SQL)  # the cap is per user


def test_owner_is_name_and_sign_in_method(ctx: AppContext) -> None:
    token_ivy, oidc_ivy = Actor("ivy", "investigator", "token"), Actor("ivy", "investigator", "oidc")
    saved = save_query(ctx, token_ivy, "mine", SQL)
    assert list_queries(ctx, oidc_ivy) == []
    with pytest.raises(NotFound):
        delete_query(ctx, oidc_ivy, saved.id)
    with pytest.raises(PermissionDenied):
        list_queries(ctx, Actor("ivy", "viewer", "token"))  # the role must still hold `sql`
    assert [q.id for q in list_queries(ctx, token_ivy)] == [saved.id]


def test_saving_is_audited_without_the_sql(ctx: AppContext) -> None:
    ivy = Actor("ivy", "investigator", "token")
    saved = save_query(ctx, ivy, "secretive", "SELECT 'needle-in-the-sql' AS x")
    delete_query(ctx, ivy, saved.id)
    entries = [e for e in ctx.audit_log.entries() if str(e.get("action", "")).startswith("sql.saved.")]
    assert [e["action"] for e in entries] == ["sql.saved.save", "sql.saved.delete"]
    assert all(e["outcome"] == "ok" for e in entries)
    assert "needle-in-the-sql" not in ctx.audit_log.path.read_text()


def _fields(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in node.get("fields", [])}


def test_schema_names_types_and_the_roles_masking(client: Any, tokens: dict[str, str]) -> None:
    answer = client.get("/api/sql/schema", headers=auth(tokens["investigator"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["table"] == "events"
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["eventTime"]["type"] == "TIMESTAMP"
    assert columns["eventName"]["masking"]["mode"] == "none"
    assert columns["requestParameters"]["type"] == "JSON" and "fields" not in columns["requestParameters"]
    identity = columns["userIdentity"]
    assert identity["type"] == "STRUCT" and identity["masking"]["mode"] == "parts"
    arn = _fields(identity)["arn"]
    assert arn["type"] == "STRING" and arn["masking"]["mode"] == "value" and arn["masking"]["operators"]
    issuer = _fields(_fields(_fields(identity)["sessionContext"])["sessionIssuer"])
    assert "userName" in issuer
    assert _fields(columns["resources"])["ARN"]["type"] == "STRING" and columns["resources"]["type"] == "STRUCT[]"
    assert columns["tm_raw"]["masking"] == {"mode": "value", "operators": ["null"]}

    def keys(node: dict[str, Any]) -> set[str]:
        return set(node) | {k for f in node.get("fields", []) for k in keys(f)}

    assert set().union(*(keys(c) for c in body["columns"])) == {"name", "type", "masking", "fields"}  # no values
    admin = {c["name"]: c for c in client.get("/api/sql/schema", headers=auth(tokens["admin"])).json()["columns"]}
    assert _fields(admin["userIdentity"])["arn"]["masking"]["mode"] == "none"
    assert admin["tm_raw"]["masking"]["mode"] == "none"
