"""Static checks of runbooks: what the loader accepts but a good runbook still needs.

The loader already refuses undeclared or unused parameters and malformed files (those arrive here
as load errors). Lint adds: documentation present, a time window, fixtures, a well-formed tag
vocabulary, follow-ups that point at real runbooks, parameters and columns, and Panther mappings
with measured agreement. Whether the sandbox accepts the SQL for every role is checked by the
service (it needs the policy); its findings use the same :class:`Finding`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from trailmask.runbooks.catalog import Catalog
from trailmask.runbooks.model import Runbook
from trailmask.runbooks.window import WINDOW_PREDICATE

TAG_FORMATS = {
    "cis-aws-1.2": re.compile(r"^3\.\d{1,2}$"),
    "cis-aws-1.4": re.compile(r"^4\.\d{1,2}$"),
    "cis-aws-3.0": re.compile(r"^4\.\d{1,2}$"),
    "cis-aws-5.0": re.compile(r"^4\.\d{1,2}$"),
    "cis-aws-6.0": re.compile(r"^5\.\d{1,2}$"),
    "securityhub": re.compile(r"^[A-Za-z0-9]+\.\d+$"),
    "attack": re.compile(r"^(T\d{4}(\.\d{3})?|TA\d{4})$"),
    "sigma": re.compile(r"^[0-9a-f-]{36}$"),
}
PLAIN_TAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    runbook: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "runbook": self.runbook, "message": self.message}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _docs(runbook: Runbook) -> Iterable[Finding]:
    for name, text in (("description", runbook.description), ("when", runbook.when), ("indicates", runbook.indicates)):
        if not text.strip():
            yield Finding("error", runbook.id, f"missing docs: '{name}' is empty")
    for column in runbook.output:
        if not column.description.strip():
            yield Finding("error", runbook.id, f"output column '{column.name}' has no description")


def _window(runbook: Runbook) -> Iterable[Finding]:
    if runbook.window is None:
        yield Finding("error", runbook.id, "no time window: declare 'window: 24h' and filter on $start/$end")
    elif _squash(WINDOW_PREDICATE) not in _squash(runbook.written_sql):
        yield Finding("warning", runbook.id, f"the SQL does not contain the standard window filter {WINDOW_PREDICATE}")


def _fixtures(runbook: Runbook) -> Iterable[Finding]:
    if not runbook.fixtures:
        yield Finding("warning", runbook.id, "no fixtures: add events that must match and events that must not")
        return
    if not any(f.matching for f in runbook.fixtures):
        yield Finding("warning", runbook.id, "no fixture has events that must match")
    if not any(f.not_matching for f in runbook.fixtures):
        yield Finding("warning", runbook.id, "no fixture has events that must not match")
    for fixture in runbook.fixtures:
        if fixture.expect is None:
            yield Finding("warning", runbook.id, f"fixture '{fixture.name}' states no expected rows")


def _tags(runbook: Runbook) -> Iterable[Finding]:
    for tag in runbook.tags:
        namespace, sep, value = tag.partition(":")
        if not sep:
            if not PLAIN_TAG.match(tag):
                yield Finding("error", runbook.id, f"tag '{tag}' must be lower-case words joined by dashes")
        elif namespace not in TAG_FORMATS:
            yield Finding("warning", runbook.id, f"tag namespace '{namespace}' is not one of {', '.join(TAG_FORMATS)}")
        elif not TAG_FORMATS[namespace].match(value):
            yield Finding("error", runbook.id, f"tag '{tag}' is not a valid {namespace} identifier")


def _follow_ups(runbook: Runbook, catalog: Catalog) -> Iterable[Finding]:
    columns = {c.name for c in runbook.output}
    for item in runbook.follow_up:
        if item.runbook is None:
            continue
        target = catalog.runbooks.get(item.runbook)
        if target is None:
            yield Finding("error", runbook.id, f"follow-up runbook '{item.runbook}' does not exist")
            continue
        for name, spec in item.params.items():
            if target.parameter(name) is None:
                yield Finding("error", runbook.id, f"follow-up '{item.runbook}' has no parameter '{name}'")
            if isinstance(spec, dict) and spec.get("column") not in columns:
                yield Finding("error", runbook.id, f"follow-up parameter '{name}' takes a column not in the output")


def _panther(runbook: Runbook) -> Iterable[Finding]:
    for mapping in runbook.panther:
        if mapping.total is None:
            yield Finding("warning", runbook.id, f"Panther rule '{mapping.rule}' has no measured agreement")


def lint_catalog(catalog: Catalog) -> list[Finding]:
    """Findings for every runbook of the catalog, load errors first."""
    findings = [Finding("error", e.path.name, e.message) for e in catalog.errors]
    for runbook in catalog:
        for check in (_docs(runbook), _window(runbook), _fixtures(runbook), _tags(runbook), _panther(runbook)):
            findings.extend(check)
        findings.extend(_follow_ups(runbook, catalog))
    return findings
