"""Lint: what a loadable runbook still lacks."""

from __future__ import annotations

from pathlib import Path

from tests.runbooks.conftest import MINIMAL_RUNBOOK

from trailmask.runbooks.catalog import load_catalog
from trailmask.runbooks.lint import lint_catalog


def findings_for(runbook_dir: Path, text: str) -> list[str]:
    (runbook_dir / "r.yaml").write_text(text, encoding="utf-8")
    catalog = load_catalog([runbook_dir], include_builtin=False)
    return [f"{f.severity}: {f.message}" for f in lint_catalog(catalog)]


def test_a_complete_runbook_is_clean(runbook_dir: Path) -> None:
    assert findings_for(runbook_dir, MINIMAL_RUNBOOK.format(id="ok")) == []


def test_missing_docs_window_and_fixtures_are_reported(runbook_dir: Path) -> None:
    text = MINIMAL_RUNBOOK.format(id="bare").replace("indicates: Nothing in particular.\n", "")
    text = text.replace("window: 24h\n", "").replace(
        "WHERE ($start IS NULL OR eventTime >= $start) AND ($end IS NULL OR eventTime < $end)\n    AND ", "WHERE "
    )
    text = text[: text.index("fixtures:")]
    found = findings_for(runbook_dir, text)
    assert "error: missing docs: 'indicates' is empty" in found
    assert any(f.startswith("error: no time window") for f in found)
    assert any(f.startswith("warning: no fixtures") for f in found)


def test_bad_tags_and_follow_ups_are_errors(runbook_dir: Path) -> None:
    text = MINIMAL_RUNBOOK.format(id="links").replace(
        "window: 24h\n",
        "window: 24h\ntags: [Bad Tag, 'attack:X1', 'nope:1']\nfollow_up:\n"
        "  - {why: w, runbook: missing-one}\n"
        "  - {why: w, runbook: links, params: {nothing: 1, event_name: {column: not_a_column}}}\n",
    )
    found = findings_for(runbook_dir, text)
    assert "error: tag 'Bad Tag' must be lower-case words joined by dashes" in found
    assert "error: tag 'attack:X1' is not a valid attack identifier" in found
    assert any(f.startswith("warning: tag namespace 'nope'") for f in found)
    assert "error: follow-up runbook 'missing-one' does not exist" in found
    assert "error: follow-up 'links' has no parameter 'nothing'" in found
    assert "error: follow-up parameter 'event_name' takes a column not in the output" in found


def test_load_errors_become_findings(runbook_dir: Path) -> None:
    found = findings_for(runbook_dir, MINIMAL_RUNBOOK.format(id="xx").replace("$event_name", "$other"))
    assert any("undeclared parameter(s) $other" in f for f in found)


def test_the_builtin_library_lints_clean() -> None:
    assert lint_catalog(load_catalog()) == []
