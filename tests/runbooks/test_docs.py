"""The generated runbook documentation is current, and says what it must."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trailmask.runbooks.catalog import load_catalog
from trailmask.runbooks.docs import render_all

DOCS = Path(__file__).resolve().parents[2] / "docs" / "runbooks"


def test_docs_runbooks_folder_is_what_the_files_generate() -> None:
    pages = render_all(list(load_catalog()))
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in set(pages) | set(on_disk) if pages.get(name) != on_disk.get(name))
    assert not stale, f"stale runbook docs {stale}: run scripts/gen-runbook-docs"


def test_pages_carry_usage_mappings_and_panther_agreement() -> None:
    pages = render_all(list(load_catalog()))
    page = pages["cis-root-account-usage.md"]
    assert "trailmask runbook run cis-root-account-usage --as investigator -p since=7d" in page
    assert "/api/runbooks/cis-root-account-usage/run" in page
    assert "CIS AWS Foundations v6.0: 5.3" in page and "AWS Security Hub control: CloudWatch.1" in page
    assert "agrees with Panther's expected result on 3 of 6 labelled test events" in page
    assert "`ip` ← column `sourceIPAddress`" in page
    index = pages["index.md"]
    assert index.count("](cis-") >= 15
    assert "| 4.15 | 5.15 | - | - |" in index
    assert "## Agreement with Panther's labelled tests" in index


def test_cli_docs_check_detects_stale_pages(tm: Any, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    assert tm("runbook", "docs", "--out", str(out)).exit_code == 0
    assert tm("runbook", "docs", "--out", str(out), "--check").exit_code == 0
    (out / "ip-activity.md").write_text("edited by hand\n", encoding="utf-8")
    (out / "gone.md").write_text("an old page\n", encoding="utf-8")
    check = tm("runbook", "docs", "--out", str(out), "--check")
    assert check.exit_code == 1
    assert "ip-activity.md" in check.stderr and "gone.md" in check.stderr
    assert tm("runbook", "docs", "--out", str(out)).exit_code == 0
    assert not (out / "gone.md").exists()
