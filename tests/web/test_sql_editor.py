"""The SQL editor in a real browser: CodeMirror 6 from the vendored bundle under the server's CSP,
highlighting, completion of columns and struct fields, keyboard (Ctrl+Enter, Tab not trapping focus),
saved queries per user, and a chart chosen from a result's columns."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Locator, expect
from tests.web.conftest import Ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open_sql(ui: Ui, role: str = "investigator") -> Locator:
    ui.signed_in_as(role)
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="SQL").click()
    editor = ui.page.get_by_label("SQL", exact=True)
    expect(editor).to_have_class(re.compile(r"\bcm-content\b"))
    return editor


def _type(ui: Ui, editor: Locator, text: str) -> None:
    """Replace the editor's text by typing it (keystrokes, as a person does: completion reacts)."""
    editor.click()
    ui.page.keyboard.press("Control+A")
    ui.page.keyboard.press("Delete")
    ui.page.keyboard.type(text)


ROOT = "document.querySelector('.sql-editor-host').shadowRoot"  # the editor lives in a shadow root
IN_EDITOR = (
    f"document.activeElement.classList.contains('sql-editor-host')"
    f" && {ROOT}.activeElement.classList.contains('cm-content')"
)


def _doc(ui: Ui) -> str:
    lines = ui.evaluate(f"() => [...{ROOT}.querySelectorAll('.cm-content .cm-line')].map(l => l.textContent)")
    return "\n".join(lines)


def _completions(ui: Ui) -> list[str]:
    box = ui.page.locator(".cm-tooltip-autocomplete")
    expect(box).to_be_visible()
    ui.page.wait_for_timeout(150)  # CodeMirror ignores Enter for 75 ms after the list opens (interactionDelay)
    return box.locator("li .cm-completionLabel").all_text_contents()


def test_the_editor_is_codemirror_from_the_vendored_bundle_under_the_csp(ui: Ui) -> None:
    console: list[ConsoleMessage] = []
    ui.page.on("console", lambda message: console.append(message))
    ui.page.add_init_script(  # every CSP violation, the editor's shadow root included
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective), true);"
    )
    editor = _open_sql(ui)
    loaded = [r.url for r in ui.requests if "/vendor/codemirror/" in r.url]
    assert loaded == [f"{ui.server.url}vendor/codemirror/codemirror.js"]  # one file, from this server
    assert ui.page.locator(".sql-form textarea").count() == 0  # no textarea fallback
    # CodeMirror's own styles apply (style-mod's constructed sheets are allowed by style-src 'self')
    assert ui.evaluate(f"getComputedStyle({ROOT}.querySelector('.cm-editor')).display") == "flex"
    assert ui.evaluate(f"getComputedStyle({ROOT}.querySelector('.cm-gutters')).display") == "flex"
    assert ui.evaluate(f"{ROOT}.adoptedStyleSheets.length") >= 1  # a constructed sheet, not a <style>
    assert ui.evaluate("document.querySelectorAll('style').length") == 0
    editor.fill("SELECT eventName FROM events")  # replacing highlighted text (Chromium keeps its look inline)
    editor.click()
    ui.page.keyboard.press("Control+A")
    ui.page.keyboard.type("SELECT 1 AS one")  # typed over a selection
    assert _doc(ui) == "SELECT 1 AS one"
    assert ui.evaluate("window.__csp") == []
    errors = [m.text for m in console if m.type == "error" or "Content Security Policy" in m.text]
    assert not errors, errors
    csp = ui.page.request.get(ui.server.url).headers["content-security-policy"]
    assert "style-src 'self';" in csp and "unsafe" not in csp  # the policy was not weakened for it


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sql_is_highlighted_readably_in_both_schemes(ui: Ui, scheme: Any) -> None:
    ui.page.emulate_media(color_scheme=scheme)
    editor = _open_sql(ui)
    _type(ui, editor, "SELECT eventName, 'x' AS s, 42 AS n FROM events -- note")
    expect(ui.page.locator(".cm-content .tok-keyword").first).to_have_text("SELECT")
    expect(ui.page.locator(".cm-content .tok-string")).to_have_text("'x'")
    expect(ui.page.locator(".cm-content .tok-number")).to_have_text("42")
    expect(ui.page.locator(".cm-content .tok-comment")).to_have_text("-- note")
    ui.page.wait_for_function(  # sqleditor.css (a <link> in the shadow root) has applied
        f"() => getComputedStyle({ROOT}.querySelector('.cm-editor')).backgroundColor !== 'rgba(0, 0, 0, 0)'"
    )
    colours = ui.evaluate(
        """() => {
            const root = document.querySelector('.sql-editor-host').shadowRoot;
            const bg = getComputedStyle(root.querySelector('.cm-editor')).backgroundColor;
            return ['.tok-keyword', '.tok-string', '.tok-number', '.tok-comment', '.cm-line'].map(
                s => [s, getComputedStyle(root.querySelector(s)).color, bg]);
        }"""
    )
    from tests.web.test_review import _contrast

    for name, colour, background in colours:
        assert _contrast(colour, background) >= 4.5, f"{scheme}: {name} {colour} on {background}"
    keyword = dict((n, c) for n, c, _ in colours)[".tok-keyword"]
    assert keyword != dict((n, c) for n, c, _ in colours)[".cm-line"]  # highlighted, not plain text


def test_completion_offers_columns_and_struct_fields(ui: Ui) -> None:
    editor = _open_sql(ui)
    ui.page.locator(".sql-editor-host[data-schema=loaded]").wait_for()  # GET /api/sql/schema answered
    _type(ui, editor, "SELECT userIdent")
    assert "userIdentity" in _completions(ui)
    ui.page.keyboard.press("Enter")  # accept
    ui.page.keyboard.type(".ar")
    options = _completions(ui)
    assert "arn" in options and "accountId" not in options  # fields of userIdentity, filtered by "ar"
    arn = ui.page.locator(".cm-tooltip-autocomplete li", has_text="arn").first
    expect(arn.locator(".cm-completionDetail")).to_have_text("STRING · masked")  # the role's view, no value
    ui.shoot("sql-editor-completion-investigator")
    ui.page.keyboard.press("Enter")
    assert _doc(ui) == "SELECT userIdentity.arn"

    _type(ui, editor, "SELECT userIdentity.sessionContext.sessionIssuer.")
    ui.page.keyboard.press("Control+Space")
    assert {"type", "principalId", "arn", "accountId", "userName"} <= set(_completions(ui))
    _type(ui, editor, "SELECT resources[1].A")  # an array of structs: an element's fields
    assert "ARN" in _completions(ui)
    _type(ui, editor, "SELECT eventName FROM ev")
    assert "events" in _completions(ui)
    _type(ui, editor, "SELECT requestParameters.")  # a JSON column: its keys are data, nothing offered
    ui.page.keyboard.press("Control+Space")
    ui.page.wait_for_timeout(300)
    assert ui.page.locator(".cm-tooltip-autocomplete").count() == 0


def test_ctrl_enter_runs_and_tab_does_not_trap_focus(ui: Ui) -> None:
    editor = _open_sql(ui)
    _type(ui, editor, "SELECT eventName FROM events LIMIT 3")
    ui.page.keyboard.press("Control+Enter")
    expect(ui.page.locator(".output table.grid tbody tr")).to_have_count(3)
    assert len([r for r in ui.requests if r.url.endswith("/api/sql") and r.method == "POST"]) == 1

    editor.click()
    ui.page.keyboard.press("End")
    ui.page.keyboard.press("Tab")  # Tab indents inside the editor
    assert _doc(ui) != "SELECT eventName FROM events LIMIT 3" and ui.evaluate(IN_EDITOR)
    ui.page.keyboard.press("Escape")
    ui.page.keyboard.press("Tab")  # Escape then Tab leaves it
    assert ui.evaluate("document.activeElement.textContent") == "Run query"
    ui.page.keyboard.press("Shift+Tab")  # and back in from the keyboard, then out backwards too
    assert ui.evaluate(IN_EDITOR)
    ui.page.keyboard.press("Escape")
    ui.page.keyboard.press("Shift+Tab")
    assert not ui.evaluate(IN_EDITOR)


def _saved_names(ui: Ui) -> list[str]:
    panel = ui.page.locator(".saved-queries")
    expect(panel.locator(".saved-list")).not_to_contain_text("Loading")
    return panel.locator(".saved-item > button.link").all_text_contents()


def test_saved_queries_are_per_user_and_survive_a_reload(ui: Ui) -> None:
    name = "failed calls by service (web test)"
    sql = "SELECT eventSource, count(*) AS n FROM events WHERE errorCode IS NOT NULL GROUP BY ALL"
    editor = _open_sql(ui)
    _type(ui, editor, sql)
    ui.page.get_by_label("Name", exact=True).fill(name)
    ui.page.get_by_role("button", name="Save query").click()
    expect(ui.page.locator(".saved-queries [role=status]")).to_have_text(f"Saved “{name}”.")
    expect(ui.page.locator(".saved-list")).to_contain_text(name)

    ui.page.reload()
    editor = ui.page.get_by_label("SQL", exact=True)
    expect(ui.page.locator(".saved-list")).to_contain_text(name)
    _type(ui, editor, "SELECT 1 AS other")
    ui.page.get_by_role("button", name=name, exact=True).click()  # open it
    assert _doc(ui) == sql

    ui.evaluate("sessionStorage.clear()")  # another user in the same browser sees none of it
    ui.signed_in_as("admin")
    ui.page.goto(f"{ui.server.url}#/sql")
    ui.page.get_by_label("Name", exact=True).wait_for()
    expect(ui.page.locator(".saved-list li").first).to_be_visible()
    assert name not in _saved_names(ui)

    ui.evaluate("sessionStorage.clear()")
    ui.signed_in_as("investigator")
    ui.page.goto(f"{ui.server.url}#/sql")
    ui.page.get_by_role("button", name=f"Delete {name}").click()
    expect(ui.page.locator(".saved-queries [role=status]")).to_have_text(f"Deleted “{name}”.")
    ui.page.reload()
    expect(ui.page.locator(".saved-list li").first).to_be_visible()
    assert name not in _saved_names(ui)


def test_a_bad_name_is_a_clear_error(ui: Ui) -> None:
    _open_sql(ui)
    ui.page.get_by_role("button", name="Save query").click()
    expect(ui.page.locator(".saved-queries .alert-error")).to_contain_text("a saved query needs a name")


def test_a_result_is_charted_by_the_columns_chosen(ui: Ui) -> None:
    editor = _open_sql(ui)
    _type(ui, editor, "SELECT eventTime AS t, eventSource, eventName FROM events WHERE eventTime IS NOT NULL")
    ui.page.keyboard.press("Escape")  # close the completion list
    ui.page.keyboard.press("Control+Enter")
    chart = ui.page.locator(".output .chart-section")
    expect(chart.locator("figure.chart[data-chart=timeseries] canvas")).to_be_visible()
    expect(chart.locator("#sql-chart-time")).to_have_value("t")  # found as the time column
    chart.locator("#sql-chart-series").select_option("eventSource")
    figure = chart.locator("figure.chart[data-chart=timeseries]")
    expect(figure.locator("canvas")).to_be_visible()
    heads = figure.locator("table.chart-data thead th").all_text_contents()
    assert heads[0] == "t (UTC, bucket start)" and len(heads) >= 3  # one column per eventSource series
    sources = set(ui.page.locator(".output table.grid tbody td:nth-child(2)").all_text_contents())
    assert set(heads[1:]) - {"other"} <= sources
    ui.shoot("sql-editor-chart-investigator", full_page=True)
