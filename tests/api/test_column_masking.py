"""The server tells the UI what the role may do and how each result column is masked (issue 9.9)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import auth

from trailmask.masking.columns import column_masking
from trailmask.masking.loader import default_policy
from trailmask.sqlkit.lineage import output_lineage
from trailmask.sqlkit.sandbox import check_query

SQL = (
    "SELECT eventName, userIdentity.userName AS who, sourceIPAddress, userIdentity, errorMessage, "
    "count(*) OVER () AS n, upper(userIdentity.userName) AS shouted FROM events LIMIT 3"
)

COLUMNS = ("eventName", "who", "sourceIPAddress", "userIdentity", "errorMessage", "n", "shouted")


def _modes(body: dict[str, Any]) -> dict[str, str]:
    return {name: column["mode"] for name, column in body["column_masking"].items()}


def test_whoami_lists_capabilities_decided_by_the_server(client: Any, tokens: dict[str, str]) -> None:
    investigator = client.get("/api/whoami", headers=auth(tokens["investigator"])).json()["capabilities"]
    viewer = client.get("/api/whoami", headers=auth(tokens["viewer"])).json()["capabilities"]
    admin = client.get("/api/whoami", headers=auth(tokens["admin"])).json()["capabilities"]
    assert investigator["sql"] is True and investigator["users:manage"] is False
    assert viewer["sql"] is False and viewer["approve"] is False
    assert all(admin.values())
    assert set(admin) == set(viewer) and "runbook" not in admin


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "investigator",
            {
                "eventName": "none",
                "who": "value",
                "sourceIPAddress": "value",
                "userIdentity": "parts",
                "errorMessage": "parts",
                "n": "none",
                "shouted": "parts",
            },
        ),
        (
            "admin",
            dict.fromkeys(
                ("eventName", "who", "sourceIPAddress", "userIdentity", "errorMessage", "n", "shouted"), "none"
            ),
        ),
    ],
)
def test_sql_result_names_each_columns_masking(
    client: Any, tokens: dict[str, str], role: str, expected: dict[str, str]
) -> None:
    response = client.post("/api/sql", json={"sql": SQL}, headers=auth(tokens[role]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert _modes(body) == expected
    if role == "investigator":
        assert body["column_masking"]["who"]["operators"] == ["pseudonym"]
        assert body["column_masking"]["sourceIPAddress"]["operators"] == ["ip_truncate"]


def test_runbook_result_names_each_columns_masking(client: Any, tokens: dict[str, str]) -> None:
    response = client.post(
        "/api/runbooks/cis-unauthorized-api-calls/run",
        json={"params": {"since": "all"}},
        headers=auth(tokens["viewer"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body["column_masking"]) == body["columns"]
    assert {c["mode"] for c in body["column_masking"].values()} <= {"none", "value", "parts", "unknown"}
    assert any(c["mode"] != "none" for c in body["column_masking"].values())


@pytest.mark.parametrize(
    ("sql", "column", "paths", "direct"),
    [
        ("SELECT userIdentity.arn FROM events", "arn", {"useridentity.arn"}, True),
        ("SELECT e.userIdentity.sessionContext.attributes.mfaAuthenticated AS m FROM events e", "m",
         {"useridentity.sessioncontext.attributes.mfaauthenticated"}, True),
        ("WITH f AS (SELECT recipientAccountId AS a FROM events) SELECT min(a) AS acct FROM f", "acct",
         {"recipientaccountid"}, True),
        ("SELECT x.userIdentity.arn FROM (SELECT userIdentity FROM events) x", "arn", {"useridentity.arn"}, True),
        ("SELECT count(*) AS n FROM events", "n", set(), False),
        ("SELECT requestParameters->>'$.bucketName' AS b FROM events", "b", {"requestparameters"}, False),
        ("SELECT (SELECT max(eventName) FROM events) AS q", "q", None, False),
    ],
)  # fmt: skip
def test_lineage_follows_ctes_subqueries_and_fields(
    sql: str, column: str, paths: set[str] | None, direct: bool
) -> None:
    (found,) = output_lineage(check_query(sql), [column])
    assert (None if found.paths is None else set(found.paths), found.direct) == (paths, direct)


def test_unknown_lineage_is_never_reported_unmasked() -> None:
    policy = default_policy()
    assert column_masking(policy, "viewer", None, direct=False).mode == "unknown"
    assert column_masking(policy, "viewer", frozenset({"no_such_column"}), direct=True).mode == "unknown"
    assert column_masking(policy, "admin", None, direct=False).mode == "none"
