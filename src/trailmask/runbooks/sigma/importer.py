"""Import many Sigma rules at once: read a rule file or a collection, convert each, report the rest.

Accepted inputs: a Sigma YAML file (one rule, or several ``---``-separated documents) and a JSON
lines collection with one rule mapping per line (the form of tests/fixtures/third_party/sigma).
Each compiled runbook is loaded back through the runbook loader before it counts as imported, so
an import never yields a file that ``runbook lint`` would refuse to load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from trailmask.errors import ConfigError, InputRejected
from trailmask.runbooks.loader import parse_runbook, read_yaml
from trailmask.runbooks.sigma.convert import convert_rule, rule_label, slug, to_yaml
from trailmask.runbooks.sigma.fields import Unsupported


@dataclass
class ImportedRule:
    title: str
    rule_id: str
    runbook_id: str
    text: str
    path: Path | None = None


@dataclass(frozen=True)
class UnsupportedRule:
    title: str
    rule_id: str
    reason: str


@dataclass
class ImportReport:
    imported: list[ImportedRule] = field(default_factory=list)
    unsupported: list[UnsupportedRule] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": [
                {"rule": r.title, "sigma_id": r.rule_id, "runbook": r.runbook_id, "path": str(r.path or "")}
                for r in self.imported
            ],
            "unsupported": [{"rule": u.title, "sigma_id": u.rule_id, "reason": u.reason} for u in self.unsupported],
            "counts": {"imported": len(self.imported), "unsupported": len(self.unsupported)},
        }


def read_rules(path: Path) -> list[dict[str, Any]]:
    """Rule mappings from a Sigma YAML file or a JSON-lines collection."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputRejected(f"cannot read {path}: {exc.strerror}") from None
    try:
        if path.suffix == ".jsonl":
            documents: Iterable[Any] = (json.loads(line) for line in text.splitlines() if line.strip())
            rules = list(documents)
        else:
            rules = [d for d in yaml.safe_load_all(text) if d is not None]
    except (ValueError, yaml.YAMLError) as exc:
        raise InputRejected(
            f"{path} is not a Sigma rule file or JSON-lines collection ({type(exc).__name__})"
        ) from None
    if not rules or not all(isinstance(r, dict) for r in rules):
        raise InputRejected(f"{path} holds no Sigma rule mappings")
    return rules


def _unique_id(rule: dict[str, Any], taken: set[str]) -> str:
    base = "sigma-" + (slug(str(rule.get("title") or "")) or str(rule.get("id", "rule"))[:8])
    candidate = base
    if candidate in taken:
        candidate = f"{base[:70]}-{str(rule.get('id', len(taken)))[:8]}"
    taken.add(candidate)
    return candidate


def import_rules(rules: Iterable[dict[str, Any]]) -> ImportReport:
    """Convert every rule; those that cannot be expressed are listed with the reason."""
    report = ImportReport()
    taken: set[str] = set()
    for rule in rules:
        title, rule_id = rule_label(rule), str(rule.get("id") or "")
        try:
            runbook_id = _unique_id(rule, taken)
            text = to_yaml(convert_rule(rule, runbook_id))
            parse_runbook(read_yaml(text), origin=f"import of {title}")
        except Unsupported as exc:
            report.unsupported.append(UnsupportedRule(title, rule_id, str(exc)))
            continue
        except ConfigError as exc:
            report.unsupported.append(UnsupportedRule(title, rule_id, f"the compiled runbook is invalid: {exc}"))
            continue
        report.imported.append(ImportedRule(title, rule_id, runbook_id, text))
    return report


def write_runbooks(report: ImportReport, out: Path) -> None:
    """Write each imported runbook as ``OUT/<id>.yaml``."""
    out.mkdir(parents=True, exist_ok=True)
    for item in report.imported:
        item.path = out / f"{item.runbook_id}.yaml"
        item.path.write_text(item.text, encoding="utf-8")
