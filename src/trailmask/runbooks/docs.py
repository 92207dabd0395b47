"""Markdown documentation generated from runbook files: one page per runbook and an index.

Pages are a pure function of the runbooks, so ``trailmask runbook docs --check`` (run by the test
suite) can tell when docs/runbooks/ is stale. Nothing here runs a query: agreement figures with
Panther come from the runbook files, where a test keeps them true.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from trailmask.runbooks.model import FollowUp, Parameter, Runbook

CIS_VERSIONS = ("cis-aws-1.2", "cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0", "cis-aws-6.0")
NAMESPACE_TITLES = {
    "cis-aws-1.2": "CIS AWS Foundations v1.2",
    "cis-aws-1.4": "CIS AWS Foundations v1.4",
    "cis-aws-3.0": "CIS AWS Foundations v3.0",
    "cis-aws-5.0": "CIS AWS Foundations v5.0",
    "cis-aws-6.0": "CIS AWS Foundations v6.0",
    "securityhub": "AWS Security Hub control",
    "attack": "MITRE ATT&CK technique",
}
API_BASE = "http://127.0.0.1:8080"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _example_value(param: Parameter, runbook: Runbook) -> str | None:
    if param.window:
        return runbook.window.default if param.name == "since" and runbook.window else None
    if param.required:
        return param.example or "VALUE"
    return None


def _how(runbook: Runbook) -> list[str]:
    values = {p.name: v for p in runbook.parameters if (v := _example_value(p, runbook)) is not None}
    cli = " ".join(f"-p {name}={json.dumps(value) if ' ' in value else value}" for name, value in values.items())
    body = json.dumps({"params": values})
    tag_grants = "".join(f", `runbook-tag:{t}`" for t in runbook.tags if ":" not in t)
    return [
        "## How to run it",
        "",
        "```sh",
        f"trailmask runbook run {runbook.id} --as investigator {cli}".rstrip(),
        "curl -s -X POST -H \"Authorization: Bearer $TRAILMASK_TOKEN\" -H 'Content-Type: application/json' \\",
        f"  -d '{body}' {API_BASE}/api/runbooks/{runbook.id}/run",
        "```",
        "",
        f"Requires permission `{runbook.permission}` (also granted by `runbook:*`{tag_grants}).",
        "A masked role compares parameters with masked values: pass the pseudonym token it sees in its own results.",
        "",
    ]


def _parameters(runbook: Runbook) -> list[str]:
    lines = ["## Parameters", "", "| name | type | required | default | description |", "|---|---|---|---|---|"]
    for p in runbook.parameters:
        kind = f"list of {p.items}" if p.type == "list" else p.type
        if p.values:
            kind += f" ({', '.join(p.values)})"
        extra = []
        if p.pattern and not p.window:
            extra.append(f"pattern `{p.pattern}`")
        if p.minimum is not None:
            extra.append(f"min {p.minimum}")
        if p.maximum is not None:
            extra.append(f"max {p.maximum}")
        description = p.description + (f" ({'; '.join(extra)})" if extra else "")
        default = "" if p.default is None else f"`{p.default}`"
        lines.append(f"| `{p.name}` | {kind} | {'yes' if p.required else 'no'} | {default} | {_cell(description)} |")
    return [*lines, ""]


def _follow_up_line(item: FollowUp) -> str:
    if not item.runbook:
        return f"- {item.why}"
    hand_off = [
        f"`{name}` ← column `{spec['column']}`" if isinstance(spec, dict) else f"`{name}` = `{spec}`"
        for name, spec in item.params.items()
    ]
    suffix = f" (parameters: {', '.join(hand_off)})" if hand_off else ""
    return f"- [{item.runbook}]({item.runbook}.md): {item.why}{suffix}"


def _mappings(runbook: Runbook) -> list[str]:
    lines = []
    for namespace, title in NAMESPACE_TITLES.items():
        values = runbook.tag_values(namespace)
        if values:
            lines.append(f"- {title}: {', '.join(values)}")
    other = [t for t in runbook.tags if ":" not in t]
    if other:
        lines.append(f"- Tags: {', '.join(other)}")
    return ["## Mappings", "", *lines, ""] if lines else []


def _testing(runbook: Runbook) -> list[str]:
    lines = []
    for fixture in runbook.fixtures:
        expected = f", {len(fixture.expect)} expected row(s)" if fixture.expect is not None else ""
        lines.append(
            f"- Fixture *{fixture.name}*: {len(fixture.matching)} matching and "
            f"{len(fixture.not_matching)} non-matching event(s){expected}."
        )
    for mapping in runbook.panther:
        figure = f" agrees with Panther's expected result on {mapping.agree} of {mapping.total} labelled test events"
        text = f"- Panther rule `{mapping.rule}`:{figure if mapping.total else ' behaviour covered'}."
        lines.append(text + (f" {mapping.note}" if mapping.note else ""))
    return ["## Tested against", "", *lines, ""] if lines else []


def _section(title: str, text: str) -> list[str]:
    return [f"## {title}", "", text, ""] if text else []


def runbook_page(runbook: Runbook, others: Sequence[Runbook] = ()) -> str:
    """The Markdown page of one runbook."""
    window = f" · default window `{runbook.window.default}`" if runbook.window else ""
    lines = [
        f"# {runbook.title}",
        "",
        f"`{runbook.id}` · severity **{runbook.severity}** · version {runbook.version}{window}",
        "",
        runbook.description,
        "",
        *_section("When and why to run it", runbook.when),
        *_how(runbook),
        *_parameters(runbook),
        *_section("What the results indicate", runbook.indicates),
        "## Output columns",
        "",
        "| column | description |",
        "|---|---|",
        *(f"| `{c.name}` | {_cell(c.description)} |" for c in runbook.output),
        "",
    ]
    if runbook.follow_up:
        lines += ["## Follow-up actions", "", *(_follow_up_line(f) for f in runbook.follow_up), ""]
    lines += _mappings(runbook) + _testing(runbook) + _section("Notes", runbook.notes)
    if runbook.references:
        lines += [
            "## References",
            "",
            *(f"- <{r}>" if r.startswith("http") else f"- {r}" for r in runbook.references),
            "",
        ]
    if runbook.credits:
        credit = [f"- {c.author} ({c.license}{', ' + c.source if c.source else ''})" for c in runbook.credits]
        lines += ["## Credits", "", *credit, ""]
    lines += ["## SQL", "", "```sql", runbook.written_sql.rstrip(), "```", ""]
    return "\n".join(lines)


def _cis_rows(runbooks: Iterable[Runbook]) -> list[str]:
    rows = []
    for runbook in runbooks:
        controls = runbook.tag_values("cis-aws-1.4")
        for control in controls:
            v6 = ", ".join(runbook.tag_values("cis-aws-6.0")) or "-"
            v12 = ", ".join(runbook.tag_values("cis-aws-1.2")) or "-"
            hub = ", ".join(runbook.tag_values("securityhub")) or "-"
            rows.append((tuple(int(x) for x in control.split(".")), control, v6, v12, hub, runbook))
    return [
        f"| {control} | {v6} | {v12} | {hub} | [{r.title}]({r.id}.md) |"
        for _, control, v6, v12, hub, r in sorted(rows, key=lambda row: row[0])
    ]


def _panther_section(runbooks: Sequence[Runbook]) -> list[str]:
    mapped = [(r, m) for r in runbooks for m in r.panther if m.total]
    if not mapped:
        return []
    agree, total = sum(m.agree or 0 for _, m in mapped), sum(m.total or 0 for _, m in mapped)
    rows = [f"| [{r.id}]({r.id}.md) | `{m.rule}` | {m.agree}/{m.total} |" for r, m in mapped]
    return [
        "## Agreement with Panther's labelled tests",
        "",
        f"Each labelled test event of the Panther rule, loaded alone and run through the runbook: {agree} of "
        f"{total} verdicts ({100 * agree / total:.1f} %) match Panther's expected result, over {len(mapped)} "
        "rule mappings. Each runbook page explains its differences.",
        "",
        "| runbook | Panther rule | agreement |",
        "|---|---|---|",
        *rows,
        "",
    ]


def index_page(runbooks: Sequence[Runbook]) -> str:
    """The index: every runbook, the CIS monitoring controls, and runbooks by tag."""
    ordered = sorted(runbooks, key=lambda r: r.id)
    lines = [
        "# Runbook library",
        "",
        "Generated by `trailmask runbook docs` from the runbook files; do not edit by hand.",
        f"{len(ordered)} runbooks. The format is described in [../runbooks.md](../runbooks.md).",
        "",
        "## All runbooks",
        "",
        "| runbook | severity | title |",
        "|---|---|---|",
        *(f"| [`{r.id}`]({r.id}.md) | {r.severity} | {_cell(r.title)} |" for r in ordered),
        "",
        "## CIS AWS Foundations monitoring controls",
        "",
        "| v1.4 / v3.0 / v5.0 | v6.0 | v1.2 | Security Hub | runbook |",
        "|---|---|---|---|---|",
        *_cis_rows(ordered),
        "",
        *_panther_section(ordered),
        "## By tag",
        "",
    ]
    by_tag: dict[str, list[Runbook]] = {}
    for runbook in ordered:
        for tag in runbook.tags:
            if not tag.startswith("cis-aws-"):
                by_tag.setdefault(tag, []).append(runbook)
    for tag in sorted(by_tag):
        links = ", ".join(f"[{r.id}]({r.id}.md)" for r in by_tag[tag])
        lines.append(f"- **{tag}**: {links}")
    return "\n".join([*lines, ""])


def render_all(runbooks: Sequence[Runbook]) -> dict[str, str]:
    """File name -> content for the whole docs/runbooks folder."""
    pages = {f"{r.id}.md": runbook_page(r, runbooks) for r in runbooks}
    pages["index.md"] = index_page(runbooks)
    return pages
