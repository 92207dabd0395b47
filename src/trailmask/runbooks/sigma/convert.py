"""One Sigma rule (as a mapping) to one runbook YAML document, or the reason it cannot be.

Besides single-event detections this accepts the legacy aggregation ``selection | count() [by
field] > N`` with a ``timeframe`` (SigmaHQ keeps such rules in ``unsupported/`` because pySigma 2
dropped the pipe syntax): the part before the pipe goes through pySigma as usual and the count
becomes a sliding-window ``count(*) OVER (... RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT
ROW)``, one scan with no per-row subquery. ``near`` and a ``timeframe`` without an aggregation ask
for correlations between different events and are reported as unsupported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from trailmask.runbooks.params import parse_duration
from trailmask.runbooks.sigma.compile import compile_condition, literal
from trailmask.runbooks.sigma.fields import Unsupported, resolve
from trailmask.runbooks.window import WINDOW_PREDICATE

LICENSE = "DRL 1.1 (Detection Rule License, https://github.com/SigmaHQ/Detection-Rule-License)"
SEVERITY = {"informational": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
META_KEYS = ("sigma_path", "source_url", "collection")
_AGGREGATION = re.compile(r"^count\(\s*\)\s*(?:by\s+([A-Za-z0-9_.]+)\s*)?(>=|>)\s*(\d+)$")

EVENT_OUTPUT = [
    ("eventTime", "When the matching call was made (UTC)."),
    ("eventSource", "AWS service of the call."),
    ("eventName", "API action."),
    ("awsRegion", "Region of the call."),
    ("recipientAccountId", "Account that received the call."),
    ("principal_arn", "ARN of the caller (userIdentity.arn)."),
    ("sourceIPAddress", "Where the call came from."),
    ("userAgent", "Client that made the call."),
    ("errorCode", "Empty when the call succeeded."),
    ("eventID", "CloudTrail event ID."),
]
CREDIT_OUTPUT = [
    ("sigma_rule", "Title of the Sigma rule that matched."),
    ("sigma_author", "Author of the Sigma rule (credited as DRL 1.1 requires)."),
]


@dataclass(frozen=True)
class Aggregation:
    group_by: str | None
    op: str
    threshold: int
    seconds: int


def _split_condition(detection: dict[str, Any]) -> tuple[Any, Aggregation | None]:
    condition = detection.get("condition")
    timeframe = detection.get("timeframe")
    if not isinstance(condition, str) or "|" not in condition:
        if timeframe:
            raise Unsupported(
                "a 'timeframe' without an aggregation asks for a correlation of different events "
                "within a time span; a single-event query would never match"
            )
        return condition, None
    base, _, tail = condition.partition("|")
    tail = tail.strip()
    if tail.startswith("near"):
        raise Unsupported("'near' (two kinds of events close in time) needs a temporal join, not compiled")
    match = _AGGREGATION.match(tail)
    if not match:
        raise Unsupported(f"aggregation '{tail}' is not supported (only count() [by field] > N)")
    if not timeframe:
        raise Unsupported("an aggregation without a 'timeframe' has no window to count in")
    try:
        seconds = int(parse_duration(str(timeframe)).total_seconds())
    except ValueError:
        raise Unsupported(f"timeframe '{timeframe}' is not a duration") from None
    return base.strip(), Aggregation(match.group(1), match.group(2), int(match.group(3)), seconds)


def _parse(rule: dict[str, Any]) -> tuple[str, Aggregation | None]:
    """The compiled predicate of the rule's detection, and its aggregation if any."""
    if rule.get("correlation") or rule.get("type") == "correlation":
        raise Unsupported("Sigma correlation rules are not imported yet")
    logsource = rule.get("logsource") or {}
    if logsource.get("product") != "aws" or logsource.get("service") != "cloudtrail":
        raise Unsupported("log source is not product aws / service cloudtrail")
    detection = dict(rule.get("detection") or {})
    condition, aggregation = _split_condition(detection)
    detection["condition"] = condition
    detection.pop("timeframe", None)
    body = {k: v for k, v in rule.items() if k not in META_KEYS}
    body["detection"] = detection
    try:
        parsed = SigmaRule.from_dict(body)
        trees = [c.parse() for c in parsed.detection.parsed_condition]
    except SigmaError as exc:
        raise Unsupported(f"pySigma rejects the rule: {str(exc).splitlines()[0]}") from None
    predicates = [compile_condition(tree) for tree in trees]
    return (predicates[0] if len(predicates) == 1 else "(" + " OR ".join(predicates) + ")"), aggregation


def _event_sql(predicate: str, title: str, author: str) -> str:
    return f"""SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  userAgent,
  errorCode,
  eventID,
  {literal(title)} AS sigma_rule,
  {literal(author)} AS sigma_author
FROM events
WHERE {WINDOW_PREDICATE}
  AND {predicate}
ORDER BY eventTime, eventID
"""


def _aggregate_sql(predicate: str, agg: Aggregation, title: str, author: str) -> tuple[str, list[tuple[str, str]]]:
    output = []
    group_select = partition = group_by = ""
    if agg.group_by:
        operand = resolve(agg.group_by)
        if operand.many:
            raise Unsupported(f"count() by '{agg.group_by}', a list-valued field")
        column = agg.group_by.replace(".", "_")
        alias = "" if operand.sql == column else f" AS {column}"
        group_select, partition, group_by = f",\n    {operand.sql}{alias}", f"PARTITION BY {column} ", column
        output.append((column, f"The {agg.group_by} the events were counted by."))
    sql = f"""WITH matched AS (
  SELECT eventTime{group_select}
  FROM events
  WHERE {WINDOW_PREDICATE}
    AND eventTime IS NOT NULL
    AND {predicate}
), counted AS (
  SELECT *, count(*) OVER ({partition}ORDER BY eventTime
    RANGE BETWEEN INTERVAL '{agg.seconds}' SECOND PRECEDING AND CURRENT ROW) AS in_timeframe
  FROM matched
)
SELECT {group_by + ", " if group_by else ""}min(eventTime) AS first_alert, max(eventTime) AS last_alert,
  max(in_timeframe) AS peak_events_in_timeframe,
  {literal(title)} AS sigma_rule,
  {literal(author)} AS sigma_author
FROM counted
WHERE in_timeframe {agg.op} {agg.threshold}
{"GROUP BY " + group_by if group_by else ""}
HAVING count(*) > 0
ORDER BY first_alert
"""
    output += [
        ("first_alert", f"First event at which the count in the preceding {agg.seconds} s reached the threshold."),
        ("last_alert", "Last event at which the count was still at or above the threshold."),
        ("peak_events_in_timeframe", "Highest number of matching events within one timeframe."),
    ]
    return sql, output


def _tags(rule: dict[str, Any]) -> list[str]:
    tags = ["sigma", f"sigma:{rule['id']}"] if rule.get("id") else ["sigma"]
    for tag in rule.get("tags") or []:
        namespace, _, value = str(tag).lower().partition(".")
        if namespace == "attack" and re.fullmatch(r"t\d{4}(\.\d{3})?", value):
            tags.append(f"attack:{value.upper()}")
        elif value:
            plain = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
            if plain and plain not in tags:
                tags.append(plain)
    return tags


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")


def _docs(rule: dict[str, Any], title: str, author: str, aggregated: bool) -> dict[str, str]:
    fps = [str(f) for f in rule.get("falsepositives") or [] if str(f).strip()]
    indicates = (
        "Each row is a group of events matching the Sigma rule's detection whose number within the "
        "rule's timeframe reached its threshold."
        if aggregated
        else "Each row is an event matching the Sigma rule's detection."
    )
    if fps:
        indicates += " The rule's author lists these false positives: " + "; ".join(fps) + "."
    detection = yaml.safe_dump(rule.get("detection"), sort_keys=False, allow_unicode=True).rstrip()
    return {
        "description": str(rule.get("description") or title).strip(),
        "when": (
            f'Imported from the Sigma rule "{title}" by {author} (status {rule.get("status") or "unknown"}). '
            "Run it over recent activity as a detection, or over an incident's time window."
        ),
        "indicates": indicates,
        "notes": f"Compiled by `trailmask runbook import-sigma` from this detection:\n\n```yaml\n{detection}\n```",
    }


def convert_rule(rule: dict[str, Any], runbook_id: str) -> dict[str, Any]:
    """The runbook document (a mapping, ready for YAML) for one Sigma rule; raises Unsupported."""
    title = str(rule.get("title") or "untitled").strip()
    author = str(rule.get("author") or "unknown author").strip()
    predicate, aggregation = _parse(rule)
    if aggregation:
        sql, output = _aggregate_sql(predicate, aggregation, title, author)
    else:
        sql, output = _event_sql(predicate, title, author), list(EVENT_OUTPUT)
    source = str(rule.get("source_url") or rule.get("sigma_path") or "")
    references = [str(r) for r in rule.get("references") or []] + ([source] if source.startswith("http") else [])
    return {
        "id": runbook_id,
        "title": f"{title} (Sigma)",
        "version": 1,
        "severity": SEVERITY.get(str(rule.get("level") or "").lower(), "medium"),
        **_docs(rule, title, author, aggregation is not None),
        "tags": _tags(rule),
        "window": "24h",
        "sql": sql,
        "output": [{"name": n, "description": d} for n, d in output + CREDIT_OUTPUT],
        "references": references,
        "credits": [{"author": author, "license": LICENSE, "source": source or f"Sigma rule {rule.get('id', '')}"}],
    }


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text so SQL and notes stay readable."""


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(document: dict[str, Any]) -> str:
    header = (
        "# Generated by `trailmask runbook import-sigma`. The Sigma rule's licence (DRL 1.1)\n"
        "# requires crediting its author wherever the rule or its matches are shown.\n"
    )
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def rule_label(rule: dict[str, Any]) -> str:
    return str(rule.get("title") or rule.get("id") or json.dumps(rule)[:60])
