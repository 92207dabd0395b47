"""Which ``events`` paths a checked query groups on (for the notice about redacted groupings).

Grouping on a field a role sees redacted puts every row into one group (the viewer's
``top-principals`` shows one principal with every call). The service names such groupings in the
result's notices; this module finds the paths: for each ``GROUP BY`` item of every SELECT, the
``events`` paths it reads, following a position (``GROUP BY 1``), a select alias, CTEs and
subqueries as sqlkit.lineage does. What the lineage cannot follow is left out: this is a notice
to the reader, never a guard (masking is applied by the compiled relation).
"""

from __future__ import annotations

from sqlglot import exp

from trailmask.sqlkit.lineage import _Resolver
from trailmask.sqlkit.sandbox import CheckedQuery


def _item(node: exp.Expr, select: exp.Select) -> exp.Expr:
    """The expression a GROUP BY item stands for: a position or a select alias resolved."""
    projections = select.expressions
    if isinstance(node, exp.Literal) and not node.is_string and str(node.this).isdigit():
        index = int(str(node.this)) - 1
        return projections[index] if 0 <= index < len(projections) else node
    if isinstance(node, exp.Column) and not node.table:
        for projection in projections:
            if isinstance(projection, exp.Alias) and projection.alias.lower() == node.name.lower():
                return projection
    return node


def grouped_paths(checked: CheckedQuery) -> list[str]:
    """The lower-case dotted ``events`` paths read by the GROUP BY items of ``checked``, sorted."""
    resolver = _Resolver(checked.tree)
    found: set[str] = set()
    for select in checked.tree.find_all(exp.Select):
        group = select.args.get("group")
        if not isinstance(group, exp.Group):
            continue
        for node in group.expressions:
            try:
                paths, _ = resolver.expression(_item(node, select), select)
            except (AttributeError, KeyError, StopIteration, IndexError):  # shapes the lineage does not follow
                continue
            found |= paths or set()
    return sorted(found)
