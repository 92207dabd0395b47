"""The workbench (issue 14.6) in real headless Chromium: a long run shown as a job and cancelled on
the server, sortable and filterable results with click-to-filter, the row drawer by keyboard,
pivots that keep their window, catalogue search, data-span placeholders and /docs offline.

This module serves its own store (the same events) with one team runbook that runs for a long
time (a cross join), so that there is something to cancel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, expect
from tests.conftest import awsdocs_events, panther_events, write_jsonl
from tests.web.conftest import USERS, Ui, WebServer, _free_port, _trailmask, _wait_healthy

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLOW_RUNBOOK = """\
id: slow-cross-join
title: A deliberately slow query
version: 1
severity: info
description: |
  Counts a three-way cross join of the events: it runs far longer than a test waits, so the
  browser tests can cancel it.
when: |
  Never: it exists to be cancelled.
indicates: |
  Nothing.
tags: [tests]
window: all
sql: |
  SELECT count(*) AS n
  FROM events a, events b, (SELECT * FROM events LIMIT 400) c
  WHERE ($start IS NULL OR a.eventTime >= $start) AND ($end IS NULL OR a.eventTime < $end)
    AND md5(concat(a.eventTime, b.eventTime, c.eventTime)) < '1'
output:
  - {name: n, description: How many.}
"""
RUNBOOK = "cis-cloudtrail-config-changes"  # 11 rows of the third-party events with since=all


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """This module's server: the usual store and users, plus the slow team runbook."""
    root = tmp_path_factory.mktemp("workbench")
    db = root / "store.duckdb"
    (root / "runbooks").mkdir()
    (root / "runbooks" / "slow-cross-join.yaml").write_text(SLOW_RUNBOOK, encoding="utf-8")
    config = root / "trailmask.yaml"
    config.write_text(f"runbooks: [{root / 'runbooks'}]\nquery_timeout: 120\n", encoding="utf-8")
    _trailmask(db, "ingest", str(write_jsonl(root / "in" / "events.jsonl", awsdocs_events() + panther_events())))
    tokens = {}
    for role, name in USERS.items():
        tokens[role] = json.loads(_trailmask(db, "user", "add", name, "--role", role, "--format", "json"))["token"]
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = root / "serve.log"
    command = [sys.executable, "-m", "trailmask", "--db", str(db), "--config", str(config), "serve"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_healthy(url, process, log)
        yield WebServer(url=url, db=db, names=dict(USERS), tokens=tokens)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _api(server: WebServer, method: str, path: str, role: str = "admin", **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {server.tokens[role]}"}
    response = httpx.request(method, f"{server.url}{path}", headers=headers, timeout=60, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def _audit(server: WebServer) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _api(server, "GET", "api/audit?limit=200")["entries"]
    return entries


def _run(ui: Ui, runbook: str, **params: str) -> None:
    ui.page.goto(f"{ui.server.url}#/runbooks/{runbook}")
    expect(ui.page.get_by_role("button", name="Run runbook")).to_be_visible()
    for name, value in params.items():
        ui.page.locator(f"#run [name={name}]").fill(value)
    ui.page.get_by_role("button", name="Run runbook").click()


def _column(ui: Ui, name: str) -> list[str]:
    table = ui.page.locator(".output table.grid")
    headers = [th.text_content() for th in table.locator("thead th").all()]
    index = headers.index(name) + 1
    return [t.strip() for t in table.locator(f"tbody tr td:nth-child({index})").all_text_contents()]


def test_a_slow_run_shows_its_time_and_cancel_stops_it_on_the_server(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    _run(ui, "slow-cross-join")
    elapsed = ui.page.locator(".job .job-elapsed")
    expect(elapsed).to_be_visible()
    expect(ui.page.locator("#run .status")).to_have_text("Running…")
    expect(elapsed).not_to_have_text("0.0 s")  # it counts
    ui.page.wait_for_timeout(1500)
    ui.shoot("runbook-running-job")
    ui.page.locator(".job").get_by_role("button", name="Cancel").click()
    clicked = time.monotonic()
    expect(ui.page.locator("#run .status")).to_contain_text("Cancelled after", timeout=20_000)
    assert time.monotonic() - clicked < 20, "the cancel did not stop the run promptly"
    expect(ui.page.locator(".job")).to_have_count(0)
    expect(ui.page.get_by_role("button", name="Run runbook")).to_be_enabled()
    assert ui.page.locator(".output table.grid").count() == 0
    entries = _audit(ui.server)
    [cancel] = [e for e in entries if e["action"] == "run.cancel" and e["actor"] == USERS["investigator"]]
    # stopped: the query was interrupted mid-run (False when the cancel came while it still waited
    # for an engine session; then the session refused to start it; tests/api/test_runs.py checks both)
    assert cancel["outcome"] == "ok" and isinstance(cancel["stopped"], bool)
    runs = [e for e in entries if e.get("runbook") == "slow-cross-join" and e.get("run_id") == cancel["run_id"]]
    assert [(r["outcome"], r["rows"]) for r in runs] == [("cancelled", 0)]  # the query did not finish


def test_results_sort_filter_and_click_to_filter(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    _run(ui, RUNBOOK, since="all")
    table = ui.page.locator(".output table.grid")
    expect(table).to_be_visible()
    total = table.locator("tbody tr").count()
    assert total > 3
    index = [th.text_content() for th in table.locator("thead th").all()].index("eventName")
    header = table.locator("thead th").nth(index)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    names = _column(ui, "eventName")
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert _column(ui, "eventName")[0] == max(names)
    # a column filter: text contained, any case
    ui.page.get_by_label("Filter eventName", exact=True).fill("trail")
    kept = _column(ui, "eventName")
    assert kept and all("trail" in n.lower() for n in kept)
    expect(ui.page.locator(".grid-count")).to_contain_text(f"of {total} rows match")
    ui.page.get_by_role("button", name="Clear filters").click()
    expect(table.locator("tbody tr")).to_have_count(total)
    # click-to-filter: the first row's eventName keeps exactly that value
    first = _column(ui, "eventName")[0]
    cell = table.locator("tbody tr").first.locator("td").nth(index)
    cell.hover()
    cell.get_by_role("button", name="Filter eventName to this value").click()
    expect(ui.page.get_by_label("Filter eventName", exact=True)).to_have_value(f"={first}")
    assert set(_column(ui, "eventName")) == {first}
    ui.shoot("runbook-result-filtered")


def test_row_drawer_by_keyboard_with_pretty_json(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    _run(ui, RUNBOOK, since="all")
    expect(ui.page.locator(".output table.grid")).to_be_visible()
    opener = ui.page.get_by_role("button", name="Details of row 1", exact=True)
    opener.focus()
    ui.page.keyboard.press("Enter")
    drawer = ui.page.get_by_role("dialog")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("button", name="Close")).to_be_focused()  # focus moved into it
    text = drawer.locator("pre.drawer-json").text_content() or ""
    row = json.loads(text)
    assert "\n  " in text and row["eventName"]  # pretty-printed, two-space indent
    expected = _api(ui.server, "POST", f"api/runbooks/{RUNBOOK}/run", "investigator", json={"params": {"since": "all"}})
    assert row == expected["rows"][0]  # the masked row as the server sent it
    for _ in range(6):  # Tab stays inside the dialog
        ui.page.keyboard.press("Tab")
        assert ui.evaluate("() => !!document.activeElement.closest('[role=dialog]')")
    ui.shoot("runbook-row-drawer")
    ui.page.keyboard.press("Escape")
    expect(ui.page.get_by_role("dialog")).to_have_count(0)
    expect(opener).to_be_focused()


def test_a_pivot_keeps_a_relative_window_pinned(ui: Ui) -> None:
    """since=3650d becomes the start it meant when the result was shown, not the target's 24 h."""
    ui.signed_in_as("investigator")
    _run(ui, "top-principals", since="3650d")
    table = ui.page.locator(".output table.grid")
    expect(table).to_be_visible()
    pivot = table.locator("button.pivot").first
    token = pivot.text_content() or ""
    pivot.click()
    ui.page.get_by_role("button", name=re.compile("^Everything this")).click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Everything one principal did")
    expect(ui.page.locator("#run [name=since]")).to_have_value("")  # not the 24 h default
    start = ui.page.locator("#run [name=start]").input_value()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", start), start
    days = (time.time() - time.mktime(time.strptime(start, "%Y-%m-%dT%H:%M:%SZ"))) / 86400
    assert 3649 < days < 3652, days
    ui.page.get_by_role("button", name="Run runbook").click()
    expect(ui.page.locator(".output table.grid")).to_be_visible()
    assert ui.page.locator(".form-errors .alert").count() == 0
    assert ui.page.locator(".output table.grid tbody tr").count() > 0
    assert token


def test_catalogue_search_iam_finds_every_iam_runbook(ui: Ui) -> None:
    listed = _api(ui.server, "GET", "api/runbooks")["runbooks"]
    iam = {r["id"] for r in listed if "iam.amazonaws.com" in r["event_sources"] or "iam" in r["id"]}
    assert "role-trust-policy-changes" in iam and len(iam) >= 10
    ui.signed_in_as("admin")
    ui.page.get_by_label("Search by id, title, tag or description").fill("iam")
    shown = set(ui.page.locator("li.card").evaluate_all("cards => cards.map(c => c.dataset.runbook)"))
    assert iam <= shown, f"'iam' misses {sorted(iam - shown)}"
    ui.page.get_by_label("Search by id, title, tag or description").fill("trust modification")  # a technique's name
    expect(ui.page.locator('li.card[data-runbook="role-trust-policy-changes"]')).to_be_visible()


def test_form_placeholders_and_header_show_the_data_span(ui: Ui) -> None:
    status = _api(ui.server, "GET", "api/status", "investigator")
    ui.signed_in_as("investigator")
    expect(ui.page.locator("#who .data-span")).to_contain_text("UTC")
    ui.page.goto(f"{ui.server.url}#/runbooks/principal-activity")
    start = ui.page.locator("#run [name=start]")
    expect(start).to_have_attribute("placeholder", status["first_event"])
    expect(ui.page.locator("#run [name=end]")).to_have_attribute("placeholder", status["last_event"])
    assert status["first_event"].endswith("Z")  # times carry their zone
    help_text = ui.page.locator('#run .field[data-param="since"] .help').text_content() or ""
    assert f"data from {status['first_event'][:16].replace('T', ' ')} UTC" in help_text
    assert "last ingested" in help_text


def test_api_docs_load_from_the_server_alone(ui: Ui) -> None:
    console: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error":
            console.append(message.text)

    ui.page.on("console", seen)
    ui.page.goto(f"{ui.server.url}docs")
    expect(ui.page.locator(".swagger-ui .info .title")).to_contain_text("trailmask")
    expect(ui.page.locator(".opblock").first).to_be_visible()
    assert ui.page.locator(".opblock").count() > 10
    expect(ui.page.get_by_role("button", name=re.compile("Authorize"))).to_be_visible()
    assert not [c for c in console if "Content Security Policy" in c], console
    ui.shoot("api-docs")
