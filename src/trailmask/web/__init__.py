"""The web UI: static files (HTML, ES modules, CSS) that the HTTP API serves at ``/``.

There is no build step and no third-party asset: the files under ``static/`` are exactly what the
browser loads, so the UI works on a machine without internet access. The UI talks only to the
HTTP API with the user's bearer token (kept in ``sessionStorage``, never in a URL), so it holds no
privilege of its own: every check happens on the server.

Mount it after the API routes, e.g.
``app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")``.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR: Path = Path(__file__).resolve().parent / "static"
"""Folder holding ``index.html`` and the assets it loads (all paths in it are relative)."""

__all__ = ["STATIC_DIR"]
