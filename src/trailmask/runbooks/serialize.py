"""Runbooks as JSON-ready dictionaries: the one shape for ``runbook list/show --format json`` and the API.

``summary`` is what a catalogue needs (id, title, tags, parameters); ``detail`` adds the
documentation, SQL, output contract, follow-ups and fixture names, and what a search matches on
besides the text: the ATT&CK techniques of its ``attack:`` tags with their names and tactics, and
the AWS event sources its SQL names (``iam.amazonaws.com``). Fixture events are not included (they
can be large); ``runbook test`` runs them.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from trailmask.runbooks.coverage import iaas_techniques, known_ids
from trailmask.runbooks.model import Parameter, Runbook
from trailmask.values import json_ready


def parameter_dict(param: Parameter) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": param.name,
        "type": param.type,
        "description": param.description,
        "required": param.required,
        "default": json_ready(param.default),
    }
    optional = {
        "pattern": param.pattern,
        "minimum": param.minimum,
        "maximum": param.maximum,
        "max_length": param.max_length,
        "values": list(param.values) or None,
        "items": param.items,
        "example": param.example,
    }
    body.update({k: json_ready(v) for k, v in optional.items() if v is not None})
    if param.window:
        body["window"] = True
    return body


EVENT_SOURCE = re.compile(r"'([a-z0-9-]+\.amazonaws\.com)'")


def attack_of(runbook: Runbook) -> list[dict[str, str]]:
    """The ATT&CK techniques a runbook is tagged with: id, name and tactic (empty when unknown)."""
    tracked = {t.id: t for t in iaas_techniques()}
    names = known_ids()
    found = []
    for tag in runbook.tags:
        if tag.startswith("attack:"):
            tid = tag.removeprefix("attack:")
            technique = tracked.get(tid)
            found.append({"id": tid, "name": names.get(tid, ""), "tactic": technique.tactic if technique else ""})
    return found


def event_sources(runbook: Runbook) -> list[str]:
    """The AWS event sources the runbook's SQL names, sorted (``iam.amazonaws.com``, ...)."""
    return sorted(set(EVENT_SOURCE.findall(runbook.sql)))


def summary(runbook: Runbook) -> dict[str, Any]:
    return {
        "id": runbook.id,
        "title": runbook.title,
        "severity": runbook.severity,
        "version": runbook.version,
        "tags": list(runbook.tags),
        "parameters": [parameter_dict(p) for p in runbook.parameters],
        "origin": runbook.origin,
    }


def detail(runbook: Runbook) -> dict[str, Any]:
    body = summary(runbook)
    body.update(
        {
            "description": runbook.description,
            "when": runbook.when,
            "indicates": runbook.indicates,
            "notes": runbook.notes,
            "permission": runbook.permission,
            "window": asdict(runbook.window) if runbook.window else None,
            "output": [asdict(c) for c in runbook.output],
            "sql": runbook.written_sql,
            "limits": asdict(runbook.limits),
            "follow_up": [json_ready(asdict(f)) for f in runbook.follow_up],
            "references": list(runbook.references),
            "panther": [asdict(p) for p in runbook.panther],
            "credits": [asdict(c) for c in runbook.credits],
            "fixtures": [
                {"name": f.name, "matching": len(f.matching), "not_matching": len(f.not_matching)}
                for f in runbook.fixtures
            ],
            "attack": attack_of(runbook),
            "event_sources": event_sources(runbook),
        }
    )
    return body
