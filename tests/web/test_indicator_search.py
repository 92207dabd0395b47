"""Search by an indicator in the browser: the investigator's raw IP is matched as the role's view and the page
says so; the viewer, without the `indicator` permission, is told why (issue 12.1 in the UI)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from tests.web.conftest import Ui, WebServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _an_ip(server: WebServer) -> str:
    answer = httpx.post(
        f"{server.url}api/sql",
        json={
            "sql": "SELECT sourceIPAddress AS ip FROM events WHERE regexp_matches(sourceIPAddress, '^[0-9.]+$')"
            " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        },
        headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        timeout=60,
    )
    answer.raise_for_status()
    ip: str = answer.json()["rows"][0]["ip"]
    return ip


def _search(ui: Ui, role: str, ip: str) -> None:
    ui.signed_in_as(role)
    ui.page.goto(f"{ui.server.url}#/runbooks/ip-activity")
    ui.page.locator('[data-param="ip"] input').fill(ip)
    ui.page.get_by_label("since").fill("all")
    ui.page.get_by_role("button", name="Run runbook").click()


def test_investigator_searches_by_a_raw_ip_and_is_told_what_it_matched(ui: Ui) -> None:
    ip = _an_ip(ui.server)
    _search(ui, "investigator", ip)
    notices = ui.page.locator(".result .notices")
    prefix = ".".join(ip.split(".")[:3])
    expect(notices).to_contain_text(f"matched as {prefix}.xxx")
    expect(notices).to_contain_text("/24")
    expect(ui.page.locator(".output table.grid tbody tr").first).to_be_visible()
    assert ip not in ui.page.locator(".output").inner_text()  # the raw value is not echoed back


def test_viewer_is_told_the_indicator_search_needs_a_permission(ui: Ui) -> None:
    _search(ui, "viewer", _an_ip(ui.server))
    expect(ui.page.locator(".form-errors, .output, [role=alert]").filter(has_text="indicator").first).to_be_visible()
