"""Policy drift: what the data holds that the policy does not classify, with counts.

Three kinds of finding, all from the raw store (trusted queries, run by a raw role), each counted
per service and event (``eventSource``, ``eventName``) so the report can be acted on service by
service:

- ``field``: a record field the schema does not know (AWS added it, or the source added its own,
  like Panther's ``p_*`` fields). It is kept only in ``tm_raw``, which masked roles never see;
  adding it to the schema and the policy makes it usable.
- ``json_key``: a key path inside a free-form JSON field (requestParameters...) that no
  ``json_keys`` rule names. Its values are free text: the detectors scan them, nothing more. A key
  that holds names or secrets the detectors cannot recognise belongs in a rule. A rule limited by
  ``when`` counts only for the events it names.
- ``linked_key``: a key path whose string values equal names the policy pseudonymises elsewhere
  (user and role names, each name inside an ARN: the reveal candidates of class ``principal``)
  while a masked role sees the key's values as stored or scanned only: one such row pairs a
  pseudonym with its raw name, and since a name has one token everywhere, undoes that token in
  every field (issue 10, finding 8). Classify the key (``json_keys``, class ``principal``).

The SQL is DuckDB's (``json_tree``), built as trees by ``sqlkit.drift_sql``; key paths are
normalised (``list[*].name``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trailmask.masking.model import FREE_TEXT, RAW_RECORD_COLUMN, JsonKeyRule, Policy
from trailmask.masking.reveal import candidates_query
from trailmask.schema import EVENT_FIELDS, JSON_OBJECT_FIELDS, FieldType
from trailmask.sqlkit import expr as sx
from trailmask.sqlkit.drift_sql import fields_by_event_sql, json_keys_by_event_sql, linked_keys_sql

MAX_FINDINGS = 500
_SHOWN = ("keep", "detect")  # operators under which a name reaches a masked role as it is stored


@dataclass(frozen=True)
class DriftFinding:
    kind: str  # field | json_key | linked_key
    path: str
    events: int
    treated_as: str
    service: str = ""  # eventSource of the events counted
    event: str = ""  # eventName of the events counted

    def to_dict(self) -> dict[str, object]:
        return {
            "service": self.service,
            "event": self.event,
            "kind": self.kind,
            "path": self.path,
            "events": self.events,
            "treated_as": self.treated_as,
        }


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
    """``path, event_source, event_name, events``: paths in the raw records outside the JSON fields."""
    return fields_by_event_sql(RAW_RECORD_COLUMN, JSON_OBJECT_FIELDS)


def json_keys_sql() -> str:
    """``path, key, event_source, event_name, events``: key paths inside the free-form JSON fields."""
    return json_keys_by_event_sql(JSON_OBJECT_FIELDS)


def linked_keys_sql_for(policy: Policy) -> str:
    """``path, key, event_source, event_name, linked, events``: key paths whose string values equal
    a raw name the policy pseudonymises elsewhere (the reveal candidates of class principal)."""
    candidates = sx.subquery(candidates_query(policy, ["principal"]), "tm_c")
    names = sx.select([sx.column("value", "tm_c")], candidates, sx.eq(sx.column("cls", "tm_c"), sx.lit("principal")))
    return linked_keys_sql(JSON_OBJECT_FIELDS, names)


def _applies(rule: JsonKeyRule, event_source: str | None, event_name: str | None) -> bool:
    if rule.event_sources and event_source not in rule.event_sources:
        return False
    return not rule.event_names or event_name in rule.event_names


def rule_for(
    key: str, rules: Iterable[JsonKeyRule], event_source: str | None = None, event_name: str | None = None
) -> JsonKeyRule | None:
    """The first json_keys rule whose glob names ``key`` (case-insensitive), like the detectors; with
    an event given, only rules whose ``when`` admits it (without one, any rule)."""
    event_given = event_source is not None or event_name is not None
    for rule in rules:
        if event_given and not _applies(rule, event_source, event_name):
            continue
        for glob in rule.keys:
            pattern = ".*".join(re.escape(part) for part in glob.lower().split("*"))
            if re.fullmatch(pattern, key.lower()):
                return rule
    return None


def unknown_fields(rows: Iterable[tuple[str, str | None, str | None, int]]) -> list[DriftFinding]:
    """``field`` findings from the rows of :func:`fields_sql`."""
    known = _known_paths(EVENT_FIELDS)
    treated = "kept in tm_raw only (masked roles never see it)"
    found = [
        DriftFinding("field", path, events, treated, source or "", name or "")
        for path, source, name, events in rows
        if path not in known and not any(path.startswith(f"{k}.") for k in JSON_OBJECT_FIELDS)
    ]
    return _top(found)


def unclassified_keys(
    policy: Policy, rows: Iterable[tuple[str, str, str | None, str | None, int]]
) -> list[DriftFinding]:
    """``json_key`` findings from the rows of :func:`json_keys_sql`."""
    found = [
        DriftFinding("json_key", path, events, "free_text (detectors only)", source or "", name or "")
        for path, key, source, name, events in rows
        if rule_for(key, policy.json_keys, source or "", name or "") is None
    ]
    return _top(found)


def linked_keys(
    policy: Policy, rows: Iterable[tuple[str, str, str | None, str | None, int, int]]
) -> list[DriftFinding]:
    """``linked_key`` findings from the rows of :func:`linked_keys_sql_for`: keys whose values a
    masked role sees as stored (or scanned only) although they equal names masked elsewhere."""
    found = []
    for path, key, source, name, linked, events in rows:
        rule = rule_for(key, policy.json_keys, source or "", name or "")
        cls = rule.cls if rule is not None else FREE_TEXT
        roles = [r for r, role in policy.roles.items() if not role.raw and role.operator_for(cls).name in _SHOWN]
        if roles:
            what = f"{cls} for {', '.join(roles)}: {linked} value(s) equal names masked elsewhere (classify the key)"
            found.append(DriftFinding("linked_key", path, events, what, source or "", name or ""))
    return _top(found)


def _top(found: list[DriftFinding]) -> list[DriftFinding]:
    """The :data:`MAX_FINDINGS` most frequent, grouped by service and event."""
    top = sorted(found, key=lambda f: (-f.events, f.path))[:MAX_FINDINGS]
    return sorted(top, key=lambda f: (f.service, f.event, f.kind, -f.events, f.path))
