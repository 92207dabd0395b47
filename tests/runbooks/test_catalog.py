"""The built-in library and configured runbook paths."""

from __future__ import annotations

from pathlib import Path

from tests.runbooks.conftest import MINIMAL_RUNBOOK

from trailmask.runbooks.catalog import load_catalog
from trailmask.runbooks.docs import CIS_VERSIONS

CIS_EXPECTED = {
    "cis-aws-1.2": {f"3.{n}" for n in range(1, 15)},
    "cis-aws-1.4": {f"4.{n}" for n in range(1, 16)},
    "cis-aws-3.0": {f"4.{n}" for n in range(1, 16)},
    "cis-aws-5.0": {f"4.{n}" for n in range(1, 16)},
    "cis-aws-6.0": {f"5.{n}" for n in range(1, 16)},
}


def test_builtin_library_has_at_least_forty_runbooks_all_loading() -> None:
    catalog = load_catalog()
    assert not catalog.errors, catalog.errors
    assert len(catalog) >= 40


def test_every_cis_monitoring_control_is_covered_in_every_numbering() -> None:
    catalog = load_catalog()
    for version in CIS_VERSIONS:
        covered = {value for runbook in catalog for value in runbook.tag_values(version)}
        assert covered == CIS_EXPECTED[version], version
    hub = {value for runbook in catalog for value in runbook.tag_values("securityhub")}
    assert {f"CloudWatch.{n}" for n in range(1, 15)} <= hub


def test_every_builtin_has_a_window_docs_and_fixtures_with_both_kinds_of_events() -> None:
    for runbook in load_catalog():
        assert runbook.window is not None, runbook.id
        assert runbook.description and runbook.when and runbook.indicates, runbook.id
        assert runbook.fixtures, runbook.id
        assert any(f.matching for f in runbook.fixtures), runbook.id
        assert any(f.not_matching for f in runbook.fixtures), runbook.id
        assert all(f.expect is not None for f in runbook.fixtures), runbook.id
        assert runbook.path is not None and runbook.path.stem == runbook.id


def test_configured_paths_add_and_override(runbook_dir: Path) -> None:
    (runbook_dir / "ours.yaml").write_text(MINIMAL_RUNBOOK.format(id="ours"), encoding="utf-8")
    override = MINIMAL_RUNBOOK.format(id="ip-activity").replace("title: Test runbook", "title: Our IP runbook")
    (runbook_dir / "nested").mkdir()
    (runbook_dir / "nested" / "ip.yml").write_text(override, encoding="utf-8")
    (runbook_dir / "fixtures").mkdir()
    (runbook_dir / "fixtures" / "ignored.yaml").write_text("not: a runbook\n", encoding="utf-8")
    catalog = load_catalog([runbook_dir])
    assert not catalog.errors
    assert catalog.get("ours").origin == str(runbook_dir)
    assert catalog.get("ip-activity").title == "Our IP runbook"


def test_broken_and_duplicate_files_are_reported_not_fatal(runbook_dir: Path, tmp_path: Path) -> None:
    (runbook_dir / "a.yaml").write_text(MINIMAL_RUNBOOK.format(id="same"), encoding="utf-8")
    (runbook_dir / "b.yaml").write_text(MINIMAL_RUNBOOK.format(id="same"), encoding="utf-8")
    (runbook_dir / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    catalog = load_catalog([runbook_dir, tmp_path / "missing"], include_builtin=False)
    assert list(catalog.runbooks) == ["same"]
    messages = sorted(e.message for e in catalog.errors)
    assert any("also defined in" in m for m in messages)
    assert any("missing 'sql'" in m for m in messages)
    assert any("does not exist" in m for m in messages)
