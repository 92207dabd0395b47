"""The ATT&CK coverage matrix: valid IDs only, every technique has a runbook or a stated reason, docs current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trailmask.errors import ConfigError
from trailmask.runbooks import coverage
from trailmask.runbooks.catalog import load_catalog
from trailmask.runbooks.loader import parse_runbook

COVERAGE_MD = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"
_ISSUE_LIST = (
    "T1078.004 T1098.001 T1098.003 T1098.004 T1136.003 T1087.004 T1069.003 T1580 T1526 T1619 T1530 T1537 "
    "T1552.005 T1555.006 T1562.001 T1562.008 T1578.001 T1578.002 T1578.003 T1578.004 T1578.005 T1651 T1648 "
    "T1496 T1485 T1486 T1490 T1531 T1535 T1550.001 T1606 T1556 T1666 T1199 T1204.003"
)
ISSUE_TECHNIQUES = tuple(_ISSUE_LIST.split())


def test_every_listed_id_has_the_attack_format_and_appears_once() -> None:
    ids = [t.id for t in coverage.iaas_techniques()] + list(coverage.known_ids())
    assert all(coverage.ID_FORMAT.match(i) for i in ids)
    iaas = [t.id for t in coverage.iaas_techniques()]
    assert len(iaas) == len(set(iaas))
    for technique in coverage.iaas_techniques():  # a sub-technique's parent is listed too
        assert technique.id.split(".")[0] in iaas, technique.id
        assert technique.name and technique.tactic


@pytest.mark.parametrize("bad", ["T123", "T1234.5", "t1078", "T1078.0041", "TA0001"])
def test_the_id_format_rejects_malformed_ids(bad: str) -> None:
    assert not coverage.ID_FORMAT.match(bad)


def test_every_runbook_attack_tag_is_a_known_attack_id() -> None:
    assert coverage.unknown_tags(load_catalog()) == []


def test_an_invented_technique_tag_is_reported() -> None:
    runbook = parse_runbook(
        {
            "id": "made-up",
            "title": "t",
            "description": "d",
            "tags": ["attack:T1999.999", "attack:T1078.004"],
            "sql": "SELECT eventName FROM events",
            "output": [{"name": "eventName", "description": "e"}],
        },
        origin="test",
    )
    assert coverage.unknown_tags([runbook]) == [("made-up", "T1999.999")]


def test_every_technique_has_a_runbook_or_a_reason() -> None:
    rows = coverage.matrix(load_catalog())
    assert [r.technique.id for r in rows if r.status == coverage.GAP] == []
    by_id = {r.technique.id: r for r in rows}
    for technique in ISSUE_TECHNIQUES:
        assert technique in by_id, technique
        assert by_id[technique].runbooks, f"{technique} is visible in CloudTrail but no runbook tags it"
    for row in rows:
        if row.status == coverage.NOT_VISIBLE:
            assert len(row.technique.not_visible) > 40, row.technique.id


def test_a_technique_without_runbook_or_reason_is_a_gap() -> None:
    rows = {r.technique.id: r for r in coverage.matrix([])}
    assert rows["T1651"].status == coverage.GAP
    assert rows["T1190"].status == coverage.NOT_VISIBLE


def test_a_parent_technique_is_covered_through_its_sub_techniques() -> None:
    rows = {r.technique.id: r for r in coverage.matrix(load_catalog())}
    assert set(rows["T1578.002"].runbooks) <= set(rows["T1578"].runbooks)


def test_docs_coverage_md_is_current() -> None:
    expected = coverage.coverage_page(load_catalog())
    assert COVERAGE_MD.read_text(encoding="utf-8") == expected, (
        "docs/coverage.md is stale: env -u TRAILMASK_CONFIG .venv/bin/python -m trailmask coverage --markdown"
        " > docs/coverage.md"
    )


def test_techniques_file_rejects_an_unknown_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "attack.yaml"
    bad.write_text("techniques:\n  - {id: T1078, name: Valid Accounts, tacticz: x}\n", encoding="utf-8")
    monkeypatch.setattr(coverage, "TECHNIQUES_FILE", bad)
    coverage._load.cache_clear()
    try:
        with pytest.raises(ConfigError, match="techniques\\[0\\]"):
            coverage.iaas_techniques()
    finally:
        coverage._load.cache_clear()


def test_cli_coverage_json_and_team_runbooks(tm: Any, tmp_path: Path) -> None:
    result = tm("coverage", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["gap"] == 0 and data["summary"]["covered"] >= 50
    row = next(t for t in data["techniques"] if t["id"] == "T1651")
    assert "ssm-remote-commands" in row["runbooks"]
    team = tmp_path / "team"
    team.mkdir()
    (team / "mine.yaml").write_text(
        "id: team-t1190\ntitle: t\ndescription: d\ntags: ['attack:T1190', 'attack:T1999']\n"
        "sql: SELECT eventName FROM events\noutput: [{name: eventName, description: e}]\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.yaml"
    config.write_text(f"runbooks: [{team}]\n", encoding="utf-8")
    result = tm("--config", str(config), "coverage", "--format", "json")
    data = json.loads(result.stdout)
    row = next(t for t in data["techniques"] if t["id"] == "T1190")
    assert row["status"] == "covered" and row["runbooks"] == ["team-t1190"]
    assert data["unknown_tags"] == [{"runbook": "team-t1190", "tag": "T1999"}]
    assert "not a known ATT&CK ID" in result.stderr
