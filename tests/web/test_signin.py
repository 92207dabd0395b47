"""Signing in and out in a real browser against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.web.conftest import Ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_bad_token_shows_a_sign_in_error_and_keeps_nothing(ui: Ui) -> None:
    ui.sign_in("tm_000000000000_" + "x" * 40)
    alert = ui.page.get_by_role("alert")
    expect(alert).to_contain_text("Sign-in failed")
    expect(alert).not_to_contain_text("x" * 40)  # the server never echoes the credential
    expect(ui.page.get_by_label("API token")).to_have_attribute("aria-invalid", "true")
    expect(ui.page.locator("#who")).to_be_empty()
    assert ui.evaluate("sessionStorage.length") == 0
    ui.shoot("signin-error")


def test_empty_token_is_refused_before_any_request(ui: Ui) -> None:
    ui.page.goto(ui.server.url)
    ui.page.get_by_role("button", name="Sign in").click()
    expect(ui.page.get_by_role("alert")).to_contain_text("Paste your API token")
    assert not [r for r in ui.requests if "/api/" in r.url]


def test_keyboard_sign_in_shows_who_and_role_and_keeps_token_in_session_storage(ui: Ui) -> None:
    ui.page.goto(ui.server.url)
    expect(ui.page.get_by_label("API token")).to_be_focused()
    ui.page.keyboard.type(ui.server.tokens["investigator"])
    ui.page.keyboard.press("Enter")
    who = ui.page.locator("#who")
    expect(who).to_contain_text(ui.server.names["investigator"])
    expect(who.locator(".role")).to_have_text("investigator")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Runbooks")
    expect(ui.page.locator("li.card").first).to_be_visible()
    ui.shoot("runbooks")
    assert ui.evaluate("sessionStorage.getItem('trailmask.token')") == ui.server.tokens["investigator"]
    assert ui.evaluate("localStorage.length") == 0
    assert ui.server.tokens["investigator"] not in ui.page.url
    api_calls = [r for r in ui.requests if "/api/" in r.url]
    assert api_calls and all(r.headers.get("authorization", "").startswith("Bearer ") for r in api_calls)

    ui.page.reload()  # the tab keeps its session
    expect(who.locator(".role")).to_have_text("investigator")

    ui.page.get_by_role("button", name="Sign out").click()
    expect(ui.page.get_by_label("API token")).to_be_visible()
    assert ui.evaluate("sessionStorage.length") == 0


def test_a_revoked_token_signs_the_tab_out(ui: Ui) -> None:
    ui.signed_in_as("viewer")
    ui.evaluate("sessionStorage.setItem('trailmask.token', 'tm_000000000000_' + 'y'.repeat(40))")
    ui.page.reload()
    expect(ui.page.get_by_role("alert")).to_contain_text("Signed out")
    assert ui.evaluate("sessionStorage.length") == 0
