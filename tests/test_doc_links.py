"""Issue 12.8: every relative link and every *.md file named in the docs exists in the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
NAMED_MD = re.compile(r"(?<![\w/.-])([\w-]+\.md)\b")


def _ids(pages: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in pages]


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        if path and not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_named_markdown_files_exist(page: Path) -> None:
    known = {p.name for p in ROOT.glob("*.md")}
    for folder in ("docs", "src", "tests", "bench", "scripts"):
        known |= {p.name for p in (ROOT / folder).rglob("*.md")}
    missing = sorted({name for name in NAMED_MD.findall(page.read_text(encoding="utf-8")) if name not in known})
    assert not missing, f"{page.relative_to(ROOT)} names files the repository does not hold: {missing}"
