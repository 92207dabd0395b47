"""Cases in the browser: pin a runbook result and a row, add a note, export, read as another role."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.web.conftest import Ui, WebServer
from tests.web.test_investigate import RUNBOOK, api_run, run_runbook_in_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _get(server: WebServer, role: str, path: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {server.tokens[role]}"}, timeout=60)


def _raw_values(server: WebServer) -> set[str]:
    """The admin's (raw) values of the columns the investigator sees masked."""
    raw, masked = api_run(server, "admin"), api_run(server, "investigator")
    found: set[str] = set()
    for raw_row, masked_row in zip(raw["rows"], masked["rows"], strict=True):
        for column, value in raw_row.items():
            if isinstance(value, str) and len(value) > 6 and value != masked_row.get(column):
                found.add(value)
    return found


def test_build_a_case_export_it_and_read_it_as_other_roles(ui: Ui) -> None:
    table = run_runbook_in_ui(ui, "investigator")
    rows = table.locator("tbody tr").count()
    page = ui.page
    page.get_by_label("Case to pin to").select_option(label="New case…")
    page.get_by_label("New case title").fill("INC-9 trail tampering")
    page.get_by_role("button", name="Pin result to case").click()
    expect(page.locator(".pin-bar [role=status]")).to_contain_text(f"Pinned {rows} of {rows} rows to")
    table.locator("tbody tr").first.get_by_role("button", name="Pin this row to the case").click()
    expect(page.locator(".pin-bar [role=status]")).to_contain_text("Pinned 1 row to")
    page.locator(".pin-bar [role=status] a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("INC-9 trail tampering")
    page.get_by_role("textbox", name="Add a note").fill("Trail stopped twice in one hour: escalate.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("li.case-item[data-kind=note]")).to_contain_text("escalate")
    expect(page.locator("li.case-item[data-kind=result] table.grid tbody tr")).to_have_count(rows)
    expect(page.locator("li.case-item[data-kind=row] table.grid tbody tr")).to_have_count(1)
    ui.shoot("case-investigator", full_page=True)
    case_id = page.locator(".case-meta").text_content().split(" · ")[0]  # type: ignore[union-attr]
    with page.expect_download() as download:
        page.get_by_role("button", name="Export Markdown").click()
    markdown = download.value.path().read_text(encoding="utf-8")
    assert markdown.startswith(f"# Case {case_id}: INC-9 trail tampering") and f"runbook `{RUNBOOK}`" in markdown
    assert "> Trail stopped twice in one hour: escalate." in markdown
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported: dict[str, Any] = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert [i["kind"] for i in exported["items"]] == ["result", "row", "note"]
    assert exported["runs"][0]["runbook"] == RUNBOOK and exported["reader_role"] == "investigator"
    for value in _raw_values(ui.server):  # masked for the exporter: no raw value of a masked column
        assert value not in markdown and value not in json.dumps(exported)
    # the admin (cases:read through '*') reads it, read only; the viewer may not see it at all
    assert _get(ui.server, "admin", f"api/cases/{case_id}").json()["owner"] == ui.server.names["investigator"]
    assert _get(ui.server, "viewer", f"api/cases/{case_id}").status_code == 404
    assert case_id not in json.dumps(_get(ui.server, "viewer", "api/cases").json())


def test_cases_page_lists_and_opens_a_case_as_read_only_for_a_reader(ui: Ui) -> None:
    server = ui.server
    created = httpx.post(
        f"{server.url}api/cases",
        json={"title": "INC-10 keys"},
        headers={"Authorization": f"Bearer {server.tokens['investigator']}"},
        timeout=60,
    )
    assert created.status_code == 201
    ui.signed_in_as("admin")
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    ui.page.get_by_role("link", name="INC-10 keys").first.click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("INC-10 keys")
    expect(ui.page.get_by_text("only its owner changes it")).to_be_visible()
    expect(ui.page.get_by_label("Add a note")).to_have_count(0)
