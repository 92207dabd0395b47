"""Audit and break-glass approvals in the browser, plus accessibility and the UI's pure helpers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.web.conftest import Ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUNBOOK = "cis-cloudtrail-config-changes"


def test_admin_reads_the_audit_log_and_investigator_is_told_why_not(ui: Ui) -> None:
    ui.signed_in_as("admin")
    ui.page.get_by_role("link", name="Audit").click()
    table = ui.page.locator(".output table.grid")
    expect(table).to_be_visible()
    headers = [th.text_content() for th in table.locator("thead th").all()]
    assert {"seq", "actor", "role", "action", "outcome", "hash"} <= set(headers)
    actor_column = headers.index("actor")
    first_row = table.locator("tbody tr").first.locator("td")
    expect(first_row.nth(actor_column)).to_have_text(ui.server.names["admin"])  # newest first: this very read
    ui.shoot("audit-admin")

    ui.page.get_by_role("button", name="Sign out").click()
    ui.signed_in_as("investigator")
    audit = ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit")
    expect(audit).to_have_class("denied")
    audit.click()
    expect(ui.page.locator(".alert-info")).to_contain_text("lacks the 'audit:read' permission")


def test_break_glass_request_approve_and_run_once(ui: Ui) -> None:
    justification = "incident IR-7: need the caller's real ARN"
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/runbooks/{RUNBOOK}")
    ui.page.get_by_label("since").fill("all")
    ui.page.get_by_text("Request a break-glass run").click()
    ui.page.get_by_label("Justification").fill(justification)
    ui.page.get_by_role("button", name="Request unmasked run").click()
    notice = ui.page.locator(".breakglass .alert-info")
    expect(notice).to_contain_text("is pending")
    approval_id = re.search(r"Request (\S+) is pending", notice.text_content() or "")
    assert approval_id
    card_selector = f'li.approval[data-approval="{approval_id.group(1)}"]'

    ui.page.get_by_role("button", name="Sign out").click()
    ui.signed_in_as("admin")
    ui.page.get_by_role("link", name="Approvals").click()
    card = ui.page.locator(card_selector)
    expect(card).to_contain_text(justification)
    ui.shoot("approvals-admin")
    card.get_by_role("textbox").fill("ok for IR-7")
    card.get_by_role("button", name="Approve").click()
    expect(ui.page.locator(card_selector)).to_have_attribute("data-status", "approved")

    ui.page.get_by_role("button", name="Sign out").click()
    ui.signed_in_as("investigator")
    ui.page.get_by_role("link", name="Approvals").click()
    ui.page.locator(card_selector).get_by_role("button", name="Run once, unmasked").click()
    expect(ui.page.locator(".output .alert-warn")).to_contain_text("raw values")
    expect(ui.page.locator(".output table.grid tbody tr").first).to_be_visible()
    assert ui.page.locator(".output table.grid .masked").count() == 0


def test_viewer_has_no_approvals_page(ui: Ui) -> None:
    ui.signed_in_as("viewer")
    nav = ui.page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Runbooks")).to_be_visible()
    expect(nav.get_by_role("link", name="Approvals")).to_have_count(0)


def test_every_form_control_has_a_label(ui: Ui) -> None:
    ui.signed_in_as("investigator")
    for route in (f"#/runbooks/{RUNBOOK}", "#/sql", "#/runbooks"):
        ui.page.goto(f"{ui.server.url}{route}")
        ui.page.locator("main h1").wait_for()
        unlabelled = ui.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(el => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label'))
                .map(el => el.id || el.name)"""
        )
        assert unlabelled == [], f"{route}: unlabelled controls {unlabelled}"


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(ui: Ui, scheme: Any) -> None:
    ui.page.emulate_media(color_scheme=scheme)
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/sql")
    ui.page.get_by_label("SQL", exact=True).fill(
        "SELECT userIdentity.userName AS token, 1 AS n FROM events WHERE userIdentity.userName IS NOT NULL LIMIT 1"
    )
    ui.page.get_by_role("button", name="Run query").click()
    ui.page.locator(".output .masked").wait_for()
    pairs = ui.evaluate(
        """() => {
            const bg = el => { for (; el; el = el.parentElement) {
                const c = getComputedStyle(el).backgroundColor;
                if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
            const sel = ['.masked', '.help', '.result-summary', 'button.primary', '#nav a', '.role', '.footer',
                         'td', 'th'];
            return sel.map(s => document.querySelector(s)).filter(Boolean)
                .map(el => [el.className || el.tagName, getComputedStyle(el).color, bg(el)]);
        }"""
    )
    assert len(pairs) >= 8
    for name, color, background in pairs:
        assert _contrast(color, background) >= 4.5, f"{scheme}: {name} {color} on {background}"


# Output shapes of trailmask.masking's operators, and real values that must not look masked.
MASK_MODES = [  # column_masking entries as the server sends them
    {"mode": "value", "operators": ["pseudonym"]},
    {"mode": "parts", "operators": ["detect"]},
    {"mode": "unknown", "operators": []},
    {"mode": "none", "operators": []},
    None,
]
LOOKALIKES = ["user_3f9a1c", "AKIA****WXYZ", "10.0.0.xxx", "[masked]", "XXXXX"]


def test_pure_helpers_in_the_browser(ui: Ui) -> None:
    ui.page.goto(ui.server.url)
    got = ui.evaluate(
        """async ([MODES, LOOKALIKES]) => {
            const v = await import('./values.js');
            const d = await import('./download.js');
            const m = await import('./markdown.js');
            const link = m.markdown('[x](javascript:alert(1)) [y](https://example.org)')[0];
            const long = v.renderValue({arn: 'arn:aws:iam::acct_43b2f38b9b41:user/x', pad: 'p'.repeat(200)});
            const badge = (node) => node.classList.contains('masked') ? node.getAttribute('data-mask') : null;
            return {
                modes: MODES.map((mode) => badge(v.renderCell('user_3f9a1c', mode || undefined))),
                nulls: MODES.map((mode) => badge(v.renderCell(null, mode || undefined))),
                lookalikes: LOOKALIKES.map((text) => v.renderValue(text).querySelectorAll('.masked').length),
                title: v.renderCell('x', MODES[0]).title,
                csv: d.toCsv(['a', 'b'], [{a: '=SUM(A1)', b: 'x,"y"'}, {a: null, b: {k: 1}}]),
                hrefs: [...link.querySelectorAll('a')].map(a => a.getAttribute('href')),
                fold: [long.tagName, long.querySelector('summary').textContent,
                       long.querySelectorAll('.masked').length],
            };
        }""",
        [MASK_MODES, LOOKALIKES],
    )
    assert got["modes"] == ["value", "parts", "unknown", None, None]  # from the server's mode, not the text
    assert got["nulls"] == [None] * len(MASK_MODES)
    assert got["lookalikes"] == [0] * len(LOOKALIKES)  # no badge guessed from a value's shape
    assert got["title"] == "masked by policy (pseudonym)"
    assert got["csv"] == 'a,b\r\n\'=SUM(A1),"x,""y"""\r\n,"{""k"":1}"\r\n'
    assert got["hrefs"] == ["https://example.org"]  # the javascript: link stays text
    assert got["fold"] == ["DETAILS", "{arn, pad}", 0]  # long structs fold behind key names only
