"""``policy check``: what a valid policy does, field by field and role by role, and what to review.

Loading already rejects invalid policies (trailmask.masking.loader). This explains a valid one:
the operator every role applies to every field, and warnings for choices that are allowed but
deserve a second look (a field left to the free-text default, a class a role shows as stored,
a class a role falls back to its default operator for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trailmask.masking.model import FREE_TEXT, Operator, Policy, leaf_paths

NOT_SENSITIVE = frozenset({"public", "time"})


@dataclass
class PolicyCheck:
    origin: str
    digest: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "digest": self.digest,
            "roles": self.roles,
            "fields": self.rows,
            "warnings": self.warnings,
        }


def _describe(op: Operator) -> str:
    options = ", ".join(f"{k}={v}" for k, v in op.options.items())
    return f"{op.name}({options})" if options else op.name


def _classes_in_use(policy: Policy) -> set[str]:
    used = {policy.class_of(path) for path in leaf_paths()}
    used |= {rule.cls for rule in policy.json_keys}
    used |= {"secret", "arn", "email", "ip", "principal", "account_id", "access_key"}  # detector classes
    return used


def _role_warnings(policy: Policy, used: set[str]) -> list[str]:
    warnings = []
    for name, role in policy.roles.items():
        if role.raw:
            continue
        for cls in sorted(used):
            op = role.operators.get(cls)
            if op is None:
                warnings.append(
                    f"role {name}: class {cls} has no operator, so it gets the default ({role.default.name})"
                )
            elif op.name == "keep" and cls not in NOT_SENSITIVE:
                warnings.append(f"role {name}: class {cls} is shown as stored (keep); `trailmask verify` will flag it")
        for cls in sorted(set(role.operators) - used):
            warnings.append(f"role {name}: operator for class {cls}, which no field or rule uses")
    return warnings


def check_policy(policy: Policy) -> PolicyCheck:
    report = PolicyCheck(policy.origin, policy.digest)
    unnamed = [path for path in leaf_paths() if path not in policy.classes]
    if unnamed:
        report.warnings.append(f"{len(unnamed)} fields not named in classes are free_text: {', '.join(unnamed)}")
    report.warnings += _role_warnings(policy, _classes_in_use(policy))
    for path in leaf_paths():
        cls = policy.class_of(path)
        row: dict[str, Any] = {"field": path, "class": cls, "named": path in policy.classes}
        for name, role in policy.roles.items():
            row[name] = "raw" if role.raw else _describe(role.operator_for(cls))
        report.rows.append(row)
    for name, role in policy.roles.items():
        report.roles.append(
            {
                "role": name,
                "raw": role.raw,
                "permissions": list(role.permissions),
                "row_filter": "none" if role.row_filter.empty else role.row_filter.to_dict(),
                "description": role.description,
                "free_text": "raw" if role.raw else _describe(role.operator_for(FREE_TEXT)),
            }
        )
    return report
