"""Dashboards, charts and pivots in real Chromium: every built-in dashboard renders its charts for
admin, investigator and viewer, a masked role's page holds no raw value (DOM, chart legends and the
charts' data tables alike), panels run at most three at a time, a token pivots to its timeline with
the window it came from, and a dashboard works from the keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Request, expect
from tests.web.conftest import Ui, WebServer

from trailmask.monitor.spec import BUILTIN_WATCHES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DASHBOARDS = ("overview", "cis", "data-health")
ROLES = ("admin", "investigator", "viewer")
CANARY_SQL = (
    "SELECT DISTINCT userIdentity.userName AS a, userIdentity.arn AS b, sourceIPAddress AS c, "
    "recipientAccountId AS d FROM events"
)


def _sql(server: WebServer, role: str, sql: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{server.url}api/sql",
        json={"sql": sql},
        headers={"Authorization": f"Bearer {server.tokens[role]}"},
        timeout=60,
    )
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


@pytest.fixture(scope="module")
def canaries(web_server: WebServer) -> set[str]:
    """Raw identities (user names, ARNs, IPs, account ids) that the investigator never sees as they are."""
    raw = {str(v) for r in _sql(web_server, "admin", CANARY_SQL) for v in r.values() if v}
    seen = {str(v) for r in _sql(web_server, "investigator", CANARY_SQL) for v in r.values() if v}
    # an identity, not a plain word (a source IP the trail itself records as "redacted" is no secret)
    found = {v for v in raw - seen if len(v) >= 6 and not v.isalpha()}
    assert len(found) > 10, "the test store should hold raw identities that masking hides"
    return found


def page_text(ui: Ui) -> str:
    """Every text node and attribute value of the page (hidden chart tables and legends included)."""
    return str(
        ui.evaluate(
            """() => {
                const parts = [];
                const walk = (node) => {
                    if (node.nodeType === Node.TEXT_NODE) parts.push(node.nodeValue);
                    if (node.nodeType === Node.ELEMENT_NODE) {
                        for (const a of node.attributes) parts.push(a.value);
                        if ('value' in node && typeof node.value === 'string') parts.push(node.value);
                    }
                    node.childNodes.forEach(walk);
                };
                walk(document.documentElement);
                return parts.join('\\n');
            }"""
        )
    )


def shown(value: str, text: str) -> bool:
    """Whether ``value`` appears on its own in ``text`` (an account id inside an event id's UUID does not count)."""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None


def open_dashboard(ui: Ui, role: str, dashboard: str) -> None:
    ui.signed_in_as(role)
    ui.page.get_by_role("link", name="Dashboards").click()
    ui.page.locator(f'li.card[data-dashboard="{dashboard}"] a').click()
    ui.page.get_by_label("Time window", exact=True).select_option("all")
    wait_for_panels(ui)


def wait_for_panels(ui: Ui) -> None:
    ui.page.wait_for_function(
        """() => {
            const bodies = [...document.querySelectorAll('.panel .panel-body')];
            const status = document.querySelector('.dash-controls .status').textContent;
            return bodies.length > 0 && status.startsWith('Updated')
                && bodies.every(b => b.getAttribute('aria-busy') === 'false' && !b.textContent.startsWith('Running'));
        }""",
        timeout=120_000,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_builtin_dashboard_renders_charts_without_raw_values(
    ui: Ui, canaries: set[str], role: str, dashboard: str
) -> None:
    run_requests: list[Request] = []
    in_flight = {"now": 0, "peak": 0}

    def started(request: Request) -> None:
        if request.url.endswith("/run"):
            run_requests.append(request)
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])

    def ended(request: Request) -> None:
        if request.url.endswith("/run"):
            in_flight["now"] -= 1

    ui.page.on("request", started)
    ui.page.on("requestfinished", ended)
    ui.page.on("requestfailed", ended)
    open_dashboard(ui, role, dashboard)
    panels = ui.page.locator(".panel")
    count = panels.count()
    assert count >= 6
    charts = ui.page.locator(".panel figure.chart")
    denied = ui.page.locator(".panel .panel-denied")
    errors = ui.page.locator(".panel .alert-error, .panel [role=alert]")
    assert errors.count() == 0, errors.all_inner_texts()
    assert charts.count() + denied.count() + ui.page.locator(".panel .chart-empty").count() == count
    assert charts.count() > 0
    drawn = ui.page.locator(".panel .chart-canvas canvas")
    if dashboard != "cis":  # CIS panels are numbers
        assert drawn.count() > 0, "no chart canvas drawn"
        headers = ui.page.locator(".panel .chart-data thead th").all_text_contents()
        assert headers and all(h.strip() for h in headers), f"chart data tables lack headers: {headers}"
        canvases = ui.page.locator(".chart-canvas")
        labels = [canvases.nth(i).get_attribute("aria-label") or "" for i in range(drawn.count())]
        assert all(": " in label for label in labels), labels
    assert in_flight["peak"] <= 3, f"{in_flight['peak']} panels ran at once"
    # the default window's first panels may have started before "all" was picked: count the "all" runs
    runs_all = [r for r in run_requests if (r.post_data_json or {}).get("params", {}).get("since") == "all"]
    assert len(runs_all) == count - denied.count()
    if role != "admin":
        text = page_text(ui)
        leaked = sorted(c for c in canaries if shown(c, text))
        assert not leaked, f"raw values in the {role}'s {dashboard} dashboard: {leaked[:5]}"
    if dashboard == "overview" and role == "investigator":
        ui.shoot("dashboard-overview-investigator", full_page=True)
    if dashboard == "cis" and role == "viewer":
        ui.shoot("dashboard-cis-viewer", full_page=True)


def test_pivot_from_a_token_opens_the_timeline_with_the_window(ui: Ui, canaries: set[str]) -> None:
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/runbooks/top-principals")
    ui.page.get_by_label("since").fill("all")
    ui.page.get_by_role("button", name="Run runbook").click()
    table = ui.page.locator(".output table.grid")
    expect(table).to_be_visible()
    expect(ui.page.locator(".output figure.chart")).to_be_visible()
    first = table.locator("button.pivot").first
    token = first.text_content() or ""
    assert token and token not in canaries
    first.click()
    ui.page.get_by_role("button", name="Timeline").click()
    expect(ui.page.get_by_role("heading", level=1)).to_contain_text(token)
    expect(ui.page.locator(".help").first).to_contain_text("all data")  # the window it came from, not 24 h
    ui.page.locator("figure.chart").first.wait_for()
    assert ui.page.locator("figure.chart").count() >= 3
    assert ui.page.locator("table.grid tbody tr").count() > 0
    text = page_text(ui)
    assert not [c for c in canaries if shown(c, text)]
    ui.shoot("timeline-investigator", full_page=True)
    ui.page.get_by_role("link", name="open in principal-activity").click()
    expect(ui.page.get_by_label("since")).to_have_value("all")
    expect(ui.page.locator("#run [name=principal]")).to_have_value(token)


def test_dashboard_by_keyboard_alone(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/dashboards/overview")
    expect(ui.page.get_by_role("heading", level=1)).to_be_focused()

    def tab_to(selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            ui.page.keyboard.press("Tab")
            if ui.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#dash-window")
    ui.page.keyboard.type("all")  # type-ahead picks "all data"
    expect(ui.page.locator("#dash-window")).to_have_value("all")
    wait_for_panels(ui)
    tab_to('.panel[data-panel="top-principals"] details.panel-rows > summary')
    ui.page.keyboard.press("Enter")
    tab_to('.panel[data-panel="top-principals"] button.pivot')
    ui.page.keyboard.press("Enter")
    expect(ui.page.locator(".pivot-menu:not([hidden]) button").first).to_be_focused()
    ui.page.keyboard.press("Tab")
    expect(ui.page.locator(".pivot-menu:not([hidden]) button").nth(1)).to_be_focused()
    ui.page.keyboard.press("Enter")
    expect(ui.page.get_by_role("heading", level=1)).to_contain_text("Timeline of principal")


def test_header_shows_the_data_span_and_last_ingest_in_utc(ui: Ui) -> None:
    ui.signed_in_as("viewer")
    span = ui.page.locator("#who .data-span")
    expect(span).to_contain_text("UTC")
    expect(span).to_contain_text("ingested")


def test_catalogue_search_covers_descriptions_and_techniques(ui: Ui) -> None:
    ui.signed_in_as("admin")
    search = ui.page.get_by_label("Search by id, title, tag or description")
    search.fill("iam")
    iam = int((ui.page.locator("#runbook-count").text_content() or "0").split()[0])
    assert iam > 3, f"searching 'iam' finds only {iam} runbooks"
    search.fill("T1087")
    expect(ui.page.locator('li.card[data-runbook="iam-enumeration"]')).to_be_visible()


def test_data_health_lists_the_health_watches(ui: Ui, web_server: WebServer) -> None:
    """The masking canary's last run (run here through the API as admin) shows on data health, for a viewer too."""
    ran = httpx.post(
        f"{web_server.url}api/watches/health-masking/run",
        headers={"Authorization": f"Bearer {web_server.tokens['admin']}"},
        timeout=300,
    )
    assert ran.status_code == 200, ran.text
    open_dashboard(ui, "viewer", "data-health")
    checks = ui.page.get_by_role("region", name="Health checks")
    expect(checks.locator("li")).to_have_count(len(BUILTIN_WATCHES))  # every built-in health watch
    canary = checks.locator('li[data-watch="health-masking"]')
    expect(canary).to_contain_text("masking canary")
    expect(canary).to_contain_text("last run")
    expect(canary).to_contain_text(": ok")
    expect(canary).to_contain_text("0 open alerts")
    expect(canary).to_have_class(re.compile(r"\bhealth-ok\b"))
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    ui.page.locator('li.card[data-dashboard="overview"] a').click()
    expect(ui.page.get_by_role("heading", level=1)).to_contain_text("Overview")
    expect(ui.page.get_by_role("region", name="Health checks")).to_have_count(0)  # only where asked for
