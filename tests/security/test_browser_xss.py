"""CloudTrail fields holding markup render as text in every web UI view (issue 10, "Build also").

A real ``trailmask serve`` on 127.0.0.1 over a store whose events carry ``<img onerror>``,
``<script>`` and ``javascript:`` payloads in attacker-controlled fields (userAgent, errorMessage,
eventName, requestParameters, userIdentity.userName), driven by Debian's headless Chromium: the
catalogue, a runbook result, an SQL result, the audit page and the approvals page are visited as
admin, investigator and viewer. No dialog opens, no console error or page error fires, no payload
element or ``javascript:`` link exists in the DOM, the payload text is visible where the field is
shown, and no request leaves the server's origin.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.conftest import awsdocs_events, write_jsonl

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
SCRIPT = "<script>window.__xss=2;alert(2)</script>"
JS_URL = "javascript:window.__xss=3;alert(3)"
PAYLOADS = (IMG, SCRIPT, JS_URL)
ROLES = {"admin": "ada", "investigator": "ivy", "viewer": "vic"}
RUNBOOK = "cis-unauthorized-api-calls"


def _events() -> list[dict[str, Any]]:
    base = next(e for e in awsdocs_events() if e.get("userIdentity", {}).get("type") == "IAMUser")
    events = []
    for index, payload in enumerate(PAYLOADS):
        event = copy.deepcopy(base)
        event.update(
            eventID=f"00000000-0000-4000-8000-00000000000{index}",
            eventName=f"Get{payload}",
            userAgent=payload,
            errorCode="AccessDenied",
            errorMessage=f"denied {payload} [link]({JS_URL})",
            requestParameters={"bucketName": payload, "note": payload},
        )
        event["userIdentity"]["userName"] = payload
        events.append(event)
    return events


def _trailmask(db: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"trailmask {' '.join(args)}: {done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    root = tmp_path_factory.mktemp("xss")
    db = root / "store.duckdb"
    _trailmask(db, "ingest", str(write_jsonl(root / "in" / "events.jsonl", _events())))
    tokens = {
        role: json.loads(_trailmask(db, "user", "add", name, "--role", role, "--format", "json"))["token"]
        for role, name in ROLES.items()
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trailmask", "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{url}healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        # an approval whose justification and parameters carry the payloads
        response = httpx.post(
            f"{url}api/approvals",
            json={"kind": "runbook", "runbook": RUNBOOK, "params": {"since": "all"}, "justification": f"IR {IMG}"},
            headers={"Authorization": f"Bearer {tokens['investigator']}"},
            timeout=30,
        )
        assert response.status_code in (200, 201), response.text
        yield url, tokens
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("dialog", lambda dialog: (self.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda msg: self.problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((origin, "blob:", "data:")) else self.problems.append(f"request: {r.url}")
            ),
        )

    def assert_inert(self, where: str) -> None:
        state = self.page.evaluate(
            """() => ({
                xss: window.__xss === undefined ? null : window.__xss,
                imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
                scripts: [...document.scripts].filter(s => !s.src).length,
                jsLinks: [...document.querySelectorAll('[href], [src], [action]')].filter(el =>
                    ['href', 'src', 'action'].some(a => /^\\s*javascript:/i.test(el.getAttribute(a) || ''))).length,
                handlers: [...document.querySelectorAll('*')].filter(el =>
                    [...el.attributes].some(a => a.name.startsWith('on'))).length,
            })"""
        )
        assert state == {"xss": None, "imgs": 0, "scripts": 0, "jsLinks": 0, "handlers": 0}, (where, state)
        assert not self.problems, (where, self.problems)


def _sign_in(page: Page, url: str, token: str) -> None:
    page.goto(url)
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#who .role").wait_for()


@pytest.mark.browser
@pytest.mark.parametrize("role", list(ROLES))
def test_payloads_render_as_text_in_every_view(browser: Browser, server: tuple[str, dict[str, str]], role: str) -> None:
    url, tokens = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    watched = Watched(page, url)
    try:
        _sign_in(page, url, tokens[role])
        expect(page.locator("main h1")).to_be_visible()  # the catalogue
        watched.assert_inert(f"catalogue as {role}")

        page.goto(f"{url}#/runbooks/{RUNBOOK}")
        page.get_by_label("since").fill("all")
        page.get_by_role("button", name="Run runbook").click()
        rows = page.locator(".output table.grid tbody tr")
        expect(rows).to_have_count(len(PAYLOADS))
        if role == "admin":  # raw: the payloads themselves are shown, as text
            for payload in PAYLOADS:
                expect(page.locator(".output table.grid")).to_contain_text(payload)
        watched.assert_inert(f"runbook result as {role}")

        if role != "viewer":
            page.goto(f"{url}#/sql")
            editor = page.get_by_label("SQL", exact=True)
            editor.fill(
                "SELECT eventName, userAgent, errorMessage, requestParameters, userIdentity.userName AS who, "
                f"'{IMG}' AS literal, '{JS_URL}' AS url FROM events"
            )
            page.get_by_role("button", name="Run query").click()
            table = page.locator(".output table.grid")
            expect(table.locator("tbody tr")).to_have_count(len(PAYLOADS))
            expect(table.locator("tbody tr").first.locator("td").nth(5)).to_have_text(IMG)
            watched.assert_inert(f"SQL result as {role}")

        if role == "admin":
            page.goto(f"{url}#/audit")
            expect(page.locator(".output table.grid tbody tr").first).to_be_visible()
            watched.assert_inert("audit as admin")

        if role != "viewer":
            page.goto(f"{url}#/approvals")
            expect(page.locator("li.approval").first).to_contain_text(IMG)
            watched.assert_inert(f"approvals as {role}")
    finally:
        context.close()
