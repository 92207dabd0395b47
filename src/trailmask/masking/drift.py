"""Policy drift: what the data holds that the policy does not classify, with counts.

Two kinds of finding, both from the raw store (a trusted query, run by a raw role):

- ``field``: a record field the schema does not know (AWS added it, or the source added its own,
  like Panther's ``p_*`` fields). It is kept only in ``tm_raw``, which masked roles never see;
  adding it to the schema and the policy makes it usable.
- ``json_key``: a key path inside a free-form JSON field (requestParameters...) that no
  ``json_keys`` rule names. Its values are free text: the detectors scan them, nothing more. A key
  that holds names or secrets the detectors cannot recognise belongs in a rule.

The SQL is DuckDB's (``json_tree``), built as trees by ``sqlkit.builders``; key paths are normalised
(``list[*].name``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trailmask.masking.model import RAW_RECORD_COLUMN, JsonKeyRule, Policy
from trailmask.schema import EVENT_FIELDS, JSON_OBJECT_FIELDS, FieldType
from trailmask.sqlkit.builders import drift_fields_sql, drift_json_keys_sql

MAX_FINDINGS = 500


@dataclass(frozen=True)
class DriftFinding:
    kind: str  # field | json_key
    path: str
    events: int
    treated_as: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "path": self.path, "events": self.events, "treated_as": self.treated_as}


def _known_paths(fields: dict[str, FieldType], prefix: str = "") -> set[str]:
    known: set[str] = set()
    for name, ftype in fields.items():
        path = f"{prefix}{name}"
        known.add(path)
        if isinstance(ftype, dict):
            known |= _known_paths(ftype, f"{path}.")
        elif isinstance(ftype, list) and isinstance(ftype[0], dict):
            known.add(f"{path}[*]")
            known |= _known_paths(ftype[0], f"{path}[*].")
    return known


def fields_sql() -> str:
    """Paths in the raw records (outside the JSON fields) with the number of events holding them."""
    return drift_fields_sql(RAW_RECORD_COLUMN, JSON_OBJECT_FIELDS)


def json_keys_sql() -> str:
    """Key paths inside the free-form JSON fields, with the number of events holding them."""
    return drift_json_keys_sql(JSON_OBJECT_FIELDS)


def rule_for(key: str, rules: Iterable[JsonKeyRule]) -> JsonKeyRule | None:
    """The first json_keys rule whose glob names ``key`` (case-insensitive), like the detectors."""
    for rule in rules:
        for glob in rule.keys:
            pattern = ".*".join(re.escape(part) for part in glob.lower().split("*"))
            if re.fullmatch(pattern, key.lower()):
                return rule
    return None


def unknown_fields(rows: Iterable[tuple[str, int]]) -> list[DriftFinding]:
    known = _known_paths(EVENT_FIELDS)
    found = [
        DriftFinding("field", path, events, "kept in tm_raw only (masked roles never see it)")
        for path, events in rows
        if path not in known and not any(path.startswith(f"{k}.") for k in JSON_OBJECT_FIELDS)
    ]
    return _top(found)


def unclassified_keys(policy: Policy, rows: Iterable[tuple[str, str, int]]) -> list[DriftFinding]:
    found = [
        DriftFinding("json_key", path, events, "free_text (detectors only)")
        for path, key, events in rows
        if rule_for(key, policy.json_keys) is None
    ]
    return _top(found)


def _top(found: list[DriftFinding]) -> list[DriftFinding]:
    return sorted(found, key=lambda f: (-f.events, f.path))[:MAX_FINDINGS]
