"""A case as a document: Markdown and JSON renderings of the reader's view of a case.

Pure functions over the view :mod:`trailmask.service.cases` built for the reader (already masked
for the reader's role: withheld items carry no rows); nothing here reads the state or the store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

MAX_CELL = 300  # characters of one table cell in the Markdown rendering (the JSON keeps the value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    if not columns:
        return ["(no columns)"]
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return lines


def _quote(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in text.splitlines() or [""]]


def _source(item: Mapping[str, Any]) -> str:
    what = f"runbook `{item['runbook']}`" if item.get("runbook") else (item.get("action") or "query")
    parts = [what, f"audit `{item['audit_id']}`"]
    if item.get("run_at"):
        parts.append(f"run {item['run_at']}")
    if item.get("params"):
        parts.append("parameters " + ", ".join(f"{k}={_cell(v)}" for k, v in sorted(item["params"].items())))
    return " · ".join(parts)


def _item_lines(number: int, item: Mapping[str, Any]) -> list[str]:
    kind = item["kind"]
    if kind == "note":
        return [f"### {number}. Note ({item['created_at']})", "", *_quote(item.get("note") or "")]
    title = "Pinned result" if kind == "result" else "Pinned row"
    lines = [f"### {number}. {title} ({item['created_at']})", "", _source(item), ""]
    if item.get("note"):
        lines += [*_quote(item["note"]), ""]
    if item.get("withheld"):
        return [*lines, f"*Rows withheld: {item['withheld']}*"]
    lines += _table(item.get("columns") or [], item.get("rows") or [])
    if item.get("row_count", 0) > len(item.get("rows") or []):
        lines += ["", f"({len(item['rows'])} of {item['row_count']} rows kept)"]
    return lines


def to_markdown(view: Mapping[str, Any]) -> str:
    """The case as Markdown: header, what was run (with audit ids), then every item in order."""
    lines = [
        f"# Case {view['id']}: {_cell(view['title'])}",
        "",
        f"- Owner: {view['owner']}",
        f"- Status: {view['status']}",
        f"- Created: {view['created_at']} · updated {view['updated_at']}",
        f"- Exported by {view['reader']} (role {view['reader_role']}, view {view['reader_profile']})"
        f" at {view['exported_at']}",
        "",
        "## What was run",
        "",
    ]
    runs = view.get("runs") or []
    lines += _table(["audit_id", "run_at", "action", "runbook", "rows"], runs) if runs else ["Nothing pinned yet."]
    lines += ["", "## Items", ""]
    items = view.get("items") or []
    if not items:
        lines.append("No items.")
    for number, item in enumerate(items, start=1):
        lines += [*_item_lines(number, item), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(view: Mapping[str, Any]) -> str:
    return json.dumps(view, indent=2, sort_keys=True, default=str) + "\n"
