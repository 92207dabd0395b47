"""The runbook loader: strict keys, placeholders checked against declarations, strict YAML scalars."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.runbooks.conftest import MINIMAL_RUNBOOK

from trailmask.errors import ConfigError
from trailmask.runbooks.loader import load_runbook_file, parse_runbook, read_yaml


def load(text: str) -> object:
    return parse_runbook(read_yaml(text), origin="test.yaml")


def test_minimal_runbook_loads_with_window_parameters() -> None:
    runbook = load(MINIMAL_RUNBOOK.format(id="minimal"))
    names = [p.name for p in runbook.parameters]  # type: ignore[attr-defined]
    assert names == ["since", "start", "end", "event_name"]
    assert runbook.placeholders == ("start", "end", "event_name")  # type: ignore[attr-defined]
    assert runbook.permission == "runbook:minimal"  # type: ignore[attr-defined]
    fixture = runbook.fixtures[0]  # type: ignore[attr-defined]
    assert len(fixture.matching) == 1 and len(fixture.not_matching) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("parameters:", "paramters:"), "unknown key(s) paramters"),
        (("AND eventName = $event_name", "AND eventName = $event_nam"), "undeclared parameter(s) $event_nam"),
        (("AND eventName = $event_name", "AND eventName = 'x'"), "declared parameter(s) event_name never used"),
        (("window: 24h\n", ""), "declare 'window:'"),
        (("AND eventName = $event_name", "AND eventName = ?"), "positional placeholder"),
        (("ORDER BY eventTime", "ORDER BY eventTime; DELETE FROM events"), "exactly one statement"),
        (("type: string", "type: colour"), "unknown type 'colour'"),
        (("id: {id}", "id: Bad_Id"), "id 'Bad_Id' must be lower-case"),
        (("window: 24h", "window: forever"), "'window' must be a duration"),
        (("  - name: event_name", "  - name: since"), "not since/start/end"),
        (("title: Test runbook\n", ""), "missing 'title'"),
    ],
)
def test_errors_name_the_file_and_the_problem(change: tuple[str, str], message: str) -> None:
    text = MINIMAL_RUNBOOK.replace(*change).format(id="broken")
    with pytest.raises(ConfigError) as caught:
        load(text)
    assert str(caught.value).startswith("runbook test.yaml: ")
    assert message in str(caught.value)


def test_output_contract_must_be_declared() -> None:
    text = MINIMAL_RUNBOOK.format(id="xx")
    start = text.index("output:")
    end = text.index("fixtures:")
    with pytest.raises(ConfigError, match="'output' must list the result columns"):
        load(text[:start] + text[end:])


def test_strict_yaml_keeps_cloudtrail_values_as_written() -> None:
    data = read_yaml("a: No\nb: 2024-01-01T00:00:00Z\nc: 012345678901\nd: yes\ne: true\nf: 12\ng: 1_000\n")
    assert data == {
        "a": "No",
        "b": "2024-01-01T00:00:00Z",
        "c": "012345678901",
        "d": "yes",
        "e": True,
        "f": 12,
        "g": "1_000",
    }


def test_fixture_events_file_is_read_relative_to_the_runbook(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "more.jsonl").write_text(
        '{"match": true, "source": "mine", "event": {"eventSource": "x", "eventName": "StopLogging"}}\n',
        encoding="utf-8",
    )
    text = MINIMAL_RUNBOOK.format(id="withfile").replace(
        "    expect:\n", "    events_file: fixtures/more.jsonl\n    expect:\n"
    )
    path = tmp_path / "withfile.yaml"
    path.write_text(text, encoding="utf-8")
    runbook = load_runbook_file(path)
    assert [e.source for e in runbook.fixtures[0].events] == ["", "", "mine"]
    (tmp_path / "fixtures" / "more.jsonl").write_text("not json\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"more\.jsonl line 1"):
        load_runbook_file(path)


def test_yaml_syntax_errors_are_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_runbook_file(path)
