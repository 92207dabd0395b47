"""The web UI package: self-contained static files that never build HTML from strings.

These checks read the files (no browser): everything the page loads comes from the package,
no module writes markup from data, and the token has exactly one home (sessionStorage).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trailmask.web import STATIC_DIR

SCRIPTS = sorted(STATIC_DIR.rglob("*.js"))
SOURCES = [*SCRIPTS, *STATIC_DIR.rglob("*.css"), STATIC_DIR / "index.html"]


def _code(path: Path) -> str:
    """The file without // line comments and /* */ blocks (prose there may name anything)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$", "", text)


def test_static_dir_holds_the_page_and_its_modules() -> None:
    assert (STATIC_DIR / "index.html").is_file()
    assert {"app.js", "style.css", "api.js"} <= {p.name for p in STATIC_DIR.iterdir()}


def test_index_loads_only_relative_package_assets() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert refs, "index.html loads nothing?"
    for ref in refs:
        assert ref.startswith("#") or ref == "data:," or (STATIC_DIR / ref).is_file(), ref
    assert "Content-Security-Policy" in html and "script-src 'self'" in html


def test_every_imported_module_exists() -> None:
    for script in SCRIPTS:
        for target in re.findall(r'from\s+"(\.[^"]+)"', script.read_text(encoding="utf-8")):
            assert (script.parent / target).resolve().is_file(), f"{script.name} imports missing {target}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_external_urls(path: Path) -> None:
    # the page must work offline: no CDN, no web font, no remote script or stylesheet (the SVG
    # namespace name is an identifier, never fetched)
    code = _code(path).replace('"http://www.w3.org/2000/svg"', "SVG_NS")
    assert not re.search(r"""["'(]\s*(?:https?:)?//""", code), f"{path.name} references a remote URL"
    assert "@import" not in code and "@font-face" not in code


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_markup_from_strings(path: Path) -> None:
    code = _code(path)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, f"{path.name} uses {sink}"


def test_token_lives_only_in_session_storage() -> None:
    code = "\n".join(_code(p) for p in SCRIPTS)
    assert "localStorage" not in code and "document.cookie" not in code
    assert code.count("sessionStorage") >= 3  # get, set, remove in api.js only
    assert all("sessionStorage" not in _code(p) for p in SCRIPTS if p.name != "api.js")
