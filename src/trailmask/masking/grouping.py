"""The notice for a grouping on fields a role sees redacted (issue 12.3).

A redacted field has one value for every row (``XXXXX``, NULL, or an ARN whose names are all
``XXXXX``), so grouping on it merges rows that differ only there: the viewer's ``top-principals``
shows one principal with every call. The result says so, naming the fields, rather than let the
one row pass for an answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from trailmask.masking.model import Operator, Policy, leaf_paths

_HIDING = ("redact", "nullify")


def _hides(operator: Operator) -> bool:
    """Does ``operator`` give every value of a field the same (or no) distinguishing content?"""
    if operator.name in _HIDING:
        return True
    return operator.name == "arn" and operator.option("names", "") == "redact"


def redacted_groupings(policy: Policy, role_name: str, paths: Iterable[str]) -> list[str]:
    """The leaves among ``paths`` (lower-case dotted ``events`` paths) that ``role_name`` sees
    redacted, spelled as in the schema, sorted; none for a raw role."""
    role = policy.role(role_name)
    if role.raw:
        return []
    lower = {leaf.lower(): leaf for leaf in leaf_paths()}
    hidden: set[str] = set()
    for path in paths:
        leaves = [lower[path]] if path in lower else [leaf for low, leaf in lower.items() if low.startswith(path + ".")]
        if leaves and all(_hides(role.operator_for(policy.class_of(leaf))) for leaf in leaves):
            hidden.add(lower.get(path, path))
    return sorted(hidden)


def grouping_notices(policy: Policy, role_name: str, paths: Iterable[str]) -> list[str]:
    """One notice naming the redacted grouping fields, or none."""
    hidden = redacted_groupings(policy, role_name, paths)
    if not hidden:
        return []
    names = ", ".join(hidden)
    return [
        f"grouped by {names}, which your role sees redacted: rows that differ only there fall into one group, "
        "so counts per value are not what they seem"
    ]
