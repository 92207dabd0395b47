"""The interactive API docs served at ``/docs``: Swagger UI over ``/openapi.json``.

``docs.html`` and ``assets/docs.js`` are ours; ``assets/vendor/swagger-ui/`` is swagger-ui-dist as published on
npm (its licence and notice beside it), copied there by ``npm run vendor`` (package.json
``postvendor``). They live outside the web UI's ``static/`` folder on purpose: the UI's own files
are checked to hold no remote URL, no markup from strings and no ``localStorage`` (tests/web/
test_static.py), which a third-party bundle of this size cannot promise. Nothing here is fetched
from outside the server, and the page obeys the same Content-Security-Policy as the UI.
"""

from __future__ import annotations

from pathlib import Path

APIDOCS_DIR: Path = Path(__file__).resolve().parent
"""Folder of ``docs.html`` (served at ``/docs``) and ``assets/`` (``docs.js``, ``vendor/``; at ``/docs/assets``)."""

__all__ = ["APIDOCS_DIR"]
