"""Every /api route answers 401 without valid credentials and 403 when the role may not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.api.conftest import OWNER, TestClient, auth

from trailmask.service.context import AppContext
from trailmask.service.users import add_user

RUNBOOK = "cis-cloudtrail-config-changes"


@dataclass(frozen=True)
class Route:
    path: str
    method: str


def _body(route: Route) -> dict[str, Any] | None:
    bodies: dict[str, dict[str, Any]] = {
        "/api/sql": {"sql": "SELECT 1 AS one FROM events LIMIT 1"},
        "/api/runbooks/{runbook_id}/run": {"params": {}},
        "/api/users": {"name": "zed", "role": "viewer"},
        "/api/approvals": {"kind": "sql", "sql": "SELECT 1 AS one", "justification": "incident 1234 review"},
        "/api/approvals/{approval_id}/approve": {"comment": ""},
        "/api/approvals/{approval_id}/reject": {"comment": ""},
    }
    return bodies.get(route.path) if route.method == "POST" else None


def _url(route: Route, approval_id: str = "apr_0") -> str:
    return route.path.replace("{runbook_id}", RUNBOOK).replace("{approval_id}", approval_id).replace("{name}", "viewer")


def api_routes(client: TestClient) -> list[Route]:
    """Every /api operation of the published OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return [Route(p, m.upper()) for p, ops in paths.items() if p.startswith("/api/") for m in ops]


def _call(client: TestClient, route: Route, headers: dict[str, str], approval_id: str = "apr_0") -> Any:
    return client.request(route.method, _url(route, approval_id), json=_body(route), headers=headers)


def test_every_api_route_requires_credentials(client: TestClient, tokens: dict[str, str]) -> None:
    routes = api_routes(client)
    assert len(routes) >= 15
    for route in routes:
        for headers in ({}, auth("tm_000000000000_" + "x" * 43), {"Authorization": f"Basic {tokens['admin']}"}):
            response = _call(client, route, headers)
            assert response.status_code == 401, (route.path, response.text)
            body = response.json()
            assert body["error"] == "unauthenticated"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert tokens["admin"] not in response.text


def test_every_api_route_forbids_a_role_without_permission(
    client: TestClient, ctx: AppContext, tokens: dict[str, str], custom_roles: None, make_jwt: Callable[..., str]
) -> None:
    nobody = add_user(ctx, OWNER, "nobody", "nobody")[1]
    approval = client.post(
        "/api/approvals", json=_body(_route(client, "/api/approvals", "POST")), headers=auth(tokens["investigator"])
    ).json()["id"]
    unmapped = make_jwt(groups=["marketing"])
    expected_missing = {
        "/api/sql": "sql",
        "/api/runbooks/{runbook_id}": f"runbook:{RUNBOOK}",
        "/api/runbooks/{runbook_id}/run": f"runbook:{RUNBOOK}",
        "/api/audit": "audit:read",
        "/api/users": "users:manage",
        "/api/users/{name}/rotate": "users:manage",
        "/api/users/{name}/disable": "users:manage",
        "/api/users/{name}/enable": "users:manage",
        "/api/approvals": "unmask:request",
        "/api/approvals/{approval_id}": "approve",
        "/api/approvals/{approval_id}/approve": "approve",
        "/api/approvals/{approval_id}/reject": "approve",
    }
    for route in api_routes(client):
        # a signed-in identity that maps to no role is refused everywhere
        refused = _call(client, route, auth(unmapped), approval)
        assert refused.status_code == 403, (route.path, refused.text)
        assert "maps to a trailmask role" in refused.json()["message"]
        if route.path in expected_missing and (route.path, route.method) != ("/api/approvals", "GET"):
            response = _call(client, route, auth(nobody), approval)
            assert response.status_code == 403, (route.path, response.text)
            body = response.json()
            assert body["error"] == "forbidden"
            assert f"lacks permission '{expected_missing[route.path]}'" in body["message"], body
    # the approval run: someone else than the requester
    run = client.post(f"/api/approvals/{approval}/run", headers=auth(tokens["admin"]))
    assert run.status_code == 403
    assert "only the requester" in run.json()["message"]


def _route(client: TestClient, path: str, method: str) -> Route:
    return Route(path, method)


def test_runbook_permission_by_tag(client: TestClient, ctx: AppContext, custom_roles: None) -> None:
    cis = add_user(ctx, OWNER, "cis", "cis-only")[1]
    other = add_user(ctx, OWNER, "other", "mitre-only")[1]
    listed = client.get("/api/runbooks", headers=auth(cis)).json()["runbooks"]
    assert listed and all("cis" in r["tags"] for r in listed)
    assert client.get(f"/api/runbooks/{RUNBOOK}", headers=auth(cis)).status_code == 200
    assert client.get("/api/runbooks", headers=auth(other)).json()["runbooks"] == []
    denied = client.get(f"/api/runbooks/{RUNBOOK}", headers=auth(other))
    assert denied.status_code == 403
    assert "runbook-tag:cis" in denied.json()["hint"]


def test_whoami_names_role_and_permissions(client: TestClient, tokens: dict[str, str]) -> None:
    me = client.get("/api/whoami", headers=auth(tokens["investigator"])).json()
    assert me["name"] == "investigator"
    assert me["role"] == "investigator"
    assert "sql" in me["permissions"]


def test_failed_sign_ins_are_audited_without_the_credential(client: TestClient, tokens: dict[str, str]) -> None:
    bogus = "tm_0123456789ab_" + "s" * 43
    assert client.get("/api/whoami", headers=auth(bogus)).status_code == 401
    entries = client.get("/api/audit", headers=auth(tokens["admin"])).json()["entries"]
    sign_in = next(e for e in entries if e["action"] == "sign-in")
    assert sign_in["outcome"] == "unauthenticated"
    assert sign_in["path"] == "/api/whoami"
    assert bogus not in str(entries)
