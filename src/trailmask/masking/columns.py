"""How each result column is masked for a role: told to clients so they never guess from a value.

From a column's lineage (the ``events`` paths it reads, trailmask.sqlkit.lineage) and the role's
operators for those paths' classes:

- ``none``: every path is shown as stored (``keep``), or the role is raw, or the run is unmasked;
- ``value``: each value is one operator's output (a token, a redaction, a truncated IP): the
  column is exactly one masked leaf, no function applied;
- ``parts``: some of what the column reads is masked, but a value is not one operator's output
  (a struct with masked fields, free text scanned by detectors, an expression over masked data);
- ``unknown``: the lineage could not be followed; a client shows it as possibly masked.

A description for display only: masking itself is applied by the compiled relation.
"""

from __future__ import annotations

from dataclasses import dataclass

from trailmask.masking.model import Policy, leaf_paths

MODES = ("none", "value", "parts", "unknown")
_NOT_PER_VALUE = ("keep", "detect")


@dataclass(frozen=True)
class ColumnMasking:
    mode: str
    operators: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"mode": self.mode, "operators": list(self.operators)}


def _leaves(path: str, lower: dict[str, str]) -> list[str]:
    """The classified leaves a path reads: those under it, else the nearest leaf above it (a field
    inside a JSON column is classified as its column)."""
    under = [leaf for low, leaf in lower.items() if low == path or low.startswith(path + ".")]
    if under:
        return under
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        if parent in lower:
            return [lower[parent]]
    return []


def column_masking(
    policy: Policy, role_name: str, paths: frozenset[str] | None, *, direct: bool, unmasked: bool = False
) -> ColumnMasking:
    """The masking of one result column reading ``paths`` (None: unknown) for ``role_name``."""
    role = policy.role(role_name)
    if role.raw or unmasked:
        return ColumnMasking("none")
    if paths is None:
        return ColumnMasking("unknown")
    lower = {leaf.lower(): leaf for leaf in leaf_paths()}
    found = [_leaves(path, lower) for path in sorted(paths)]
    if not all(found):  # a path that is not a classified column of events: unknown
        return ColumnMasking("unknown")
    leaves = [leaf for group in found for leaf in group]
    operators = tuple(sorted({role.operator_for(policy.class_of(leaf)).name for leaf in leaves}))
    masked = tuple(name for name in operators if name != "keep")
    if not masked:
        return ColumnMasking("none")
    if direct and len(leaves) == 1 and masked[0] not in _NOT_PER_VALUE:
        return ColumnMasking("value", masked)
    return ColumnMasking("parts", masked)
