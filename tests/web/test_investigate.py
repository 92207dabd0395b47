"""Investigating in the browser: runbooks with typed parameters, masked results, SQL, downloads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, expect
from tests.web.conftest import Ui, WebServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUNBOOK = "cis-cloudtrail-config-changes"  # built-in; the third-party events hold 11 trail changes
PARAMS = {"since": "all"}


def api_run(server: WebServer, role: str) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}api/runbooks/{RUNBOOK}/run",
        json={"params": PARAMS},
        headers={"Authorization": f"Bearer {server.tokens[role]}"},
        timeout=60,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def run_runbook_in_ui(ui: Ui, role: str) -> Locator:
    ui.signed_in_as(role)
    ui.page.get_by_label("Search by id, title, tag or description").fill("cis-aws-1.4:4.5")
    card = ui.page.locator(f'li.card[data-runbook="{RUNBOOK}"]')
    card.get_by_role("link").click()
    expect(ui.page.get_by_role("heading", level=1)).to_contain_text("CloudTrail configuration changes")
    ui.page.get_by_label("since").fill(PARAMS["since"])
    ui.page.get_by_role("button", name="Run runbook").click()
    table = ui.page.locator(".output table.grid")
    expect(table).to_be_visible()
    return table


def cells(table: Locator) -> list[dict[str, dict[str, Any]]]:
    """Each row: column -> {text, masked (does the cell hold a masked badge)}."""
    return list(
        table.evaluate(
            """t => {
                const cols = [...t.querySelectorAll('thead th')].map(th => th.textContent);
                return [...t.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
                    [...tr.children].map((td, i) => [cols[i], {
                        text: td.textContent, masked: td.querySelector('.masked') !== null}])));
            }"""
        )
    )


def masked_cells_are_badged(server: WebServer, role: str, table: Locator) -> int:
    """Every cell whose value the role sees differently from admin must carry a badge; returns how many."""
    raw = api_run(server, "admin")
    raw_values = {col: {json.dumps(r[col]) for r in raw["rows"]} for col in raw["columns"]}
    shown = cells(table)
    assert len(shown) == api_run(server, role)["row_count"] > 0
    checked = 0
    for row in shown:
        for col, cell in row.items():
            if col not in raw_values or not cell["text"] or cell["text"] == "null":
                continue
            if json.dumps(cell["text"]) not in raw_values[col]:
                assert cell["masked"], f"{col}: masked value {cell['text']!r} is not styled as masked"
                checked += 1
    return checked


def test_investigator_runs_a_runbook_and_masked_values_are_badged(ui: Ui) -> None:
    table = run_runbook_in_ui(ui, "investigator")
    expect(ui.page.locator(".result-summary")).to_contain_text("role investigator")
    assert masked_cells_are_badged(ui.server, "investigator", table) > 0, "no masked value in the result"
    badge = table.locator(".masked").first
    expect(badge).to_have_css(
        "font-family", 'ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace'
    )
    ui.shoot("runbook-result-investigator")


def test_viewer_sees_redactions_badged_and_no_downloads(ui: Ui) -> None:
    table = run_runbook_in_ui(ui, "viewer")
    assert masked_cells_are_badged(ui.server, "viewer", table) > 0, "no masked value in the result"
    expect(ui.page.locator(".downloads")).to_have_count(0)  # viewers lack 'export'
    expect(ui.page.locator(".result-head")).to_contain_text("Downloads need the 'export' permission")
    ui.shoot("runbook-result-viewer")


def test_viewer_cannot_use_sql(ui: Ui) -> None:
    ui.signed_in_as("viewer")
    sql_link = ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="SQL")
    expect(sql_link).to_have_class("denied")
    sql_link.click()
    expect(ui.page.get_by_label("SQL", exact=True)).to_be_disabled()
    expect(ui.page.get_by_role("button", name="Run query")).to_be_disabled()
    expect(ui.page.locator(".alert-info")).to_contain_text("lacks the 'sql' permission")
    assert not [r for r in ui.requests if r.url.endswith("/api/sql")]
    ui.shoot("sql-viewer-denied")


def test_invalid_parameter_message_is_shown_next_to_its_field(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/runbooks/{RUNBOOK}")
    since = ui.page.get_by_label("since")
    since.fill("yesterday; DROP TABLE events")
    ui.page.get_by_role("button", name="Run runbook").click()
    field = ui.page.locator('.field[data-param="since"]')
    expect(field.locator(".field-error")).to_contain_text("parameter 'since'")
    expect(since).to_have_attribute("aria-invalid", "true")
    expect(since).to_be_focused()
    expect(ui.page.locator(".form-errors .alert-error")).to_contain_text("Invalid input")
    expect(ui.page.locator(".output table")).to_have_count(0)
    ui.shoot("runbook-invalid-parameter")


def test_result_downloads_as_csv_and_json(ui: Ui) -> None:
    table = run_runbook_in_ui(ui, "investigator")
    rows = table.locator("tbody tr").count()
    with ui.page.expect_download() as csv_download:
        ui.page.get_by_role("button", name="Download CSV").click()
    assert csv_download.value.suggested_filename.startswith(f"trailmask-{RUNBOOK}-")
    parsed = list(csv.reader(io.StringIO(csv_download.value.path().read_text(encoding="utf-8"))))
    header = [th.text_content() for th in table.locator("thead th").all()]
    assert parsed[0] == [h for h in header if h != "Follow up"]
    assert len(parsed) == rows + 1
    with ui.page.expect_download() as json_download:
        ui.page.get_by_role("button", name="Download JSON").click()
    records = json.loads(json_download.value.path().read_text(encoding="utf-8"))
    assert records == api_run(ui.server, "investigator")["rows"]


def test_sql_values_are_text_never_markup(ui: Ui) -> None:
    ui.signed_in_as("admin")
    ui.page.get_by_role("link", name="SQL").click()
    markup = '<img src=x onerror="window.__pwned=1">'
    editor = ui.page.get_by_label("SQL", exact=True)
    editor.fill(f"SELECT '{markup}' AS html, '=1+2' AS formula, eventName FROM events LIMIT 2")
    editor.press("Control+Enter")
    table = ui.page.locator(".output table.grid")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text(markup)
    assert table.locator("img").count() == 0
    assert ui.evaluate("window.__pwned === undefined")
    with ui.page.expect_download() as download:
        ui.page.get_by_role("button", name="Download CSV").click()
    first = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))[1]
    assert first[:2] == [markup, "'=1+2"]  # a spreadsheet will not evaluate it


def test_sql_error_is_shown_with_its_kind(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/sql")
    ui.page.get_by_label("SQL", exact=True).fill("SELECT no_such_column FROM events")
    ui.page.get_by_role("button", name="Run query").click()
    alert = ui.page.locator(".form-errors .alert-error")
    expect(alert).to_be_visible()
    kind = alert.get_attribute("data-kind")
    assert kind in {"query_rejected", "query_failed"}
    expect(alert.locator(".alert-title")).to_have_text(
        {"query_rejected": "Query rejected", "query_failed": "Query failed"}[kind]
    )
    expect(ui.page.get_by_role("button", name="Run query")).to_be_enabled()


def test_follow_up_opens_the_next_runbook_with_the_row_value(ui: Ui) -> None:
    # a masked role hands over the token it sees; the next runbook matches it on the masked view
    table = run_runbook_in_ui(ui, "investigator")
    headers = [th.text_content() for th in table.locator("thead th").all()]
    first = table.locator("tbody tr").first
    principal = first.locator("td").nth(headers.index("principal_arn")).text_content()
    assert principal
    first.get_by_role("button", name="Follow up with principal-activity for this row").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Everything one principal did")
    assert ui.page.url.endswith("#/runbooks/principal-activity")  # the value is not in the URL
    expect(ui.page.locator("#run-p-principal")).to_have_value(principal)
    ui.page.get_by_label("since").fill("all")
    ui.page.get_by_role("button", name="Run runbook").click()
    result = ui.page.locator(".output table.grid")
    expect(result).to_be_visible()
    columns = [th.text_content() for th in result.locator("thead th").all()]
    arns = result.locator(f"tbody tr td:nth-child({columns.index('principal_arn') + 1})").all_text_contents()
    assert arns and principal in arns


def test_badges_come_from_the_server_not_from_a_values_shape(ui: Ui) -> None:
    """A raw value that looks like a token (or a redaction) gets no badge; a masked column's values do."""
    ui.signed_in_as("investigator")
    ui.page.get_by_role("link", name="SQL").click()
    editor = ui.page.get_by_label("SQL", exact=True)
    editor.fill(
        "SELECT 'user_3f9a1c2b4d5e' AS lookalike, 'XXXXX' AS stars, eventName, userIdentity.userName AS who "
        "FROM events WHERE userIdentity.userName IS NOT NULL LIMIT 2"
    )
    editor.press("Control+Enter")
    table = ui.page.locator(".output table.grid")
    expect(table.locator("tbody tr")).to_have_count(2)
    row = cells(table)[0]
    assert row["lookalike"] == {"text": "user_3f9a1c2b4d5e", "masked": False}
    assert row["stars"]["masked"] is False and row["eventName"]["masked"] is False
    assert row["who"]["masked"] is True and row["who"]["text"].startswith("user_")
    badge = table.locator("tbody tr").first.locator("td").nth(3).locator(".masked")
    expect(badge).to_have_attribute("data-mask", "value")
    expect(badge).to_have_attribute("title", "masked by policy (pseudonym)")


def test_h_builds_svg_in_the_svg_namespace(ui: Ui) -> None:
    ui.signed_in_as("viewer")
    built = ui.evaluate(
        """async () => {
            const { h } = await import(new URL('dom.js', document.baseURI).href);
            const svg = h('svg', { viewBox: '0 0 10 10', class: 'chart' },
                h('svg:rect', { width: 4, height: 4 }), h('svg:text', { x: 1, y: 9 }, '<b>label</b>'));
            return { ns: svg.namespaceURI, child: svg.firstChild.namespaceURI, cls: svg.getAttribute('class'),
                     text: svg.lastChild.textContent, bold: svg.querySelectorAll('b').length,
                     html: h('div', null).namespaceURI };
        }"""
    )
    assert built == {
        "ns": "http://www.w3.org/2000/svg",
        "child": "http://www.w3.org/2000/svg",
        "cls": "chart",
        "text": "<b>label</b>",
        "bold": 0,
        "html": "http://www.w3.org/1999/xhtml",
    }
