"""Browser test harness: a real ``trailmask serve`` (uvicorn) on 127.0.0.1 and headless Chromium.

The server runs in a child process over a temporary store holding the real third-party CloudTrail
events, with one user per built-in role created by ``trailmask user add --format json``. Chromium
is Debian's /usr/bin/chromium driven by Playwright (``playwright install`` is never used); when it
is missing the browser tests are skipped with the reason. Set ``TRAILMASK_SCREENSHOTS=DIR`` to save
the screenshots the tests take (docs/screenshots is made that way, see docs/web.md).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright
from tests.conftest import awsdocs_events, panther_events, write_jsonl

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERS = {"investigator": "ivy", "viewer": "vic", "admin": "ada"}


@dataclass(frozen=True)
class WebServer:
    """A running server: its base URL, and the name and token of one user per role."""

    url: str
    db: Path
    names: dict[str, str]
    tokens: dict[str, str]


def _trailmask(db: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "trailmask", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"trailmask {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"trailmask serve exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"trailmask serve did not become healthy:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("web")
    db = root / "store.duckdb"
    _trailmask(db, "ingest", str(write_jsonl(root / "in" / "events.jsonl", awsdocs_events() + panther_events())))
    tokens = {}
    for role, name in USERS.items():
        tokens[role] = json.loads(_trailmask(db, "user", "add", name, "--role", role, "--format", "json"))["token"]
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "trailmask", "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@dataclass
class Ui:
    """One browser tab on the server, with what it did: JS errors, requests, responses' statuses."""

    page: Page
    server: WebServer
    errors: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def sign_in(self, role_or_token: str) -> None:
        token = self.server.tokens.get(role_or_token, role_or_token)
        self.page.goto(self.server.url)
        self.page.get_by_label("API token").fill(token)
        self.page.get_by_role("button", name="Sign in").click()

    def signed_in_as(self, role: str) -> None:
        self.sign_in(role)
        self.page.locator("#who .role").filter(has_text=role).wait_for()

    def shoot(self, name: str, *, full_page: bool = False) -> None:
        """Save a screenshot when TRAILMASK_SCREENSHOTS names a folder (used to refresh docs/screenshots)."""
        folder = os.environ.get("TRAILMASK_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@pytest.fixture
def ui(browser: Browser, web_server: WebServer) -> Iterator[Ui]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    state = Ui(page=page, server=web_server)
    page.on("pageerror", lambda error: state.errors.append(str(error)))
    page.on("request", lambda request: state.requests.append(request))
    try:
        yield state
    finally:
        context.close()
    assert not state.errors, f"JavaScript errors: {state.errors}"
    for request in state.requests:
        assert request.url.startswith((web_server.url, "blob:", "data:")), f"request left the server: {request.url}"
        for token in web_server.tokens.values():
            assert token not in request.url, "a token was put in a URL"
